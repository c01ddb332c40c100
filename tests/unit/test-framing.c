/* Unit tests of src/lib/web/framing.c: which Content-Length and
 * Transfer-Encoding combinations a request may use. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "web/framing.h"

/* The verdict for a NULL-ended list of name, value pairs. */
static enum jmb_framing verdict_of(bool http_1_0, ...)
{
	struct jmb_framing_fields f = {0};
	va_list ap;
	const char *name;

	va_start(ap, http_1_0);
	while ((name = va_arg(ap, const char *)) != NULL)
		jmb_framing_add(&f, name, va_arg(ap, const char *));
	va_end(ap);
	return jmb_framing_verdict(&f, http_1_0);
}

static void test_plain_requests_pass(void **state)
{
	(void)state;
	assert_int_equal(verdict_of(false, NULL), JMB_FRAMING_OK);
	assert_int_equal(verdict_of(false, "Host", "x", "Content-Length", "5", NULL),
	                 JMB_FRAMING_OK);
	assert_int_equal(verdict_of(false, "transfer-encoding", "Chunked", NULL), JMB_FRAMING_OK);
	assert_int_equal(verdict_of(true, "Content-Length", "5", NULL), JMB_FRAMING_OK);
	/* Empty list elements are allowed (RFC 9110 §5.6.1). */
	assert_int_equal(verdict_of(false, "Transfer-Encoding", " , chunked ,", NULL),
	                 JMB_FRAMING_OK);
}

static void test_two_lengths_are_bad(void **state)
{
	(void)state;
	assert_int_equal(verdict_of(false, "Content-Length", "0", "Content-Length", "5", NULL),
	                 JMB_FRAMING_BAD);
	assert_int_equal(verdict_of(false, "Content-Length", "5", "content-length", "5", NULL),
	                 JMB_FRAMING_BAD);
}

static void test_length_beside_coding_is_bad(void **state)
{
	(void)state;
	assert_int_equal(
	    verdict_of(false, "Transfer-Encoding", "chunked", "Content-Length", "3", NULL),
	    JMB_FRAMING_BAD);
}

static void test_chunked_must_come_last_and_once(void **state)
{
	(void)state;
	assert_int_equal(verdict_of(false, "Transfer-Encoding", "gzip", NULL), JMB_FRAMING_BAD);
	assert_int_equal(verdict_of(false, "Transfer-Encoding", "chunked, gzip", NULL),
	                 JMB_FRAMING_BAD);
	assert_int_equal(
	    verdict_of(false, "Transfer-Encoding", "chunked", "Transfer-Encoding", "chunked", NULL),
	    JMB_FRAMING_BAD);
	assert_int_equal(verdict_of(false, "Transfer-Encoding", "", NULL), JMB_FRAMING_BAD);
	assert_int_equal(verdict_of(false, "Transfer-Encoding", "xchunked", NULL), JMB_FRAMING_BAD);
}

static void test_other_codings_are_unsupported(void **state)
{
	(void)state;
	assert_int_equal(verdict_of(false, "Transfer-Encoding", "gzip, chunked", NULL),
	                 JMB_FRAMING_UNSUPPORTED);
	assert_int_equal(
	    verdict_of(false, "Transfer-Encoding", "gzip", "Transfer-Encoding", "chunked", NULL),
	    JMB_FRAMING_UNSUPPORTED);
}

static void test_http_1_0_has_no_codings(void **state)
{
	(void)state;
	assert_int_equal(verdict_of(true, "Transfer-Encoding", "chunked", NULL), JMB_FRAMING_BAD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain_requests_pass),
	    cmocka_unit_test(test_two_lengths_are_bad),
	    cmocka_unit_test(test_length_beside_coding_is_bad),
	    cmocka_unit_test(test_chunked_must_come_last_and_once),
	    cmocka_unit_test(test_other_codings_are_unsupported),
	    cmocka_unit_test(test_http_1_0_has_no_codings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
