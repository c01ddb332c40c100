/* Unit tests of src/lib/util/ttl-cache.c on a fake clock: expiry, "there is none"
 * entries, TTL 0, least-recently-used eviction at the cap, and threads. */
#include "config.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "util/memory.h"
#include "util/ttl-cache.h"

#define TTL 60000 /* ms */

struct fixture {
	struct jmb_ttl_cache *cache;
	struct jmb_pool *pool;
};

static int setup(void **state)
{
	static struct fixture f;

	f.cache = jmb_ttl_cache_new(3);
	f.pool = jmb_pool_new();
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	jmb_ttl_cache_free(&f->cache);
	assert_null(f->cache);
	jmb_pool_free(&f->pool);
	return 0;
}

/* key's value at now; "(miss)" when it has no entry, "(none)" for a NULL value. */
static const char *get(struct fixture *f, const char *key, int64_t now)
{
	const char *value = "(unchanged)";

	if (jmb_ttl_cache_get(f->cache, key, now, f->pool, &value) == 0) {
		assert_null(value);
		return "(miss)";
	}
	return value != NULL ? value : "(none)";
}

static void test_an_entry_lives_until_its_ttl_is_over(void **state)
{
	struct fixture *f = *state;

	assert_string_equal(get(f, "alice", 0), "(miss)");
	jmb_ttl_cache_put(f->cache, "alice", "A", 1000, TTL);
	assert_string_equal(get(f, "alice", 1000), "A");
	assert_string_equal(get(f, "alice", 1000 + TTL - 1), "A");
	assert_string_equal(get(f, "alice", 1000 + TTL), "(miss)");
	/* The expired entry was dropped, not kept until evicted. */
	assert_int_equal(jmb_ttl_cache_size(f->cache), 0);
}

static void test_values_are_copied_both_ways(void **state)
{
	struct fixture *f = *state;
	char value[] = "A";
	const char *out;

	jmb_ttl_cache_put(f->cache, "alice", value, 0, TTL);
	value[0] = 'X';
	assert_int_equal(jmb_ttl_cache_get(f->cache, "alice", 1, f->pool, &out), 1);
	assert_string_equal(out, "A");
	/* The copy is the caller's: it outlives the entry. */
	jmb_ttl_cache_put(f->cache, "alice", "B", 2, TTL);
	assert_string_equal(out, "A");
	assert_string_equal(get(f, "alice", 3), "B");
	assert_int_equal(jmb_ttl_cache_size(f->cache), 1);
}

static void test_an_entry_without_a_value_is_a_hit(void **state)
{
	struct fixture *f = *state;

	jmb_ttl_cache_put(f->cache, "nobody", NULL, 0, TTL / 6);
	jmb_ttl_cache_put(f->cache, "alice", "A", 0, TTL);
	assert_string_equal(get(f, "nobody", TTL / 6 - 1), "(none)");
	/* Its own, shorter time: alice stays. */
	assert_string_equal(get(f, "nobody", TTL / 6), "(miss)");
	assert_string_equal(get(f, "alice", TTL / 6), "A");
}

static void test_ttl_zero_remembers_nothing(void **state)
{
	struct fixture *f = *state;

	jmb_ttl_cache_put(f->cache, "alice", "A", 0, 0);
	assert_string_equal(get(f, "alice", 0), "(miss)");
	assert_int_equal(jmb_ttl_cache_size(f->cache), 0);
	/* ... and forgets what the key had. */
	jmb_ttl_cache_put(f->cache, "alice", "A", 0, TTL);
	jmb_ttl_cache_put(f->cache, "alice", "B", 1, 0);
	assert_string_equal(get(f, "alice", 2), "(miss)");
	assert_int_equal(jmb_ttl_cache_size(f->cache), 0);
}

static void test_the_least_recently_used_goes_at_the_cap(void **state)
{
	struct fixture *f = *state;

	jmb_ttl_cache_put(f->cache, "a", "1", 0, TTL);
	jmb_ttl_cache_put(f->cache, "b", "2", 1, TTL);
	jmb_ttl_cache_put(f->cache, "c", "3", 2, TTL);
	assert_string_equal(get(f, "a", 3), "1"); /* a is used again: b is now the oldest */
	jmb_ttl_cache_put(f->cache, "d", "4", 4, TTL);
	assert_int_equal(jmb_ttl_cache_size(f->cache), 3);
	assert_string_equal(get(f, "b", 5), "(miss)");
	assert_string_equal(get(f, "a", 5), "1");
	assert_string_equal(get(f, "c", 5), "3");
	assert_string_equal(get(f, "d", 5), "4");
	/* Replacing a key at the cap evicts nothing else. */
	jmb_ttl_cache_put(f->cache, "a", "5", 6, TTL);
	assert_int_equal(jmb_ttl_cache_size(f->cache), 3);
	assert_string_equal(get(f, "c", 7), "3");
	assert_string_equal(get(f, "d", 7), "4");
	assert_string_equal(get(f, "a", 7), "5");
}

static void test_many_logins_stay_within_the_cap(void **state)
{
	struct jmb_ttl_cache *cache = jmb_ttl_cache_new(100);
	struct jmb_pool *pool = jmb_pool_new();
	char key[32];
	const char *value;

	(void)state;
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "user%d", i);
		jmb_ttl_cache_put(cache, key, key, i, TTL);
		assert_true(jmb_ttl_cache_size(cache) <= 100);
	}
	assert_int_equal(jmb_ttl_cache_size(cache), 100);
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "user%d", i);
		assert_int_equal(jmb_ttl_cache_get(cache, key, 5000, pool, &value), i >= 4900);
		if (i >= 4900)
			assert_string_equal(value, key);
	}
	jmb_ttl_cache_free(&cache);
	jmb_pool_free(&pool);
}

static void *hammer(void *context)
{
	struct jmb_ttl_cache *cache = context;
	struct jmb_pool *pool = jmb_pool_new();
	char key[32];
	const char *value;
	intptr_t wrong = 0;

	/* No cmocka asserts here: they may only fail on the test's own thread. */
	for (int i = 0; i < 20000; i++) {
		snprintf(key, sizeof(key), "user%d", i % 50);
		if (jmb_ttl_cache_get(cache, key, i, pool, &value) == 0)
			jmb_ttl_cache_put(cache, key, i % 3 == 0 ? NULL : key, i, i % 7);
		else if (value != NULL && strcmp(value, key) != 0)
			wrong++;
	}
	jmb_pool_free(&pool);
	return (void *)wrong;
}

static void test_threads_share_one_cache(void **state)
{
	struct jmb_ttl_cache *cache = jmb_ttl_cache_new(16);
	pthread_t threads[4];

	(void)state;
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&threads[i], NULL, hammer, cache), 0);
	for (size_t i = 0; i < 4; i++) {
		void *wrong;
		pthread_join(threads[i], &wrong);
		assert_null(wrong);
	}
	assert_true(jmb_ttl_cache_size(cache) <= 16);
	jmb_ttl_cache_free(&cache);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_an_entry_lives_until_its_ttl_is_over, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_values_are_copied_both_ways, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_an_entry_without_a_value_is_a_hit, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_ttl_zero_remembers_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_the_least_recently_used_goes_at_the_cap, setup,
	                                    teardown),
	    cmocka_unit_test(test_many_logins_stay_within_the_cap),
	    cmocka_unit_test(test_threads_share_one_cache),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
