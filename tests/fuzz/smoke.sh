#!/usr/bin/env bash
# One TAP test: the dispatcher fuzzer runs for FUZZ_SMOKE_SECONDS (30) from
# the seed corpus without a finding.
cd "$(dirname "$0")/../.."
secs=${FUZZ_SMOKE_SECONDS:-30}
echo "1..1"
if out=$(tests/fuzz/run.sh "$secs" 2>&1); then
	echo "$out" | tail -3 | sed 's/^/# /'
	echo "ok 1 - fuzz_dispatch: ${secs} s, no finding"
else
	echo "$out" | tail -30 | sed 's/^/# /'
	echo "not ok 1 - fuzz_dispatch: finding (see build/fuzz/crash-*)"
	exit 1
fi
