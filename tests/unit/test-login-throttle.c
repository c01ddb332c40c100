/* Unit tests of the login throttle's rules (src/lib/auth/login-throttle.c) and
 * of the client address it counts under (src/lib/web/client-address.c). The
 * counts in the store are tested in test-store.c, on every driver. */
#include "config.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "auth/login-throttle.h"
#include "util/memory.h"
#include "web/client-address.h"
#include "web/http.h"

#define NOW ((time_t)1900000000)

static const struct jmb_login_policy defaults = {
    .free_tries = 5, .lock_after = 10, .lock_time = 900, .account_ceiling = 50, .memory = 3600};

static void test_free_tries_then_doubling_then_lock(void **state)
{
	const long waits[] = {0, 0, 0, 0, 1, 2, 4, 8, 16, 900, 900};

	for (long n = 1; n <= 11; n++) {
		assert_int_equal(jmb_login_next_try(&defaults, n, n, NOW) - NOW, waits[n - 1]);
		assert_int_equal(jmb_login_locks(&defaults, n), n >= 10);
	}
}

static void test_waits_never_outlast_the_lock(void **state)
{
	struct jmb_login_policy p = defaults;

	p.lock_after = 60;
	p.lock_time = 30;
	assert_int_equal(jmb_login_next_try(&p, 10, 10, NOW) - NOW, 30);
	assert_int_equal(jmb_login_next_try(&p, 59, 59, NOW) - NOW, 30);
}

static void test_past_the_ceiling_only_the_first_try_is_free(void **state)
{
	/* The account has failed 51 times from many addresses; this client once. */
	assert_int_equal(jmb_login_next_try(&defaults, 1, 51, NOW) - NOW, 1);
	assert_int_equal(jmb_login_next_try(&defaults, 2, 52, NOW) - NOW, 2);
	/* Slowed down, never locked before lock_after failures of its own. */
	assert_int_equal(jmb_login_next_try(&defaults, 9, 1000, NOW) - NOW, 256);
	assert_false(jmb_login_locks(&defaults, 9));
	/* At the ceiling itself nothing changes; the crossing is reported once. */
	assert_int_equal(jmb_login_next_try(&defaults, 1, 50, NOW) - NOW, 0);
	assert_false(jmb_login_crosses_ceiling(&defaults, 50));
	assert_true(jmb_login_crosses_ceiling(&defaults, 51));
	assert_false(jmb_login_crosses_ceiling(&defaults, 52));
}

static void test_account_key_folds_case_and_hides_the_login(void **state)
{
	char a[JMB_SHA256_HEX_LEN + 1], b[JMB_SHA256_HEX_LEN + 1], c[JMB_SHA256_HEX_LEN + 1];

	jmb_login_account_key("Alice", a);
	jmb_login_account_key("aLICE", b);
	jmb_login_account_key("alice ", c);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_int_equal(strlen(a), JMB_SHA256_HEX_LEN);
	assert_null(strstr(a, "alice"));
}

/* A request from peer (IPv4 or IPv6 text) with an optional X-Forwarded-For. */
static struct jmb_request *request(struct jmb_pool *pool, const char *peer, const char *forwarded)
{
	struct jmb_request *req = jmb_pool_calloc(pool, 1, sizeof(*req));
	struct sockaddr_in *in4 = (struct sockaddr_in *)&req->peer_addr;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&req->peer_addr;

	req->pool = pool;
	if (inet_pton(AF_INET, peer, &in4->sin_addr) == 1)
		in4->sin_family = AF_INET;
	else if (inet_pton(AF_INET6, peer, &in6->sin6_addr) == 1)
		in6->sin6_family = AF_INET6;
	if (forwarded != NULL) {
		req->headers.items = jmb_pool_calloc(pool, 1, sizeof(*req->headers.items));
		req->headers.items[0].name = "X-Forwarded-For";
		req->headers.items[0].value = forwarded;
		req->headers.count = 1;
	}
	return req;
}

static const char *client(struct jmb_pool *pool, const char *peer, const char *forwarded)
{
	struct jmb_cidr proxies[2];

	assert_int_equal(jmb_cidr_parse("127.0.0.1/32", &proxies[0]), 0);
	assert_int_equal(jmb_cidr_parse("::1", &proxies[1]), 0);
	return jmb_client_address(request(pool, peer, forwarded), proxies, 2);
}

static void test_client_address(void **state)
{
	struct jmb_pool *pool = jmb_pool_new();

	assert_string_equal(client(pool, "192.0.2.7", NULL), "192.0.2.7");
	assert_string_equal(client(pool, "::ffff:192.0.2.7", NULL), "192.0.2.7");
	/* A subscriber's whole /64 is one client. */
	assert_string_equal(client(pool, "2001:db8:1:2:3:4:5:6", NULL), "2001:db8:1:2::/64");
	/* From a trusted proxy: the address it appended, last in the list. */
	assert_string_equal(client(pool, "127.0.0.1", "203.0.113.5"), "203.0.113.5");
	assert_string_equal(client(pool, "127.0.0.1", "10.9.9.9, 203.0.113.5"), "203.0.113.5");
	assert_string_equal(client(pool, "::1", "10.9.9.9,2001:db8::1 "), "2001:db8::/64");
	/* The client's own word is not believed from anyone else... */
	assert_string_equal(client(pool, "192.0.2.7", "203.0.113.5"), "192.0.2.7");
	/* ...nor anything that is no address. */
	assert_string_equal(client(pool, "127.0.0.1", "203.0.113.5, unknown"), "127.0.0.1");
	assert_string_equal(client(pool, "127.0.0.1", ""), "127.0.0.1");
	jmb_pool_free(&pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_free_tries_then_doubling_then_lock),
	    cmocka_unit_test(test_waits_never_outlast_the_lock),
	    cmocka_unit_test(test_past_the_ceiling_only_the_first_try_is_free),
	    cmocka_unit_test(test_account_key_folds_case_and_hides_the_login),
	    cmocka_unit_test(test_client_address),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
