#!/usr/bin/env bash
# The style and static-analysis checks as TAP tests, so `make test` keeps
# them true: clang-format over every C source, clang-tidy and cppcheck on
# core/, hyp/ and lib/ (make format-check, tidy-core, tidy-hyp, tidy-lib,
# cppcheck-core, cppcheck-hyp, cppcheck-lib).
cd "$(dirname "$0")/.."
n=0
check() {
	local name=$1 out
	shift
	n=$((n + 1))
	if out=$("$@" 2>&1); then
		echo "ok $n - $name"
	else
		echo "$out" | tail -20 | sed 's/^/# /'
		echo "not ok $n - $name"
	fi
}
check "clang-format: every C source formatted" make -s --no-print-directory format-check
check "clang-tidy: no finding in core/" make -s --no-print-directory tidy-core
check "clang-tidy: no finding in hyp/" make -s --no-print-directory tidy-hyp
check "clang-tidy: no finding in lib/" make -s --no-print-directory tidy-lib
check "cppcheck: no finding in core/" make -s --no-print-directory cppcheck-core
check "cppcheck: no finding in hyp/" make -s --no-print-directory cppcheck-hyp
check "cppcheck: no finding in lib/" make -s --no-print-directory cppcheck-lib
echo "1..$n"
