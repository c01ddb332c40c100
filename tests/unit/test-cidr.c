/* Unit tests of src/lib/util/cidr.c: the address blocks of [metrics] allow and of
 * the header-trust plugin's trusted_proxies. */
#include "config.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "web/http.h"
#include "jmb/cidr.h"

/* A request whose TCP peer is address (IPv4 or IPv6 text). */
static struct jmb_request request_from(const char *address)
{
	struct jmb_request req;
	struct sockaddr_in *in4 = (struct sockaddr_in *)&req.peer_addr;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&req.peer_addr;

	memset(&req, 0, sizeof(req));
	if (inet_pton(AF_INET, address, &in4->sin_addr) == 1)
		in4->sin_family = AF_INET;
	else if (inet_pton(AF_INET6, address, &in6->sin6_addr) == 1)
		in6->sin6_family = AF_INET6;
	return req;
}

static bool allowed(const char *const *blocks, const char *peer)
{
	struct jmb_cidr parsed[8];
	size_t n = 0;
	struct jmb_request req = request_from(peer);

	for (; blocks[n] != NULL; n++)
		assert_int_equal(jmb_cidr_parse(blocks[n], &parsed[n]), 0);
	return jmb_cidr_list_has_peer(parsed, n, &req);
}

static void test_parse_rejects_what_is_not_a_block(void **state)
{
	const char *bad[] = {"",        "localhost",   "10.0.0.0/",   "10.0.0.0/33",
	                     "::1/129", "10.0.0.0/-1", "10.0.0.0/8x", "1.2.3.4 /32",
	                     NULL};
	struct jmb_cidr c;

	for (size_t i = 0; bad[i] != NULL; i++)
		assert_int_equal(jmb_cidr_parse(bad[i], &c), -1);
	assert_int_equal(jmb_cidr_parse("192.0.2.7", &c), 0);
	assert_int_equal(c.prefix, 32);
	assert_int_equal(jmb_cidr_parse("2001:db8::/32", &c), 0);
	assert_int_equal(c.prefix, 32);
	assert_int_equal(c.family, AF_INET6);
}

static void test_prefixes_match_on_bit_boundaries(void **state)
{
	const char *blocks[] = {"192.0.2.128/25", "2001:db8:8000::/33", NULL};

	assert_true(allowed(blocks, "192.0.2.200"));
	assert_false(allowed(blocks, "192.0.2.127"));
	assert_true(allowed(blocks, "2001:db8:ffff::1"));
	assert_false(allowed(blocks, "2001:db8:7fff::1"));
}

static void test_default_loopback_list(void **state)
{
	const char *blocks[] = {"127.0.0.1/32", "::1/128", NULL};

	assert_true(allowed(blocks, "127.0.0.1"));
	assert_true(allowed(blocks, "::1"));
	assert_false(allowed(blocks, "127.0.0.2"));
	assert_false(allowed(blocks, "10.1.2.3"));
}

static void test_ipv4_mapped_peer_matches_ipv4_blocks(void **state)
{
	const char *blocks[] = {"10.0.0.0/8", NULL};

	assert_true(allowed(blocks, "::ffff:10.1.2.3"));
	assert_false(allowed(blocks, "::ffff:11.1.2.3"));
}

static void test_empty_list_and_unknown_peer_match_nothing(void **state)
{
	const char *none[] = {NULL};
	const char *all[] = {"0.0.0.0/0", "::/0", NULL};
	struct jmb_request unknown;
	struct jmb_cidr c;

	memset(&unknown, 0, sizeof(unknown));
	assert_false(allowed(none, "127.0.0.1"));
	assert_true(allowed(all, "203.0.113.9"));
	assert_int_equal(jmb_cidr_parse("0.0.0.0/0", &c), 0);
	assert_false(jmb_cidr_list_has_peer(&c, 1, &unknown));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_rejects_what_is_not_a_block),
	    cmocka_unit_test(test_prefixes_match_on_bit_boundaries),
	    cmocka_unit_test(test_default_loopback_list),
	    cmocka_unit_test(test_ipv4_mapped_peer_matches_ipv4_blocks),
	    cmocka_unit_test(test_empty_list_and_unknown_peer_match_nothing),
	};

	return cmocka_run_group_tests_name("cidr", tests, NULL, NULL);
}
