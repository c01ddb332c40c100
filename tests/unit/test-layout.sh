#!/bin/sh
# The tree's layering rules, checked on the sources (a make check test; prints
# cmocka's summary lines so run-tests.sh counts it like the C suites):
#  - a folder's *-private.h header of src/lib/ is included only by that folder
#    (unit tests may look inside, saying why on the include line);
#  - plugins include only the public API ("jmb/..."), their own headers,
#    system headers and config.h: nothing from src/;
#  - no file cites documents kept outside the repository.
top=${top_srcdir:-$(dirname "$0")/../..}
cd "$top" || exit 99
. ./tests/unit/checks.sh

bad=""
for h in $(cd src/lib && ls */*-private.h); do
	folder=${h%%/*}
	name=${h#*/}
	hits=$(grep -rn "#include \"\(.*/\)\?$name\"" src plugins | grep -v "^src/lib/$folder/")
	[ -n "$hits" ] && bad="$bad$hits
"
done
check "private headers stay in their folder" "$(echo "$bad" | sed '/^$/d')"

bad=""
for f in plugins/*/*.c plugins/*/*.h; do
	dir=${f%/*}
	hits=$(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
		while IFS= read -r line; do
			name=$(echo "$line" | sed 's/^[^"]*"\([^"]*\)".*/\1/')
			case "$name" in
			config.h | jmb/*.h) ;;
			*/*) echo "$f:$line" ;;
			*) [ -f "$dir/$name" ] || echo "$f:$line" ;;
			esac
		done)
	[ -n "$hits" ] && bad="$bad$hits
"
done
check "plugins include only jmb/ headers, their own and config.h" "$(echo "$bad" | sed '/^$/d')"

# The repository stands alone: nothing in it points at documents kept outside
# it. (The pattern is built from pieces so that this file does not match it.)
design="DESIGN"
style="STYLE"
outside="$design[.]md|$design §|$style §|[.][.]/shared/"
hits=$(git ls-files 2>/dev/null | xargs -r grep -InE "$outside" 2>/dev/null)
check "no file cites documents outside the repository" "$hits"

summary
