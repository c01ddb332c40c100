/* Unit tests of src/lib/util/memory.c and strbuf.c: pool alignment, large blocks,
 * cleanup callbacks, and the x* helpers. */
#include "config.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/memory.h"
#include "util/strbuf.h"

static void test_pool_alloc_is_aligned_and_zeroed(void **state)
{
	struct jmb_pool *pool = jmb_pool_new();

	for (size_t size = 1; size < 300; size += 7) {
		unsigned char *p = jmb_pool_alloc(pool, size);
		assert_int_equal((uintptr_t)p % 16, 0);
		for (size_t i = 0; i < size; i++)
			assert_int_equal(p[i], 0);
		memset(p, 0xaa, size); /* must not spill into the next allocation */
	}
	jmb_pool_free(&pool);
	assert_null(pool);
}

static void test_pool_allocations_do_not_overlap(void **state)
{
	struct jmb_pool *pool = jmb_pool_new();
	unsigned char *blocks[200];

	/* Enough to fill several 8 KiB blocks. */
	for (size_t i = 0; i < 200; i++) {
		blocks[i] = jmb_pool_alloc(pool, 100);
		memset(blocks[i], (int)i, 100);
	}
	for (size_t i = 0; i < 200; i++) {
		for (size_t k = 0; k < 100; k++)
			assert_int_equal(blocks[i][k], (unsigned char)i);
	}
	jmb_pool_free(&pool);
}

static void test_pool_large_blocks(void **state)
{
	struct jmb_pool *pool = jmb_pool_new();
	char *small1 = jmb_pool_alloc(pool, 32);
	char *big = jmb_pool_alloc(pool, 1 << 20);
	char *small2 = jmb_pool_alloc(pool, 32);
	char *bigger = jmb_pool_alloc(pool, 3 << 20);

	assert_int_equal((uintptr_t)big % 16, 0);
	assert_int_equal((uintptr_t)bigger % 16, 0);
	memset(big, 'b', 1 << 20);
	memset(bigger, 'B', 3 << 20);
	/* The small-allocation block stays current after a large one. */
	assert_true(small2 > small1 && small2 - small1 < 8192);
	assert_int_equal(big[(1 << 20) - 1], 'b');
	assert_int_equal(small1[0], 0);
	assert_int_equal(small2[0], 0);
	/* A block just over the threshold for its own block (2 KiB). */
	char *mid = jmb_pool_alloc(pool, 2049);
	memset(mid, 'm', 2049);
	assert_int_equal(big[0], 'b');
	jmb_pool_free(&pool);
}

static void test_pool_zero_size(void **state)
{
	struct jmb_pool *pool = jmb_pool_new();
	void *a = jmb_pool_alloc(pool, 0);
	void *b = jmb_pool_alloc(pool, 0);

	assert_non_null(a);
	assert_non_null(b);
	jmb_pool_free(&pool);
}

/* Runs fn in a child; returns the signal that ended it, or 0 if it returned. */
static int child_signal(void (*fn)(void))
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		/* cmocka's handlers would turn a crash into a test report in the child. */
		static const int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
		for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
			signal(sigs[i], SIG_DFL);
		fclose(stderr); /* the child's "out of memory" is expected */
		fn();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

static void alloc_almost_size_max(void)
{
	struct jmb_pool *pool = jmb_pool_new();

	/* Rounded up to 16 it still fits a size_t, but not with a block header. */
	jmb_pool_alloc(pool, SIZE_MAX - 40);
}

static void alloc_size_max(void)
{
	struct jmb_pool *pool = jmb_pool_new();

	jmb_pool_alloc(pool, SIZE_MAX - 3);
}

static void calloc_overflow(void)
{
	struct jmb_pool *pool = jmb_pool_new();

	jmb_pool_calloc(pool, SIZE_MAX / 8, 16);
}

static void test_pool_impossible_sizes_abort_cleanly(void **state)
{
	/* Through jmb_fatal_oom (abort), never a wrapped-around small block. */
	assert_int_equal(child_signal(alloc_almost_size_max), SIGABRT);
	assert_int_equal(child_signal(alloc_size_max), SIGABRT);
	assert_int_equal(child_signal(calloc_overflow), SIGABRT);
}

static int cleanup_order[8];
static int cleanup_count;

static void record_cleanup(void *data)
{
	cleanup_order[cleanup_count++] = *(int *)data;
}

static void test_pool_cleanups_run_once_in_reverse_order(void **state)
{
	struct jmb_pool *pool = jmb_pool_new();
	static int one = 1, two = 2, three = 3;

	cleanup_count = 0;
	jmb_pool_on_free(pool, record_cleanup, &one);
	jmb_pool_on_free(pool, record_cleanup, &two);
	jmb_pool_alloc(pool, 100000); /* a large block between cleanups */
	jmb_pool_on_free(pool, record_cleanup, &three);
	assert_int_equal(cleanup_count, 0);
	jmb_pool_free(&pool);
	assert_int_equal(cleanup_count, 3);
	assert_int_equal(cleanup_order[0], 3);
	assert_int_equal(cleanup_order[1], 2);
	assert_int_equal(cleanup_order[2], 1);
	jmb_pool_free(&pool); /* freeing NULL again is harmless */
	assert_int_equal(cleanup_count, 3);
}

static void test_pool_strings(void **state)
{
	struct jmb_pool *pool = jmb_pool_new();
	char long_text[5000];

	assert_string_equal(jmb_pool_strdup(pool, "abc"), "abc");
	assert_null(jmb_pool_strdup(pool, NULL));
	assert_string_equal(jmb_pool_strndup(pool, "abcdef", 3), "abc");
	assert_string_equal(jmb_pool_printf(pool, "%s-%d", "x", 42), "x-42");
	memset(long_text, 'z', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	char *copy = jmb_pool_printf(pool, "<%s>", long_text);
	assert_int_equal(strlen(copy), sizeof(long_text) + 1);
	assert_int_equal(copy[0], '<');
	assert_int_equal(copy[sizeof(long_text)], '>');
	char **array = jmb_pool_calloc(pool, 10, sizeof(char *));
	for (int i = 0; i < 10; i++)
		assert_null(array[i]);
	jmb_pool_free(&pool);
}

static void test_x_helpers(void **state)
{
	char *s = jmb_xstrdup("hello");
	char *n = jmb_xstrndup("hello", 2);
	char *f = jmb_xasprintf("%d/%s", 7, "x");

	assert_string_equal(s, "hello");
	assert_string_equal(n, "he");
	assert_string_equal(f, "7/x");
	jmb_xfree(&s);
	assert_null(s);
	jmb_xfree(&s); /* again: free(NULL) */
	free(n);
	free(f);
	void *z = jmb_xmalloc(0);
	assert_non_null(z);
	free(z);
}

static void test_strbuf(void **state)
{
	struct jmb_strbuf sb = {0};
	size_t len;
	char *out;

	jmb_strbuf_puts(&sb, "ab");
	jmb_strbuf_putc(&sb, 'c');
	jmb_strbuf_printf(&sb, "%05d", 42);
	jmb_strbuf_append(&sb, "x\0y", 3);
	assert_int_equal(sb.len, 11);
	for (int i = 0; i < 1000; i++)
		jmb_strbuf_putc(&sb, 'q');
	out = jmb_strbuf_steal(&sb, &len);
	assert_int_equal(len, 1011);
	assert_memory_equal(out, "abc00042x\0yq", 12);
	assert_int_equal(out[len], '\0');
	assert_null(sb.data);
	assert_int_equal(sb.len, 0);
	free(out);
	/* Stealing an empty buffer gives an empty string, not NULL. */
	out = jmb_strbuf_steal(&sb, NULL);
	assert_non_null(out);
	assert_string_equal(out, "");
	free(out);
	jmb_strbuf_free(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pool_alloc_is_aligned_and_zeroed),
	    cmocka_unit_test(test_pool_allocations_do_not_overlap),
	    cmocka_unit_test(test_pool_large_blocks),
	    cmocka_unit_test(test_pool_zero_size),
	    cmocka_unit_test(test_pool_impossible_sizes_abort_cleanly),
	    cmocka_unit_test(test_pool_cleanups_run_once_in_reverse_order),
	    cmocka_unit_test(test_pool_strings),
	    cmocka_unit_test(test_x_helpers),
	    cmocka_unit_test(test_strbuf),
	};

	return cmocka_run_group_tests_name("memory", tests, NULL, NULL);
}
