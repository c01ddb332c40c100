/* Recurrence rules: jmb's subset of RRULE, checked part by part before
 * libical ever sees it, then expanded with libical's iterator on the
 * meeting's wall clock. The iterator runs on floating local times and each
 * start is turned into UTC by jmb_local_to_utc(), the same conversion the
 * booking form uses, so a series at 10:00 in Paris stays at 10:00 across
 * daylight-saving changes and a skipped or repeated hour is read as RFC 5545
 * says. Every expansion is bounded: by COUNT or UNTIL, and by
 * JMB_SERIES_MAX_DAYS given to libical as its own UNTIL, so even a rule that
 * never matches (BYMONTHDAY=31;BYMONTH=2) stops. */
#include "config.h"

#include <ctype.h>
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "domain/recurrence.h"
#include "util/memory.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

/* The parts jmb accepts, in the order its normalised rules write them. */
enum part { P_FREQ, P_INTERVAL, P_COUNT, P_UNTIL, P_BYMONTH, P_BYMONTHDAY, P_BYDAY, P_WKST, P_N };
static const char *const part_names[P_N] = {"FREQ",    "INTERVAL",   "COUNT", "UNTIL",
                                            "BYMONTH", "BYMONTHDAY", "BYDAY", "WKST"};
static const char *const days[] = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"};

struct rule {
	char *value[P_N]; /* as given, upper-cased; NULL: absent */
	time_t until;     /* UNTIL in UTC; 0: none */
	long count;       /* 0: none */
};

static bool is_day(const char *s)
{
	for (size_t i = 0; i < sizeof(days) / sizeof(days[0]); i++)
		if (strcmp(s, days[i]) == 0)
			return true;
	return false;
}

/* s is a whole decimal number in [min, max], with an optional sign when min < 0. */
static bool number_in(const char *s, long min, long max, long *n_r)
{
	char *end;
	long n;

	if (*s == '\0' || strlen(s) > 6 || (!isdigit((unsigned char)*s) && *s != '-' && *s != '+'))
		return false;
	n = strtol(s, &end, 10);
	if (*end != '\0' || n < min || n > max)
		return false;
	if (n_r != NULL)
		*n_r = n;
	return true;
}

/* Every item of a comma list passes ok (items may not be empty). */
static bool list_ok(char *list, bool (*ok)(const char *item, const char *freq), const char *freq)
{
	char *save = NULL, *copy = strdup(list), *item;
	bool good = copy != NULL && *list != '\0' && list[strlen(list) - 1] != ',' &&
	            strstr(list, ",,") == NULL && *list != ',';

	for (item = good ? strtok_r(copy, ",", &save) : NULL; item != NULL && good;
	     item = strtok_r(NULL, ",", &save))
		good = ok(item, freq);
	free(copy);
	return good;
}

static bool month_ok(const char *item, const char *freq)
{
	(void)freq;
	return number_in(item, 1, 12, NULL);
}

static bool monthday_ok(const char *item, const char *freq)
{
	long n;

	(void)freq;
	return number_in(item, -31, 31, &n) && n != 0;
}

/* "TU", or with an ordinal "2TU", "-1FR" (checked against the frequency later). */
static bool weekday_ok(const char *item, const char *freq)
{
	size_t len = strlen(item);
	long n;
	char ordinal[8];

	(void)freq;
	if (len < 2 || len > 5 || !is_day(item + len - 2))
		return false;
	if (len == 2)
		return true;
	memcpy(ordinal, item, len - 2);
	ordinal[len - 2] = '\0';
	return number_in(ordinal, -53, 53, &n) && n != 0;
}

static bool has_ordinal(const char *byday)
{
	for (const char *p = byday; *p != '\0'; p++)
		if (isdigit((unsigned char)*p))
			return true;
	return false;
}

/* UNTIL as a date (the end of that day in zone), a local date-time in zone,
 * or a UTC date-time. */
static bool until_parse(const char *s, const char *zone, time_t *utc_r)
{
	struct jmb_local_time t = {0};
	size_t len = strlen(s);
	bool utc = len == 16 && s[15] == 'Z';
	int n = 0;

	if (len == 8)
		n = sscanf(s, "%4d%2d%2d", &t.year, &t.month, &t.day) == 3 ? 8 : 0;
	else if ((len == 15 || utc) && s[8] == 'T')
		n = sscanf(s, "%4d%2d%2dT%2d%2d%2d", &t.year, &t.month, &t.day, &t.hour, &t.minute,
		           &t.second) == 6
		        ? (int)len
		        : 0;
	for (size_t i = 0; i < len; i++)
		if (!isdigit((unsigned char)s[i]) && !(i == 8 && s[i] == 'T') && !(i == 15 && utc))
			return false;
	if (n == 0 || t.hour > 23 || t.minute > 59 || t.second > 59)
		return false;
	if (len == 8) {
		t.hour = 23;
		t.minute = 59;
		t.second = 59;
	}
	if (jmb_local_to_utc(&t, utc ? "UTC" : zone, utc_r) != 0)
		return false;
	return *utc_r >= JMB_TIME_MIN && *utc_r <= JMB_TIME_MAX;
}

static enum jmb_rrule_problem rule_parse(struct jmb_pool *pool, const char *text, const char *zone,
                                         struct rule *r, const char **part_r)
{
	char *copy, *save = NULL, *item;
	enum jmb_rrule_problem problem = JMB_RRULE_OK;

	memset(r, 0, sizeof(*r));
	*part_r = NULL;
	if (strncasecmp(text, "RRULE:", 6) == 0)
		text += 6;
	if (*text == '\0' || strlen(text) > 512 || *text == ';' || strstr(text, ";;") != NULL ||
	    text[strlen(text) - 1] == ';')
		return JMB_RRULE_SYNTAX;
	copy = jmb_pool_strdup(pool, text);
	for (char *p = copy; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			return JMB_RRULE_SYNTAX;
		*p = (char)toupper((unsigned char)*p);
	}
	for (item = strtok_r(copy, ";", &save); item != NULL; item = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(item, '=');
		enum part p;

		*part_r = item;
		if (eq == NULL || eq == item || eq[1] == '\0')
			return JMB_RRULE_SYNTAX;
		*eq = '\0';
		for (p = 0; p < P_N && strcmp(item, part_names[p]) != 0; p++)
			;
		if (p == P_N)
			return JMB_RRULE_UNSUPPORTED;
		if (r->value[p] != NULL)
			return JMB_RRULE_SYNTAX;
		r->value[p] = eq + 1;
	}
	*part_r = NULL;
	if (r->value[P_FREQ] == NULL)
		return JMB_RRULE_SYNTAX;
	if (strcmp(r->value[P_FREQ], "DAILY") != 0 && strcmp(r->value[P_FREQ], "WEEKLY") != 0 &&
	    strcmp(r->value[P_FREQ], "MONTHLY") != 0 && strcmp(r->value[P_FREQ], "YEARLY") != 0) {
		*part_r = "FREQ";
		return JMB_RRULE_UNSUPPORTED;
	}
	for (enum part p = P_INTERVAL; p < P_N && problem == JMB_RRULE_OK; p++) {
		char *v = r->value[p];
		bool ok = true;

		if (v == NULL)
			continue;
		switch (p) {
		case P_INTERVAL:
			ok = number_in(v, 1, 999, NULL) && isdigit((unsigned char)*v);
			break;
		case P_COUNT:
			ok = number_in(v, 1, 99999, &r->count) && isdigit((unsigned char)*v);
			break;
		case P_UNTIL:
			ok = until_parse(v, zone, &r->until);
			break;
		case P_BYMONTH:
			ok = list_ok(v, month_ok, NULL);
			break;
		case P_BYMONTHDAY:
			ok = list_ok(v, monthday_ok, NULL);
			break;
		case P_BYDAY:
			ok = list_ok(v, weekday_ok, NULL);
			break;
		case P_WKST:
			ok = is_day(v);
			break;
		default:
			break;
		}
		if (!ok) {
			*part_r = part_names[p];
			problem = JMB_RRULE_SYNTAX;
		}
	}
	if (problem != JMB_RRULE_OK)
		return problem;
	if (r->value[P_COUNT] == NULL && r->value[P_UNTIL] == NULL)
		return JMB_RRULE_NO_END;
	if (r->value[P_COUNT] != NULL && r->value[P_UNTIL] != NULL)
		return JMB_RRULE_TWO_ENDS;
	if (r->value[P_BYDAY] != NULL && has_ordinal(r->value[P_BYDAY]) &&
	    strcmp(r->value[P_FREQ], "MONTHLY") != 0 && strcmp(r->value[P_FREQ], "YEARLY") != 0)
		return JMB_RRULE_ORDINAL;
	if (r->value[P_BYDAY] != NULL && strcmp(r->value[P_FREQ], "MONTHLY") == 0) {
		/* RFC 5545 bounds a monthly ordinal to the weeks of a month. */
		for (const char *p = r->value[P_BYDAY]; *p != '\0'; p++)
			if (isdigit((unsigned char)*p) && isdigit((unsigned char)p[1]))
				return JMB_RRULE_ORDINAL;
	}
	return JMB_RRULE_OK;
}

/* The rule in its normalised text: parts in a fixed order, UNTIL in UTC. */
static char *rule_text(struct jmb_pool *pool, const struct rule *r, bool with_end)
{
	struct jmb_strbuf b = {0};
	char *text;

	for (enum part p = P_FREQ; p < P_N; p++) {
		if (r->value[p] == NULL || (!with_end && (p == P_COUNT || p == P_UNTIL)) ||
		    (p == P_INTERVAL && strcmp(r->value[p], "1") == 0) ||
		    (p == P_WKST && strcmp(r->value[p], "MO") == 0))
			continue;
		if (p != P_FREQ)
			jmb_strbuf_putc(&b, ';');
		if (p == P_UNTIL) {
			char until[20];
			struct jmb_local_time t;

			jmb_utc_to_local(r->until, "UTC", &t);
			snprintf(until, sizeof(until), "%04d%02d%02dT%02d%02d%02dZ", t.year,
			         t.month, t.day, t.hour, t.minute, t.second);
			jmb_strbuf_printf(&b, "UNTIL=%s", until);
		} else {
			jmb_strbuf_printf(&b, "%s=%s", part_names[p], r->value[p]);
		}
	}
	text = jmb_pool_strdup(pool, b.data != NULL ? b.data : "");
	jmb_strbuf_free(&b);
	return text;
}

static struct icaltimetype floating(const struct jmb_local_time *t)
{
	struct icaltimetype i = icaltime_null_time();

	i.year = t->year;
	i.month = t->month;
	i.day = t->day;
	i.hour = t->hour;
	i.minute = t->minute;
	i.second = t->second;
	i.is_date = 0;
	return i;
}

/* Where an expansion may start giving starts: more than two days before
   `from` (offsets differ by at most 26 hours and a meeting lasts at most a
   day), an occurrence can neither end after `from` nor be the one asked for. */
#define SKIP_MARGIN (2 * 86400)

/* Gives fn each start of r from first_start on, at most `limit`. Starts whose
   wall-clock time lies before `skip_before` (a floating time, or NULL) are
   counted without being converted to UTC nor given: a list or a join that
   asks about today does not pay for the year before. */
static long rule_expand(struct jmb_pool *pool, const struct rule *r, time_t first_start,
                        const char *zone, long limit, const struct icaltimetype *skip_before,
                        jmb_rrule_start_fn *fn, void *data)
{
	struct jmb_local_time local, bound_local;
	struct icalrecurrencetype recur;
	icalrecur_iterator *it;
	struct icaltimetype t, previous_local = icaltime_null_time();
	time_t previous = 0;
	long given = 0;

	if (jmb_utc_to_local(first_start, zone, &local) != 0 ||
	    jmb_utc_to_local(first_start + JMB_SERIES_MAX_DAYS * 86400, zone, &bound_local) != 0)
		return -1;
	recur = icalrecurrencetype_from_string(rule_text(pool, r, false));
	if (recur.freq == ICAL_NO_RECURRENCE)
		return -1;
	recur.count = 0;
	recur.until = floating(&bound_local);
	/* libical refuses a rule no date can match (BYMONTH=2;BYMONTHDAY=31). */
	it = icalrecur_iterator_new(recur, floating(&local));
	if (it == NULL)
		return 0;
	while (given < limit && (r->count == 0 || given < r->count)) {
		struct jmb_local_time next = {0};
		time_t start;

		t = icalrecur_iterator_next(it);
		if (icaltime_is_null_time(t))
			break;
		/* A rule's occurrences are a set (RFC 5545 3.3.10): a day named
		   twice (BYDAY=SU,SU) is one occurrence. */
		if (given > 0 && icaltime_compare(t, previous_local) <= 0)
			continue;
		previous_local = t;
		if (skip_before != NULL && icaltime_compare(t, *skip_before) < 0) {
			given++;
			continue;
		}
		next.year = t.year;
		next.month = t.month;
		next.day = t.day;
		next.hour = t.hour;
		next.minute = t.minute;
		next.second = t.second;
		if (jmb_local_to_utc(&next, zone, &start) != 0 ||
		    (r->until != 0 && start > r->until))
			break;
		/* Nor is a wall-clock time that a change of offset maps onto the
		   previous instant. */
		if (previous != 0 && start <= previous)
			continue;
		previous = start;
		given++;
		if (!fn(start, data))
			break;
	}
	icalrecur_iterator_free(it);
	return given;
}

struct check_state {
	time_t first, last;
	long n;
};

static bool note_start(time_t start, void *data)
{
	struct check_state *s = data;

	if (s->n++ == 0)
		s->first = start;
	s->last = start;
	return true;
}

enum jmb_rrule_problem jmb_rrule_check(struct jmb_pool *pool, const char *text, time_t first_start,
                                       const char *zone, const struct jmb_rrule_limits *limits,
                                       char **normalised_r, time_t *last_start_r,
                                       const char **part_r)
{
	struct rule r;
	struct check_state s = {0};
	enum jmb_rrule_problem problem = rule_parse(pool, text, zone, &r, part_r);
	long max_days = limits->max_series_days < JMB_SERIES_MAX_DAYS ? limits->max_series_days
	                                                              : JMB_SERIES_MAX_DAYS;
	long max_n = limits->max_occurrences < JMB_SERIES_MAX_OCCURRENCES
	                 ? limits->max_occurrences
	                 : JMB_SERIES_MAX_OCCURRENCES;

	if (problem != JMB_RRULE_OK)
		return problem;
	if (r.count > max_n)
		return JMB_RRULE_TOO_MANY;
	if (rule_expand(pool, &r, first_start, zone, max_n + 1, NULL, note_start, &s) < 0)
		return JMB_RRULE_SYNTAX;
	if (s.n == 0)
		return JMB_RRULE_EMPTY;
	if (s.first != first_start)
		return JMB_RRULE_NOT_ON_START;
	if (s.n > max_n)
		return JMB_RRULE_TOO_MANY;
	if (s.last - first_start > max_days * 86400)
		return JMB_RRULE_TOO_LONG;
	/* What the iterator's own bound cut off would lie past the limit too. */
	if ((r.count != 0 && s.n < r.count) ||
	    (r.until != 0 && r.until - first_start > JMB_SERIES_MAX_DAYS * 86400))
		return JMB_RRULE_TOO_LONG;
	*normalised_r = rule_text(pool, &r, true);
	*last_start_r = s.last;
	return JMB_RRULE_OK;
}

struct split_state {
	time_t split;
	long before;
	bool found;
};

static bool count_before(time_t start, void *data)
{
	struct split_state *s = data;

	if (start == s->split)
		s->found = true;
	else if (start < s->split)
		s->before++;
	return start < s->split;
}

int jmb_rrule_split(struct jmb_pool *pool, const char *rule, time_t first_start, const char *zone,
                    time_t split, char **before_r, char **after_r)
{
	struct split_state s = {.split = split};
	struct rule r;
	const char *part;
	char count[24];

	if (split <= first_start || rule_parse(pool, rule, zone, &r, &part) != JMB_RRULE_OK ||
	    rule_expand(pool, &r, first_start, zone, JMB_SERIES_MAX_OCCURRENCES, NULL, count_before,
	                &s) < 0 ||
	    !s.found)
		return -1;
	if (r.count != 0) {
		snprintf(count, sizeof(count), "%ld", r.count - s.before);
		r.value[P_COUNT] = count;
		*after_r = rule_text(pool, &r, true);
		r.value[P_COUNT] = NULL;
		r.count = 0;
	} else {
		*after_r = rule_text(pool, &r, true);
	}
	r.value[P_UNTIL] = "set";
	r.until = split - 1;
	*before_r = rule_text(pool, &r, true);
	return 0;
}

long jmb_rrule_each_start_from(const char *rule, time_t first_start, const char *zone, time_t from,
                               jmb_rrule_start_fn *fn, void *data)
{
	struct jmb_pool *pool = jmb_pool_new();
	struct jmb_local_time skip;
	struct icaltimetype skip_before;
	struct rule r;
	const char *part;
	long given = -1;
	bool skipping = from - SKIP_MARGIN > first_start &&
	                jmb_utc_to_local(from - SKIP_MARGIN, zone, &skip) == 0;

	if (skipping)
		skip_before = floating(&skip);
	if (rule_parse(pool, rule, zone, &r, &part) == JMB_RRULE_OK)
		given = rule_expand(pool, &r, first_start, zone, JMB_SERIES_MAX_OCCURRENCES,
		                    skipping ? &skip_before : NULL, fn, data);
	jmb_pool_free(&pool);
	return given;
}

long jmb_rrule_each_start(const char *rule, time_t first_start, const char *zone,
                          jmb_rrule_start_fn *fn, void *data)
{
	return jmb_rrule_each_start_from(rule, first_start, zone, 0, fn, data);
}

const struct jmb_override *jmb_meeting_override(const struct jmb_meeting *m, time_t recurrence_id)
{
	size_t lo = 0, hi = m->n_overrides;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->overrides[mid].recurrence_id == recurrence_id)
			return &m->overrides[mid];
		if (m->overrides[mid].recurrence_id < recurrence_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The occurrence of m that the rule starts at recurrence_id, override applied. */
static struct jmb_occurrence occurrence_of(const struct jmb_meeting *m, time_t recurrence_id)
{
	const struct jmb_override *o = jmb_meeting_override(m, recurrence_id);
	struct jmb_occurrence occ = {
	    .recurrence_id = recurrence_id,
	    .start = recurrence_id,
	    .duration = m->duration,
	    .title = m->title,
	    .description = m->description,
	};

	if (o != NULL) {
		occ.start = o->start;
		occ.duration = o->duration;
		occ.title = o->title != NULL ? o->title : m->title;
		occ.description = o->description != NULL ? o->description : m->description;
		occ.cancelled = o->cancelled;
		occ.overridden = true;
	}
	occ.end = occ.start + occ.duration * 60;
	return occ;
}

struct collect {
	struct jmb_pool *pool;
	const struct jmb_meeting *m;
	time_t from, to;
	struct jmb_occurrence *items;
	size_t n, cap;
};

static void collect_add(struct collect *c, const struct jmb_occurrence *occ)
{
	if (c->n == c->cap) {
		size_t ncap = c->cap == 0 ? 16 : c->cap * 2;
		struct jmb_occurrence *grown = jmb_pool_calloc(c->pool, ncap, sizeof(*grown));

		if (c->n > 0)
			memcpy(grown, c->items, c->n * sizeof(*grown));
		c->items = grown;
		c->cap = ncap;
	}
	c->items[c->n++] = *occ;
}

/* Occurrences by the rule: those not overridden (overrides are added apart,
   since a moved one may lie anywhere). Stops at the first start past `to`. */
static bool collect_start(time_t start, void *data)
{
	struct collect *c = data;
	struct jmb_occurrence occ;

	if (start >= c->to)
		return false;
	if (jmb_meeting_override(c->m, start) != NULL)
		return true;
	occ = occurrence_of(c->m, start);
	if (occ.end > c->from)
		collect_add(c, &occ);
	return true;
}

static int by_start(const void *a, const void *b)
{
	const struct jmb_occurrence *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->recurrence_id < y->recurrence_id ? -1 : x->recurrence_id > y->recurrence_id;
}

struct jmb_occurrence *jmb_meeting_occurrences(struct jmb_pool *pool, const struct jmb_meeting *m,
                                               time_t from, time_t to, size_t max, size_t *n_r)
{
	struct collect c = {.pool = pool, .m = m, .from = from, .to = to};

	if (m->recurrence == NULL) {
		struct jmb_occurrence occ = occurrence_of(m, m->start);

		occ.cancelled = m->deleted != 0;
		if (occ.end > from && occ.start < to)
			collect_add(&c, &occ);
	} else {
		jmb_rrule_each_start_from(m->recurrence, m->start, m->timezone, from, collect_start,
		                          &c);
		for (size_t i = 0; i < m->n_overrides; i++) {
			struct jmb_occurrence occ = occurrence_of(m, m->overrides[i].recurrence_id);

			if (occ.end > from && occ.start < to)
				collect_add(&c, &occ);
		}
		if (c.n > 1)
			qsort(c.items, c.n, sizeof(*c.items), by_start);
	}
	*n_r = c.n < max ? c.n : max;
	return c.items;
}

struct find_next {
	const struct jmb_meeting *m;
	time_t after;
	struct jmb_occurrence found;
	bool have;
};

static bool next_start(time_t start, void *data)
{
	struct find_next *f = data;
	struct jmb_occurrence occ;

	if (jmb_meeting_override(f->m, start) != NULL)
		return true;
	occ = occurrence_of(f->m, start);
	if (occ.end <= f->after)
		return true;
	f->found = occ;
	f->have = true;
	return false;
}

bool jmb_meeting_next(const struct jmb_meeting *m, time_t after, struct jmb_occurrence *next_r)
{
	struct find_next f = {.m = m, .after = after};

	if (m->recurrence == NULL) {
		f.found = occurrence_of(m, m->start);
		f.have = f.found.end > after && m->deleted == 0;
	} else {
		jmb_rrule_each_start_from(m->recurrence, m->start, m->timezone, after, next_start,
		                          &f);
		for (size_t i = 0; i < m->n_overrides; i++) {
			struct jmb_occurrence occ = occurrence_of(m, m->overrides[i].recurrence_id);

			if (!occ.cancelled && occ.end > after &&
			    (!f.have || by_start(&occ, &f.found) < 0)) {
				f.found = occ;
				f.have = true;
			}
		}
	}
	if (f.have)
		*next_r = f.found;
	return f.have;
}

struct find_last {
	const struct jmb_meeting *m;
	struct jmb_occurrence last;
	bool have;
};

static bool last_start(time_t start, void *data)
{
	struct find_last *f = data;
	struct jmb_occurrence occ = occurrence_of(f->m, start);

	if (!occ.cancelled && (!f->have || occ.end >= f->last.end)) {
		f->last = occ;
		f->have = true;
	}
	return true;
}

static bool meeting_last(const struct jmb_meeting *m, struct jmb_occurrence *occ_r)
{
	struct find_last f = {.m = m};

	if (m->recurrence == NULL) {
		*occ_r = occurrence_of(m, m->start);
		return true;
	}
	jmb_rrule_each_start(m->recurrence, m->start, m->timezone, last_start, &f);
	if (f.have)
		*occ_r = f.last;
	return f.have;
}

bool jmb_meeting_focus(const struct jmb_meeting *m, time_t after, struct jmb_occurrence *occ_r)
{
	return jmb_meeting_next(m, after, occ_r) || meeting_last(m, occ_r);
}

time_t jmb_meeting_last_end(const struct jmb_meeting *m)
{
	struct jmb_occurrence last;

	return meeting_last(m, &last) ? last.end : m->end;
}

struct find_id {
	time_t id;
	bool found;
};

static bool match_start(time_t start, void *data)
{
	struct find_id *f = data;

	f->found = start == f->id;
	return start < f->id;
}

bool jmb_meeting_occurrence(const struct jmb_meeting *m, time_t recurrence_id,
                            struct jmb_occurrence *occ_r)
{
	struct find_id f = {.id = recurrence_id};

	if (m->recurrence == NULL)
		f.found = recurrence_id == m->start;
	else
		jmb_rrule_each_start_from(m->recurrence, m->start, m->timezone, recurrence_id,
		                          match_start, &f);
	if (f.found)
		*occ_r = occurrence_of(m, recurrence_id);
	return f.found;
}

void jmb_meeting_at(struct jmb_meeting *copy, const struct jmb_meeting *m,
                    const struct jmb_occurrence *o)
{
	*copy = *m;
	copy->start = o->start;
	copy->end = o->end;
	copy->duration = o->duration;
	copy->title = (char *)o->title;
	copy->description = (char *)o->description;
	copy->recurrence = NULL;
	copy->overrides = NULL;
	copy->n_overrides = 0;
	copy->last_end = o->end;
}

const struct jmb_meeting *jmb_meeting_current(struct jmb_pool *pool, const struct jmb_meeting *m,
                                              time_t after)
{
	struct jmb_meeting *copy;
	struct jmb_occurrence occ;

	if (m->recurrence == NULL || !jmb_meeting_focus(m, after, &occ))
		return m;
	copy = jmb_pool_alloc(pool, sizeof(*copy));
	jmb_meeting_at(copy, m, &occ);
	return copy;
}

enum jmb_partstat jmb_attendee_answer_for(const struct jmb_attendee *a, time_t recurrence_id)
{
	for (size_t i = 0; i < a->n_answers; i++)
		if (a->answers[i].recurrence_id == recurrence_id)
			return a->answers[i].status;
	return a->status;
}

void jmb_recurrence_id_format(time_t t, char *buf, size_t size)
{
	struct jmb_local_time u;

	jmb_utc_to_local(t, "UTC", &u);
	snprintf(buf, size, "%04d%02d%02dT%02d%02d%02dZ", u.year, u.month, u.day, u.hour, u.minute,
	         u.second);
}

int jmb_recurrence_id_parse(const char *s, time_t *t_r)
{
	struct jmb_local_time u = {0};

	if (strlen(s) != 16 || s[8] != 'T' || s[15] != 'Z')
		return -1;
	for (int i = 0; i < 15; i++)
		if (i != 8 && !isdigit((unsigned char)s[i]))
			return -1;
	if (sscanf(s, "%4d%2d%2dT%2d%2d%2d", &u.year, &u.month, &u.day, &u.hour, &u.minute,
	           &u.second) != 6 ||
	    u.hour > 23 || u.minute > 59 || u.second > 59)
		return -1;
	return jmb_local_to_utc(&u, "UTC", t_r);
}
