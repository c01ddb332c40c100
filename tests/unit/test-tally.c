/* Unit tests of src/lib/util/tally.c: counts by key survive growth, come out sorted
 * and summed, and the tally is empty and reusable afterwards. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/tally.h"

static void test_empty_tally_takes_nothing(void **state)
{
	struct jmb_tally t;
	size_t n = 99;

	(void)state;
	jmb_tally_init(&t);
	assert_int_equal(jmb_tally_size(&t), 0);
	assert_null(jmb_tally_take(&t, &n));
	assert_int_equal(n, 0);
	jmb_tally_clear(&t);
}

static void test_counts_are_summed_per_key_and_sorted(void **state)
{
	struct jmb_tally t;
	struct jmb_tally_item *items;
	size_t n;

	(void)state;
	jmb_tally_init(&t);
	jmb_tally_add(&t, "b", 1);
	jmb_tally_add(&t, "a", 2);
	jmb_tally_add(&t, "b", 1);
	jmb_tally_add(&t, "", 5); /* an empty key is a key like another */
	jmb_tally_add(&t, "b", 40);
	assert_int_equal(jmb_tally_size(&t), 3);
	items = jmb_tally_take(&t, &n);
	assert_int_equal(n, 3);
	assert_string_equal(items[0].key, "");
	assert_int_equal(items[0].count, 5);
	assert_string_equal(items[1].key, "a");
	assert_int_equal(items[1].count, 2);
	assert_string_equal(items[2].key, "b");
	assert_int_equal(items[2].count, 42);
	jmb_tally_items_free(items, n);
	/* Taken means gone: the tally starts again from nothing. */
	assert_int_equal(jmb_tally_size(&t), 0);
	jmb_tally_add(&t, "a", 1);
	items = jmb_tally_take(&t, &n);
	assert_int_equal(n, 1);
	assert_int_equal(items[0].count, 1);
	jmb_tally_items_free(items, n);
}

/* Many keys force several growths, and keys that differ only late (like
 * personal tokens sharing a prefix) must stay apart. */
static void test_many_keys_survive_growth(void **state)
{
	enum { KEYS = 20000 };
	struct jmb_tally t;
	struct jmb_tally_item *items;
	char key[64];
	size_t n;

	(void)state;
	jmb_tally_init(&t);
	for (int round = 1; round <= 3; round++) {
		for (int i = 0; i < KEYS; i++) {
			snprintf(key, sizeof(key), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%06d", i);
			jmb_tally_add(&t, key, i % 7 + round);
		}
	}
	assert_int_equal(jmb_tally_size(&t), KEYS);
	items = jmb_tally_take(&t, &n);
	assert_int_equal(n, KEYS);
	for (int i = 0; i < KEYS; i++) {
		snprintf(key, sizeof(key), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%06d", i);
		assert_string_equal(items[i].key, key);
		assert_int_equal(items[i].count, 3 * (i % 7) + 6);
	}
	jmb_tally_items_free(items, n);
}

/* Given back after a failed write, counts add to what came meanwhile. */
static void test_counts_given_back_add_up(void **state)
{
	struct jmb_tally t;
	struct jmb_tally_item *taken, *items;
	size_t n_taken, n;

	(void)state;
	jmb_tally_init(&t);
	jmb_tally_add(&t, "tok", 3);
	taken = jmb_tally_take(&t, &n_taken);
	jmb_tally_add(&t, "tok", 1);
	jmb_tally_add(&t, "new", 1);
	for (size_t i = 0; i < n_taken; i++)
		jmb_tally_add(&t, taken[i].key, taken[i].count);
	jmb_tally_items_free(taken, n_taken);
	items = jmb_tally_take(&t, &n);
	assert_int_equal(n, 2);
	assert_string_equal(items[1].key, "tok");
	assert_int_equal(items[1].count, 4);
	jmb_tally_items_free(items, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty_tally_takes_nothing),
	    cmocka_unit_test(test_counts_are_summed_per_key_and_sorted),
	    cmocka_unit_test(test_many_keys_survive_growth),
	    cmocka_unit_test(test_counts_given_back_add_up),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
