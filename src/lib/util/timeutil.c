/* Time zones and time formats, on top of libical's zone rules.
 * libical's builtin-zone cache is filled lazily, so calls are serialised here. */
#include "config.h"

#include <ctype.h>
#include <libical/ical.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/memory.h"
#include "util/timeutil.h"

static pthread_mutex_t ical_lock = PTHREAD_MUTEX_INITIALIZER;

static bool zone_name_is_plausible(const char *zone)
{
	size_t len = strlen(zone);

	/* "Europe//Paris" opens the same file but is no IANA name: refused, so only
	   canonical names get stored and written into iCal. */
	if (len == 0 || len > 64 || zone[0] == '/' || strstr(zone, "..") != NULL ||
	    strstr(zone, "//") != NULL)
		return false;
	for (const char *p = zone; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && strchr("/_-+", *p) == NULL)
			return false;
	}
	return true;
}

void jmb_ical_lock(void)
{
	pthread_mutex_lock(&ical_lock);
}

void jmb_ical_unlock(void)
{
	pthread_mutex_unlock(&ical_lock);
}

/* The zones looked up last: libical finds a builtin zone by a linear search
   of its names, which a series' expansion (two conversions per occurrence)
   would otherwise repeat for every occurrence. Builtin zones live as long as
   the process, so their pointers can be kept. Called with ical_lock held. */
#define ZONE_CACHE 8
static struct {
	char name[65];
	icaltimezone *tz;
} zone_cache[ZONE_CACHE];
static unsigned zone_cache_next;

static icaltimezone *zone_lookup(const char *zone)
{
	icaltimezone *tz;

	if (strcmp(zone, "UTC") == 0)
		return icaltimezone_get_utc_timezone();
	if (!zone_name_is_plausible(zone))
		return NULL;
	for (size_t i = 0; i < ZONE_CACHE; i++)
		if (zone_cache[i].tz != NULL && strcmp(zone_cache[i].name, zone) == 0)
			return zone_cache[i].tz;
	tz = icaltimezone_get_builtin_timezone(zone);
	if (tz != NULL) {
		unsigned slot = zone_cache_next++ % ZONE_CACHE;

		snprintf(zone_cache[slot].name, sizeof(zone_cache[slot].name), "%s", zone);
		zone_cache[slot].tz = tz;
	}
	return tz;
}

bool jmb_timezone_is_valid(const char *zone)
{
	bool ok;

	pthread_mutex_lock(&ical_lock);
	ok = zone_lookup(zone) != NULL;
	pthread_mutex_unlock(&ical_lock);
	return ok;
}

static const char **zone_names;
static size_t n_zone_names;
static pthread_once_t zone_names_once = PTHREAD_ONCE_INIT;

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void list_zone_names(void)
{
	icalarray *zones;

	pthread_mutex_lock(&ical_lock);
	zones = icaltimezone_get_builtin_timezones();
	zone_names = jmb_xcalloc(zones->num_elements + 2, sizeof(*zone_names));
	for (size_t i = 0; i < zones->num_elements; i++) {
		const char *name = icaltimezone_get_location(icalarray_element_at(zones, i));
		if (name != NULL && zone_name_is_plausible(name))
			zone_names[n_zone_names++] = jmb_xstrdup(name);
	}
	pthread_mutex_unlock(&ical_lock);
	zone_names[n_zone_names++] = "UTC";
	qsort(zone_names, n_zone_names, sizeof(*zone_names), compare_names);
}

const char *const *jmb_timezone_names(size_t *count_r)
{
	pthread_once(&zone_names_once, list_zone_names);
	if (count_r != NULL)
		*count_r = n_zone_names;
	return zone_names;
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool date_is_valid(const struct jmb_local_time *t)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (t->year < 1970 || t->year > 9999 || t->month < 1 || t->month > 12 || t->day < 1)
		return false;
	if (t->day > days[t->month - 1] + (t->month == 2 && is_leap(t->year)))
		return false;
	return t->hour >= 0 && t->hour < 24 && t->minute >= 0 && t->minute < 60 && t->second >= 0 &&
	       t->second < 60;
}

static int days_from_civil(int y, int m, int d)
{
	/* Days since 1970-01-01 (H. Hinnant's algorithm). */
	y -= m <= 2;
	const int era = (y >= 0 ? y : y - 399) / 400;
	const int yoe = y - era * 400;
	const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Seconds since the epoch of a wall-clock time read as if it were UTC. */
static time_t wall_seconds(int year, int month, int day, int hour, int minute, int second)
{
	return (time_t)days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 +
	       second;
}

/* True when instant utc shows as local's wall-clock time in tz (ical_lock held). */
static bool wall_clock_matches(icaltimezone *tz, time_t utc, const struct jmb_local_time *local)
{
	struct icaltimetype t = icaltime_from_timet_with_zone(utc, 0, tz);

	return t.year == local->year && t.month == local->month && t.day == local->day &&
	       t.hour == local->hour && t.minute == local->minute && t.second == local->second;
}

/* The UTC offset in force in tz at instant utc (ical_lock held). */
static long zone_offset_at(icaltimezone *tz, time_t utc)
{
	struct icaltimetype t = icaltime_from_timet_with_zone(utc, 0, tz);

	return (long)(wall_seconds(t.year, t.month, t.day, t.hour, t.minute, t.second) - utc);
}

/* Wall-clock times that a change of offset skips or repeats follow RFC 5545 3.3.5,
 * as calendar clients reading our iCal do: a repeated time is its first occurrence,
 * a skipped one is read with the offset in force before the gap. (libical's own
 * conversion picks the other way in both cases.) */
int jmb_local_to_utc(const struct jmb_local_time *local, const char *zone, time_t *utc_r)
{
	icaltimezone *tz;
	time_t naive, before, after;
	bool before_ok, after_ok;
	int ret = -1;

	if (!date_is_valid(local))
		return -1;
	naive = wall_seconds(local->year, local->month, local->day, local->hour, local->minute,
	                     local->second);
	pthread_mutex_lock(&ical_lock);
	tz = zone_lookup(zone);
	if (tz != NULL) {
		/* Offsets a day either side bracket any change near this time. */
		before = naive - zone_offset_at(tz, naive - 86400);
		after = naive - zone_offset_at(tz, naive + 86400);
		before_ok = wall_clock_matches(tz, before, local);
		after_ok = wall_clock_matches(tz, after, local);
		*utc_r = after_ok && (!before_ok || after < before) ? after : before;
		ret = 0;
	}
	pthread_mutex_unlock(&ical_lock);
	return ret;
}

time_t jmb_time_clamp(time_t t)
{
	return t < JMB_TIME_MIN ? JMB_TIME_MIN : t > JMB_TIME_MAX ? JMB_TIME_MAX : t;
}

int jmb_utc_to_local(time_t utc, const char *zone, struct jmb_local_time *out)
{
	struct icaltimetype t;
	icaltimezone *tz;
	long local_days;

	utc = jmb_time_clamp(utc);
	pthread_mutex_lock(&ical_lock);
	tz = zone_lookup(zone);
	if (tz == NULL) {
		pthread_mutex_unlock(&ical_lock);
		return -1;
	}
	t = icaltime_from_timet_with_zone(utc, 0, tz);
	pthread_mutex_unlock(&ical_lock);
	out->year = t.year;
	out->month = t.month;
	out->day = t.day;
	out->hour = t.hour;
	out->minute = t.minute;
	out->second = t.second;
	local_days = days_from_civil(t.year, t.month, t.day);
	out->weekday = (int)((local_days % 7 + 11) % 7); /* 1970-01-01 was a Thursday */
	out->utc_offset =
	    (int)((local_days * 86400L + t.hour * 3600L + t.minute * 60L + t.second) - (long)utc);
	return 0;
}

static int parse_digits(const char **p, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	return v;
}

static int parse_date_part(const char **p, struct jmb_local_time *t)
{
	if ((t->year = parse_digits(p, 4)) < 0 || *(*p)++ != '-' ||
	    (t->month = parse_digits(p, 2)) < 0 || *(*p)++ != '-' ||
	    (t->day = parse_digits(p, 2)) < 0)
		return -1;
	return 0;
}

static int parse_clock_part(const char **p, struct jmb_local_time *t, bool seconds)
{
	t->second = 0;
	if ((t->hour = parse_digits(p, 2)) < 0 || *(*p)++ != ':' ||
	    (t->minute = parse_digits(p, 2)) < 0)
		return -1;
	if (**p == ':' && seconds) {
		(*p)++;
		if ((t->second = parse_digits(p, 2)) < 0)
			return -1;
		if (**p == '.') { /* fractions of a second are dropped */
			(*p)++;
			while (isdigit((unsigned char)**p))
				(*p)++;
		}
	}
	return 0;
}

int jmb_parse_date(const char *s, struct jmb_local_time *t)
{
	const char *p = s;

	if (parse_date_part(&p, t) < 0 || *p != '\0')
		return -1;
	t->hour = t->minute = t->second = 0;
	return date_is_valid(t) ? 0 : -1;
}

int jmb_parse_clock(const char *s, struct jmb_local_time *t)
{
	const char *p = s;

	if (parse_clock_part(&p, t, true) < 0 || *p != '\0')
		return -1;
	return t->hour < 24 && t->minute < 60 && t->second < 60 ? 0 : -1;
}

int jmb_parse_rfc3339(const char *s, time_t *utc_r)
{
	struct jmb_local_time t = {0};
	const char *p = s;
	int offset = 0;

	if (parse_date_part(&p, &t) < 0 || (*p != 'T' && *p != 't' && *p != ' '))
		return -1;
	p++;
	if (parse_clock_part(&p, &t, true) < 0 || !date_is_valid(&t))
		return -1;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1, hh, mm;
		if ((hh = parse_digits(&p, 2)) < 0 || *p++ != ':' ||
		    (mm = parse_digits(&p, 2)) < 0 || hh > 23 || mm > 59)
			return -1;
		offset = sign * (hh * 3600 + mm * 60);
	} else {
		return -1;
	}
	if (*p != '\0')
		return -1;
	*utc_r = (time_t)days_from_civil(t.year, t.month, t.day) * 86400 + t.hour * 3600 +
	         t.minute * 60 + t.second - offset;
	return 0;
}

void jmb_format_rfc3339(time_t utc, const char *zone, char *buf, size_t size)
{
	struct jmb_local_time t;
	int off, sign;

	if (jmb_utc_to_local(utc, zone, &t) < 0)
		jmb_utc_to_local(utc, "UTC", &t);
	off = t.utc_offset;
	sign = off < 0 ? '-' : '+';
	off = off < 0 ? -off : off;
	if (t.utc_offset == 0)
		snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", t.year, t.month, t.day,
		         t.hour, t.minute, t.second);
	else
		snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", t.year, t.month,
		         t.day, t.hour, t.minute, t.second, sign, off / 3600, off / 60 % 60);
}
