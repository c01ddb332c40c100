/* Unit tests of jmb_etag_next() (src/lib/web/http.c): the entity tags of an
 * If-None-Match header, and what it refuses. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "web/http.h"

/* The tags of header joined by "|", or "!" appended when parsing stopped on
 * something else than the end. */
static char *tags_of(const char *header)
{
	static char out[4096];
	const char *cursor = header, *tag;
	size_t len;

	out[0] = '\0';
	while ((tag = jmb_etag_next(&cursor, &len)) != NULL) {
		if (out[0] != '\0')
			strcat(out, "|");
		strncat(out, tag, len);
	}
	cursor += strspn(cursor, " \t,");
	if (*cursor != '\0')
		strcat(out, "!");
	return out;
}

static void test_lists(void **state)
{
	(void)state;
	assert_string_equal(tags_of("\"abc\""), "abc");
	assert_string_equal(tags_of("W/\"abc\""), "abc");
	assert_string_equal(tags_of("\"a\", W/\"b\" ,\"c\"  "), "a|b|c");
	assert_string_equal(tags_of(" ,, \"a\",,"), "a");
	assert_string_equal(tags_of("\"\""), "");
	assert_string_equal(tags_of(""), "");
	assert_string_equal(tags_of("\"caf\xc3\xa9\""), "caf\xc3\xa9"); /* obs-text */
}

static void test_malformed_stops(void **state)
{
	(void)state;
	assert_string_equal(tags_of("*"), "!");
	assert_string_equal(tags_of("abc"), "!");
	assert_string_equal(tags_of("\"abc"), "!");
	assert_string_equal(tags_of("\"a\" \"b\""), "!"); /* no comma between */
	assert_string_equal(tags_of("\"a\"x"), "!");
	assert_string_equal(tags_of("\"a\", W/W/\"b\""), "a!");
	assert_string_equal(tags_of("w/\"a\""), "!"); /* W/ is case-sensitive */
	assert_string_equal(tags_of("\"a b\""), "!"); /* no space inside */
	assert_string_equal(tags_of("\"a\tb\""), "!");
	assert_string_equal(tags_of("\"a\x01\""), "!");
	assert_string_equal(tags_of("\"a\x7f\""), "!");
	assert_string_equal(tags_of("\"ok\", \"a\\\"b\""), "ok!"); /* no escapes in tags */
}

/* A refused tag leaves the cursor where it was. */
static void test_refusal_moves_nothing(void **state)
{
	const char *header = "\"a\", bad", *cursor = header;
	size_t len;

	(void)state;
	assert_non_null(jmb_etag_next(&cursor, &len));
	assert_ptr_equal(cursor, header + 3);
	assert_null(jmb_etag_next(&cursor, &len));
	assert_ptr_equal(cursor, header + 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lists),
	    cmocka_unit_test(test_malformed_stops),
	    cmocka_unit_test(test_refusal_moves_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
