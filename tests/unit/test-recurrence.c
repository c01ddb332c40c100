/* Unit tests of src/lib/domain/recurrence.c: which rules are accepted and how
 * they are normalised, expansion on the wall clock across DST changes both
 * ways, monthly ordinals, UNTIL in a zone ahead of UTC, the bounds, and a
 * series' occurrences with overrides. Needs the system zoneinfo. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "domain/recurrence.h"
#include "util/memory.h"
#include "util/timeutil.h"

static const struct jmb_rrule_limits limits = {.max_occurrences = 260, .max_series_days = 400};

static time_t at(int y, int mo, int d, int h, int mi, const char *zone)
{
	struct jmb_local_time t = {.year = y, .month = mo, .day = d, .hour = h, .minute = mi};
	time_t utc = -1;

	assert_int_equal(jmb_local_to_utc(&t, zone, &utc), 0);
	return utc;
}

static enum jmb_rrule_problem check(const char *rule, time_t start, const char *zone,
                                    char *normalised, size_t size)
{
	struct jmb_pool *pool = jmb_pool_new();
	char *norm = NULL;
	time_t last;
	const char *part;
	enum jmb_rrule_problem p =
	    jmb_rrule_check(pool, rule, start, zone, &limits, &norm, &last, &part);

	if (normalised != NULL)
		snprintf(normalised, size, "%s", p == JMB_RRULE_OK ? norm : "");
	jmb_pool_free(&pool);
	return p;
}

struct starts {
	time_t t[600];
	size_t n;
};

static bool keep(time_t start, void *data)
{
	struct starts *s = data;

	s->t[s->n++] = start;
	return s->n < sizeof(s->t) / sizeof(s->t[0]);
}

static void expand(const char *rule, time_t start, const char *zone, struct starts *s)
{
	char norm[256];

	assert_int_equal(check(rule, start, zone, norm, sizeof(norm)), JMB_RRULE_OK);
	s->n = 0;
	assert_true(jmb_rrule_each_start(norm, start, zone, keep, s) >= 0);
}

static void assert_wall(time_t utc, const char *zone, int y, int mo, int d, int h, int mi)
{
	struct jmb_local_time t;

	assert_int_equal(jmb_utc_to_local(utc, zone, &t), 0);
	assert_int_equal(t.year, y);
	assert_int_equal(t.month, mo);
	assert_int_equal(t.day, d);
	assert_int_equal(t.hour, h);
	assert_int_equal(t.minute, mi);
}

static void test_normalised(void **state)
{
	char n[256];
	time_t tue = at(2027, 1, 5, 10, 0, "Europe/Paris");

	(void)state;
	assert_int_equal(
	    check("rrule:freq=weekly;byday=TU,TH;count=20", tue, "Europe/Paris", n, sizeof(n)),
	    JMB_RRULE_OK);
	assert_string_equal(n, "FREQ=WEEKLY;COUNT=20;BYDAY=TU,TH");
	assert_int_equal(check("BYDAY=TU;INTERVAL=1;FREQ=WEEKLY;UNTIL=20270301;WKST=MO", tue,
	                       "Europe/Paris", n, sizeof(n)),
	                 JMB_RRULE_OK);
	/* A date UNTIL is the end of that day in the meeting's zone, written in UTC. */
	assert_string_equal(n, "FREQ=WEEKLY;UNTIL=20270301T225959Z;BYDAY=TU");
	assert_int_equal(check("FREQ=MONTHLY;INTERVAL=2;BYDAY=-1FR;COUNT=3",
	                       at(2027, 1, 29, 9, 0, "Europe/Paris"), "Europe/Paris", n, sizeof(n)),
	                 JMB_RRULE_OK);
	assert_string_equal(n, "FREQ=MONTHLY;INTERVAL=2;COUNT=3;BYDAY=-1FR");
}

static void test_refused(void **state)
{
	time_t tue = at(2027, 1, 5, 10, 0, "Europe/Paris");
	static const struct {
		const char *rule;
		enum jmb_rrule_problem problem;
	} cases[] = {
	    {"", JMB_RRULE_SYNTAX},
	    {"FREQ", JMB_RRULE_SYNTAX},
	    {"FREQ=WEEKLY;;COUNT=2", JMB_RRULE_SYNTAX},
	    {"FREQ=WEEKLY;COUNT=2;COUNT=3", JMB_RRULE_SYNTAX},
	    {"COUNT=2", JMB_RRULE_SYNTAX},
	    {"FREQ=WEEKLY;COUNT=0", JMB_RRULE_SYNTAX},
	    {"FREQ=WEEKLY;COUNT=-1", JMB_RRULE_SYNTAX},
	    {"FREQ=WEEKLY;COUNT=2;INTERVAL=0", JMB_RRULE_SYNTAX},
	    {"FREQ=WEEKLY;COUNT=2;BYDAY=XX", JMB_RRULE_SYNTAX},
	    {"FREQ=WEEKLY;COUNT=2;BYDAY=TU,", JMB_RRULE_SYNTAX},
	    {"FREQ=MONTHLY;COUNT=2;BYMONTHDAY=0", JMB_RRULE_SYNTAX},
	    {"FREQ=MONTHLY;COUNT=2;BYMONTHDAY=32", JMB_RRULE_SYNTAX},
	    {"FREQ=YEARLY;COUNT=2;BYMONTH=13", JMB_RRULE_SYNTAX},
	    {"FREQ=WEEKLY;UNTIL=2027-03-01", JMB_RRULE_SYNTAX},
	    {"FREQ=WEEKLY;UNTIL=20271301", JMB_RRULE_SYNTAX},
	    {"FREQ=WEEKLY;COUNT=2;WKST=XY", JMB_RRULE_SYNTAX},
	    {"FREQ=WEEKLY;COUNT=2\n", JMB_RRULE_SYNTAX},
	    {"FREQ=SECONDLY;COUNT=2", JMB_RRULE_UNSUPPORTED},
	    {"FREQ=HOURLY;COUNT=2", JMB_RRULE_UNSUPPORTED},
	    {"FREQ=MONTHLY;COUNT=2;BYDAY=TU;BYSETPOS=2", JMB_RRULE_UNSUPPORTED},
	    {"FREQ=DAILY;COUNT=2;BYHOUR=10,11", JMB_RRULE_UNSUPPORTED},
	    {"FREQ=YEARLY;COUNT=2;BYWEEKNO=2", JMB_RRULE_UNSUPPORTED},
	    {"FREQ=WEEKLY", JMB_RRULE_NO_END},
	    {"FREQ=WEEKLY;COUNT=2;UNTIL=20270301", JMB_RRULE_TWO_ENDS},
	    {"FREQ=WEEKLY;COUNT=2;BYDAY=2TU", JMB_RRULE_ORDINAL},
	    {"FREQ=MONTHLY;COUNT=2;BYDAY=10TU", JMB_RRULE_ORDINAL},
	    {"FREQ=WEEKLY;COUNT=261", JMB_RRULE_TOO_MANY},
	    {"FREQ=DAILY;UNTIL=20280101", JMB_RRULE_TOO_MANY},
	    {"FREQ=MONTHLY;COUNT=15", JMB_RRULE_TOO_LONG},
	    {"FREQ=YEARLY;INTERVAL=20;COUNT=2", JMB_RRULE_TOO_LONG},
	    {"FREQ=WEEKLY;UNTIL=20400101", JMB_RRULE_TOO_MANY},
	    {"FREQ=YEARLY;UNTIL=20400101", JMB_RRULE_TOO_LONG},
	    {"FREQ=WEEKLY;UNTIL=20261231", JMB_RRULE_EMPTY},
	    {"FREQ=WEEKLY;COUNT=4;BYDAY=WE", JMB_RRULE_NOT_ON_START},
	    {"FREQ=YEARLY;COUNT=3;BYMONTH=2;BYMONTHDAY=31", JMB_RRULE_EMPTY},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum jmb_rrule_problem p = check(cases[i].rule, tue, "Europe/Paris", NULL, 0);

		if (p != cases[i].problem)
			fail_msg("%s: problem %d, expected %d", cases[i].rule, p, cases[i].problem);
	}
}

/* Weekly at 10:00 in Paris across the spring and autumn changes: the wall
 * clock stays, the UTC instant moves by an hour. */
static void test_dst_paris(void **state)
{
	struct starts s;

	(void)state;
	expand("FREQ=WEEKLY;COUNT=6", at(2027, 3, 16, 10, 0, "Europe/Paris"), "Europe/Paris", &s);
	assert_int_equal(s.n, 6);
	for (size_t i = 0; i < s.n; i++)
		assert_wall(s.t[i], "Europe/Paris", 2027, i < 3 ? 3 : 4,
		            i < 3 ? 16 + 7 * (int)i : 7 * (int)i - 15, 10, 0);
	assert_int_equal(s.t[1] - s.t[0], 7 * 86400);
	assert_int_equal(s.t[2] - s.t[1], 7 * 86400 - 3600); /* 28 March: summer time */

	expand("FREQ=DAILY;COUNT=3", at(2027, 10, 30, 10, 0, "Europe/Paris"), "Europe/Paris", &s);
	assert_int_equal(s.t[1] - s.t[0], 86400 + 3600); /* 31 October: winter time */
	assert_wall(s.t[2], "Europe/Paris", 2027, 11, 1, 10, 0);
}

/* New York changes on other dates than Europe; a time in the skipped hour is
 * read with the offset before the gap, as RFC 5545 says. */
static void test_dst_new_york(void **state)
{
	struct starts s;

	(void)state;
	expand("FREQ=DAILY;COUNT=3", at(2027, 3, 13, 2, 30, "America/New_York"), "America/New_York",
	       &s);
	assert_int_equal(s.n, 3);
	assert_wall(s.t[0], "America/New_York", 2027, 3, 13, 2, 30);
	assert_wall(s.t[1], "America/New_York", 2027, 3, 14, 3, 30); /* 02:30 does not exist */
	assert_wall(s.t[2], "America/New_York", 2027, 3, 15, 2, 30);
	expand("FREQ=WEEKLY;COUNT=2", at(2027, 10, 31, 9, 0, "America/New_York"),
	       "America/New_York", &s);
	assert_int_equal(s.t[1] - s.t[0], 7 * 86400 + 3600);
}

/* Occurrences are a set: a day named twice is one occurrence, and COUNT
 * counts distinct ones (found by fuzz-rrule). */
static void test_repeated_day_is_one_occurrence(void **state)
{
	struct starts s;

	(void)state;
	expand("FREQ=WEEKLY;BYDAY=TU,TU;COUNT=3", at(2027, 1, 5, 10, 0, "Europe/Paris"),
	       "Europe/Paris", &s);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.t[1] - s.t[0], 7 * 86400);
	assert_int_equal(s.t[2] - s.t[1], 7 * 86400);
}

static void test_monthly_last_friday(void **state)
{
	struct starts s;
	static const int days[] = {29, 26, 26, 30, 28, 25};

	(void)state;
	expand("FREQ=MONTHLY;BYDAY=-1FR;COUNT=6", at(2027, 1, 29, 9, 0, "Europe/Paris"),
	       "Europe/Paris", &s);
	assert_int_equal(s.n, 6);
	for (size_t i = 0; i < s.n; i++)
		assert_wall(s.t[i], "Europe/Paris", 2027, 1 + (int)i, days[i], 9, 0);
	expand("FREQ=MONTHLY;BYDAY=2TU;COUNT=3", at(2027, 1, 12, 14, 0, "Europe/Paris"),
	       "Europe/Paris", &s);
	assert_wall(s.t[1], "Europe/Paris", 2027, 2, 9, 14, 0);
	assert_wall(s.t[2], "Europe/Paris", 2027, 3, 9, 14, 0);
}

/* 09:00 in Tokyo is 00:00 UTC: an UNTIL at that instant keeps the occurrence,
 * one second earlier drops it; a date UNTIL means the end of the Tokyo day. */
static void test_until_ahead_of_utc(void **state)
{
	struct starts s;

	(void)state;
	expand("FREQ=DAILY;UNTIL=20270115T000000Z", at(2027, 1, 11, 9, 0, "Asia/Tokyo"),
	       "Asia/Tokyo", &s);
	assert_int_equal(s.n, 5);
	expand("FREQ=DAILY;UNTIL=20270114T235959Z", at(2027, 1, 11, 9, 0, "Asia/Tokyo"),
	       "Asia/Tokyo", &s);
	assert_int_equal(s.n, 4);
	expand("FREQ=DAILY;UNTIL=20270115", at(2027, 1, 11, 9, 0, "Asia/Tokyo"), "Asia/Tokyo", &s);
	assert_int_equal(s.n, 5);
	expand("FREQ=DAILY;UNTIL=20270115T090000", at(2027, 1, 11, 9, 0, "Asia/Tokyo"),
	       "Asia/Tokyo", &s);
	assert_int_equal(s.n, 5);
}

static struct jmb_meeting series(struct jmb_override *overrides, size_t n)
{
	struct jmb_meeting m = {
	    .title = "Seminar",
	    .description = "",
	    .timezone = "Europe/Paris",
	    .duration = 60,
	    .recurrence = "FREQ=WEEKLY;COUNT=5",
	    .overrides = overrides,
	    .n_overrides = n,
	};

	m.start = at(2027, 3, 16, 10, 0, "Europe/Paris");
	m.end = m.start + 3600;
	return m;
}

static void test_occurrences_with_overrides(void **state)
{
	struct jmb_pool *pool = jmb_pool_new();
	time_t first = at(2027, 3, 16, 10, 0, "Europe/Paris");
	time_t second = at(2027, 3, 23, 10, 0, "Europe/Paris");
	time_t third = at(2027, 3, 30, 10, 0, "Europe/Paris");
	/* The first is cancelled; the second moves after the third. */
	struct jmb_override o[] = {
	    {.recurrence_id = first, .start = first, .duration = 60, .cancelled = true},
	    {.recurrence_id = second, .start = third + 86400, .duration = 90, .title = "Moved"},
	};
	struct jmb_meeting m = series(o, 2);
	struct jmb_occurrence *occ, next;
	size_t n;

	(void)state;
	occ = jmb_meeting_occurrences(pool, &m, 0, JMB_TIME_MAX, 100, &n);
	assert_int_equal(n, 5);
	assert_true(occ[0].cancelled && occ[0].recurrence_id == first);
	assert_int_equal(occ[1].start, third);
	assert_int_equal(occ[2].recurrence_id, second);
	assert_int_equal(occ[2].start, third + 86400);
	assert_int_equal(occ[2].end, third + 86400 + 90 * 60);
	assert_string_equal(occ[2].title, "Moved");
	assert_true(occ[2].overridden && !occ[1].overridden);

	/* The next occurrence skips the cancelled first one; a moved one counts at
	   its new time. */
	assert_true(jmb_meeting_next(&m, 0, &next));
	assert_int_equal(next.start, third);
	assert_true(jmb_meeting_next(&m, third + 3600, &next));
	assert_int_equal(next.recurrence_id, second);
	assert_int_equal(jmb_meeting_last_end(&m), at(2027, 4, 13, 11, 0, "Europe/Paris"));
	assert_false(jmb_meeting_next(&m, jmb_meeting_last_end(&m), &next));
	assert_true(jmb_meeting_focus(&m, jmb_meeting_last_end(&m) + 86400, &next));
	assert_int_equal(next.end, jmb_meeting_last_end(&m));

	/* A window in the middle. */
	occ = jmb_meeting_occurrences(pool, &m, third, third + 2 * 86400, 100, &n);
	assert_int_equal(n, 2);
	assert_int_equal(occ[0].start, third);
	assert_int_equal(occ[1].recurrence_id, second);

	assert_true(jmb_meeting_occurrence(&m, second, &next));
	assert_false(jmb_meeting_occurrence(&m, second + 60, &next));
	jmb_pool_free(&pool);
}

/* "This and the following": the rule cut at a later start, and the rule of
 * the series continuing from there. */
static void test_split(void **state)
{
	struct jmb_pool *pool = jmb_pool_new();
	time_t first = at(2027, 3, 16, 10, 0, "Europe/Paris");
	time_t third = at(2027, 3, 30, 10, 0, "Europe/Paris");
	char *before, *after;
	struct starts s;

	(void)state;
	assert_int_equal(jmb_rrule_split(pool, "FREQ=WEEKLY;COUNT=6;BYDAY=TU", first,
	                                 "Europe/Paris", third, &before, &after),
	                 0);
	assert_string_equal(before, "FREQ=WEEKLY;UNTIL=20270330T075959Z;BYDAY=TU");
	assert_string_equal(after, "FREQ=WEEKLY;COUNT=4;BYDAY=TU");
	s.n = 0;
	jmb_rrule_each_start(before, first, "Europe/Paris", keep, &s);
	assert_int_equal(s.n, 2);
	assert_int_equal(jmb_rrule_split(pool, "FREQ=WEEKLY;UNTIL=20270501T000000Z", first,
	                                 "Europe/Paris", third, &before, &after),
	                 0);
	assert_string_equal(after, "FREQ=WEEKLY;UNTIL=20270501T000000Z");
	/* Not a later start of the rule. */
	assert_int_equal(jmb_rrule_split(pool, "FREQ=WEEKLY;COUNT=6", first, "Europe/Paris", first,
	                                 &before, &after),
	                 -1);
	assert_int_equal(jmb_rrule_split(pool, "FREQ=WEEKLY;COUNT=6", first, "Europe/Paris",
	                                 third + 3600, &before, &after),
	                 -1);
	jmb_pool_free(&pool);
}

static void test_recurrence_id_text(void **state)
{
	char buf[20];
	time_t t;

	(void)state;
	jmb_recurrence_id_format(at(2027, 1, 5, 10, 0, "Europe/Paris"), buf, sizeof(buf));
	assert_string_equal(buf, "20270105T090000Z");
	assert_int_equal(jmb_recurrence_id_parse(buf, &t), 0);
	assert_int_equal(t, at(2027, 1, 5, 10, 0, "Europe/Paris"));
	assert_int_equal(jmb_recurrence_id_parse("20270105T090000", &t), -1);
	assert_int_equal(jmb_recurrence_id_parse("2027010xT090000Z", &t), -1);
	assert_int_equal(jmb_recurrence_id_parse("20270105T250000Z", &t), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_normalised),
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_dst_paris),
	    cmocka_unit_test(test_dst_new_york),
	    cmocka_unit_test(test_repeated_day_is_one_occurrence),
	    cmocka_unit_test(test_monthly_last_friday),
	    cmocka_unit_test(test_until_ahead_of_utc),
	    cmocka_unit_test(test_occurrences_with_overrides),
	    cmocka_unit_test(test_split),
	    cmocka_unit_test(test_recurrence_id_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
