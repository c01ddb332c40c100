#!/bin/sh
# Builds bench/feed-build.c against a configured, built tree and times the personal iCal
# feed of 500 meetings (5 attendees each), on one thread and on every CPU at once, and
# the same feed with 100 of them weekly series.
# Usage: bench/feed-build.sh [BUILD_DIR (default: ./build)] [ITERATIONS (default: 300)]
# The numbers go into doc/performance.md, "Feed generation".
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
iterations=${2:-300}
out="$build/bench"

[ -f "$build/src/lib/libjmb-internal.la" ] ||
	{ echo "feed-build: build the tree in $build first (make)" >&2; exit 1; }
mkdir -p "$out"
"$build/libtool" --quiet --mode=link --tag=CC ${CC:-cc} -O2 -g -Wall -Wextra -Werror \
	-I"$build" -I"$top/include" -I"$top/src/lib" -o "$out/feed-build" \
	"$top/bench/feed-build.c" "$build/src/lib/libjmb-internal.la" -lpthread

cpus=$(nproc)
echo "machine: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $cpus CPUs," \
	"$(uname -sr), libical $(pkg-config --modversion libical)"
"$out/feed-build" "$iterations" 1
[ "$cpus" -gt 1 ] && "$out/feed-build" "$((iterations / cpus + 1))" "$cpus"
# Issue 10: 100 of the 500 are weekly series (52 occurrences, 40 overrides).
"$out/feed-build" "$iterations" 1 series
exit 0
