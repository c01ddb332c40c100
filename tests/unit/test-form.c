/* Unit tests of src/lib/web/form.c: urlencoded forms, Cookie headers,
 * Accept-Language, UTF-8 validation and URL encoding. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "web/form.h"
#include "util/memory.h"

static int setup_pool(void **state)
{
	*state = jmb_pool_new();
	return 0;
}

static int teardown_pool(void **state)
{
	struct jmb_pool *pool = *state;

	jmb_pool_free(&pool);
	return 0;
}

static int parse(void **state, const char *text, struct jmb_pairs *out)
{
	return jmb_form_parse(*state, text, strlen(text), out);
}

/* --- urlencoded forms --- */

static void test_form_basic_pairs(void **state)
{
	struct jmb_pairs p;

	assert_int_equal(parse(state, "title=Hello&duration=90", &p), 0);
	assert_int_equal(p.count, 2);
	assert_string_equal(p.items[0].name, "title");
	assert_string_equal(p.items[0].value, "Hello");
	assert_string_equal(jmb_pairs_get(&p, "duration"), "90");
	assert_null(jmb_pairs_get(&p, "missing"));
	assert_null(jmb_pairs_get(&p, "Title")); /* names are case-sensitive */
}

static void test_form_empty_input(void **state)
{
	struct jmb_pairs p;

	assert_int_equal(parse(state, "", &p), 0);
	assert_int_equal(p.count, 0);
	assert_int_equal(parse(state, "&&&", &p), 0);
	assert_int_equal(p.count, 0);
	assert_null(jmb_pairs_get(&p, ""));
}

static void test_form_plus_and_percent(void **state)
{
	struct jmb_pairs p;

	assert_int_equal(parse(state, "t=Team+meeting&u=a%2Bb%20c&v=%41%62%3d%26&w=%e2%82%ac", &p),
	                 0);
	assert_string_equal(jmb_pairs_get(&p, "t"), "Team meeting");
	assert_string_equal(jmb_pairs_get(&p, "u"), "a+b c");
	assert_string_equal(jmb_pairs_get(&p, "v"), "Ab=&");
	assert_string_equal(jmb_pairs_get(&p, "w"), "\xe2\x82\xac");
	/* Names are decoded too. */
	assert_int_equal(parse(state, "a%5Bb%5D=1&my+name=2", &p), 0);
	assert_string_equal(jmb_pairs_get(&p, "a[b]"), "1");
	assert_string_equal(jmb_pairs_get(&p, "my name"), "2");
}

static void test_form_bad_percent_kept_literally(void **state)
{
	struct jmb_pairs p;

	assert_int_equal(parse(state, "a=%zz&b=%4&c=%&d=100%25&e=%%41&f=%g1", &p), 0);
	assert_string_equal(jmb_pairs_get(&p, "a"), "%zz");
	assert_string_equal(jmb_pairs_get(&p, "b"), "%4");
	assert_string_equal(jmb_pairs_get(&p, "c"), "%");
	assert_string_equal(jmb_pairs_get(&p, "d"), "100%");
	assert_string_equal(jmb_pairs_get(&p, "e"), "%A");
	assert_string_equal(jmb_pairs_get(&p, "f"), "%g1");
}

static void test_form_repeated_fields(void **state)
{
	struct jmb_pairs p;
	const char **all;

	assert_int_equal(parse(state, "g=a%40x.org&x=1&g=b%40x.org&g=", &p), 0);
	assert_string_equal(jmb_pairs_get(&p, "g"), "a@x.org");
	all = jmb_pairs_get_all(*state, &p, "g");
	assert_string_equal(all[0], "a@x.org");
	assert_string_equal(all[1], "b@x.org");
	assert_string_equal(all[2], "");
	assert_null(all[3]);
	all = jmb_pairs_get_all(*state, &p, "none");
	assert_null(all[0]);
}

static void test_form_many_fields_grow(void **state)
{
	char text[4000] = "";
	struct jmb_pairs p;
	const char **all;

	for (int i = 0; i < 300; i++)
		strcat(text, i ? "&k=v" : "k=v");
	assert_int_equal(parse(state, text, &p), 0);
	assert_int_equal(p.count, 300);
	all = jmb_pairs_get_all(*state, &p, "k");
	assert_string_equal(all[299], "v");
	assert_null(all[300]);
}

static void test_form_empty_names_and_values(void **state)
{
	struct jmb_pairs p;

	assert_int_equal(parse(state, "=orphan&flag&k=&k2==x", &p), 0);
	assert_int_equal(p.count, 4);
	assert_string_equal(p.items[0].name, "");
	assert_string_equal(p.items[0].value, "orphan");
	assert_string_equal(jmb_pairs_get(&p, "flag"), "");
	assert_string_equal(jmb_pairs_get(&p, "k"), "");
	assert_string_equal(jmb_pairs_get(&p, "k2"), "=x"); /* split at the first '=' */
}

static void test_form_reads_only_len_bytes(void **state)
{
	struct jmb_pairs p;
	const char buf[] = "a=1&b=2SECRET";

	assert_int_equal(jmb_form_parse(*state, buf, 7, &p), 0);
	assert_int_equal(p.count, 2);
	assert_string_equal(jmb_pairs_get(&p, "b"), "2");
	/* A '%' at the very end of the given length is not decoded from bytes past it. */
	assert_int_equal(jmb_form_parse(*state, "a=%41", 4, &p), 0);
	assert_string_equal(jmb_pairs_get(&p, "a"), "%4");
}

static void test_form_nul_refused(void **state)
{
	struct jmb_pairs p;
	const char raw[] = {'a', '=', 'x', '\0', 'y'};

	assert_int_equal(parse(state, "a=x%00y", &p), -1);
	assert_int_equal(parse(state, "a%00b=x", &p), -1);
	assert_int_equal(jmb_form_parse(*state, raw, sizeof(raw), &p), -1);
}

static void test_form_invalid_utf8_refused(void **state)
{
	static const char *const bad[] = {
	    "a=%ff",             /* never valid */
	    "a=%c3",             /* truncated sequence */
	    "a=%c3%28",          /* bad continuation */
	    "a=%e2%82",          /* truncated 3-byte */
	    "a=%80",             /* lone continuation */
	    "a=%ed%a0%80",       /* UTF-16 surrogate */
	    "a=%f4%90%80%80",    /* beyond U+10FFFF */
	    "a=%f8%88%80%80%80", /* 5-byte form */
	    "%ff=x",             /* in a name */
	    "a=ok&b=\xe9t\xe9",  /* raw Latin-1 bytes */
	};
	struct jmb_pairs p;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(state, bad[i], &p) != -1)
			fail_msg("accepted %s", bad[i]);
	}
}

static void test_form_overlong_utf8_refused(void **state)
{
	static const char *const bad[] = {
	    "a=%c0%af",       /* '/' in 2 bytes */
	    "a=%c1%bf",       /* 0x7f in 2 bytes */
	    "a=%c0%80",       /* NUL in 2 bytes ("modified UTF-8") */
	    "a=%e0%80%af",    /* '/' in 3 bytes */
	    "a=%e0%9f%bf",    /* U+07FF in 3 bytes */
	    "a=%f0%80%80%af", /* '/' in 4 bytes */
	    "a=%f0%8f%bf%bf", /* U+FFFF in 4 bytes */
	};
	struct jmb_pairs p;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(state, bad[i], &p) != -1)
			fail_msg("accepted %s", bad[i]);
	}
}

static void test_form_valid_utf8_accepted(void **state)
{
	struct jmb_pairs p;

	assert_int_equal(parse(state,
	                       "a=%c3%a9&b=%df%bf&c=%e0%a0%80&d=%ef%bf%bd&e=%f0%9f%98%80"
	                       "&f=%f4%8f%bf%bf&g=%c2%80&h=\xc3\xa9t\xc3\xa9",
	                       &p),
	                 0);
	assert_string_equal(jmb_pairs_get(&p, "a"), "\xc3\xa9");
	assert_string_equal(jmb_pairs_get(&p, "e"), "\xf0\x9f\x98\x80");
	assert_string_equal(jmb_pairs_get(&p, "f"), "\xf4\x8f\xbf\xbf"); /* U+10FFFF */
	assert_string_equal(jmb_pairs_get(&p, "h"), "\xc3\xa9t\xc3\xa9");
}

static void test_utf8_is_valid(void **state)
{
	assert_true(jmb_utf8_is_valid("", 0));
	assert_true(jmb_utf8_is_valid("plain ascii", 11));
	assert_true(jmb_utf8_is_valid("\xc3\xa9", 2));
	assert_false(jmb_utf8_is_valid("\xc3\xa9", 1)); /* cut by the length */
	assert_false(jmb_utf8_is_valid("\xe2\x82\xac", 2));
	assert_true(jmb_utf8_is_valid("\xe2\x82\xac", 3));
	assert_false(jmb_utf8_is_valid("\xfe", 1));
	assert_false(jmb_utf8_is_valid("\xed\xbf\xbf", 3)); /* low surrogate */
	assert_true(jmb_utf8_is_valid("\xee\x80\x80", 3));  /* U+E000, just after */
}

/* --- cookies --- */

static void test_cookie_basic(void **state)
{
	struct jmb_pairs p;

	jmb_cookie_parse(*state, "jmb_session=abc123; lang=fr", &p);
	assert_int_equal(p.count, 2);
	assert_string_equal(jmb_pairs_get(&p, "jmb_session"), "abc123");
	assert_string_equal(jmb_pairs_get(&p, "lang"), "fr");
}

static void test_cookie_quoted(void **state)
{
	struct jmb_pairs p;

	jmb_cookie_parse(*state, "a=\"quoted value\"; b=\"\"; c=\"half; d=x\"y", &p);
	assert_string_equal(jmb_pairs_get(&p, "a"), "quoted value");
	assert_string_equal(jmb_pairs_get(&p, "b"), "");
	assert_string_equal(jmb_pairs_get(&p, "c"), "\"half"); /* unbalanced: kept as is */
	assert_string_equal(jmb_pairs_get(&p, "d"), "x\"y");
}

static void test_cookie_spaces(void **state)
{
	struct jmb_pairs p;

	jmb_cookie_parse(*state, "  a=1;b=2 ;\t c=3\t;   ;d=4   ", &p);
	assert_int_equal(p.count, 4);
	assert_string_equal(jmb_pairs_get(&p, "a"), "1");
	assert_string_equal(jmb_pairs_get(&p, "b"), "2");
	assert_string_equal(jmb_pairs_get(&p, "c"), "3");
	assert_string_equal(jmb_pairs_get(&p, "d"), "4");
}

static void test_cookie_missing_equals_and_empty_names(void **state)
{
	struct jmb_pairs p;

	jmb_cookie_parse(*state, "flag; =novalue; a=1; ;; b=x=y; c=", &p);
	assert_int_equal(p.count, 3);
	assert_null(jmb_pairs_get(&p, "flag"));
	assert_null(jmb_pairs_get(&p, ""));
	assert_string_equal(jmb_pairs_get(&p, "a"), "1");
	assert_string_equal(jmb_pairs_get(&p, "b"), "x=y");
	assert_string_equal(jmb_pairs_get(&p, "c"), "");
	jmb_cookie_parse(*state, "", &p);
	assert_int_equal(p.count, 0);
	jmb_cookie_parse(*state, ";", &p);
	assert_int_equal(p.count, 0);
	jmb_cookie_parse(*state, "   ", &p);
	assert_int_equal(p.count, 0);
}

static void test_cookie_first_of_duplicates_wins(void **state)
{
	struct jmb_pairs p;

	jmb_cookie_parse(*state, "s=first; s=second", &p);
	assert_int_equal(p.count, 2);
	assert_string_equal(jmb_pairs_get(&p, "s"), "first");
}

/* --- Accept-Language --- */

static const char *const supported[] = {"fr", "en", NULL};

static const char *pick(const char *header)
{
	return jmb_accept_language_pick(header, supported, "fallback");
}

static void test_accept_language_q_values(void **state)
{
	assert_string_equal(pick("fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7"), "fr");
	assert_string_equal(pick("en-US,en;q=0.9,fr;q=0.8"), "en");
	assert_string_equal(pick("de, en;q=0.5, fr;q=0.7"), "fr");
	assert_string_equal(pick("fr;q=0.3, en;q=0.31"), "en");
	assert_string_equal(pick("en;q=0.5, fr;q=0.5"), "en"); /* a tie keeps header order */
	assert_string_equal(pick("fr;q=1.0, en"), "fr");
	assert_string_equal(pick("en;Q=0.9, fr;q=0.2"), "en"); /* 'Q' too */
	assert_string_equal(pick(" fr ; q=0.5 , en ; q=0.6 "), "en");
}

static void test_accept_language_regions(void **state)
{
	assert_string_equal(pick("fr-CA"), "fr");
	assert_string_equal(pick("FR-be"), "fr");
	assert_string_equal(pick("en_GB"), "en");
	assert_string_equal(pick("EN"), "en");
	assert_string_equal(pick("french, english"), "fallback"); /* a prefix is not a tag */
	assert_string_equal(pick("f, e"), "fallback");
	assert_string_equal(pick("de-fr"), "fallback");
}

static void test_accept_language_q_zero_means_not_acceptable(void **state)
{
	assert_string_equal(pick("fr;q=0"), "fallback");
	assert_string_equal(pick("fr;q=0.000, en;q=0.001"), "en");
	assert_string_equal(pick("en;q=0, fr;q=0"), "fallback");
}

static void test_accept_language_garbage(void **state)
{
	static const char *const garbage[] = {
	    "",         ",,,;;;",       "*",
	    ";q=1",     "q=1",          "fr;q=",
	    "fr;q=2",   "fr;q=-1",      "fr;q=abc",
	    "de;q=0.9", "\x01\x02\xff", "fr;q=1.5",
	    ";;fr;;",   "=,=,=",        "xx-fr, yy-en",
	};

	for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		const char *got = pick(garbage[i]);
		if (strcmp(got, "fallback") != 0)
			fail_msg("'%s' picked %s", garbage[i], got);
	}
	assert_string_equal(pick(NULL), "fallback");
	/* A bad item does not spoil the good ones around it. */
	assert_string_equal(pick("fr;q=abc, en;q=0.4"), "en");
	assert_string_equal(pick("xx;;;,en"), "en");
}

/* --- URL encoding --- */

static void test_url_encode(void **state)
{
	assert_string_equal(jmb_url_encode(*state, "abc-XYZ_0.9~"), "abc-XYZ_0.9~");
	assert_string_equal(jmb_url_encode(*state, "a b&c=d/e?f#g"), "a%20b%26c%3Dd%2Fe%3Ff%23g");
	assert_string_equal(jmb_url_encode(*state, "\xc3\xa9\n"), "%C3%A9%0A");
	assert_string_equal(jmb_url_encode(*state, ""), "");
}

static void test_url_encode_round_trips_through_form_parse(void **state)
{
	const char *original = "Zo\xc3\xa9 & Co: 100% \"sure\"+more";
	char *text = jmb_pool_printf(*state, "v=%s", jmb_url_encode(*state, original));
	struct jmb_pairs p;

	assert_int_equal(parse(state, text, &p), 0);
	assert_string_equal(jmb_pairs_get(&p, "v"), original);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_pool, teardown_pool)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_form_basic_pairs),
	    T(test_form_empty_input),
	    T(test_form_plus_and_percent),
	    T(test_form_bad_percent_kept_literally),
	    T(test_form_repeated_fields),
	    T(test_form_many_fields_grow),
	    T(test_form_empty_names_and_values),
	    T(test_form_reads_only_len_bytes),
	    T(test_form_nul_refused),
	    T(test_form_invalid_utf8_refused),
	    T(test_form_overlong_utf8_refused),
	    T(test_form_valid_utf8_accepted),
	    T(test_utf8_is_valid),
	    T(test_cookie_basic),
	    T(test_cookie_quoted),
	    T(test_cookie_spaces),
	    T(test_cookie_missing_equals_and_empty_names),
	    T(test_cookie_first_of_duplicates_wins),
	    T(test_accept_language_q_values),
	    T(test_accept_language_regions),
	    T(test_accept_language_q_zero_means_not_acceptable),
	    T(test_accept_language_garbage),
	    T(test_url_encode),
	    T(test_url_encode_round_trips_through_form_parse),
	};

	return cmocka_run_group_tests_name("form", tests, NULL, NULL);
}
