#!/bin/sh
# Runs every libFuzzer target of tests/fuzz for a bounded time each, starting
# from its seed corpus, and exits non-zero if any of them crashed, leaked,
# timed out or broke an invariant.
#
#   tests/fuzz/run-all.sh SECONDS [TARGET...]
#
# Run it from the top of a build configured with --enable-fuzzing CC=clang
# (or set FUZZ_BIN_DIR to the folder holding the fuzz-* programs). The seed
# corpora are not modified: new inputs go to a scratch copy. Crash inputs are
# kept in FUZZ_ARTIFACTS (default ./fuzz-artifacts); replay one with
#   tests/fuzz/fuzz-form fuzz-artifacts/fuzz-form-crash-...
set -u

usage() {
	echo "usage: $0 SECONDS [TARGET...]" >&2
	exit 2
}

[ $# -ge 1 ] || usage
seconds=$1
shift
case $seconds in '' | *[!0-9]*) usage ;; esac

here=$(cd "$(dirname "$0")" && pwd)
bin_dir=${FUZZ_BIN_DIR:-tests/fuzz}
artifacts=${FUZZ_ARTIFACTS:-$PWD/fuzz-artifacts}
targets=${*:-"form cookie accept-language config mo time mailaddr identity etag text mail-in rrule"}
# fuzz-saml-response exists only in builds with the SAML plugin.
[ $# -eq 0 ] && [ -x "$bin_dir/fuzz-saml-response" ] && targets="$targets saml-response"

if [ ! -x "$bin_dir/fuzz-form" ]; then
	echo "$0: no fuzz targets in $bin_dir: build with ./configure --enable-fuzzing CC=clang && make," >&2
	echo "then run this from the build's top folder (or set FUZZ_BIN_DIR)." >&2
	exit 2
fi
mkdir -p "$artifacts"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/jmb-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM

# Leaks are bugs too; the parsers never need more than a little memory.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS UBSAN_OPTIONS

failed=""
for target in $targets; do
	name=${target#fuzz-}
	program="$bin_dir/fuzz-$name"
	seeds="$here/corpus/$name"
	if [ ! -x "$program" ] || [ ! -d "$seeds" ]; then
		echo "$0: unknown target '$name'" >&2
		failed="$failed $name"
		continue
	fi
	mkdir -p "$scratch/$name"
	dict=""
	[ -f "$here/dict/$name.dict" ] && dict="-dict=$here/dict/$name.dict"
	echo "== fuzz-$name: ${seconds}s"
	# stdin from /dev/null and no controlling terminal: the config target may
	# name files to read, and must never wait on a terminal.
	# shellcheck disable=SC2086
	if setsid "$program" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-max_len=8192 -print_final_stats=1 -artifact_prefix="$artifacts/fuzz-$name-" \
		$dict "$scratch/$name" "$seeds" </dev/null >"$scratch/$name.log" 2>&1; then
		grep -E '^stat::number_of_executed_units|^Done ' "$scratch/$name.log" | tr '\n' ' '
		echo
	else
		status=$?
		tail -n 60 "$scratch/$name.log"
		echo "!! fuzz-$name failed (exit $status); inputs kept in $artifacts"
		failed="$failed $name"
	fi
done

if [ -n "$failed" ]; then
	echo "FAILED:$failed"
	exit 1
fi
echo "all fuzz targets ran ${seconds}s without a finding"
