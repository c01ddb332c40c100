/* GET /calendar?week=YYYY-Www: the week view. The requester's meetings
 * (organised or invited) of one ISO week on a time grid in the server's
 * zone, one column a day, built on the server: half-hour rows, each meeting
 * placed by classes (the Content-Security-Policy allows no inline style),
 * overlapping ones side by side. Links in reading order, day by day, so the
 * keyboard goes through the week in time order; on a phone the days stack
 * as lists. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "domain/recurrence.h"
#include "daemon.h"
#include "handlers.h"
#include "meeting-actions.h"
#include "render.h"
#include "util/memory.h"
#include "util/timeutil.h"

#define SLOT_MINUTES 30
#define SLOTS_PER_DAY (24 * 60 / SLOT_MINUTES)
#define FIRST_SLOT 16 /* 08:00 at least is shown */
#define LAST_SLOT 36  /* and 18:00 */
#define MAX_LANES 3

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static long days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, int *y, int *m, int *d)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* Monday of the ISO week holding day (days since 1970, a Thursday). */
static long monday_of(long day)
{
	return day - (day + 3) % 7;
}

/* "2027-W05" of the ISO week starting on monday. */
static const char *week_name(struct jmb_pool *pool, long monday)
{
	int y, m, d;

	civil_from_days(monday + 3, &y, &m, &d); /* the week's Thursday is in its year */
	return jmb_pool_printf(pool, "%04d-W%02ld", y,
	                       (monday + 3 - days_from_civil(y, 1, 1)) / 7 + 1);
}

/* The Monday of ?week=YYYY-Www, or of this week when absent; -1 if invalid. */
static long requested_monday(struct jmb_request *req, const char *zone)
{
	const char *week = jmb_request_query(req, "week");
	struct jmb_local_time now;
	int year, number;
	char tail;

	if (week == NULL || *week == '\0') {
		jmb_utc_to_local(jmbd_now(), zone, &now);
		return monday_of(days_from_civil(now.year, now.month, now.day));
	}
	if (sscanf(week, "%4d-W%2d%c", &year, &number, &tail) != 2 || strlen(week) != 8 ||
	    year < 1971 || year > 2499 || number < 1 || number > 53)
		return -1;
	long monday = monday_of(days_from_civil(year, 1, 4)) + (number - 1) * 7L;
	/* Week 53 exists only in long years. */
	return strcmp(week_name(req->pool, monday), week) == 0 ? monday : -1;
}

static time_t midnight(long day, const char *zone)
{
	struct jmb_local_time lt = {0};
	time_t t = 0;

	civil_from_days(day, &lt.year, &lt.month, &lt.day);
	jmb_local_to_utc(&lt, zone, &t);
	return t;
}

/* A meeting's place on its first day: slots from midnight, clipped to it. */
struct placed {
	const struct jmb_meeting *m;
	int first, last; /* slots [first, last) */
	int lane;
};

static void place(const struct jmb_meeting *m, time_t day_start, time_t day_end, struct placed *p)
{
	time_t end = m->end < day_end ? m->end : day_end;

	p->m = m;
	p->first = (int)((m->start - day_start) / (SLOT_MINUTES * 60));
	p->last = (int)((end - day_start + SLOT_MINUTES * 60 - 1) / (SLOT_MINUTES * 60));
	if (p->last <= p->first)
		p->last = p->first + 1;
	if (p->last > SLOTS_PER_DAY)
		p->last = SLOTS_PER_DAY;
}

/* Lanes for overlapping meetings (they come sorted by start): the first
   lane free at each one's start, at most MAX_LANES. */
static int assign_lanes(struct placed *p, size_t n)
{
	int lane_end[MAX_LANES] = {0}, used = 1;

	for (size_t i = 0; i < n; i++) {
		int lane = 0;
		while (lane < MAX_LANES - 1 && lane_end[lane] > p[i].first)
			lane++;
		p[i].lane = lane;
		lane_end[lane] = p[i].last;
		if (lane + 1 > used)
			used = lane + 1;
	}
	return used;
}

static json_t *meeting_item(struct jmb_request *req, const struct placed *p, int window_first,
                            const char *zone)
{
	const struct jmb_meeting *m = p->m;
	int row = p->first - window_first + 1, span = p->last - p->first;

	return json_pack("{s:s, s:s, s:s, s:s}", "title", m->title, "url",
	                 jmb_pool_printf(req->pool, "/meetings/%lld", (long long)m->id), "time",
	                 jmb_pool_printf(req->pool, "%s–%s", format_clock(req, m->start, zone),
	                                 format_clock(req, m->end, zone)),
	                 "place",
	                 jmb_pool_printf(req->pool, "row-%d span-%d lane-%d", row < 1 ? 1 : row,
	                                 span, p->lane + 1));
}

static int by_start(const void *a, const void *b)
{
	const struct jmb_meeting *x = *(struct jmb_meeting *const *)a,
	                         *y = *(struct jmb_meeting *const *)b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* The meetings of the week as single meetings, in start order: a series as
   each of its occurrences that week (cancelled ones left out). */
static void week_occurrences(struct jmb_pool *pool, struct jmb_meeting_list *list, time_t from,
                             time_t to)
{
	struct jmb_meeting **items = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < list->count; i++) {
		size_t k;
		struct jmb_occurrence *occ =
		    jmb_meeting_occurrences(pool, list->items[i], from, to, 7 * 48, &k);

		for (size_t j = 0; j < k; j++) {
			if (occ[j].cancelled)
				continue;
			if (n == cap) {
				struct jmb_meeting **grown;

				cap = cap ? cap * 2 : 16;
				grown = jmb_pool_calloc(pool, cap, sizeof(*grown));
				if (n > 0)
					memcpy(grown, items, n * sizeof(*grown));
				items = grown;
			}
			items[n] = jmb_pool_alloc(pool, sizeof(*items[n]));
			jmb_meeting_at(items[n++], list->items[i], &occ[j]);
		}
	}
	if (n > 1)
		qsort(items, n, sizeof(*items), by_start);
	list->items = items;
	list->count = n;
}

void page_calendar(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	const char *zone = viewer_zone(d, req);
	long monday = requested_monday(req, zone);
	struct jmb_meeting_list list;
	struct placed *placed;
	size_t n_placed[7] = {0}, offset[7] = {0}, used = 0;
	int first = FIRST_SLOT, last = LAST_SLOT;
	json_t *days = json_array(), *hours = json_array();

	if (monday < 0) {
		render_error(d, req, resp, 400, N_("The week must be written like 2027-W05."));
		return;
	}
	time_t week_start = midnight(monday, zone), week_end = midnight(monday + 7, zone);
	if (meeting_window(d, req, week_start, &list) != ACTION_OK) {
		meeting_action_fail(d, req, resp, ACTION_FAILED);
		return;
	}
	week_occurrences(req->pool, &list, week_start, week_end);
	placed = jmb_pool_calloc(req->pool, list.count + 1, sizeof(*placed));
	/* Group by day (the list comes by start): each meeting on its first day. */
	for (int day = 0; day < 7; day++) {
		time_t from = midnight(monday + day, zone), to = midnight(monday + day + 1, zone);
		offset[day] = used;
		for (size_t i = 0; i < list.count; i++) {
			const struct jmb_meeting *m = list.items[i];
			if (m->start >= from && m->start < to && m->start < week_end) {
				struct placed *p = &placed[offset[day] + n_placed[day]++];
				place(m, from, to, p);
				first = p->first < first ? p->first : first;
				last = p->last > last ? p->last : last;
			}
		}
		used += n_placed[day];
	}
	first -= first % 2; /* the grid starts on a whole hour */
	for (int slot = first; slot < last; slot += 2)
		json_array_append_new(
		    hours,
		    json_pack("{s:s, s:s}", "label",
		              jmb_pool_printf(req->pool, "%02d:%02d", slot / 2, slot % 2 * 30),
		              "place",
		              jmb_pool_printf(req->pool, "row-%d span-2", slot - first + 1)));
	for (int day = 0; day < 7; day++) {
		json_t *items = json_array();
		int lanes = assign_lanes(&placed[offset[day]], n_placed[day]);
		for (size_t i = 0; i < n_placed[day]; i++)
			json_array_append_new(
			    items, meeting_item(req, &placed[offset[day] + i], first, zone));
		json_array_append_new(
		    days, json_pack("{s:s, s:o, s:s}", "label",
		                    format_day(d, req, midnight(monday + day, zone), zone),
		                    "meetings", items, "grid",
		                    jmb_pool_printf(req->pool, "slots rows-%d lanes-%d",
		                                    last - first, lanes)));
	}
	render_page(
	    d, req, resp, 200, "calendar",
	    json_pack(
	        "{s:s, s:o, s:o, s:s, s:s, s:s, s:s}", "title",
	        jmb_pool_printf(req->pool, tr(d, req, N_("Week of %s")),
	                        format_day(d, req, week_start, zone)),
	        "days", days, "hours", hours, "rows",
	        jmb_pool_printf(req->pool, "hours rows-%d", last - first), "previous",
	        jmb_pool_printf(req->pool, "/calendar?week=%s", week_name(req->pool, monday - 7)),
	        "next",
	        jmb_pool_printf(req->pool, "/calendar?week=%s", week_name(req->pool, monday + 7)),
	        "zone", zone));
}
