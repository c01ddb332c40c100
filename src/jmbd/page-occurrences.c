/* A series' occurrences on its meeting page: the list (ten at a time, later
 * ones a link away) and, for the organiser, a form per occurrence to move it
 * (date, time, duration in the series' zone) or cancel it. Forms only; each
 * redirects back to the meeting page. */
#include "config.h"

#include <string.h>

#include "daemon.h"
#include "domain/recurrence.h"
#include "handlers.h"
#include "occurrence-actions.h"
#include "page-occurrences.h"
#include "render.h"
#include "util/memory.h"
#include "util/timeutil.h"

#define OCCURRENCES_PER_PAGE 10

static json_t *occurrence_item(struct jmbd *d, struct jmb_request *req, const struct jmb_meeting *m,
                               const struct jmb_occurrence *o, bool owner)
{
	char id[20];
	struct jmb_local_time lt;
	const char *when = format_datetime(d, req, o->start, m->timezone);
	json_t *item;

	jmb_recurrence_id_format(o->recurrence_id, id, sizeof(id));
	jmb_utc_to_local(o->start, m->timezone, &lt);
	item = json_pack(
	    "{s:s, s:s, s:b, s:b}", "when",
	    jmb_pool_printf(req->pool, "%s – %s", when, format_clock(req, o->end, m->timezone)),
	    "title", o->title, "title_changed", strcmp(o->title, m->title) != 0, "cancelled",
	    o->cancelled);
	if (!owner || o->cancelled)
		return item;
	json_object_set_new(
	    item, "cancel_url",
	    json_sprintf("/meetings/%lld/occurrences/%s/cancel", (long long)m->id, id));
	json_object_set_new(item, "move_url",
	                    json_sprintf("/meetings/%lld/occurrences/%s", (long long)m->id, id));
	json_object_set_new(item, "date",
	                    json_sprintf("%04d-%02d-%02d", lt.year, lt.month, lt.day));
	json_object_set_new(item, "time", json_sprintf("%02d:%02d", lt.hour, lt.minute));
	json_object_set_new(item, "duration", json_sprintf("%ld", o->duration));
	json_object_set_new(
	    item, "cancel_label",
	    json_string(jmb_pool_printf(req->pool, tr(d, req, N_("Cancel %s")), when)));
	json_object_set_new(
	    item, "change_label",
	    json_string(jmb_pool_printf(req->pool, tr(d, req, N_("Move or cancel %s")), when)));
	json_object_set_new(
	    item, "move_label",
	    json_string(jmb_pool_printf(req->pool, tr(d, req, N_("Move %s")), when)));
	return item;
}

void view_occurrences(struct jmbd *d, struct jmb_request *req, const struct jmb_meeting *m,
                      bool owner, json_t *view)
{
	const char *from_text = jmb_request_query(req, "from");
	time_t from = jmbd_now();
	struct jmb_occurrence *occ;
	json_t *items;
	size_t n;

	if (m->recurrence == NULL || from >= m->last_end)
		return;
	/* ?from=<UTC time, YYYYMMDDTHHMMSSZ>: the occurrences ending after it (the
	   page after the one whose last occurrence ended then). */
	if (from_text != NULL)
		jmb_recurrence_id_parse(from_text, &from);
	occ =
	    jmb_meeting_occurrences(req->pool, m, from, JMB_TIME_MAX, OCCURRENCES_PER_PAGE + 1, &n);
	items = json_array();
	for (size_t i = 0; i < n && i < OCCURRENCES_PER_PAGE; i++)
		json_array_append_new(items, occurrence_item(d, req, m, &occ[i], owner));
	json_object_set_new(view, "occurrences", items);
	if (n > OCCURRENCES_PER_PAGE) {
		char last[20];

		jmb_recurrence_id_format(occ[OCCURRENCES_PER_PAGE - 1].end, last, sizeof(last));
		json_object_set_new(
		    view, "occurrences_next",
		    json_sprintf("/meetings/%lld?from=%s#occurrences", (long long)m->id, last));
	}
}

/* The organiser's series and the occurrence the path names; false after
   answering. */
static bool load_occurrence(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp,
                            struct jmb_meeting **m_r, time_t *recurrence_id_r)
{
	enum action_result r = meeting_load(d, req, req->params[0], ACCESS_OWNER, m_r);

	if (r != ACTION_OK) {
		meeting_action_fail(d, req, resp, r);
		return false;
	}
	if ((*m_r)->recurrence == NULL ||
	    jmb_recurrence_id_parse(req->params[1], recurrence_id_r)) {
		render_error(d, req, resp, 404, N_("The series has no occurrence at this time."));
		return false;
	}
	return true;
}

static void answer(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp,
                   enum action_result r, const struct jmb_field_errors *errors,
                   const struct jmb_meeting *m)
{
	if (r == ACTION_INVALID)
		render_error(d, req, resp, 422, errors->items[0].message);
	else if (r == ACTION_NOT_FOUND)
		render_error(d, req, resp, 404, N_("The series has no occurrence at this time."));
	else if (r != ACTION_OK)
		meeting_action_fail(d, req, resp, r);
	else
		jmb_response_redirect(resp, 303,
		                      jmb_pool_printf(req->pool,
		                                      "/meetings/%lld?saved=1#occurrences",
		                                      (long long)m->id));
}

void page_occurrence_cancel(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	struct jmb_field_errors errors = {0};
	struct jmb_meeting *m;
	time_t id;
	enum action_result r;

	if (!load_occurrence(d, req, resp, &m, &id))
		return;
	r = occurrence_change(d, req, &m, id, NULL, true, &errors);
	answer(d, req, resp, r, &errors, m);
}

void page_occurrence_move(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	struct jmb_occurrence_input in = {.duration = jmb_request_form(req, "duration")};
	struct jmb_field_errors errors = {0};
	struct jmb_local_time date = {0}, clock = {0};
	struct jmb_meeting *m;
	time_t id;
	enum action_result r;

	if (!load_occurrence(d, req, resp, &m, &id))
		return;
	in.start_text = jmb_request_form(req, "date");
	if (in.start_text == NULL || jmb_parse_date(in.start_text, &date) < 0 ||
	    jmb_request_form(req, "time") == NULL ||
	    jmb_parse_clock(jmb_request_form(req, "time"), &clock) < 0) {
		render_error(d, req, resp, 422, N_("Please give a valid date (YYYY-MM-DD)."));
		return;
	}
	date.hour = clock.hour;
	date.minute = clock.minute;
	in.has_start = jmb_local_to_utc(&date, m->timezone, &in.start) == 0;
	r = occurrence_change(d, req, &m, id, &in, false, &errors);
	answer(d, req, resp, r, &errors, m);
}
