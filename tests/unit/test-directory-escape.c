/* Unit tests of src/lib/directory/directory-escape.c on hostile values: RFC 4515 filter
 * values (checked exactly and decoded back) and RFC 4514 DN values (parsed
 * back with libldap's own DN parser). No server needed. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "directory/directory-private.h" /* white-box: the escaping helpers */
#include "util/memory.h"

/* Values that break naive filter or DN pasting, and some harmless ones. */
static const char *const hostile[] = {
    "*",
    "(",
    ")",
    "\\",
    ")(uid=*",
    "*)(|(objectClass=*",
    "\\2a",
    "(|(mail=*))",
    "alice)(|(objectClass=*)",
    "a,b=c",
    "cn=admin,dc=example,dc=org",
    "#x",
    "a#b",
    " lead",
    "trail ",
    " ",
    "  # ",
    ",+\"\\<>;=",
    "%s",
    "%%",
    "Chlo\xc3\xa9 Lef\xc3\xa8vre",
    "\xe2\x80\x8b",
    "\xf0\x9f\x98\x80",
    "\xc3\x89TIENNE",
    "plain text",
};

/* Not UTF-8: a stray byte, an overlong '/', a surrogate, a cut-off sequence. */
static const char *const not_utf8[] = {"\xff", "ab\xc0\xaf", "\xed\xa0\x80", "\xc3", "a\x80z"};

static int setup(void **state)
{
	*state = jmb_pool_new();
	return 0;
}

static int teardown(void **state)
{
	struct jmb_pool *pool = *state;

	jmb_pool_free(&pool);
	return 0;
}

static int hex_digit(char c)
{
	const char *digits = "0123456789abcdef", *p = strchr(digits, c | 0x20);

	return c != '\0' && p != NULL ? (int)(p - digits) : -1;
}

/* Decodes an RFC 4515 value back to its bytes, failing the test on any
 * character that would end or widen the filter if left as it is. */
static char *filter_decode(struct jmb_pool *pool, const char *escaped)
{
	char *out = jmb_pool_calloc(pool, strlen(escaped) + 1, 1), *o = out;

	for (const char *p = escaped; *p != '\0'; p++) {
		if (*p == '*' || *p == '(' || *p == ')')
			fail_msg("unescaped '%c' in %s", *p, escaped);
		if (*p == '\\') {
			int hi = hex_digit(p[1]), lo = hi >= 0 ? hex_digit(p[2]) : -1;
			if (lo < 0)
				fail_msg("bad escape in %s", escaped);
			*o++ = (char)(hi * 16 + lo);
			p += 2;
		} else {
			*o++ = *p;
		}
	}
	return out;
}

static const char *filter_value(struct jmb_pool *pool, const char *value)
{
	const char *escaped = jmb_ldap_filter_format(pool, "%s", value);

	if (escaped == NULL)
		fail_msg("refused: %s", value);
	return escaped;
}

static void assert_filter_round_trip(struct jmb_pool *pool, const char *value)
{
	assert_string_equal(filter_decode(pool, filter_value(pool, value)), value);
}

/* The value that libldap reads back from "cn=<escaped>,dc=example,dc=org". */
static void assert_dn_round_trip(struct jmb_pool *pool, const char *value)
{
	const char *escaped = jmb_ldap_dn_value_escape(pool, value);
	char *dn_text;
	LDAPDN dn = NULL;

	if (escaped == NULL)
		fail_msg("refused: [%s]", value);
	dn_text = jmb_pool_printf(pool, "cn=%s,dc=example,dc=org", escaped);
	if (ldap_str2dn(dn_text, &dn, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS)
		fail_msg("not a DN: %s", dn_text);
	assert_non_null(dn[0]);
	assert_non_null(dn[1]);
	assert_non_null(dn[2]);
	assert_null(dn[3]);
	assert_null(dn[0][1]); /* one AVA: nothing was taken for '+' */
	assert_int_equal(dn[0][0]->la_value.bv_len, strlen(value));
	assert_memory_equal(dn[0][0]->la_value.bv_val, value, strlen(value));
	ldap_dnfree(dn);
}

/* Runs check on every hostile value, and on every ASCII character at the
 * start, inside and at the end of a value. */
static void each_hostile_value(struct jmb_pool *pool,
                               void (*check)(struct jmb_pool *pool, const char *value))
{
	for (size_t i = 0; i < sizeof(hostile) / sizeof(*hostile); i++)
		check(pool, hostile[i]);
	for (int c = 1; c < 0x80; c++) {
		char value[] = {(char)c, 'a', (char)c, 'b', (char)c, '\0'};
		check(pool, value);
	}
}

/* ---- filters (RFC 4515) ------------------------------------------------ */

static void test_filter_specials_are_hex_escaped(void **state)
{
	struct jmb_pool *pool = *state;

	assert_string_equal(filter_value(pool, "*"), "\\2A");
	assert_string_equal(filter_value(pool, "("), "\\28");
	assert_string_equal(filter_value(pool, ")"), "\\29");
	assert_string_equal(filter_value(pool, "\\"), "\\5C");
	assert_string_equal(filter_value(pool, ")(uid=*"), "\\29\\28uid=\\2A");
	/* An escape typed by the user stays text. */
	assert_string_equal(filter_value(pool, "\\2a"), "\\5C2a");
	/* What is special in DNs only is left alone. */
	assert_string_equal(filter_value(pool, ",+\"<>;=# "), ",+\"<>;=# ");
}

static void test_filter_template(void **state)
{
	struct jmb_pool *pool = *state;

	assert_string_equal(jmb_ldap_filter_format(pool, "(uid=%s)", "a*"), "(uid=a\\2A)");
	assert_string_equal(jmb_ldap_filter_format(pool, "(|(uid=%s)(mail=%s))", "x)"),
	                    "(|(uid=x\\29)(mail=x\\29))");
	/* The template's own '*' is config, not user input. */
	assert_string_equal(jmb_ldap_filter_format(pool, "(cn=%s*)", "*"), "(cn=\\2A*)");
	assert_string_equal(jmb_ldap_filter_format(pool, "(x=100%%)(uid=%s)", "a"),
	                    "(x=100%)(uid=a)");
	/* A '%s' in the value is not expanded again. */
	assert_string_equal(jmb_ldap_filter_format(pool, "(uid=%s)", "%s"), "(uid=%s)");
	assert_string_equal(jmb_ldap_filter_format(pool, "(uid=%s)", "%%"), "(uid=%%)");
}

static void test_filter_empty_value(void **state)
{
	assert_string_equal(jmb_ldap_filter_format(*state, "(uid=%s)", ""), "(uid=)");
}

static void test_filter_non_ascii(void **state)
{
	struct jmb_pool *pool = *state;

	/* Octets above 0x7f are escaped too (allowed by RFC 4515), and decode
	   back to the same UTF-8. */
	assert_string_equal(filter_value(pool, "Chlo\xc3\xa9"), "Chlo\\C3\\A9");
	assert_string_equal(filter_value(pool, "\xf0\x9f\x98\x80"), "\\F0\\9F\\98\\80");
}

static void test_filter_hostile_values_round_trip(void **state)
{
	each_hostile_value(*state, assert_filter_round_trip);
}

static void test_filter_refuses_what_is_not_text(void **state)
{
	struct jmb_pool *pool = *state;

	for (size_t i = 0; i < sizeof(not_utf8) / sizeof(*not_utf8); i++)
		assert_null(jmb_ldap_filter_format(pool, "(uid=%s)", not_utf8[i]));
	assert_null(jmb_ldap_filter_format(pool, "(uid=%s)", NULL));
}

static void test_filter_long_value(void **state)
{
	struct jmb_pool *pool = *state;
	size_t n = 100000;
	char *value = jmb_pool_calloc(pool, n + 1, 1);
	const char *escaped;

	for (size_t i = 0; i < n; i++)
		value[i] = "*()\\x"[i % 5];
	escaped = filter_value(pool, value);
	assert_int_equal(strlen(escaped), n / 5 * (4 * 3 + 1));
	assert_string_equal(filter_decode(pool, escaped), value);
}

static void test_any_of(void **state)
{
	struct jmb_pool *pool = *state;
	const char *const attrs[] = {"cn", "mail", NULL};

	assert_string_equal(directory_any_of(pool, attrs, "a*)", false),
	                    "(|(cn=a\\2A\\29)(mail=a\\2A\\29))");
	assert_string_equal(directory_any_of(pool, attrs, "a*)", true),
	                    "(|(cn=*a\\2A\\29*)(mail=*a\\2A\\29*))");
	assert_null(directory_any_of(pool, attrs, "\xff", true));
}

/* ---- DN values (RFC 4514) ---------------------------------------------- */

static void test_dn_specials_are_escaped(void **state)
{
	struct jmb_pool *pool = *state;

	assert_string_equal(jmb_ldap_dn_value_escape(pool, ",+\"\\<>;="),
	                    "\\2C\\2B\\22\\5C\\3C\\3E\\3B\\3D");
	assert_string_equal(jmb_ldap_dn_value_escape(pool, "a,b=c"), "a\\2Cb\\3Dc");
	/* What is special in filters only is left alone. */
	assert_string_equal(jmb_ldap_dn_value_escape(pool, "*()"), "*()");
}

static void test_dn_leading_and_trailing(void **state)
{
	struct jmb_pool *pool = *state;

	assert_string_equal(jmb_ldap_dn_value_escape(pool, "#x"), "\\23x");
	assert_string_equal(jmb_ldap_dn_value_escape(pool, "a#b"), "a#b");
	assert_string_equal(jmb_ldap_dn_value_escape(pool, " lead"), "\\20lead");
	assert_string_equal(jmb_ldap_dn_value_escape(pool, "trail "), "trail\\20");
	assert_string_equal(jmb_ldap_dn_value_escape(pool, "a b"), "a b");
	assert_string_equal(jmb_ldap_dn_value_escape(pool, " "), "\\20");
}

static void test_dn_hostile_values_round_trip(void **state)
{
	each_hostile_value(*state, assert_dn_round_trip);
}

static void test_dn_refuses_empty_and_not_text(void **state)
{
	struct jmb_pool *pool = *state;

	assert_null(jmb_ldap_dn_value_escape(pool, ""));
	assert_null(jmb_ldap_dn_value_escape(pool, NULL));
	for (size_t i = 0; i < sizeof(not_utf8) / sizeof(*not_utf8); i++)
		assert_null(jmb_ldap_dn_value_escape(pool, not_utf8[i]));
}

static void test_dn_long_value(void **state)
{
	struct jmb_pool *pool = *state;
	size_t n = 20000;
	char *value = jmb_pool_calloc(pool, n + 1, 1);

	for (size_t i = 0; i < n; i++)
		value[i] = ",+= #\xc3\xa9"[i % 7];
	value[n - 1] = ' ';
	assert_dn_round_trip(pool, value);
}

int main(void)
{
#define TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	    TEST(test_filter_specials_are_hex_escaped),
	    TEST(test_filter_template),
	    TEST(test_filter_empty_value),
	    TEST(test_filter_non_ascii),
	    TEST(test_filter_hostile_values_round_trip),
	    TEST(test_filter_refuses_what_is_not_text),
	    TEST(test_filter_long_value),
	    TEST(test_any_of),
	    TEST(test_dn_specials_are_escaped),
	    TEST(test_dn_leading_and_trailing),
	    TEST(test_dn_hostile_values_round_trip),
	    TEST(test_dn_refuses_empty_and_not_text),
	    TEST(test_dn_long_value),
	};
#undef TEST

	return cmocka_run_group_tests(tests, NULL, NULL);
}
