/* JSON API v1 for the occurrences of a series (doc/api.md): the list, and
 * one occurrence moved, changed or cancelled. A single meeting has one
 * occurrence, its own, which is changed through the meeting itself. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "api-common.h"
#include "daemon.h"
#include "domain/recurrence.h"
#include "handlers.h"
#include "occurrence-actions.h"
#include "render.h"
#include "util/memory.h"
#include "util/timeutil.h"
#include "web/json-meeting.h"

#define OCCURRENCES_DEFAULT 100
#define OCCURRENCES_MAX 500

void api_occurrences_list(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	const char *from_text = jmb_request_query(req, "from");
	const char *to_text = jmb_request_query(req, "to");
	const char *limit_text = jmb_request_query(req, "limit");
	time_t from = jmbd_now(), to = JMB_TIME_MAX;
	long limit = OCCURRENCES_DEFAULT;
	struct jmb_occurrence *occ;
	struct jmb_meeting *m;
	json_t *list;
	size_t n;
	char *end;
	enum action_result r;

	if (from_text != NULL && jmb_parse_rfc3339(from_text, &from) != 0) {
		render_json_error(resp, 400,
		                  tr(d, req,
		                     N_("from must be an RFC 3339 date and time, such as "
		                        "2027-01-05T09:00:00Z.")),
		                  NULL);
		return;
	}
	if (to_text != NULL && jmb_parse_rfc3339(to_text, &to) != 0) {
		render_json_error(resp, 400,
		                  tr(d, req,
		                     N_("to must be an RFC 3339 date and time, such as "
		                        "2027-01-05T09:00:00Z.")),
		                  NULL);
		return;
	}
	if (limit_text != NULL) {
		limit = strtol(limit_text, &end, 10);
		if (*limit_text == '\0' || *end != '\0' || limit < 1 || limit > OCCURRENCES_MAX) {
			render_json_error(
			    resp, 400,
			    tr(d, req, N_("limit must be a whole number from 1 to 500.")), NULL);
			return;
		}
	}
	r = meeting_load(d, req, req->params[0], ACCESS_VIEW, &m);
	if (r != ACTION_OK) {
		meeting_action_fail(d, req, resp, r);
		return;
	}
	occ = jmb_meeting_occurrences(req->pool, m, from, to, (size_t)limit, &n);
	list = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, jmb_occurrence_to_json(m, &occ[i]));
	render_json(resp, 200, json_pack("{s:o}", "occurrences", list));
}

/* The series and the occurrence a change names; false after answering. */
static bool load_occurrence(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp,
                            struct jmb_meeting **m_r, time_t *recurrence_id_r)
{
	enum action_result r = meeting_load(d, req, req->params[0], ACCESS_OWNER, m_r);

	if (r != ACTION_OK) {
		meeting_action_fail(d, req, resp, r);
		return false;
	}
	if ((*m_r)->recurrence == NULL) {
		render_json_error(resp, 409,
		                  tr(d, req,
		                     N_("This meeting is not a series: change the meeting "
		                        "itself.")),
		                  NULL);
		return false;
	}
	if (jmb_recurrence_id_parse(req->params[1], recurrence_id_r) != 0) {
		render_json_error(
		    resp, 404,
		    tr(d, req,
		       N_("An occurrence is named by its original start in UTC, such as "
		          "20270105T090000Z.")),
		    NULL);
		return false;
	}
	return true;
}

static void answer_change(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp,
                          enum action_result r, const struct jmb_field_errors *errors,
                          struct jmb_meeting *m, time_t recurrence_id, bool cancel)
{
	struct jmb_occurrence occ;

	if (r == ACTION_INVALID)
		api_fail_fields(d, req, resp, json_object(), errors);
	else if (r == ACTION_NOT_FOUND)
		render_json_error(
		    resp, 404, tr(d, req, N_("The series has no occurrence at this time.")), NULL);
	else if (r != ACTION_OK)
		meeting_action_fail(d, req, resp, r);
	else if (cancel)
		resp->status = 204;
	else if (jmb_meeting_occurrence(m, recurrence_id, &occ))
		render_json(resp, 200, jmb_occurrence_to_json(m, &occ));
	else
		render_json_error(
		    resp, 404, tr(d, req, N_("The series has no occurrence at this time.")), NULL);
}

void api_occurrence_patch(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	struct jmb_occurrence_input in = {0};
	struct jmb_field_errors errors = {0};
	json_t *body, *type_errors, *v;
	struct jmb_meeting *m;
	time_t recurrence_id;
	json_error_t jerr;
	const char *key;
	enum action_result r;

	if (!load_occurrence(d, req, resp, &m, &recurrence_id))
		return;
	body = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(body)) {
		json_decref(body);
		render_json_error(resp, 400, tr(d, req, N_("The body must be a JSON object.")),
		                  NULL);
		return;
	}
	jmb_pool_on_free(req->pool, (void (*)(void *))json_decref, body);
	type_errors = json_object();
	json_object_foreach(body, key, v)
	{
		if (strcmp(key, "start") != 0 && strcmp(key, "duration") != 0 &&
		    strcmp(key, "title") != 0 && strcmp(key, "description") != 0)
			json_object_set_new(
			    type_errors, key,
			    json_string(tr(d, req,
			                   N_("An occurrence has only a start, a duration, a title "
			                      "and a description of its own."))));
	}
	in.title = api_string_field(body, "title", type_errors, d, req);
	in.description = api_string_field(body, "description", type_errors, d, req);
	if ((in.start_text = api_string_field(body, "start", type_errors, d, req)) != NULL)
		in.has_start = jmb_parse_rfc3339(in.start_text, &in.start) == 0;
	if ((v = json_object_get(body, "duration")) != NULL) {
		if (json_is_integer(v))
			in.duration =
			    jmb_pool_printf(req->pool, "%lld", (long long)json_integer_value(v));
		else
			json_object_set_new(
			    type_errors, "duration",
			    json_string(tr(d, req, N_("Expected a whole number of minutes."))));
	}
	if (json_object_size(type_errors) > 0) {
		api_fail_fields(d, req, resp, type_errors, NULL);
		return;
	}
	json_decref(type_errors);
	/* The change first: it replaces m with the stored result. */
	r = occurrence_change(d, req, &m, recurrence_id, &in, false, &errors);
	answer_change(d, req, resp, r, &errors, m, recurrence_id, false);
}

void api_occurrence_delete(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	struct jmb_field_errors errors = {0};
	struct jmb_meeting *m;
	time_t recurrence_id;

	enum action_result r;

	if (!load_occurrence(d, req, resp, &m, &recurrence_id))
		return;
	r = occurrence_change(d, req, &m, recurrence_id, NULL, true, &errors);
	answer_change(d, req, resp, r, &errors, m, recurrence_id, true);
}

void api_occurrence_split(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	const struct jmb_booking_input *from;
	struct jmb_booking_input in;
	struct jmb_field_errors errors = {0};
	struct jmb_meeting *m, *next = NULL;
	time_t recurrence_id;
	json_t *type_errors;
	enum action_result r;

	if (!load_occurrence(d, req, resp, &m, &recurrence_id))
		return;
	if (recurrence_id == m->start) {
		render_json_error(
		    resp, 409,
		    tr(d, req, N_("This is the first occurrence: change the series itself.")),
		    NULL);
		return;
	}
	if ((from = occurrence_split_input(req, m, recurrence_id)) == NULL) {
		render_json_error(
		    resp, 404, tr(d, req, N_("The series has no occurrence at this time.")), NULL);
		return;
	}
	in = *from;
	if (api_read_meeting_body(d, req, resp, m, &in, &type_errors) < 0)
		return;
	if (json_object_size(type_errors) > 0) {
		api_fail_fields(d, req, resp, type_errors, NULL);
		return;
	}
	json_decref(type_errors);
	r = occurrence_split(d, req, &m, recurrence_id, &in, &next, &errors);
	if (r == ACTION_INVALID) {
		api_fail_fields(d, req, resp, json_object(), &errors);
	} else if (r == ACTION_NOT_FOUND) {
		render_json_error(
		    resp, 404, tr(d, req, N_("The series has no occurrence at this time.")), NULL);
	} else if (r != ACTION_OK) {
		meeting_action_fail(d, req, resp, r);
	} else {
		jmb_response_add_header(
		    resp, "Location",
		    jmb_pool_printf(req->pool, "/api/v1/meetings/%lld", (long long)next->id));
		meeting_fill_live(d, next);
		render_json(
		    resp, 201,
		    jmb_meeting_to_json(next, d->rt->settings.server.public_url, jmbd_now()));
	}
}
