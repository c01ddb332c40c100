#!/bin/sh
# Builds bench/reminder-plan.c against a configured, built tree and times the plan of a
# year of reminders for 1,000 weekly series (jmb_reminder_plan), then writing each series
# with its plan into a fresh SQLite store.
# Usage: bench/reminder-plan.sh [BUILD_DIR (default: ./build)] [ITERATIONS (default: 10)]
# The numbers go into doc/performance.md, "Reminder plans of series".
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
iterations=${2:-10}
out="$build/bench"

[ -f "$build/src/lib/libjmb-internal.la" ] ||
	{ echo "reminder-plan: build the tree in $build first (make)" >&2; exit 1; }
mkdir -p "$out"
"$build/libtool" --quiet --mode=link --tag=CC ${CC:-cc} -O2 -g -Wall -Wextra -Werror \
	-I"$build" -I"$top/include" -I"$top/src/lib" -o "$out/reminder-plan" \
	"$top/bench/reminder-plan.c" "$build/src/lib/libjmb-internal.la" -lpthread

db=$(mktemp -d)
trap 'rm -rf "$db"' EXIT
echo "machine: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) CPUs," \
	"$(uname -sr), libical $(pkg-config --modversion libical), load $(cut -d' ' -f1-3 /proc/loadavg)"
"$out/reminder-plan" "$iterations" "$db/jmb.db"
