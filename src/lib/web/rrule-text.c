/* Series rules in words, and the rule shapes of the booking form. The day
 * and month names are i18n.c's, the ones every date jmb writes uses. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/memory.h"
#include "util/strbuf.h"
#include "util/timeutil.h"
#include "web/rrule-text.h"

/* RRULE weekday codes by jmb_local_time.weekday (0 = Sunday). */
static const char *const day_codes[7] = {"SU", "MO", "TU", "WE", "TH", "FR", "SA"};

const char *jmb_rrule_day_code(int weekday)
{
	return weekday >= 0 && weekday < 7 ? day_codes[weekday] : "MO";
}

static int day_of_code(const char *s, size_t len)
{
	for (int w = 0; w < 7; w++)
		if (len == 2 && strncmp(s, day_codes[w], 2) == 0)
			return w;
	return -1;
}

/* A whole number in [min, max] spelt out in full ("-1", "15"). */
static bool whole(const char *s, long min, long max, long *n_r)
{
	char *end;
	long n;

	if (*s == '\0')
		return false;
	n = strtol(s, &end, 10);
	if (*end != '\0' || n < min || n > max)
		return false;
	*n_r = n;
	return true;
}

/* UNTIL in UTC, as stored, or a date as the booking form writes it (the
 * end of that day in zone). */
static bool until_utc(const char *s, const char *zone, time_t *utc_r)
{
	struct jmb_local_time t = {0};
	size_t len = strlen(s);

	for (size_t i = 0; i < len; i++)
		if (!isdigit((unsigned char)s[i]) && !(i == 8 && s[i] == 'T') &&
		    !(i == 15 && s[i] == 'Z'))
			return false;
	if (len == 8 && sscanf(s, "%4d%2d%2d", &t.year, &t.month, &t.day) == 3) {
		t.hour = 23;
		t.minute = 59;
		t.second = 59;
		return jmb_local_to_utc(&t, zone, utc_r) == 0;
	}
	if (len != 16 || s[8] != 'T' || s[15] != 'Z' ||
	    sscanf(s, "%4d%2d%2dT%2d%2d%2d", &t.year, &t.month, &t.day, &t.hour, &t.minute,
	           &t.second) != 6)
		return false;
	return jmb_local_to_utc(&t, "UTC", utc_r) == 0;
}

/* BYDAY of a monthly rule: one weekday with an ordinal, 1 to 5 or -1. */
static bool one_numbered_day(const char *s, struct jmb_rrule_shape *shape)
{
	size_t len = strlen(s);
	long n;
	char ordinal[4];

	if (len < 3 || len > 4)
		return false;
	shape->weekday = day_of_code(s + len - 2, 2);
	memcpy(ordinal, s, len - 2);
	ordinal[len - 2] = '\0';
	if (shape->weekday < 0 || !whole(ordinal, -1, 5, &n) || n == 0)
		return false;
	if (n == -1) {
		shape->kind = JMB_REPEAT_MONTHLY_LAST;
	} else {
		shape->kind = JMB_REPEAT_MONTHLY_NTH;
		shape->nth = (int)n;
	}
	return true;
}

bool jmb_rrule_shape_parse(const char *rule, time_t first_start, const char *zone,
                           struct jmb_rrule_shape *shape_r)
{
	const char *freq = NULL, *byday = NULL, *bymonthday = NULL, *bymonth = NULL;
	struct jmb_rrule_shape s = {.interval = 1};
	struct jmb_local_time lt;
	char copy[520], *save = NULL;
	long n;

	if (rule == NULL || strlen(rule) >= sizeof(copy) ||
	    jmb_utc_to_local(first_start, zone, &lt) < 0)
		return false;
	strcpy(copy, rule);
	for (char *item = strtok_r(copy, ";", &save); item != NULL;
	     item = strtok_r(NULL, ";", &save)) {
		char *v = strchr(item, '=');

		if (v == NULL)
			return false;
		*v++ = '\0';
		if (strcmp(item, "FREQ") == 0)
			freq = v;
		else if (strcmp(item, "INTERVAL") == 0 && whole(v, 1, 999, &n))
			s.interval = n;
		else if (strcmp(item, "COUNT") == 0 && whole(v, 1, 99999, &n))
			s.count = n;
		else if (strcmp(item, "UNTIL") == 0 && until_utc(v, zone, &s.until))
			;
		else if (strcmp(item, "BYDAY") == 0)
			byday = v;
		else if (strcmp(item, "BYMONTHDAY") == 0)
			bymonthday = v;
		else if (strcmp(item, "BYMONTH") == 0)
			bymonth = v;
		else if (strcmp(item, "WKST") != 0)
			return false;
	}
	if (freq == NULL || (s.count == 0) == (s.until == 0))
		return false;
	if (strcmp(freq, "DAILY") == 0) {
		if (byday != NULL || bymonthday != NULL || bymonth != NULL)
			return false;
		s.kind = JMB_REPEAT_DAILY;
	} else if (strcmp(freq, "WEEKLY") == 0) {
		if (bymonthday != NULL || bymonth != NULL)
			return false;
		s.kind = JMB_REPEAT_WEEKLY;
		if (byday == NULL) {
			s.days = 1u << lt.weekday;
		} else {
			for (const char *p = byday; *p != '\0'; p += p[2] == ',' ? 3 : 2) {
				int w = day_of_code(p, strnlen(p, 2));

				if (w < 0 || (p[2] != ',' && p[2] != '\0'))
					return false;
				s.days |= 1u << w;
			}
		}
	} else if (strcmp(freq, "MONTHLY") == 0) {
		if (bymonth != NULL || (byday != NULL && bymonthday != NULL))
			return false;
		if (byday != NULL) {
			if (!one_numbered_day(byday, &s))
				return false;
		} else {
			s.kind = JMB_REPEAT_MONTHLY_DAY;
			s.monthday = lt.day;
			if (bymonthday != NULL) {
				if (!whole(bymonthday, 1, 31, &n))
					return false;
				s.monthday = (int)n;
			}
		}
	} else if (strcmp(freq, "YEARLY") == 0) {
		if (byday != NULL || (bymonth == NULL) != (bymonthday == NULL))
			return false;
		s.kind = JMB_REPEAT_YEARLY;
		s.month = lt.month;
		s.monthday = lt.day;
		if (bymonth != NULL) {
			if (!whole(bymonth, 1, 12, &n))
				return false;
			s.month = (int)n;
			if (!whole(bymonthday, 1, 31, &n))
				return false;
			s.monthday = (int)n;
		}
	} else {
		return false;
	}
	*shape_r = s;
	return true;
}

/* "Tuesday", "Tuesday and Thursday", "Monday, Wednesday and Friday", the
 * week from Monday. */
static const char *day_list(struct jmb_pool *pool, const struct jmb_i18n *i18n, const char *lang,
                            unsigned days)
{
	const char *head = NULL, *last = NULL;

	for (int i = 1; i <= 7; i++) {
		int w = i % 7;

		if (!(days & (1u << w)))
			continue;
		if (last != NULL)
			head = head == NULL ? last : jmb_pool_printf(pool, "%s, %s", head, last);
		last = jmb_tr(i18n, lang, jmb_weekday_names[w]);
	}
	if (last == NULL)
		return "";
	return head == NULL
	           ? last
	           : jmb_pool_printf(pool, jmb_tr(i18n, lang, N_("%s and %s")), head, last);
}

/* How often, without the time and the end; NULL for a shape said only as
 * the rule. */
static const char *how_often(struct jmb_pool *pool, const struct jmb_i18n *i18n, const char *lang,
                             const struct jmb_rrule_shape *s)
{
	const char *day = jmb_tr(i18n, lang, jmb_weekday_names[s->weekday]);

	switch (s->kind) {
	case JMB_REPEAT_DAILY:
		if (s->interval == 1)
			return jmb_tr(i18n, lang, N_("Every day"));
		return jmb_pool_printf(pool, jmb_tr(i18n, lang, N_("Every %ld days")), s->interval);
	case JMB_REPEAT_WEEKLY:
		if (s->interval == 1)
			return jmb_pool_printf(pool, jmb_tr(i18n, lang, N_("Every %s")),
			                       day_list(pool, i18n, lang, s->days));
		return jmb_pool_printf(pool, jmb_tr(i18n, lang, N_("Every %ld weeks on %s")),
		                       s->interval, day_list(pool, i18n, lang, s->days));
	case JMB_REPEAT_MONTHLY_DAY:
		if (s->interval == 1)
			return jmb_pool_printf(
			    pool, jmb_tr(i18n, lang, N_("Every month on day %d")), s->monthday);
		return jmb_pool_printf(pool, jmb_tr(i18n, lang, N_("Every %ld months on day %d")),
		                       s->interval, s->monthday);
	case JMB_REPEAT_MONTHLY_NTH:
		if (s->interval != 1 || s->nth < 1 || s->nth > 5)
			return NULL;
		switch (s->nth) {
		case 1:
			return jmb_pool_printf(
			    pool, jmb_tr(i18n, lang, N_("The 1st %s of every month")), day);
		case 2:
			return jmb_pool_printf(
			    pool, jmb_tr(i18n, lang, N_("The 2nd %s of every month")), day);
		case 3:
			return jmb_pool_printf(
			    pool, jmb_tr(i18n, lang, N_("The 3rd %s of every month")), day);
		case 4:
			return jmb_pool_printf(
			    pool, jmb_tr(i18n, lang, N_("The 4th %s of every month")), day);
		default:
			return jmb_pool_printf(
			    pool, jmb_tr(i18n, lang, N_("The 5th %s of every month")), day);
		}
	case JMB_REPEAT_MONTHLY_LAST:
		if (s->interval != 1)
			return NULL;
		return jmb_pool_printf(pool, jmb_tr(i18n, lang, N_("The last %s of every month")),
		                       day);
	case JMB_REPEAT_YEARLY: {
		const char *date = jmb_pool_printf(
		    pool, "%d %s", s->monthday, jmb_tr(i18n, lang, jmb_month_names[s->month - 1]));
		if (s->interval == 1)
			return jmb_pool_printf(pool, jmb_tr(i18n, lang, N_("Every year on %s")),
			                       date);
		return jmb_pool_printf(pool, jmb_tr(i18n, lang, N_("Every %ld years on %s")),
		                       s->interval, date);
	}
	case JMB_REPEAT_NONE:
		break;
	}
	return NULL;
}

/* "5 January 2027" in zone. */
static const char *long_date(struct jmb_pool *pool, const struct jmb_i18n *i18n, const char *lang,
                             time_t t, const char *zone)
{
	struct jmb_local_time lt;

	jmb_utc_to_local(t, zone, &lt);
	return jmb_pool_printf(pool, "%d %s %d", lt.day,
	                       jmb_tr(i18n, lang, jmb_month_names[lt.month - 1]), lt.year);
}

char *jmb_rrule_describe(struct jmb_pool *pool, const struct jmb_i18n *i18n, const char *lang,
                         const char *rule, time_t first_start, const char *zone)
{
	struct jmb_rrule_shape s;
	struct jmb_local_time lt;
	const char *often = NULL, *clock, *from;

	if (zone == NULL || jmb_utc_to_local(first_start, zone, &lt) < 0)
		zone = "UTC";
	if (rule != NULL && jmb_rrule_shape_parse(rule, first_start, zone, &s))
		often = how_often(pool, i18n, lang, &s);
	if (often == NULL)
		return jmb_pool_printf(pool, jmb_tr(i18n, lang, N_("Repeats: %s")),
		                       rule != NULL ? rule : "");
	jmb_utc_to_local(first_start, zone, &lt);
	clock = jmb_pool_printf(pool, "%02d:%02d", lt.hour, lt.minute);
	from = long_date(pool, i18n, lang, first_start, zone);
	if (s.until != 0)
		return jmb_pool_printf(
		    pool, jmb_tr(i18n, lang, N_("%s at %s (%s), from %s until %s")), often, clock,
		    zone, from, long_date(pool, i18n, lang, s.until, zone));
	if (s.count == 1)
		return jmb_pool_printf(pool, jmb_tr(i18n, lang, N_("%s at %s (%s), once, on %s")),
		                       often, clock, zone, from);
	return jmb_pool_printf(pool, jmb_tr(i18n, lang, N_("%s at %s (%s), %ld times, from %s")),
	                       often, clock, zone, s.count, from);
}
