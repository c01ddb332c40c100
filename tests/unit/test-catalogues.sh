#!/bin/sh
# Every message catalogue (po/LANGUAGES) translates every message of the
# sources and the templates: the messages are extracted afresh with xgettext
# and extract-templates.py, as `make update-po` does, and each catalogue is
# compared with msgcmp, which counts an untranslated or fuzzy entry as
# missing. A make check test; prints cmocka's summary lines.
top=${top_srcdir:-$(dirname "$0")/../..}
cd "$top" || exit 99
. ./tests/unit/checks.sh
command -v xgettext >/dev/null && command -v msgcmp >/dev/null || {
	echo "xgettext or msgcmp missing (Debian package gettext)"
	exit 77
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
xgettext --keyword= --keyword=N_ --from-code=UTF-8 --package-name=jmb -o "$work/code.pot" \
	$(find src plugins -name '*.c' | sort) || exit 99
./po/extract-templates.py templates/*.xhtml > "$work/templates.pot" || exit 99
msgcat --use-first -o "$work/jmb.pot" "$work/code.pot" "$work/templates.pot" || exit 99

languages=$(sed -n 's/^LANGUAGES *= *//p' po/Makefile.am)
for lang in $languages; do
	# Merged with the fresh template without guessing, a message the catalogue
	# lacks or leaves untranslated or fuzzy shows as untranslated or fuzzy.
	msgmerge --quiet --no-fuzzy-matching -o "$work/$lang.po" "po/$lang.po" "$work/jmb.pot" ||
		exit 99
	missing=$( (msgattrib --untranslated --no-obsolete "$work/$lang.po"
		msgattrib --only-fuzzy --no-obsolete "$work/$lang.po") |
		sed -n '/^msgid /,/^msgstr/p' | grep -v '^msgstr' | grep -v '^msgid ""$')
	check "po/$lang.po translates every message" "$missing"
	check "po/$lang.po passes msgfmt --check" "$(msgfmt --check -o /dev/null "po/$lang.po" 2>&1)"
done

summary
