/* Unit tests of src/lib/web/rrule-text.c: series rules in words, in English
 * and through a French catalogue made by msgfmt, and the form's shapes. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "locale-fixture.h"

#include "util/memory.h"
#include "web/rrule-text.h"

#ifndef TEST_DATA_DIR
#define TEST_DATA_DIR "data"
#endif

/* Tuesday 5 January 2027, 10:00 in Paris. */
#define TUE_5_JAN 1799139600
/* Tuesday 12 January 2027 (the 2nd Tuesday), 10:00 in Paris. */
#define TUE_12_JAN 1799744400
/* Friday 29 January 2027 (the last Friday), 10:00 in Paris. */
#define FRI_29_JAN 1801213200

static const char *en(struct jmb_pool *pool, const char *rule, time_t start)
{
	return jmb_rrule_describe(pool, NULL, "en", rule, start, "Europe/Paris");
}

static void test_english(void **state)
{
	struct jmb_pool *pool = jmb_pool_new();

	(void)state;
	assert_string_equal(en(pool, "FREQ=WEEKLY;COUNT=20;BYDAY=TU,TH", TUE_5_JAN),
	                    "Every Tuesday and Thursday at 10:00 (Europe/Paris), 20 times, "
	                    "from 5 January 2027");
	assert_string_equal(en(pool, "FREQ=DAILY;COUNT=5", TUE_5_JAN),
	                    "Every day at 10:00 (Europe/Paris), 5 times, from 5 January 2027");
	assert_string_equal(en(pool, "FREQ=DAILY;INTERVAL=3;COUNT=5", TUE_5_JAN),
	                    "Every 3 days at 10:00 (Europe/Paris), 5 times, from 5 January 2027");
	/* A weekly rule without BYDAY is on the start's weekday. */
	assert_string_equal(en(pool, "FREQ=WEEKLY;COUNT=1", TUE_5_JAN),
	                    "Every Tuesday at 10:00 (Europe/Paris), once, on 5 January 2027");
	/* The week is listed from Monday, whatever the rule's order. */
	assert_string_equal(en(pool, "FREQ=WEEKLY;INTERVAL=2;COUNT=9;BYDAY=FR,TU,MO", TUE_5_JAN),
	                    "Every 2 weeks on Monday, Tuesday and Friday at 10:00 "
	                    "(Europe/Paris), 9 times, from 5 January 2027");
	/* UNTIL is the end of 30 June in Paris, said as that day. */
	assert_string_equal(en(pool, "FREQ=MONTHLY;UNTIL=20270630T215959Z", TUE_5_JAN),
	                    "Every month on day 5 at 10:00 (Europe/Paris), from 5 January 2027 "
	                    "until 30 June 2027");
	/* As the form writes it, UNTIL a date in the meeting's zone. */
	assert_string_equal(en(pool, "FREQ=WEEKLY;UNTIL=20270630", TUE_5_JAN),
	                    "Every Tuesday at 10:00 (Europe/Paris), from 5 January 2027 until 30 "
	                    "June 2027");
	assert_string_equal(en(pool, "FREQ=MONTHLY;INTERVAL=2;COUNT=4;BYMONTHDAY=5", TUE_5_JAN),
	                    "Every 2 months on day 5 at 10:00 (Europe/Paris), 4 times, from 5 "
	                    "January 2027");
	assert_string_equal(en(pool, "FREQ=MONTHLY;COUNT=6;BYDAY=2TU", TUE_12_JAN),
	                    "The 2nd Tuesday of every month at 10:00 (Europe/Paris), 6 times, "
	                    "from 12 January 2027");
	assert_string_equal(en(pool, "FREQ=MONTHLY;COUNT=6;BYDAY=-1FR", FRI_29_JAN),
	                    "The last Friday of every month at 10:00 (Europe/Paris), 6 times, "
	                    "from 29 January 2027");
	assert_string_equal(en(pool, "FREQ=YEARLY;COUNT=3", TUE_5_JAN),
	                    "Every year on 5 January at 10:00 (Europe/Paris), 3 times, from 5 "
	                    "January 2027");
	assert_string_equal(
	    en(pool, "FREQ=YEARLY;INTERVAL=2;COUNT=3;BYMONTH=1;BYMONTHDAY=5", TUE_5_JAN),
	    "Every 2 years on 5 January at 10:00 (Europe/Paris), 3 times, from 5 "
	    "January 2027");
	jmb_pool_free(&pool);
}

static void test_other_rules_said_as_rules(void **state)
{
	struct jmb_pool *pool = jmb_pool_new();

	(void)state;
	assert_string_equal(en(pool, "FREQ=DAILY;COUNT=5;BYDAY=MO,TU", TUE_5_JAN),
	                    "Repeats: FREQ=DAILY;COUNT=5;BYDAY=MO,TU");
	assert_string_equal(en(pool, "FREQ=MONTHLY;COUNT=5;BYMONTHDAY=1,15", TUE_5_JAN),
	                    "Repeats: FREQ=MONTHLY;COUNT=5;BYMONTHDAY=1,15");
	assert_string_equal(en(pool, "FREQ=MONTHLY;COUNT=5;BYDAY=TU", TUE_5_JAN),
	                    "Repeats: FREQ=MONTHLY;COUNT=5;BYDAY=TU");
	assert_string_equal(en(pool, "FREQ=MONTHLY;INTERVAL=2;COUNT=5;BYDAY=2TU", TUE_12_JAN),
	                    "Repeats: FREQ=MONTHLY;INTERVAL=2;COUNT=5;BYDAY=2TU");
	assert_string_equal(en(pool, "FREQ=YEARLY;COUNT=5;BYMONTH=1", TUE_5_JAN),
	                    "Repeats: FREQ=YEARLY;COUNT=5;BYMONTH=1");
	assert_string_equal(en(pool, "FREQ=WEEKLY", TUE_5_JAN), "Repeats: FREQ=WEEKLY");
	jmb_pool_free(&pool);
}

static void test_shapes(void **state)
{
	struct jmb_rrule_shape s;

	(void)state;
	assert_true(
	    jmb_rrule_shape_parse("FREQ=WEEKLY;INTERVAL=2;UNTIL=20270630T215959Z;BYDAY=MO,TH",
	                          TUE_5_JAN, "Europe/Paris", &s));
	assert_int_equal(s.kind, JMB_REPEAT_WEEKLY);
	assert_int_equal(s.interval, 2);
	assert_int_equal(s.days, (1u << 1) | (1u << 4));
	assert_int_equal(s.count, 0);
	assert_int_equal(s.until, 1814392799);
	assert_true(jmb_rrule_shape_parse("FREQ=MONTHLY;COUNT=6;BYDAY=2TU", TUE_12_JAN,
	                                  "Europe/Paris", &s));
	assert_int_equal(s.kind, JMB_REPEAT_MONTHLY_NTH);
	assert_int_equal(s.nth, 2);
	assert_int_equal(s.weekday, 2);
	assert_int_equal(s.count, 6);
	assert_true(jmb_rrule_shape_parse("FREQ=MONTHLY;COUNT=6", TUE_12_JAN, "Europe/Paris", &s));
	assert_int_equal(s.kind, JMB_REPEAT_MONTHLY_DAY);
	assert_int_equal(s.monthday, 12);
	assert_false(jmb_rrule_shape_parse("FREQ=HOURLY;COUNT=6", TUE_12_JAN, "Europe/Paris", &s));
	assert_false(
	    jmb_rrule_shape_parse("FREQ=DAILY;COUNT=6;BYSETPOS=1", TUE_12_JAN, "Europe/Paris", &s));
	assert_string_equal(jmb_rrule_day_code(0), "SU");
	assert_string_equal(jmb_rrule_day_code(2), "TU");
}

static void test_french(void **state)
{
	char *dir = locale_make_french(TEST_DATA_DIR "/i18n-fr.po");
	struct jmb_pool *pool = jmb_pool_new();
	struct jmb_error error;
	struct jmb_i18n *i18n;

	(void)state;
	i18n = jmb_i18n_load(dir, &error);
	if (i18n == NULL)
		fail_msg("%s", error.text);
	assert_string_equal(jmb_rrule_describe(pool, i18n, "fr", "FREQ=WEEKLY;COUNT=20;BYDAY=TU,TH",
	                                       TUE_5_JAN, "Europe/Paris"),
	                    "Chaque mardi et jeudi \xc3\xa0 10:00 (Europe/Paris), 20 fois, "
	                    "\xc3\xa0 partir du 5 janvier 2027");
	assert_string_equal(jmb_rrule_describe(pool, i18n, "fr",
	                                       "FREQ=MONTHLY;UNTIL=20270630T215959Z;BYDAY=-1FR",
	                                       FRI_29_JAN, "Europe/Paris"),
	                    "Le dernier vendredi de chaque mois \xc3\xa0 10:00 (Europe/Paris), "
	                    "du 29 janvier 2027 au 30 juin 2027");
	assert_string_equal(jmb_rrule_describe(pool, i18n, "fr", "FREQ=DAILY;COUNT=5;BYDAY=MO",
	                                       TUE_5_JAN, "Europe/Paris"),
	                    "R\xc3\xa9p\xc3\xa9tition : FREQ=DAILY;COUNT=5;BYDAY=MO");
	jmb_i18n_free(&i18n);
	locale_remove(dir);
	jmb_pool_free(&pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_english),
	    cmocka_unit_test(test_other_rules_said_as_rules),
	    cmocka_unit_test(test_shapes),
	    cmocka_unit_test(test_french),
	};

	return cmocka_run_group_tests_name("rrule-text", tests, NULL, NULL);
}
