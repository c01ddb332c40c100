#!/bin/bash
# Runs every jmb test suite on Debian 12 and ends with one line
# "N passed, N failed, N skipped". Installs what the tests need first.
#   unit         cmocka unit tests (make check)
#   integration  pytest against real jmbd processes, PostgreSQL, ...
#   e2e          playwright-core driving Debian's Chromium
#   fuzz         libFuzzer targets, a few seconds each
#   package      the Debian packages built, installed, upgraded and purged on
#                this machine (as root only: it changes the machine)
#   asan         unit and integration suites again under ASan/UBSan
# Options: --quick (skip fuzz, package and asan), --suite NAME (one suite only).
set -uo pipefail
cd "$(dirname "$0")"
top=$(pwd)
results=$(mktemp)
trap 'rm -f "$results"' EXIT
quick=0
only=""
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) quick=1 ;;
	--suite) only=$2; shift ;;
	*) echo "usage: $0 [--quick] [--suite unit|integration|e2e|fuzz|package|asan]" >&2; exit 2 ;;
	esac
	shift
done

TEST_DEPS="build-essential autoconf automake libtool pkg-config gettext tzdata
 libmicrohttpd-dev libsqlite3-dev libpq-dev libxml2-dev libjansson-dev libinih-dev
 libldap-dev slapd ldap-utils
 libssl-dev libcrypt-dev libical-dev libgmime-3.0-dev libutf8proc-dev libcmocka-dev libjwt-dev libcurl4-openssl-dev
 sqlite3 postgresql python3-aiosmtpd postfix dovecot-imapd
 libstrophe-dev libsystemd-dev prosody python3-slixmpp
 debhelper lintian
 python3-pytest python3-requests python3-icalendar python3-jwt python3-prometheus-client
 python3-recurring-ical-events python3-vobject
 chromium clang libclang-rt-14-dev
 libxmlsec1-dev zlib1g-dev xmlsec1 python3-lxml"

install_missing() {
	local missing="" p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing="$missing $p"
	done
	command -v node >/dev/null && command -v npm >/dev/null || missing="$missing nodejs npm"
	[ -z "$missing" ] && return 0
	echo "== installing:$missing"
	local sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	$sudo apt-get update -qq
	# The tests start Postfix instances of their own: the package must not
	# make this machine a mail server.
	echo "postfix postfix/main_mailer_type select No configuration" |
		$sudo debconf-set-selections
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
}

# build DIR [configure options...]
build() {
	local dir=$1
	shift
	[ -x configure ] || autoreconf -fi >/dev/null
	mkdir -p "$dir"
	(cd "$dir" && { [ -f Makefile ] || ../configure --quiet --enable-werror "$@"; } &&
		make -j"$(nproc)" --quiet >/dev/null)
}

record() { echo "$1 $2 $3 $4" >> "$results"; echo "== $1: $2 passed, $3 failed, $4 skipped"; }

# A throw-away PostgreSQL for the PostgreSQL group of the unit store suite
# (tests/unit/test-store runs it when JMB_TEST_PG_CONNINFO is set), so that
# cmocka's counts cover both drivers. The server lives until stop_pg.
start_pg() {
	coproc PG_SERVER { exec /usr/bin/python3 tests/integration/servers/serve_postgres.py 2>&1; }
	if ! read -r -t 120 JMB_TEST_PG_CONNINFO <&"${PG_SERVER[0]}" ||
		[[ $JMB_TEST_PG_CONNINFO != host=* ]]; then
		echo "== cannot start PostgreSQL for the store suite: $JMB_TEST_PG_CONNINFO"
		stop_pg
		return 1
	fi
	export JMB_TEST_PG_CONNINFO
}

stop_pg() {
	local pid=${PG_SERVER_PID:-}
	unset JMB_TEST_PG_CONNINFO
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

# cmocka prints "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s), listed below:".
run_unit() {
	local name=$1 dir=$2 pass fail pg_failed=0
	start_pg || pg_failed=1
	make -C "$dir/tests/unit" check --quiet >/dev/null 2>&1
	stop_pg
	pass=$(cat "$dir"/tests/unit/test-*.log 2>/dev/null | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
	fail=$(cat "$dir"/tests/unit/test-*.log 2>/dev/null | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
	# A test program that failed without cmocka's summary (it crashed, or a
	# sanitizer stopped it) counts as one failure.
	local trs
	for trs in "$dir"/tests/unit/test-*.trs; do
		[ -f "$trs" ] && grep -q '^:test-result: \(FAIL\|ERROR\)' "$trs" || continue
		grep -q '^\[  FAILED  \]' "${trs%.trs}.log" || fail=$((fail + 1))
	done
	[ "$pass$fail" = "00" ] && fail=1
	fail=$((fail + pg_failed))
	grep -h '^\[  FAILED  \] \|^FAIL\|^ERROR' "$dir"/tests/unit/*.log 2>/dev/null | head -20
	record "$name" "$pass" "$fail" 0
}

# run_pytest NAME BUILD_DIR [TEST_DIR]
run_pytest() {
	local name=$1 dir=$2 tests=${3:-tests/integration} xml
	xml=$(mktemp --suffix=.xml)
	JMB_BUILDDIR="$top/$dir" /usr/bin/python3 -m pytest -q -p no:cacheprovider \
		--junit-xml="$xml" "$tests" 2>&1 | tail -25
	/usr/bin/python3 - "$xml" "$name" >> "$results" <<'PY'
import sys, xml.etree.ElementTree as ET
try:
    suites = ET.parse(sys.argv[1]).getroot()
    suites = [suites] if suites.tag == "testsuite" else list(suites)
    t = sum(int(s.get("tests", 0)) for s in suites)
    f = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    k = sum(int(s.get("skipped", 0)) for s in suites)
    print(sys.argv[2], t - f - k, f, k)
except Exception:
    print(sys.argv[2], 0, 1, 0)
PY
	tail -1 "$results" | awk '{print "== " $1 ": " $2 " passed, " $3 " failed, " $4 " skipped"}'
	rm -f "$xml"
}

run_e2e() {
	local out
	if [ ! -f tests/e2e/package.json ]; then
		record e2e 0 0 0
		return
	fi
	(cd tests/e2e && npm install --no-audit --no-fund --silent >/dev/null 2>&1)
	out=$(JMB_BUILDDIR="$top/build" node --test tests/e2e/ 2>&1)
	echo "$out" | tail -15
	record e2e "$(echo "$out" | sed -n 's/^# pass \([0-9]*\)/\1/p')" \
		"$(echo "$out" | sed -n 's/^# fail \([0-9]*\)/\1/p')" \
		"$(echo "$out" | sed -n 's/^# skipped \([0-9]*\)/\1/p')"
}

run_fuzz() {
	local out pass fail
	if [ ! -x tests/fuzz/run-all.sh ]; then
		record fuzz 0 0 0
		return
	fi
	build build-fuzz CC=clang --enable-fuzzing --without-postgresql || { record fuzz 0 1 0; return; }
	local status=0
	# One test per target: it ran its time without a crash, leak or timeout.
	out=$(cd build-fuzz && "$top/tests/fuzz/run-all.sh" "${JMB_FUZZ_SECONDS:-10}" 2>&1) || status=$?
	echo "$out" | tail -15
	fail=$(echo "$out" | grep -c '^!! fuzz-')
	pass=$(($(echo "$out" | grep -c '^== fuzz-') - fail))
	[ $status -ne 0 ] && [ "$fail" -eq 0 ] && fail=1
	record fuzz "$pass" "$fail" 0
}

want() { [ -z "$only" ] || [ "$only" = "$1" ]; }

install_missing $TEST_DEPS
echo "== building"
build build || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }
want unit && run_unit unit build
want integration && run_pytest integration build
want e2e && run_e2e
if [ $quick -eq 0 ]; then
	want fuzz && run_fuzz
	if want package; then
		if [ "$(id -u)" -eq 0 ]; then
			JMB_TEST_PACKAGES=1 run_pytest package build tests/package
		else
			echo "== package: not run (it installs packages: run as root)"
		fi
	fi
	if want asan; then
		echo "== building with AddressSanitizer and UBSan"
		if build build-asan --enable-sanitizers; then
			export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
			export LSAN_OPTIONS=suppressions=$top/tests/lsan.supp
			run_unit asan-unit build-asan
			run_pytest asan-integration build-asan
		else
			record asan-build 0 1 0
		fi
	fi
fi
awk '{p+=$2; f+=$3; s+=$4} END {
	line = p " passed, " f " failed"
	if (s > 0) line = line ", " s " skipped"
	print line
	exit (f > 0 ? 1 : 0)
}' "$results"
