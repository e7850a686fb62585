#!/usr/bin/env bash
# Runs each test suite given as an argument (an executable), collects the
# TAP lines they print ("ok N - name" / "not ok N - name", and the plan
# "1..N"), and ends with the one summary line CI reads: "N passed, M failed".
#
# A suite counts one extra failure (named in the "Failed:" list) when:
#   - it prints no plan, or more than one (a suite that dies before its
#     plan, or runs two, is not trusted);
#   - its plan does not match its results (1..3 with 2 results: a test
#     went missing);
#   - it prints "Bail out!";
#   - it exits non-zero, even when every test it printed passed;
#   - it ran no test at all.
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
	plans=$(grep -cE '^1\.\.[0-9]+([[:space:]]*(#.*)?)?$' "$out")
	plan=$(grep -oE '^1\.\.[0-9]+' "$out" | head -n 1 | cut -d. -f3)
	why=""
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		why="ran no test"
	elif [ "$plans" -eq 0 ]; then
		why="no TAP plan (1..N) after $((p + f)) results"
	elif [ "$plans" -gt 1 ]; then
		why="$plans TAP plans"
	elif [ "$plan" -ne $((p + f)) ]; then
		why="plan 1..$plan but $((p + f)) results"
	elif grep -q '^Bail out!' "$out"; then
		why="bailed out: $(grep -m 1 '^Bail out!' "$out")"
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		why="exited with status $rc although every test passed"
	fi
	if [ -n "$why" ]; then
		f=$((f + 1))
		failed_names+=("$name: $why")
		echo "# run-tests: $name: $why"
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
