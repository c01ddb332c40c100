/* Series rules for people: a stored, normalised RRULE in words ("Every
 * Tuesday and Thursday at 10:00 (Europe/Paris), 20 times, from 5 January
 * 2027"), and the shapes the booking form offers, read from and written to
 * RRULE values. */
#ifndef JMB_RRULE_TEXT_H
#define JMB_RRULE_TEXT_H

#include <stdbool.h>
#include <time.h>

#include "web/i18n.h"

struct jmb_pool;

/* The shapes of rule the booking form offers. */
enum jmb_rrule_kind {
	JMB_REPEAT_NONE = 0,
	JMB_REPEAT_DAILY,        /* every N days */
	JMB_REPEAT_WEEKLY,       /* every N weeks on some weekdays */
	JMB_REPEAT_MONTHLY_DAY,  /* every N months on day D */
	JMB_REPEAT_MONTHLY_NTH,  /* every N months on the nth weekday */
	JMB_REPEAT_MONTHLY_LAST, /* every N months on the last weekday */
	JMB_REPEAT_YEARLY,       /* every N years on a day of a month */
};

struct jmb_rrule_shape {
	enum jmb_rrule_kind kind;
	long interval; /* >= 1 */
	unsigned days; /* WEEKLY: bit w for weekday w (0 = Sunday) */
	int weekday;   /* MONTHLY_NTH, MONTHLY_LAST: 0 = Sunday */
	int nth;       /* MONTHLY_NTH: 1 to 5 */
	int monthday;  /* MONTHLY_DAY, YEARLY: 1 to 31 */
	int month;     /* YEARLY: 1 to 12 */
	long count;    /* 0: ends by until */
	time_t until;  /* UNTIL in UTC; 0: ends by count */
};

/* Reads a normalised rule (jmb_rrule_check) of a series whose first start is
 * first_start in zone (or a rule as the booking form writes it, UNTIL a
 * date) into one of the shapes above, filling what the rule
 * leaves to the start (a weekly rule's weekday, a monthly rule's day).
 * Returns false for a rule of no such shape (BYMONTH in a monthly rule,
 * several month days, a daily rule on weekdays...). */
bool jmb_rrule_shape_parse(const char *rule, time_t first_start, const char *zone,
                           struct jmb_rrule_shape *shape_r);

/* "MO" ... "SU" for weekday w (0 = Sunday). */
const char *jmb_rrule_day_code(int weekday);

/* The rule of a series whose first occurrence starts at first_start in zone,
 * in words in lang: "Every Tuesday and Thursday at 10:00 (Europe/Paris), 20
 * times, from 5 January 2027". A rule of none of the shapes above reads
 * "Repeats: <rule>". In pool. i18n may be NULL (English). */
char *jmb_rrule_describe(struct jmb_pool *pool, const struct jmb_i18n *i18n, const char *lang,
                         const char *rule, time_t first_start, const char *zone);

#endif
