/* Unit tests of src/lib/util/timeutil.c: zones, DST changes both ways, form dates
 * and clocks, RFC 3339 parsing and formatting. Needs the system zoneinfo. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/timeutil.h"

/* 2026-03-29T01:00:00Z: Europe/Paris goes from +01:00 to +02:00. */
#define PARIS_SPRING 1774746000
/* 2026-10-25T01:00:00Z: Europe/Paris goes back from +02:00 to +01:00. */
#define PARIS_AUTUMN 1792890000

static time_t to_utc(int y, int mo, int d, int h, int mi, int s, const char *zone)
{
	struct jmb_local_time t = {
	    .year = y, .month = mo, .day = d, .hour = h, .minute = mi, .second = s};
	time_t utc = -1;

	if (jmb_local_to_utc(&t, zone, &utc) < 0)
		fail_msg("%04d-%02d-%02d %02d:%02d in %s refused", y, mo, d, h, mi, zone);
	return utc;
}

static void assert_local(time_t utc, const char *zone, int y, int mo, int d, int h, int mi, int s,
                         int offset)
{
	struct jmb_local_time t;

	assert_int_equal(jmb_utc_to_local(utc, zone, &t), 0);
	assert_int_equal(t.year, y);
	assert_int_equal(t.month, mo);
	assert_int_equal(t.day, d);
	assert_int_equal(t.hour, h);
	assert_int_equal(t.minute, mi);
	assert_int_equal(t.second, s);
	assert_int_equal(t.utc_offset, offset);
}

static void test_zone_names(void **state)
{
	assert_true(jmb_timezone_is_valid("Europe/Paris"));
	assert_true(jmb_timezone_is_valid("America/New_York"));
	assert_true(jmb_timezone_is_valid("UTC"));
	assert_true(jmb_timezone_is_valid("America/Argentina/Buenos_Aires"));
	assert_false(jmb_timezone_is_valid("Europe/Atlantis"));
	assert_false(jmb_timezone_is_valid("Mars/Olympus_Mons"));
	assert_false(jmb_timezone_is_valid(""));
	assert_false(jmb_timezone_is_valid("europe/paris"));
	assert_false(jmb_timezone_is_valid("Europe/Paris/"));
	assert_false(jmb_timezone_is_valid("Europe/Paris\n"));
	assert_false(jmb_timezone_is_valid("Europe/Paris "));
}

static void test_zone_names_cannot_leave_zoneinfo(void **state)
{
	/* Zone names must never become file paths outside the zone database. */
	assert_false(jmb_timezone_is_valid("/usr/share/zoneinfo/Europe/Paris"));
	assert_false(jmb_timezone_is_valid("/etc/localtime"));
	assert_false(jmb_timezone_is_valid("../../../../etc/passwd"));
	assert_false(jmb_timezone_is_valid("Europe/../Europe/Paris"));
	assert_false(jmb_timezone_is_valid("Europe/..Paris"));
	assert_false(jmb_timezone_is_valid("./Europe/Paris"));
	assert_false(jmb_timezone_is_valid("Europe//Paris"));
	assert_false(jmb_timezone_is_valid("zone.tab"));
	assert_false(jmb_timezone_is_valid("Europe/Paris%00"));
	assert_false(jmb_timezone_is_valid(
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
	struct jmb_local_time t = {.year = 2026, .month = 1, .day = 1};
	time_t utc;
	assert_int_equal(jmb_local_to_utc(&t, "../../etc/passwd", &utc), -1);
	assert_int_equal(jmb_utc_to_local(0, "/etc/localtime", &t), -1);
}

static void test_paris_winter_and_summer(void **state)
{
	/* 2026-01-15 12:00 CET = 11:00Z; 2026-07-15 12:00 CEST = 10:00Z */
	assert_int_equal(to_utc(2026, 1, 15, 12, 0, 0, "Europe/Paris"), 1768474800);
	assert_int_equal(to_utc(2026, 7, 15, 12, 0, 0, "Europe/Paris"), 1784109600);
	assert_local(1768474800, "Europe/Paris", 2026, 1, 15, 12, 0, 0, 3600);
	assert_local(1784109600, "Europe/Paris", 2026, 7, 15, 12, 0, 0, 7200);
}

static void test_paris_spring_forward(void **state)
{
	/* The last second of CET and the first of CEST. */
	assert_local(PARIS_SPRING - 1, "Europe/Paris", 2026, 3, 29, 1, 59, 59, 3600);
	assert_local(PARIS_SPRING, "Europe/Paris", 2026, 3, 29, 3, 0, 0, 7200);
	assert_int_equal(to_utc(2026, 3, 29, 1, 59, 0, "Europe/Paris"), PARIS_SPRING - 60);
	assert_int_equal(to_utc(2026, 3, 29, 3, 0, 0, "Europe/Paris"), PARIS_SPRING);
	/* 02:30 does not exist that day: RFC 5545 reads it with the offset before
	 * the gap (+01:00), i.e. 01:30Z, shown as 03:30 CEST. */
	assert_int_equal(to_utc(2026, 3, 29, 2, 30, 0, "Europe/Paris"), PARIS_SPRING + 1800);
	assert_int_equal(to_utc(2026, 3, 29, 2, 0, 0, "Europe/Paris"), PARIS_SPRING);
}

static void test_paris_fall_back(void **state)
{
	assert_local(PARIS_AUTUMN - 1, "Europe/Paris", 2026, 10, 25, 2, 59, 59, 7200);
	assert_local(PARIS_AUTUMN, "Europe/Paris", 2026, 10, 25, 2, 0, 0, 3600);
	/* 02:30 happens twice: RFC 5545 means the first time (CEST, 00:30Z). */
	assert_int_equal(to_utc(2026, 10, 25, 2, 30, 0, "Europe/Paris"), PARIS_AUTUMN - 1800);
	assert_int_equal(to_utc(2026, 10, 25, 2, 0, 0, "Europe/Paris"), PARIS_AUTUMN - 3600);
	assert_int_equal(to_utc(2026, 10, 25, 1, 59, 0, "Europe/Paris"), PARIS_AUTUMN - 3660);
	assert_int_equal(to_utc(2026, 10, 25, 3, 0, 0, "Europe/Paris"), PARIS_AUTUMN + 3600);
}

static void test_new_york(void **state)
{
	/* EST (-05:00) and EDT (-04:00), and both changes of 2026 (03-08, 11-01). */
	assert_int_equal(to_utc(2026, 1, 15, 12, 0, 0, "America/New_York"), 1768496400);
	assert_local(1768496400, "America/New_York", 2026, 1, 15, 12, 0, 0, -18000);
	assert_int_equal(to_utc(2026, 7, 1, 12, 0, 0, "America/New_York"), 1782921600);
	assert_local(1782921600, "America/New_York", 2026, 7, 1, 12, 0, 0, -14400);
	/* 02:30 skipped on 2026-03-08: read as EST, shown as 03:30 EDT (07:30Z). */
	assert_int_equal(to_utc(2026, 3, 8, 2, 30, 0, "America/New_York"), 1772955000);
	assert_local(1772955000, "America/New_York", 2026, 3, 8, 3, 30, 0, -14400);
	/* 01:30 repeated on 2026-11-01: the first one, EDT (05:30Z). */
	assert_int_equal(to_utc(2026, 11, 1, 1, 30, 0, "America/New_York"), 1793511000);
	assert_local(1793511000, "America/New_York", 2026, 11, 1, 1, 30, 0, -14400);
	assert_local(1793511000 + 3600, "America/New_York", 2026, 11, 1, 1, 30, 0, -18000);
}

static void test_local_round_trips_every_half_hour(void **state)
{
	/* Every wall-clock half hour of 2026 that exists converts back to itself. */
	static const char *const zones[] = {"Europe/Paris", "America/New_York", "Asia/Kolkata",
	                                    "Australia/Lord_Howe", "UTC"};
	for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		for (time_t utc = 1767225600; utc < 1798761600; utc += 1800) {
			struct jmb_local_time t;
			time_t back;
			assert_int_equal(jmb_utc_to_local(utc, zones[z], &t), 0);
			assert_int_equal(jmb_local_to_utc(&t, zones[z], &back), 0);
			/* A repeated time gives its first occurrence, never a later one. */
			if (back != utc && !(back < utc && utc - back <= 3600))
				fail_msg("%s: %ld came back as %ld", zones[z], (long)utc,
				         (long)back);
		}
	}
}

/* Every instant, however far off, formats as RFC 3339 with a four-digit year
 * that reads back as the clamped instant, in zones at both ends of the offsets. */
static void test_format_limits(void **state)
{
	static const time_t instants[] = {
	    INT64_MIN,
	    -1,
	    0,
	    1,
	    JMB_TIME_MIN,
	    JMB_TIME_MAX,
	    JMB_TIME_MAX + 1,
	    253402300799, /* 9999-12-31T23:59:59Z */
	    253402300800,
	    INT64_MAX / 2,
	    INT64_MAX,
	};
	static const char *const zones[] = {"UTC",        "Europe/Paris",     "Pacific/Kiritimati",
	                                    "Etc/GMT+12", "America/St_Johns", "Nowhere/Invalid"};
	struct jmb_local_time t;
	char buf[64];
	time_t back;

	(void)state;
	for (size_t i = 0; i < sizeof(instants) / sizeof(instants[0]); i++) {
		time_t want = jmb_time_clamp(instants[i]);

		assert_true(want >= JMB_TIME_MIN && want <= JMB_TIME_MAX);
		for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
			jmb_format_rfc3339(instants[i], zones[z], buf, sizeof(buf));
			if (strlen(buf) < 20 || jmb_parse_rfc3339(buf, &back) < 0 || back != want)
				fail_msg("%lld in %s: '%s'", (long long)instants[i], zones[z], buf);
			if (jmb_utc_to_local(instants[i], zones[z], &t) == 0 &&
			    (t.year < 1970 || t.year > 2500))
				fail_msg("%lld in %s: year %d", (long long)instants[i], zones[z],
				         t.year);
		}
	}
	assert_int_equal(jmb_time_clamp(1780308000), 1780308000);
}

static void test_weekday(void **state)
{
	struct jmb_local_time t;

	assert_int_equal(jmb_utc_to_local(7 * 86400, "UTC", &t), 0);
	assert_int_equal(t.weekday, 4); /* 1970-01-08: Thursday */
	assert_int_equal(jmb_utc_to_local(1782921600, "America/New_York", &t), 0);
	assert_int_equal(t.weekday, 3); /* 2026-07-01: Wednesday */
	/* 2026-03-29 00:30 in Paris is Sunday, though still Saturday 23:30 in UTC. */
	assert_int_equal(jmb_utc_to_local(PARIS_SPRING - 5400, "Europe/Paris", &t), 0);
	assert_int_equal(t.day, 29);
	assert_int_equal(t.weekday, 0);
}

static void test_invalid_dates_refused(void **state)
{
	static const int bad[][6] = {
	    {2026, 2, 29, 12, 0, 0}, {2026, 2, 30, 12, 0, 0}, {2026, 4, 31, 12, 0, 0},
	    {2026, 13, 1, 12, 0, 0}, {2026, 0, 1, 12, 0, 0},  {2026, 1, 0, 12, 0, 0},
	    {2026, 1, 1, 24, 0, 0},  {2026, 1, 1, 12, 60, 0}, {2026, 1, 1, 12, 0, 60},
	    {2026, 1, 1, -1, 0, 0},  {2100, 2, 29, 12, 0, 0}, {1969, 12, 31, 12, 0, 0},
	    {10000, 1, 1, 0, 0, 0},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct jmb_local_time t = {bad[i][0], bad[i][1], bad[i][2], bad[i][3],
		                           bad[i][4], bad[i][5], 0,         0};
		time_t utc;
		assert_int_equal(jmb_local_to_utc(&t, "Europe/Paris", &utc), -1);
	}
	struct jmb_local_time leap = {2028, 2, 29, 12, 0, 0, 0, 0};
	time_t utc;
	assert_int_equal(jmb_local_to_utc(&leap, "Europe/Paris", &utc), 0);
	struct jmb_local_time y2000 = {2000, 2, 29, 12, 0, 0, 0, 0};
	assert_int_equal(jmb_local_to_utc(&y2000, "UTC", &utc), 0);
	assert_int_equal(utc, 951825600);
	assert_int_equal(jmb_local_to_utc(&leap, "Europe/Nowhere", &utc), -1);
}

static void test_parse_date(void **state)
{
	struct jmb_local_time t;

	assert_int_equal(jmb_parse_date("2026-03-29", &t), 0);
	assert_int_equal(t.year, 2026);
	assert_int_equal(t.month, 3);
	assert_int_equal(t.day, 29);
	assert_int_equal(jmb_parse_date("2028-02-29", &t), 0);
	static const char *const bad[] = {
	    "2026-02-30",  "2026-02-29",  "2026-13-01", "2026-00-10", "2026-01-32",
	    "26-01-01",    "2026-1-01",   "2026-01-1",  "2026/01/01", "2026-01-01x",
	    "2026-01-01 ", " 2026-01-01", "",           "2026",       "2026-01",
	    "2026-01-",    "abcd-ef-gh",  "+026-01-01", "1969-12-31", "2026-04-31",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (jmb_parse_date(bad[i], &t) != -1)
			fail_msg("accepted date '%s'", bad[i]);
	}
}

static void test_parse_clock(void **state)
{
	struct jmb_local_time t;

	assert_int_equal(jmb_parse_clock("14:30", &t), 0);
	assert_int_equal(t.hour, 14);
	assert_int_equal(t.minute, 30);
	assert_int_equal(t.second, 0);
	assert_int_equal(jmb_parse_clock("00:00", &t), 0);
	assert_int_equal(jmb_parse_clock("23:59:58", &t), 0);
	assert_int_equal(t.second, 58);
	static const char *const bad[] = {
	    "24:00", "12:60", "9:30",  "0930",     "",      "14:30 ", "14:3",
	    "14:",   "14",    "ab:cd", "14:30:60", "14-30", "-1:30",  "14:30:5",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (jmb_parse_clock(bad[i], &t) != -1)
			fail_msg("accepted clock '%s'", bad[i]);
	}
}

static void test_parse_rfc3339(void **state)
{
	static const struct {
		const char *text;
		time_t utc;
	} good[] = {
	    {"2026-03-29T01:00:00Z", PARIS_SPRING},
	    {"2026-03-29t01:00:00z", PARIS_SPRING},
	    {"2026-03-29 01:00:00Z", PARIS_SPRING},
	    {"2026-03-29T03:00:00+02:00", PARIS_SPRING},
	    {"2026-03-28T20:00:00-05:00", PARIS_SPRING},
	    {"2026-03-29T06:30:00+05:30", PARIS_SPRING},
	    {"2026-03-29T01:00:00.123456789Z", PARIS_SPRING},
	    {"2026-03-29T02:00:00.5+01:00", PARIS_SPRING},
	    {"2026-03-29T01:00:00+00:00", PARIS_SPRING},
	    {"2026-03-29T01:00:00-00:00", PARIS_SPRING},
	    {"1970-01-01T00:00:00Z", 0},
	    {"1970-01-01T00:00:00+01:00", -3600},
	    {"2028-02-29T12:00:00Z", 1835438400},
	};
	time_t utc;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		utc = 12345;
		if (jmb_parse_rfc3339(good[i].text, &utc) != 0)
			fail_msg("refused %s", good[i].text);
		if (utc != good[i].utc)
			fail_msg("%s gave %ld", good[i].text, (long)utc);
	}
}

static void test_parse_rfc3339_refusals(void **state)
{
	static const char *const bad[] = {
	    "2026-03-29T01:00:00",   /* no offset: ambiguous */
	    "2026-03-29T01:00:00.5", /* no offset after a fraction */
	    "2026-03-29T01:00:00 ",
	    "2026-03-29T01:00:00+0100", /* offset without colon */
	    "2026-03-29T01:00:00+01",
	    "2026-03-29T01:00:00+24:00",
	    "2026-03-29T01:00:00+01:60",
	    "2026-03-29T01:00:00Zjunk",
	    "2026-03-29T01:00:00ZZ",
	    "2026-03-29T01:00:00UTC",
	    "2026-03-29T01:00:00 Europe/Paris",
	    "2026-02-30T01:00:00Z", /* no such day */
	    "2026-03-29T24:00:00Z",
	    "2026-03-29T23:59:60Z", /* leap seconds are not taken */
	    "2026-03-29",
	    "2026-03-29T",
	    "2026-03-29X01:00:00Z",
	    "",
	    "Z",
	    "1969-12-31T23:59:59Z",
	    "2026-3-29T01:00:00Z",
	    "+2026-03-29T01:00:00Z",
	};
	time_t utc;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (jmb_parse_rfc3339(bad[i], &utc) != -1)
			fail_msg("accepted '%s'", bad[i]);
	}
}

static void test_format_rfc3339(void **state)
{
	char buf[64];

	jmb_format_rfc3339(PARIS_SPRING, "UTC", buf, sizeof(buf));
	assert_string_equal(buf, "2026-03-29T01:00:00Z");
	jmb_format_rfc3339(PARIS_SPRING - 1, "Europe/Paris", buf, sizeof(buf));
	assert_string_equal(buf, "2026-03-29T01:59:59+01:00");
	jmb_format_rfc3339(PARIS_SPRING, "Europe/Paris", buf, sizeof(buf));
	assert_string_equal(buf, "2026-03-29T03:00:00+02:00");
	jmb_format_rfc3339(PARIS_SPRING, "America/New_York", buf, sizeof(buf));
	assert_string_equal(buf, "2026-03-28T21:00:00-04:00");
	jmb_format_rfc3339(PARIS_SPRING, "Asia/Kolkata", buf, sizeof(buf));
	assert_string_equal(buf, "2026-03-29T06:30:00+05:30");
	/* An unknown zone falls back to UTC rather than printing garbage. */
	jmb_format_rfc3339(PARIS_SPRING, "Nowhere/Land", buf, sizeof(buf));
	assert_string_equal(buf, "2026-03-29T01:00:00Z");
	/* What we format, we parse back to the same instant. */
	for (time_t t = PARIS_AUTUMN - 7200; t < PARIS_AUTUMN + 7200; t += 900) {
		time_t back;
		jmb_format_rfc3339(t, "Europe/Paris", buf, sizeof(buf));
		assert_int_equal(jmb_parse_rfc3339(buf, &back), 0);
		assert_int_equal(back, t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_zone_names),
	    cmocka_unit_test(test_zone_names_cannot_leave_zoneinfo),
	    cmocka_unit_test(test_paris_winter_and_summer),
	    cmocka_unit_test(test_paris_spring_forward),
	    cmocka_unit_test(test_paris_fall_back),
	    cmocka_unit_test(test_new_york),
	    cmocka_unit_test(test_local_round_trips_every_half_hour),
	    cmocka_unit_test(test_weekday),
	    cmocka_unit_test(test_format_limits),
	    cmocka_unit_test(test_invalid_dates_refused),
	    cmocka_unit_test(test_parse_date),
	    cmocka_unit_test(test_parse_clock),
	    cmocka_unit_test(test_parse_rfc3339),
	    cmocka_unit_test(test_parse_rfc3339_refusals),
	    cmocka_unit_test(test_format_rfc3339),
	};

	return cmocka_run_group_tests_name("timeutil", tests, NULL, NULL);
}
