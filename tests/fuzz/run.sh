#!/usr/bin/env bash
# Runs the dispatcher fuzzer for $1 seconds (default 600) on a copy of the
# committed seed corpus.  New interesting inputs go to build/fuzz/corpus;
# a finding leaves crash-* in build/fuzz and makes this script fail.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-600}
bin=build/fuzz/fuzz_dispatch
work=build/fuzz/corpus
mkdir -p "$work"
cp -n tests/fuzz/corpus/* "$work"/ 2>/dev/null || true
"$bin" -max_total_time="$seconds" -max_len=1500 -timeout=10 \
	-artifact_prefix=build/fuzz/ -print_final_stats=1 "$work" 2>&1 |
	grep -E '^(#[0-9]+[[:space:]]+(DONE|INITED)|stat::number_of_executed_units|==[0-9]+==|SUMMARY|.*ERROR|.*deadly)' || true
exit "${PIPESTATUS[0]}"
