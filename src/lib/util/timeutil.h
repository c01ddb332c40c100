/* Time zones and time formats: UTC epoch seconds inside, IANA zones for people.
 * Zone rules come from libical (system zoneinfo). */
#ifndef JMB_TIMEUTIL_H
#define JMB_TIMEUTIL_H

#include <stdbool.h>
#include <time.h>

struct jmb_local_time {
	int year, month, day; /* month 1-12 */
	int hour, minute, second;
	int weekday;    /* 0 = Sunday, filled by conversions from UTC */
	int utc_offset; /* seconds east of UTC, filled by conversions from UTC */
};

bool jmb_timezone_is_valid(const char *zone);
/* The lock that serialises every use of libical's zones (its builtin-zone
 * cache and each zone's lazily expanded changes are not thread-safe). Take it
 * around icaltimezone_* calls and conversions made outside this file. */
void jmb_ical_lock(void);
void jmb_ical_unlock(void);
/* Converts a wall-clock time in zone to UTC. Returns 0, or -1 for an unknown
 * zone or an impossible date. */
int jmb_local_to_utc(const struct jmb_local_time *local, const char *zone, time_t *utc_r);
int jmb_utc_to_local(time_t utc, const char *zone, struct jmb_local_time *local_r);

/* "YYYY-MM-DD" and "HH:MM" as typed in forms. Returns 0 or -1. */
int jmb_parse_date(const char *s, struct jmb_local_time *t);
int jmb_parse_clock(const char *s, struct jmb_local_time *t);

/* RFC 3339 with a mandatory offset ("Z" or "+01:00"). Returns 0 or -1. */
int jmb_parse_rfc3339(const char *s, time_t *utc_r);
/* Formats utc as RFC 3339 in zone's local time with its offset; buf >= 32 bytes. */
void jmb_format_rfc3339(time_t utc, const char *zone, char *buf, size_t size);

#endif
