/* Unit tests of src/lib/auth/password.c: yescrypt hashes, checks against any
 * scheme libxcrypt knows, malformed hashes, generated passwords. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "auth/password.h"

static void test_hash_and_verify_yescrypt(void **state)
{
	char *hash = jmb_password_hash("correct horse battery staple");
	char *again = jmb_password_hash("correct horse battery staple");

	assert_non_null(hash);
	assert_non_null(again);
	assert_memory_equal(hash, "$y$", 3);
	assert_string_not_equal(hash, again); /* a fresh salt each time */
	assert_true(jmb_password_verify("correct horse battery staple", hash));
	assert_true(jmb_password_verify("correct horse battery staple", again));
	free(hash);
	free(again);
}

static void test_wrong_password(void **state)
{
	char *hash = jmb_password_hash("s3cret");

	assert_false(jmb_password_verify("s3cret ", hash));
	assert_false(jmb_password_verify("S3cret", hash));
	assert_false(jmb_password_verify("", hash));
	assert_false(jmb_password_verify("s3cre", hash));
	free(hash);
}

static void test_unicode_and_empty_passwords(void **state)
{
	char *hash = jmb_password_hash("m\xc3\xb6t de passe \xe2\x82\xac");
	char *empty = jmb_password_hash("");

	assert_true(jmb_password_verify("m\xc3\xb6t de passe \xe2\x82\xac", hash));
	assert_false(jmb_password_verify("mot de passe \xe2\x82\xac", hash));
	if (empty != NULL) {
		assert_true(jmb_password_verify("", empty));
		assert_false(jmb_password_verify("x", empty));
	}
	free(hash);
	free(empty);
}

static void test_other_schemes_verify(void **state)
{
	/* openssl passwd -6 -salt jmbtestsalt 'correct horse' */
	static const char sha512[] = "$6$jmbtestsalt$"
	                             "uFKxkdXtAimQ10RKHdzP3XQS87BlJIzBpOU8PSBGFxqC8DZaVWUKRvP28yFMV"
	                             "OQSkR0QFibQZxEcK6uWHn.zN.";
	/* openssl passwd -5 -salt abc 'x' */
	static const char sha256[] = "$5$abc$sCOGUciM.GdmYMCUvmUcgu03oRH87O0clF96.9mwWGB";

	assert_true(jmb_password_verify("correct horse", sha512));
	assert_false(jmb_password_verify("correct horsE", sha512));
	assert_true(jmb_password_verify("x", sha256));
	assert_false(jmb_password_verify("y", sha256));
}

static void test_malformed_hashes(void **state)
{
	char *hash = jmb_password_hash("pw");
	char *truncated = strdup(hash), *extended = malloc(strlen(hash) + 2);
	static const char *const bad[] = {
	    "",
	    "pw",
	    "*",
	    "!",
	    "!$y$j9T$abc$def",
	    "*0",
	    "$",
	    "$$",
	    "$y$",
	    "$y$j9T$",
	    "$6$",
	    "$6$salt",
	    "$1$abc$",
	    "$unknown$abc$def",
	    "$y$j9T$\n$",
	    "x$6$jmbtestsalt$"
	    "uFKxkdXtAimQ10RKHdzP3XQS87BlJIzBpOU8PSBGFxqC8DZaVWUKRvP28yFMVOQSkR0QFibQZxEcK6uWHn."
	    "zN.",
	};

	truncated[strlen(truncated) - 1] = '\0';
	strcpy(extended, hash);
	strcat(extended, "A");
	assert_false(jmb_password_verify("pw", truncated));
	assert_false(jmb_password_verify("pw", extended));
	assert_false(jmb_password_verify("pw", NULL));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (jmb_password_verify("pw", bad[i]))
			fail_msg("accepted hash '%s'", bad[i]);
		if (jmb_password_verify("", bad[i]))
			fail_msg("accepted hash '%s' for an empty password", bad[i]);
	}
	free(hash);
	free(truncated);
	free(extended);
}

static void test_generate(void **state)
{
	char *a = jmb_password_generate(), *b = jmb_password_generate();

	assert_int_equal(strlen(a), 20);
	assert_int_equal(strspn(a, "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"), 20);
	assert_null(strpbrk(a, "0O1lI"));
	assert_string_not_equal(a, b);
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hash_and_verify_yescrypt),
	    cmocka_unit_test(test_wrong_password),
	    cmocka_unit_test(test_unicode_and_empty_passwords),
	    cmocka_unit_test(test_other_schemes_verify),
	    cmocka_unit_test(test_malformed_hashes),
	    cmocka_unit_test(test_generate),
	};

	return cmocka_run_group_tests_name("password", tests, NULL, NULL);
}
