/* Unit tests of src/lib/domain/mailaddr.c: the strict address syntax, normalisation,
 * and splitting of typed lists. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "domain/mailaddr.h"
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

static void test_valid_addresses(void **state)
{
	static const char *const good[] = {
	    "jean.dupont@example.org",         "J.Dupont@Example.ORG", "a@b.co",
	    "user+tag@sub.domain.example.org", "o'brien@example.ie",   "x_y-z@my-host.example",
	    "!#$%&'*+-/=?^_`{|}~@example.org", "1234@123.example",     "user@xn--bcher-kva.example",
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (!jmb_mail_is_valid(good[i]))
			fail_msg("refused %s", good[i]);
	}
}

static void test_invalid_addresses(void **state)
{
	static const char *const bad[] = {
	    "",
	    "@",
	    "plainaddress",
	    "@example.org",
	    "user@",
	    "user@localhost", /* one label: not a mail domain */
	    "user@@example.org",
	    "a@b@example.org",
	    ".user@example.org",
	    "user.@example.org",
	    "us..er@example.org",
	    "user@.example.org",
	    "user@example..org",
	    "user@example.org.",
	    "user@-example.org",
	    "user@example-.org",
	    "user@exa_mple.org",
	    "user name@example.org",
	    "user@exam ple.org",
	    "\"quoted\"@example.org", /* quoted local parts are not taken */
	    "user(comment)@example.org",
	    "Name <user@example.org>",
	    "user@[192.0.2.1]",
	    "us\xc3\xa9r@example.org", /* no SMTPUTF8 */
	    "user@b\xc3\xbc"
	    "cher.example",
	    "user@example.org\r\nBcc: victim@example.org",
	    "user\n@example.org",
	    "user@example.org\n",
	    "user;x@example.org",
	    "user,x@example.org",
	    "user\\@example.org",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (jmb_mail_is_valid(bad[i]))
			fail_msg("accepted '%s'", bad[i]);
	}
}

static void test_length_limits(void **state)
{
	char local[80], addr[300];

	/* Local part: at most 64 characters. */
	memset(local, 'l', 64);
	local[64] = '\0';
	snprintf(addr, sizeof(addr), "%s@example.org", local);
	assert_true(jmb_mail_is_valid(addr));
	snprintf(addr, sizeof(addr), "l%s@example.org", local);
	assert_false(jmb_mail_is_valid(addr));

	/* Domain labels: at most 63 characters. */
	memset(local, 'd', 63);
	local[63] = '\0';
	snprintf(addr, sizeof(addr), "u@%s.org", local);
	assert_true(jmb_mail_is_valid(addr));
	snprintf(addr, sizeof(addr), "u@d%s.org", local);
	assert_false(jmb_mail_is_valid(addr));

	/* Whole address: at most 254 characters. */
	memset(addr, 0, sizeof(addr));
	strcpy(addr, "u@");
	while (strlen(addr) < 240)
		strcat(addr, "abcdefghi.");
	strcat(addr, "example.o");
	assert_int_equal(strlen(addr), 251);
	assert_true(jmb_mail_is_valid(addr));
	strcat(addr, "rgxx");
	assert_int_equal(strlen(addr), 255);
	assert_false(jmb_mail_is_valid(addr));
}

static void test_normalize(void **state)
{
	assert_string_equal(jmb_mail_normalize(*state, "Jean.Dupont@Example.ORG"),
	                    "jean.dupont@example.org");
	assert_string_equal(jmb_mail_normalize(*state, "a@b.co"), "a@b.co");
	assert_string_equal(jmb_mail_normalize(*state, ""), "");
}

static void assert_split(void **state, const char *text, const char *const *expected)
{
	size_t count = 99, n = 0;
	char **items = jmb_mail_split_list(*state, text, &count);

	while (expected[n] != NULL)
		n++;
	assert_int_equal(count, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(items[i], expected[i]);
	assert_null(items[n]);
}

static void test_split_mixed_separators(void **state)
{
	const char *const five[] = {"a@x.org", "b@x.org", "c@x.org", "d@x.org", "e@x.org", NULL};
	const char *const one[] = {"solo@x.org", NULL};
	const char *const none[] = {NULL};
	const char *const raw[] = {"Name", "<n@x.org>", "not-an-address", NULL};

	assert_split(state, "a@x.org, b@x.org;c@x.org\nd@x.org\r\n\te@x.org", five);
	assert_split(state, ",,; a@x.org ;;, b@x.org,c@x.org\n\n\nd@x.org e@x.org;,\n", five);
	assert_split(state, "solo@x.org", one);
	assert_split(state, "   solo@x.org\t", one);
	assert_split(state, "", none);
	assert_split(state, " ,; \t\r\n", none);
	/* Items are not validated here: booking reports the bad ones by name. */
	assert_split(state, "Name <n@x.org>, not-an-address", raw);
}

static void test_split_without_count(void **state)
{
	char **items = jmb_mail_split_list(*state, "a@x.org b@x.org", NULL);

	assert_string_equal(items[0], "a@x.org");
	assert_string_equal(items[1], "b@x.org");
	assert_null(items[2]);
}

static void test_split_many(void **state)
{
	char text[6000] = "";
	size_t count;
	char **items;

	for (int i = 0; i < 200; i++)
		strcat(text, i % 3 == 0 ? "g@x.org, " : i % 3 == 1 ? "g@x.org;" : "g@x.org\n");
	items = jmb_mail_split_list(*state, text, &count);
	assert_int_equal(count, 200);
	assert_string_equal(items[199], "g@x.org");
	assert_null(items[200]);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_pool, teardown_pool)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_valid_addresses), T(test_invalid_addresses),      T(test_length_limits),
	    T(test_normalize),       T(test_split_mixed_separators), T(test_split_without_count),
	    T(test_split_many),
	};

	return cmocka_run_group_tests_name("mailaddr", tests, NULL, NULL);
}
