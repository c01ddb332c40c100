/* Unit tests of src/lib/domain/identity.c: construction, the JSON form kept in
 * sessions and API tokens, and mail matching. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "domain/identity.h"
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

static void test_new_lowercases_mail(void **state)
{
	struct jmb_identity *id =
	    jmb_identity_new(*state, "jdupont", "Jean Dupont", "Jean.Dupont@Example.ORG", "local");

	assert_string_equal(id->login, "jdupont");
	assert_string_equal(id->name, "Jean Dupont");
	assert_string_equal(id->mail, "jean.dupont@example.org");
	assert_string_equal(id->mails[0], "jean.dupont@example.org");
	assert_null(id->mails[1]);
	assert_null(id->groups[0]);
	assert_string_equal(id->source, "local");
}

static void test_new_without_mail_or_name(void **state)
{
	struct jmb_identity *id = jmb_identity_new(*state, "svc", NULL, NULL, NULL);

	assert_string_equal(id->name, "");
	assert_string_equal(id->mail, "");
	assert_null(id->mails[0]); /* no empty address in the list */
	assert_string_equal(id->source, "");
	assert_false(jmb_identity_has_mail(id, ""));
}

/* Names from directories and identity providers lose what could hide or
 * reorder text (an RLO turning "exe.pdf" around, a line separator). */
static void test_new_cleans_hostile_names(void **state)
{
	struct jmb_identity *id = jmb_identity_new(*state, "eve",
	                                           "Eve\xe2\x80\xae"
	                                           "fdp.exe\xe2\x80\xa8\xc2\x85 Doe\x01",
	                                           "eve@example.org", "ldap");

	assert_string_equal(id->name, "Evefdp.exe Doe");
}

static void test_has_mail_is_case_insensitive(void **state)
{
	struct jmb_identity *id = jmb_identity_new(*state, "j", "J", "j@example.org", "x");
	const char *mails[] = {"j@example.org", "jean.alias@example.org", NULL};

	id->mails = mails;
	assert_true(jmb_identity_has_mail(id, "j@example.org"));
	assert_true(jmb_identity_has_mail(id, "J@EXAMPLE.ORG"));
	assert_true(jmb_identity_has_mail(id, "Jean.Alias@example.org"));
	assert_false(jmb_identity_has_mail(id, "j@example.or"));
	assert_false(jmb_identity_has_mail(id, "j@example.org.evil"));
	assert_false(jmb_identity_has_mail(id, "xj@example.org"));
	assert_false(jmb_identity_has_mail(id, ""));
}

static void test_json_round_trip(void **state)
{
	struct jmb_identity *id = jmb_identity_new(
	    *state, "zoe", "Zo\xc3\xa9 \"Z\" \\ L'Ha\xc3\xff", "zoe@example.org", "ldap-bind");
	const char *mails[] = {"zoe@example.org", "Z.Alias@Example.org", NULL};
	const char *groups[] = {"Staff", "r\xc3\xa9seau", NULL};
	struct jmb_identity *back;
	char *json;

	/* (The name's last two bytes are not UTF-8: see test_json_invalid_utf8.) */
	id->name = "Zo\xc3\xa9 \"Z\" \\ L'Ha";
	id->mails = mails;
	id->groups = groups;
	json = jmb_identity_to_json(id);
	assert_non_null(json);
	back = jmb_identity_from_json(*state, json);
	free(json);
	assert_non_null(back);
	assert_string_equal(back->login, "zoe");
	assert_string_equal(back->name, "Zo\xc3\xa9 \"Z\" \\ L'Ha");
	assert_string_equal(back->mail, "zoe@example.org");
	assert_string_equal(back->source, "ldap-bind");
	assert_string_equal(back->mails[0], "zoe@example.org");
	assert_string_equal(back->mails[1], "z.alias@example.org"); /* lower-cased on load */
	assert_null(back->mails[2]);
	assert_string_equal(back->groups[0], "Staff"); /* groups keep their case */
	assert_string_equal(back->groups[1], "r\xc3\xa9seau");
	assert_null(back->groups[2]);
	assert_true(jmb_identity_has_mail(back, "Z.ALIAS@example.org"));
}

static void test_json_invalid_utf8(void **state)
{
	/* A Latin-1 name (from a proxy header or a hand-edited users file) must not
	 * bring the daemon down when the session is written. */
	struct jmb_identity *id =
	    jmb_identity_new(*state, "hln", "H\xe9l\xe8ne \xc3", "h@example.org", "header-trust");
	const char *groups[] = {"\xff"
	                        "admins",
	                        NULL};
	struct jmb_identity *back;
	char *json;

	id->groups = groups;
	json = jmb_identity_to_json(id);
	assert_non_null(json);
	back = jmb_identity_from_json(*state, json);
	free(json);
	assert_non_null(back);
	assert_string_equal(back->name, "H\xef\xbf\xbdl\xef\xbf\xbdne \xef\xbf\xbd");
	assert_string_equal(back->groups[0], "\xef\xbf\xbd"
	                                     "admins");
	assert_string_equal(back->login, "hln");
}

static void test_json_without_optional_fields(void **state)
{
	struct jmb_identity *id = jmb_identity_from_json(*state, "{\"login\":\"bob\"}");

	assert_non_null(id);
	assert_string_equal(id->login, "bob");
	assert_string_equal(id->name, "");
	assert_string_equal(id->mail, "");
	assert_null(id->mails[0]);
	assert_null(id->groups[0]);
	/* Without a "mails" list, the primary mail makes the list. */
	id = jmb_identity_from_json(*state, "{\"login\":\"b\",\"mail\":\"B@X.org\",\"mails\":[]}");
	assert_non_null(id);
	assert_string_equal(id->mails[0], "b@x.org");
	assert_null(id->mails[1]);
}

static void test_json_skips_non_strings_in_lists(void **state)
{
	struct jmb_identity *id = jmb_identity_from_json(
	    *state, "{\"login\":\"b\",\"mails\":[1,\"a@x.org\",null,{},\"c@x.org\"],"
	            "\"groups\":\"not a list\"}");

	assert_non_null(id);
	assert_string_equal(id->mails[0], "a@x.org");
	assert_string_equal(id->mails[1], "c@x.org");
	assert_null(id->mails[2]);
	assert_null(id->groups[0]);
}

static void test_json_garbage_gives_null(void **state)
{
	static const char *const garbage[] = {
	    "",
	    "null",
	    "[]",
	    "\"login\"",
	    "42",
	    "{}",
	    "{\"login\":\"\"}",
	    "{\"login\":5}",
	    "{\"login\":null}",
	    "{\"login\":[\"a\"]}",
	    "{\"Login\":\"a\"}",
	    "{\"login\":\"a\"",
	    "{\"login\":\"a\"}}",
	    "{\"login\":\"a\xff\"}",
	    "{'login':'a'}",
	    "\xef\xbb\xbf{\"login\":\"a\"}",
	};

	for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		if (jmb_identity_from_json(*state, garbage[i]) != NULL)
			fail_msg("accepted '%s'", garbage[i]);
	}
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_pool, teardown_pool)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_new_lowercases_mail),
	    T(test_new_without_mail_or_name),
	    T(test_new_cleans_hostile_names),
	    T(test_has_mail_is_case_insensitive),
	    T(test_json_round_trip),
	    T(test_json_invalid_utf8),
	    T(test_json_without_optional_fields),
	    T(test_json_skips_non_strings_in_lists),
	    T(test_json_garbage_gives_null),
	};

	return cmocka_run_group_tests_name("identity", tests, NULL, NULL);
}
