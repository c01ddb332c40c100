#!/bin/sh
# The plugin ABI's symbols (a make check test; prints cmocka's summary lines
# so run-tests.sh counts it like the C suites):
#  - jmbd and jmbctl, which dlopen plugins, export exactly the functions
#    declared JMB_EXPORT in include/jmb/*.h (nothing internal, nothing missing);
#  - every jmb_* symbol a built plugin imports is one of them;
#  - a plugin exports its jmb_auth_plugin and no other jmb_* symbol.
top=${top_srcdir:-$(dirname "$0")/../..}
build=${top_builddir:-../..}
. "$top/tests/unit/checks.sh"

public=$(mktemp)
trap 'rm -f "$public" "$public.got"' EXIT
if ! CPP=${CPP:-cpp} sh "$top/build-aux/jmb-exports.sh" names "$top/include" > "$public"; then
	echo "[ FAILED ] cannot list the public API"
	exit 1
fi

for prog in src/jmbd/jmbd src/jmbctl/jmbctl; do
	nm -D --defined-only "$build/$prog" | awk '$3 ~ /^jmb_/ {print $3}' | sort -u > "$public.got"
	check "$prog exports exactly the JMB_EXPORT functions" \
		"$(diff "$public" "$public.got" | sed -n 's/^< /missing: /p; s/^> /not public: /p')"
done

plugins=$(ls "$build"/plugins/modules/*.so 2>/dev/null)
check "plugins are built" "$([ -n "$plugins" ] || echo "none in $build/plugins/modules")"
for so in $plugins; do
	name=${so##*/}
	bad=$(nm -D --undefined-only "$so" | awk '$2 ~ /^jmb_/ {print $2}' | sort -u |
		comm -13 "$public" -)
	check "$name imports only public jmb_* functions" "$bad"
	bad=$(nm -D --defined-only "$so" | awk '$3 ~ /^jmb_/ && $3 != "jmb_auth_plugin" {print $3}')
	check "$name exports jmb_auth_plugin only" "$bad"
done

summary
