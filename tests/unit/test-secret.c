/* Unit tests of src/lib/util/secret.c: token and room-name shapes, base64url, the
 * SHA-256 and HMAC-SHA-256 known-answer vectors, constant-time comparison. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "util/secret.h"

static void test_random_token_shape(void **state)
{
	char a[JMB_TOKEN_LEN + 1], b[JMB_TOKEN_LEN + 1];

	jmb_random_token(a);
	jmb_random_token(b);
	assert_int_equal(strlen(a), JMB_TOKEN_LEN);
	assert_int_equal(
	    strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
	    JMB_TOKEN_LEN);
	assert_string_not_equal(a, b);
	assert_true(jmb_token_is_wellformed(a));
	/* At least 128 bits of randomness, as the design requires. */
	assert_true(JMB_TOKEN_BYTES * 8 >= 128);
}

static void test_random_room_name_shape(void **state)
{
	char seen[36] = {0};

	for (int round = 0; round < 200; round++) {
		char room[JMB_ROOM_NAME_LEN + 1];
		jmb_random_room_name(room);
		assert_int_equal(strlen(room), 20);
		assert_int_equal(strspn(room, "abcdefghijklmnopqrstuvwxyz0123456789"), 20);
		for (int i = 0; i < 20; i++)
			seen[room[i] >= 'a' ? room[i] - 'a' : 26 + room[i] - '0'] = 1;
	}
	/* 4000 draws from 36 symbols: every symbol shows up (p(miss) ~ 1e-47). */
	for (int i = 0; i < 36; i++)
		assert_true(seen[i]);
}

static void test_base64url_vectors(void **state)
{
	/* RFC 4648 section 10 vectors, in the URL alphabet without padding. */
	static const struct {
		const char *in;
		const char *out;
	} vectors[] = {
	    {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},          {"foo", "Zm9v"},
	    {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
	};
	char out[16];

	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		memset(out, 'X', sizeof(out));
		jmb_base64url_encode((const unsigned char *)vectors[i].in, strlen(vectors[i].in),
		                     out);
		assert_string_equal(out, vectors[i].out);
	}
	/* The two characters that differ from standard base64. */
	jmb_base64url_encode((const unsigned char *)"\xfb\xff\xbf", 3, out);
	assert_string_equal(out, "-_-_");
	jmb_base64url_encode((const unsigned char *)"\xff\xfe", 2, out);
	assert_string_equal(out, "__4");
}

static void test_sha256_hex(void **state)
{
	char out[JMB_SHA256_HEX_LEN + 1];

	/* FIPS 180-2 appendix B.1 and the empty message. */
	jmb_sha256_hex("abc", out);
	assert_string_equal(out,
	                    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	jmb_sha256_hex("", out);
	assert_string_equal(out,
	                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_hmac_sha256_rfc4231(void **state)
{
	char out[64];

	/* RFC 4231 test case 2: 5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843 */
	jmb_hmac_sha256_b64("Jefe", "what do ya want for nothing?", out);
	assert_string_equal(out, "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM");
	/* RFC 4231 test case 1: key 0x0b * 20, "Hi There"
	 * b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7 */
	jmb_hmac_sha256_b64(
	    "\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b"
	    "\x0b\x0b",
	    "Hi There", out);
	assert_string_equal(out, "sDRMYdjbOFNcqK_OrwvxK4gdwgDJgz2nJuk3bC4yz_c");
	assert_int_equal(strlen(out), 43);
}

static void test_secure_streq(void **state)
{
	assert_true(jmb_secure_streq("", ""));
	assert_true(jmb_secure_streq("abc", "abc"));
	assert_false(jmb_secure_streq("abc", "abd"));
	assert_false(jmb_secure_streq("abc", "ab"));
	assert_false(jmb_secure_streq("ab", "abc"));
	assert_false(jmb_secure_streq("", "a"));
	assert_false(jmb_secure_streq("Abc", "abc"));
}

static void test_token_is_wellformed(void **state)
{
	char long_token[200];

	assert_true(jmb_token_is_wellformed("abcdefghijklmnop")); /* 16: shortest */
	assert_false(jmb_token_is_wellformed("abcdefghijklmno")); /* 15 */
	assert_false(jmb_token_is_wellformed(""));
	assert_true(jmb_token_is_wellformed("AZaz09-_AZaz09-_"));
	assert_false(jmb_token_is_wellformed("abcdefghijklmnop=")); /* padding */
	assert_false(jmb_token_is_wellformed("abcdefghijklmnop/")); /* standard alphabet */
	assert_false(jmb_token_is_wellformed("abcdefgh ijklmnop"));
	assert_false(jmb_token_is_wellformed("abcdefghijklmnop\xc3\xa9"));
	assert_false(jmb_token_is_wellformed("'; DROP TABLE x;--aaaa"));
	memset(long_token, 'a', sizeof(long_token));
	long_token[128] = '\0';
	assert_true(jmb_token_is_wellformed(long_token));
	long_token[128] = 'a';
	long_token[199] = '\0';
	assert_false(jmb_token_is_wellformed(long_token));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_random_token_shape),
	    cmocka_unit_test(test_random_room_name_shape),
	    cmocka_unit_test(test_base64url_vectors),
	    cmocka_unit_test(test_sha256_hex),
	    cmocka_unit_test(test_hmac_sha256_rfc4231),
	    cmocka_unit_test(test_secure_streq),
	    cmocka_unit_test(test_token_is_wellformed),
	};

	return cmocka_run_group_tests_name("secret", tests, NULL, NULL);
}
