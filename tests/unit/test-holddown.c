/* Unit tests of src/lib/util/holddown.c, the directory's circuit breaker, on a
 * fake clock: fail fast after an outage, one probe at a time, recovery. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "util/holddown.h"

#define PERIOD 10000 /* ms */

static int setup(void **state)
{
	static struct jmb_holddown h;

	jmb_holddown_init(&h, PERIOD);
	*state = &h;
	return 0;
}

static int teardown(void **state)
{
	jmb_holddown_destroy(*state);
	return 0;
}

/* One call that enter() lets through, ending at now with outage or not. */
static enum jmb_holddown_change call(struct jmb_holddown *h, int64_t now, bool outage)
{
	enum jmb_holddown_pass pass = jmb_holddown_enter(h, now);

	assert_int_not_equal(pass, JMB_HOLDDOWN_REFUSE);
	return jmb_holddown_leave(h, pass, outage, now);
}

static void test_up_lets_every_call_through(void **state)
{
	struct jmb_holddown *h = *state;

	for (int64_t t = 0; t < 5; t++)
		assert_int_equal(call(h, t, false), JMB_HOLDDOWN_SAME);
	assert_false(jmb_holddown_active(h));
}

static void test_an_outage_refuses_until_the_period_is_over(void **state)
{
	struct jmb_holddown *h = *state;

	assert_int_equal(call(h, 1000, true), JMB_HOLDDOWN_WENT_DOWN);
	assert_true(jmb_holddown_active(h));
	assert_int_equal(jmb_holddown_enter(h, 1001), JMB_HOLDDOWN_REFUSE);
	assert_int_equal(jmb_holddown_enter(h, 1000 + PERIOD - 1), JMB_HOLDDOWN_REFUSE);
	assert_int_equal(jmb_holddown_enter(h, 1000 + PERIOD), JMB_HOLDDOWN_PROBE);
}

static void test_only_one_probe_at_a_time(void **state)
{
	struct jmb_holddown *h = *state;
	int64_t later = PERIOD + 1;

	call(h, 0, true);
	assert_int_equal(jmb_holddown_enter(h, later), JMB_HOLDDOWN_PROBE);
	/* Others keep failing fast while the probe waits for the server. */
	assert_int_equal(jmb_holddown_enter(h, later + 1), JMB_HOLDDOWN_REFUSE);
	assert_int_equal(jmb_holddown_enter(h, later + 5 * PERIOD), JMB_HOLDDOWN_REFUSE);
}

static void test_a_successful_probe_closes_it(void **state)
{
	struct jmb_holddown *h = *state;
	int64_t later = PERIOD + 1;

	call(h, 0, true);
	assert_int_equal(jmb_holddown_enter(h, later), JMB_HOLDDOWN_PROBE);
	assert_int_equal(jmb_holddown_leave(h, JMB_HOLDDOWN_PROBE, false, later),
	                 JMB_HOLDDOWN_CAME_BACK);
	assert_false(jmb_holddown_active(h));
	assert_int_equal(jmb_holddown_enter(h, later + 1), JMB_HOLDDOWN_GO);
	assert_int_equal(jmb_holddown_enter(h, later + 2), JMB_HOLDDOWN_GO);
}

static void test_a_failed_probe_holds_down_again(void **state)
{
	struct jmb_holddown *h = *state;
	int64_t probe_end = PERIOD + 3000;

	call(h, 0, true);
	assert_int_equal(jmb_holddown_enter(h, PERIOD), JMB_HOLDDOWN_PROBE);
	/* Still down: not news, and the next probe waits a whole period. */
	assert_int_equal(jmb_holddown_leave(h, JMB_HOLDDOWN_PROBE, true, probe_end),
	                 JMB_HOLDDOWN_SAME);
	assert_true(jmb_holddown_active(h));
	assert_int_equal(jmb_holddown_enter(h, probe_end + PERIOD - 1), JMB_HOLDDOWN_REFUSE);
	assert_int_equal(jmb_holddown_enter(h, probe_end + PERIOD), JMB_HOLDDOWN_PROBE);
}

static void test_calls_under_way_report_once(void **state)
{
	struct jmb_holddown *h = *state;

	/* Three calls enter while the service works and all time out. */
	for (int i = 0; i < 3; i++)
		assert_int_equal(jmb_holddown_enter(h, 0), JMB_HOLDDOWN_GO);
	assert_int_equal(jmb_holddown_leave(h, JMB_HOLDDOWN_GO, true, 1000),
	                 JMB_HOLDDOWN_WENT_DOWN);
	assert_int_equal(jmb_holddown_leave(h, JMB_HOLDDOWN_GO, true, 1200), JMB_HOLDDOWN_SAME);
	assert_int_equal(jmb_holddown_leave(h, JMB_HOLDDOWN_GO, true, 1500), JMB_HOLDDOWN_SAME);
	/* The last of them set the period going. */
	assert_int_equal(jmb_holddown_enter(h, 1500 + PERIOD - 1), JMB_HOLDDOWN_REFUSE);
	assert_int_equal(jmb_holddown_enter(h, 1500 + PERIOD), JMB_HOLDDOWN_PROBE);
}

static void test_a_late_success_under_way_closes_it(void **state)
{
	struct jmb_holddown *h = *state;

	assert_int_equal(jmb_holddown_enter(h, 0), JMB_HOLDDOWN_GO);
	call(h, 10, true);
	/* The server answered the call that entered first: it is back. */
	assert_int_equal(jmb_holddown_leave(h, JMB_HOLDDOWN_GO, false, 20), JMB_HOLDDOWN_CAME_BACK);
	assert_int_equal(jmb_holddown_enter(h, 21), JMB_HOLDDOWN_GO);
}

static void test_period_zero_never_refuses(void **state)
{
	struct jmb_holddown h;

	(void)state;
	jmb_holddown_init(&h, 0);
	assert_int_equal(call(&h, 0, true), JMB_HOLDDOWN_WENT_DOWN);
	assert_false(jmb_holddown_active(&h));
	assert_int_equal(jmb_holddown_enter(&h, 1), JMB_HOLDDOWN_GO);
	assert_int_equal(jmb_holddown_enter(&h, 1), JMB_HOLDDOWN_GO);
	assert_int_equal(call(&h, 2, true), JMB_HOLDDOWN_SAME);
	assert_int_equal(call(&h, 3, false), JMB_HOLDDOWN_CAME_BACK);
	jmb_holddown_destroy(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_up_lets_every_call_through, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_an_outage_refuses_until_the_period_is_over, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_only_one_probe_at_a_time, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_a_successful_probe_closes_it, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_a_failed_probe_holds_down_again, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_calls_under_way_report_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_a_late_success_under_way_closes_it, setup,
	                                    teardown),
	    cmocka_unit_test(test_period_zero_never_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
