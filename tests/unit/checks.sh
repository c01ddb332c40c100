# Sourced by the shell tests of tests/unit: named checks, and cmocka's summary
# lines at the end, so that run-tests.sh counts them like the C suites.
failed=0
total=0

check() { # name, offending lines (empty: the check passed)
	total=$((total + 1))
	if [ -n "$2" ]; then
		echo "[ FAILED ] $1"
		echo "$2" | sed 's/^/    /'
		failed=$((failed + 1))
	else
		echo "[       OK ] $1"
	fi
}

summary() { # exits with the tests' status
	echo "[==========] $total test(s) run."
	if [ "$failed" -eq 0 ]; then
		echo "[  PASSED  ] $total test(s)."
		exit 0
	fi
	echo "[  PASSED  ] $((total - failed)) test(s)."
	echo "[  FAILED  ] $failed test(s), listed below:"
	exit 1
}
