#!/bin/sh
# Run cmocka test binaries and add up their results.
# Ends with the line "N passed, N failed"; exits non-zero if anything failed.
passed=0
failed=0
# A test binary that hangs is a failure, not a stuck CI run.
limit=${UNIT_TIMEOUT:-300}
for t in "$@"; do
	out=$(timeout "$limit" "$t" 2>&1)
	rc=$?
	[ "$rc" -ne 124 ] || out="$out
unit: $t did not finish within ${limit}s (UNIT_TIMEOUT)"
	echo "$out"
	p=$(echo "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n1)
	f=$(echo "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -n1)
	p=${p:-0}
	f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		# crashed (sanitizer report, signal) before cmocka could count
		echo "unit: $t exited with status $rc"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
done
echo "unit tests: $passed passed, $failed failed"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
