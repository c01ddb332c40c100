/* Series: the recurrence rules jmb accepts (a bounded subset of RFC 5545
 * RRULE, read in the meeting's own IANA zone so every occurrence keeps its
 * wall-clock time across daylight-saving changes), their expansion with
 * libical's iterator, always bounded, and a series' occurrences with its
 * overrides applied. */
#ifndef JMB_RECURRENCE_H
#define JMB_RECURRENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "domain/meeting.h"

struct jmb_pool;

/* Why a rule was refused. */
enum jmb_rrule_problem {
	JMB_RRULE_OK = 0,
	JMB_RRULE_SYNTAX,       /* not NAME=VALUE parts, a bad value, a part twice */
	JMB_RRULE_UNSUPPORTED,  /* a part or frequency jmb does not take (BYSETPOS, HOURLY...) */
	JMB_RRULE_NO_END,       /* neither COUNT nor UNTIL */
	JMB_RRULE_TWO_ENDS,     /* both COUNT and UNTIL */
	JMB_RRULE_ORDINAL,      /* "2TU" outside a monthly or yearly rule */
	JMB_RRULE_TOO_MANY,     /* more than max_occurrences occurrences */
	JMB_RRULE_TOO_LONG,     /* its last occurrence past max_series_days */
	JMB_RRULE_EMPTY,        /* no occurrence at all (UNTIL before the start) */
	JMB_RRULE_NOT_ON_START, /* the first occurrence is not the rule's (a Monday for BYDAY=TU) */
};

struct jmb_rrule_limits {
	long max_occurrences;
	long max_series_days;
};

/* The longest a stored series can last, whatever the settings say: every
 * expansion stops there, so no stored rule can make jmb iterate for long. */
#define JMB_SERIES_MAX_DAYS 3660L
#define JMB_SERIES_MAX_OCCURRENCES 5000L

/* Checks `text` (an RRULE value, with or without "RRULE:") for a series whose
 * first occurrence starts at first_start in zone. On success returns
 * JMB_RRULE_OK with the normalised rule in *normalised_r (pool; parts in a
 * fixed order, UNTIL in UTC) and the start of its last occurrence in
 * *last_start_r. *part_r names the faulty part for SYNTAX and UNSUPPORTED
 * (pool; may be NULL). */
enum jmb_rrule_problem jmb_rrule_check(struct jmb_pool *pool, const char *text, time_t first_start,
                                       const char *zone, const struct jmb_rrule_limits *limits,
                                       char **normalised_r, time_t *last_start_r,
                                       const char **part_r);

/* Cuts the stored rule of a series starting at first_start at `split` (one of
 * its starts, not the first): *before_r is the rule ending just before it
 * (UNTIL one second earlier), *after_r the rule of a series whose first
 * occurrence is `split` and that ends where this one did (COUNT less the
 * occurrences before, or the same UNTIL), both normalised, in pool. Returns
 * 0, or -1 when split is not a later start of the rule. */
int jmb_rrule_split(struct jmb_pool *pool, const char *rule, time_t first_start, const char *zone,
                    time_t split, char **before_r, char **after_r);

/* Calls fn with each start the stored, normalised rule gives (UTC, in order,
 * the first being first_start) until fn returns false or the rule ends.
 * Returns how many starts fn was given, or -1 for a rule that does not parse. */
typedef bool jmb_rrule_start_fn(time_t start, void *data);
long jmb_rrule_each_start(const char *rule, time_t first_start, const char *zone,
                          jmb_rrule_start_fn *fn, void *data);
/* The same, giving fn no start more than two days before `from` (those are
 * counted for COUNT without being converted): what lists and joins use. */
long jmb_rrule_each_start_from(const char *rule, time_t first_start, const char *zone,
                               time_t from, jmb_rrule_start_fn *fn, void *data);

/* One occurrence of a meeting, overrides applied. A single meeting has one,
 * whose recurrence_id is its start. */
struct jmb_occurrence {
	time_t recurrence_id; /* its start by the rule */
	time_t start;
	time_t end;
	long duration; /* minutes */
	const char *title;
	const char *description;
	bool cancelled;
	bool overridden;
};

/* The occurrences of m (cancelled ones included) that end after `from` and
 * start before `to`, in start order, at most `max`, in pool. */
struct jmb_occurrence *jmb_meeting_occurrences(struct jmb_pool *pool, const struct jmb_meeting *m,
                                               time_t from, time_t to, size_t max, size_t *n_r);

/* The first occurrence of m not cancelled that ends after `after`, expanding
 * the rule no further than it. Returns false when there is none. */
bool jmb_meeting_next(const struct jmb_meeting *m, time_t after, struct jmb_occurrence *next_r);

/* The occurrence a join or a page is about at `after`: the next one (as
 * jmb_meeting_next), else the last one not cancelled. False when every
 * occurrence is cancelled. */
bool jmb_meeting_focus(const struct jmb_meeting *m, time_t after, struct jmb_occurrence *occ_r);

/* The occurrence of m whose start by the rule is recurrence_id. Returns
 * false when the rule gives no such start. */
bool jmb_meeting_occurrence(const struct jmb_meeting *m, time_t recurrence_id,
                            struct jmb_occurrence *occ_r);

/* The end of m's last occurrence not cancelled (m->end when all are). */
time_t jmb_meeting_last_end(const struct jmb_meeting *m);

/* *copy := occurrence o of m as a single meeting: m with o's start, end,
 * duration, title and description, and no rule (a shallow copy: strings and
 * attendees are shared). */
void jmb_meeting_at(struct jmb_meeting *copy, const struct jmb_meeting *m,
                    const struct jmb_occurrence *o);

/* m as a single meeting at `after`: m itself when it is one; for a series a
 * copy in pool holding the occurrence jmb_meeting_focus gives (its start,
 * end, duration, title and description), with no rule, so the join windows
 * and pages written for single meetings apply to it as they are. */
const struct jmb_meeting *jmb_meeting_current(struct jmb_pool *pool, const struct jmb_meeting *m,
                                              time_t after);

/* The override of m for recurrence_id, or NULL. */
const struct jmb_override *jmb_meeting_override(const struct jmb_meeting *m, time_t recurrence_id);

/* An invitee's answer for one occurrence: theirs for it, else theirs for the series. */
enum jmb_partstat jmb_attendee_answer_for(const struct jmb_attendee *a, time_t recurrence_id);

/* "20270105T090000Z", the form of recurrence ids in API paths; buf >= 17. */
void jmb_recurrence_id_format(time_t t, char *buf, size_t size);
/* Parses that form. Returns 0 or -1. */
int jmb_recurrence_id_parse(const char *s, time_t *t_r);

#endif
