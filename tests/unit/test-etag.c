/* Unit tests of jmb_etag_next() (src/lib/web/http.c): the entity tags of an
 * If-None-Match header, and what it refuses; and of jmb_feed_etag_parse(), the
 * fields of the feed's tags. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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

/* "ok changes expiry context" or "refused". */
static const char *feed_tag(const char *tag)
{
	static char out[128];
	long long changes = -7, expiry = -7;
	char context[17] = "unset";

	if (jmb_feed_etag_parse(tag, strlen(tag), &changes, &expiry, context) < 0) {
		assert_int_equal(changes, -7); /* nothing set */
		assert_string_equal(context, "unset");
		return "refused";
	}
	snprintf(out, sizeof(out), "ok %lld %lld %s", changes, expiry, context);
	return out;
}

static void test_feed_tags(void **state)
{
	(void)state;
	assert_string_equal(feed_tag("12-0-0123456789abcdef"), "ok 12 0 0123456789abcdef");
	assert_string_equal(feed_tag("0-1700000000-a"), "ok 0 1700000000 a");
	assert_string_equal(feed_tag("9223372036854775807-9223372036854775807-f"),
	                    "ok 9223372036854775807 9223372036854775807 f");
	/* Only what the reading ends at: the tag's length, not a NUL. */
	assert_int_equal(
	    jmb_feed_etag_parse("1-2-ab\"junk", 6, &(long long){0}, &(long long){0}, (char[17]){0}),
	    0);
}

static void test_hostile_feed_tags(void **state)
{
	static const char *const hostile[] = {
	    /* beyond INT64_MAX (sscanf("%lld") was undefined there) */
	    "9223372036854775808-0-ab",
	    "0-9223372036854775808-ab",
	    "0-9999999999999999999-ab",
	    "99999999999999999999999-0-ab",
	    "18446744073709551616-0-ab",
	    /* negative, signs, spaces, leading zeros */
	    "-1-0-ab",
	    "1--1-ab",
	    "+1-0-ab",
	    "1-+0-ab",
	    " 1-0-ab",
	    "1- 0-ab",
	    "1 -0-ab",
	    "\t1-0-ab",
	    "01-0-ab",
	    "1-00-ab",
	    "0x1-0-ab",
	    /* empty fields and shapes */
	    "",
	    "-",
	    "--",
	    "--ab",
	    "1--ab",
	    "-0-ab",
	    "1-0-",
	    "1-0",
	    "1",
	    "1-0-ab-",
	    "1-0-ab ",
	    "1-0-AB",
	    "1-0-abg",
	    "1-0-0123456789abcdef0", /* 17 digits */
	    "1.5-0-ab",
	    "1e3-0-ab",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		if (strcmp(feed_tag(hostile[i]), "refused") != 0)
			fail_msg("accepted \"%s\"", hostile[i]);
	}
	/* An embedded NUL, and more than any tag jmbd writes. */
	assert_int_equal(
	    jmb_feed_etag_parse("1-0\0-ab", 7, &(long long){0}, &(long long){0}, (char[17]){0}),
	    -1);
	char big[200];
	memset(big, '1', sizeof(big));
	assert_int_equal(
	    jmb_feed_etag_parse(big, sizeof(big), &(long long){0}, &(long long){0}, (char[17]){0}),
	    -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lists),
	    cmocka_unit_test(test_malformed_stops),
	    cmocka_unit_test(test_refusal_moves_nothing),
	    cmocka_unit_test(test_feed_tags),
	    cmocka_unit_test(test_hostile_feed_tags),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
