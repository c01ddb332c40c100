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

/* The instants jmb writes: from 1970-01-02T00:00:00Z to 2500-01-01T00:00:00Z.
 * RFC 3339 and iCalendar carry four-digit years only, and libical follows a
 * zone's daylight-saving rules only up to 2582 (it writes 00000000T000000 for
 * local times a few centuries later), so every zone's wall clock inside this
 * range is one that calendar clients read correctly. */
#define JMB_TIME_MIN ((time_t)86400)
#define JMB_TIME_MAX ((time_t)16725225600)

/* t brought into [JMB_TIME_MIN, JMB_TIME_MAX]. Every function that turns an
 * instant into text goes through it, so no stored value, however far off, can
 * make jmb write a date a client cannot read. */
time_t jmb_time_clamp(time_t t);

bool jmb_timezone_is_valid(const char *zone);
/* Every IANA zone jmb knows (libical's built-in list, plus UTC), sorted;
 * NULL-terminated, static, made once. */
const char *const *jmb_timezone_names(size_t *count_r);
/* The lock that serialises every use of libical's zones (its builtin-zone
 * cache and each zone's lazily expanded changes are not thread-safe). Take it
 * around icaltimezone_* calls and conversions made outside this file. */
void jmb_ical_lock(void);
void jmb_ical_unlock(void);
/* Converts a wall-clock time in zone to UTC. Returns 0, or -1 for an unknown
 * zone or an impossible date. */
int jmb_local_to_utc(const struct jmb_local_time *local, const char *zone, time_t *utc_r);
/* Converts an instant (clamped by jmb_time_clamp()) to zone's wall clock.
 * Returns 0, or -1 for an unknown zone. */
int jmb_utc_to_local(time_t utc, const char *zone, struct jmb_local_time *local_r);

/* "YYYY-MM-DD" and "HH:MM" as typed in forms. Returns 0 or -1. */
int jmb_parse_date(const char *s, struct jmb_local_time *t);
int jmb_parse_clock(const char *s, struct jmb_local_time *t);

/* RFC 3339 with a mandatory offset ("Z" or "+01:00"). Returns 0 or -1. */
int jmb_parse_rfc3339(const char *s, time_t *utc_r);
/* Formats utc (clamped) as RFC 3339 in zone's local time with its offset, in UTC
 * when the zone is unknown; buf >= 32 bytes. */
void jmb_format_rfc3339(time_t utc, const char *zone, char *buf, size_t size);

#endif
