#!/usr/bin/env bash
# Runs each test suite given as an argument (an executable), collects the
# TAP lines they print ("ok N - name" / "not ok N - name"), and ends with the
# one summary line CI reads: "N passed, M failed".  A suite that exits
# non-zero without reporting a failure counts as one failed test.
set -uo pipefail

passed=0
failed=0
failed_names=()
for suite in "$@"; do
	name=$(basename "$suite")
	echo "=== $name"
	out=$(mktemp)
	CMOCKA_MESSAGE_OUTPUT=TAP "$suite" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	p=$(grep -cE '^ok [0-9]+' "$out")
	f=$(grep -cE '^not ok [0-9]+' "$out")
	while IFS= read -r line; do
		failed_names+=("$name: ${line#not ok }")
	done < <(grep -E '^not ok [0-9]+' "$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		failed_names+=("$name: exited with status $rc")
	fi
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		f=1
		failed_names+=("$name: ran no test")
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	rm -f "$out"
done
echo
if [ ${#failed_names[@]} -gt 0 ]; then
	echo "Failed:"
	printf '  %s\n' "${failed_names[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
