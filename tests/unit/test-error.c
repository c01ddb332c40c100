/* Unit tests of src/lib/util/error.c: messages are set, prefixed and cut at
 * the buffer's size, never overflowed; a NULL error is ignored. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "jmb/error.h"

static void test_set_formats_the_message(void **state)
{
	struct jmb_error error;

	(void)state;
	jmb_error_set(&error, "cannot open %s: %d", "x.db", 14);
	assert_string_equal(error.text, "cannot open x.db: 14");
}

static void test_prefix_goes_before_the_message(void **state)
{
	struct jmb_error error;

	(void)state;
	jmb_error_set(&error, "unknown key %s", "colour");
	jmb_error_prefix(&error, "%s:%d: ", "jmb.conf", 7);
	assert_string_equal(error.text, "jmb.conf:7: unknown key colour");
}

static void test_long_messages_are_cut_not_overflowed(void **state)
{
	struct jmb_error error[2];
	char big[3 * JMB_ERROR_SIZE];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memset(&error[1], 'G', sizeof(error[1]));
	jmb_error_set(&error[0], "%s", big);
	assert_int_equal(strlen(error[0].text), JMB_ERROR_SIZE - 1);
	jmb_error_prefix(&error[0], "%s", big);
	assert_int_equal(strlen(error[0].text), JMB_ERROR_SIZE - 1);
	/* the guard after the first struct is untouched */
	for (size_t i = 0; i < sizeof(error[1].text); i++)
		assert_int_equal(error[1].text[i], 'G');
}

static void test_null_error_is_ignored(void **state)
{
	(void)state;
	jmb_error_set(NULL, "nobody reads %s", "this");
	jmb_error_prefix(NULL, "nor %s", "this");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_set_formats_the_message),
	    cmocka_unit_test(test_prefix_goes_before_the_message),
	    cmocka_unit_test(test_long_messages_are_cut_not_overflowed),
	    cmocka_unit_test(test_null_error_is_ignored),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
