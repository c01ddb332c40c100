/* The meeting list, the archive and a meeting's own page (with the attendee
 * table for its organiser). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "domain/recurrence.h"
#include "handlers.h"
#include "meeting-actions.h"
#include "render.h"
#include "page-occurrences.h"
#include "view-meeting.h"
#include "web/rrule-text.h"
#include "publish/ical-feed.h"
#include "util/memory.h"
#include "util/timeutil.h"

/* A list entry at the time it is shown: a series at its occurrence at hand. */
struct shown {
	time_t start;
	struct jmb_meeting *m;
	const struct jmb_meeting *series; /* the series m is an occurrence of; NULL: none */
};

static int by_shown_start(const void *a, const void *b)
{
	const struct shown *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->m->id < y->m->id ? -1 : x->m->id > y->m->id;
}

/* The store sorts by first start; a series is shown at its next occurrence,
   so it takes its place by that one. */
static void sort_as_shown(struct jmb_pool *pool, struct jmb_meeting_list *list)
{
	struct shown *items = jmb_pool_calloc(pool, list->count + 1, sizeof(*items));
	time_t now = jmbd_now();

	for (size_t i = 0; i < list->count; i++)
		items[i] = (struct shown){jmb_meeting_current(pool, list->items[i], now)->start,
		                          list->items[i], NULL};
	if (list->count > 1)
		qsort(items, list->count, sizeof(*items), by_shown_start);
	for (size_t i = 0; i < list->count; i++)
		list->items[i] = items[i].m;
}

static void shown_append(struct jmb_pool *pool, struct shown **items, size_t *n, size_t *cap,
                         struct shown item)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 32;
		struct shown *grown = jmb_pool_calloc(pool, ncap, sizeof(*grown));

		if (*n > 0)
			memcpy(grown, *items, *n * sizeof(*grown));
		*items = grown;
		*cap = ncap;
	}
	(*items)[(*n)++] = item;
}

/* The archive: what ended in the last archive_days, newest first; a series
   as each of its past occurrences not cancelled (it may still be running). */
static enum action_result archive_items(struct jmbd *d, struct jmb_request *req, json_t *items)
{
	time_t now = jmbd_now(), after = now - d->rt->settings.booking.archive_days * 86400L;
	struct jmb_meeting_list list;
	struct shown *shown = NULL;
	size_t n = 0, cap = 0;
	enum action_result r = meeting_window(d, req, after, &list);

	for (size_t i = 0; r == ACTION_OK && i < list.count; i++) {
		struct jmb_meeting *m = list.items[i];
		size_t k;
		struct jmb_occurrence *occ = jmb_meeting_occurrences(
		    req->pool, m, after, now, JMB_SERIES_MAX_OCCURRENCES, &k);

		for (size_t j = 0; j < k; j++) {
			struct jmb_meeting *at = jmb_pool_alloc(req->pool, sizeof(*at));

			if (occ[j].cancelled || occ[j].end > now)
				continue;
			jmb_meeting_at(at, m, &occ[j]);
			shown_append(req->pool, &shown, &n, &cap,
			             (struct shown){occ[j].start, at, m->recurrence ? m : NULL});
		}
	}
	if (n > 1)
		qsort(shown, n, sizeof(*shown), by_shown_start);
	for (size_t i = n; i-- > 0;) {
		const struct jmb_meeting *series = shown[i].series;
		json_t *o = view_meeting(d, req, shown[i].m);

		if (series != NULL)
			json_object_set_new(
			    o, "rule_text",
			    json_string(jmb_rrule_describe(req->pool, d->rt->i18n, req->language,
			                                   series->recurrence, series->start,
			                                   series->timezone)));
		json_array_append_new(items, o);
	}
	return r;
}

static void render_list(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp,
                        bool archive)
{
	struct jmb_meeting_list list;
	enum action_result r = archive ? ACTION_OK : meeting_list(d, req, false, &list);
	json_t *items = json_array();

	if (r == ACTION_OK && archive)
		r = archive_items(d, req, items);
	if (r != ACTION_OK) {
		json_decref(items);
		meeting_action_fail(d, req, resp, r);
		return;
	}
	if (!archive) {
		sort_as_shown(req->pool, &list);
		for (size_t i = 0; i < list.count; i++)
			json_array_append_new(items, view_meeting(d, req, list.items[i]));
	}
	json_t *model =
	    json_pack("{s:o, s:b, s:I, s:b, s:b}", "meetings", items, "archive", archive,
	              "archive_days", (json_int_t)d->rt->settings.booking.archive_days, "deleted",
	              jmb_request_query(req, "deleted") != NULL, "feed_rotated",
	              jmb_request_query(req, "feed_rotated") != NULL);
	json_t *feed = archive ? NULL : feed_urls(d, req, false);
	if (feed != NULL)
		json_object_set_new(model, "feed", feed);
	render_page(d, req, resp, 200, archive ? "archive" : "meetings", model);
}

void page_meetings(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	render_list(d, req, resp, false);
}

void page_archive(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	render_list(d, req, resp, true);
}

/* GET /meetings/{id}.ics: "add to my calendar", the meeting as this viewer
 * sees it in their feed (their own link in it), one event to import. */
static void meeting_calendar_file(struct jmbd *d, struct jmb_request *req,
                                  struct jmb_response *resp, struct jmb_meeting *m)
{
	struct jmb_meeting_list list = {.items = &m, .count = 1};
	struct jmb_feed_options o = calendar_options(d, req, m->title, jmbd_now());
	size_t len = 0;
	char *body = jmb_ical_feed(&o, &list, req->identity->login, req->identity->mails, &len);

	if (body == NULL) {
		meeting_action_fail(d, req, resp, ACTION_FAILED);
		return;
	}
	jmb_response_set_body(resp, "text/calendar; charset=utf-8", body, len);
	free(body);
	jmb_response_add_header(resp, "Content-Disposition",
	                        jmb_pool_printf(req->pool,
	                                        "attachment; filename=\"meeting-%lld.ics\"",
	                                        (long long)m->id));
}

void page_meeting(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	const char *id = req->params[0];
	size_t len = strlen(id);
	bool calendar_file = len > 4 && strcmp(id + len - 4, ".ics") == 0;
	struct jmb_meeting *m;
	enum action_result r;

	if (calendar_file)
		id = jmb_pool_strndup(req->pool, id, len - 4);
	r = meeting_load(d, req, id, ACCESS_VIEW, &m);
	if (r != ACTION_OK) {
		meeting_action_fail(d, req, resp, r);
		return;
	}
	if (calendar_file) {
		meeting_calendar_file(d, req, resp, m);
		return;
	}
	json_t *view = view_meeting(d, req, m);

	view_occurrences(d, req, m, json_is_true(json_object_get(view, "is_owner")), view);
	render_page(d, req, resp, 200, "meeting",
	            json_pack("{s:o, s:b, s:b, s:b, s:b}", "meeting", view, "saved",
	                      jmb_request_query(req, "saved") != NULL, "resent",
	                      jmb_request_query(req, "resent") != NULL, "removed",
	                      jmb_request_query(req, "removed") != NULL, "answered",
	                      jmb_request_query(req, "answered") != NULL));
}
