/* JSON API v1 for meetings. Field names are a contract with integration
 * tooling: see doc/api.md. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "api-common.h"
#include "handlers.h"
#include "jmb/form.h"
#include "web/json-meeting.h"
#include "meeting-actions.h"
#include "util/memory.h"
#include "render.h"
#include "util/timeutil.h"

static json_t *api_meeting(struct jmbd *d, const struct jmb_request *req, struct jmb_meeting *m)
{
	/* Personal links are for the organiser's eyes only. */
	const char *role = meeting_role_of(req, m, NULL);
	bool owner = role != NULL && strcmp(role, "owner") == 0;

	meeting_fill_live(d, m);
	return jmb_meeting_to_json(m, owner ? d->rt->settings.server.public_url : NULL, jmbd_now());
}

static void add_problem(json_t *problems, const char *field, const char *message)
{
	json_t *list = json_object_get(problems, field);

	if (list == NULL)
		json_object_set_new(problems, field, list = json_array());
	json_array_append_new(list, json_string(message));
}

/* See api-common.h. */
void api_fail_fields(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp,
                     json_t *type_errors, const struct jmb_field_errors *errors)
{
	json_t *problems = json_object(), *fields = json_object(), *v;
	const char *field;

	json_object_foreach(type_errors, field, v)
	    add_problem(problems, field, json_string_value(v));
	for (size_t i = 0; errors != NULL && i < errors->count; i++) {
		if (json_object_get(type_errors, errors->items[i].field) == NULL)
			add_problem(problems, errors->items[i].field, errors->items[i].message);
	}
	json_object_foreach(problems, field, v)
	{
		const char *text = "";
		for (size_t i = 0; i < json_array_size(v); i++)
			text = jmb_pool_printf(req->pool, "%s%s%s", text, *text ? " " : "",
			                       json_string_value(json_array_get(v, i)));
		json_object_set_new(fields, field, json_string(text));
	}
	json_decref(type_errors);
	render_json(resp, 422,
	            json_pack("{s:s, s:o, s:o}", "error",
	                      tr(d, req, N_("Some fields are not valid.")), "fields", fields,
	                      "problems", problems));
}

/* Reads a JSON array of strings; NULL (and a field error) when it is something else. */
static const char *const *string_list(struct jmb_pool *pool, json_t *v, const char *field,
                                      json_t *type_errors, struct jmbd *d, struct jmb_request *req)
{
	const char **out;
	size_t i;
	json_t *item;

	if (!json_is_array(v)) {
		json_object_set_new(
		    type_errors, field,
		    json_string(tr(d, req, N_("Expected a list of e-mail addresses."))));
		return NULL;
	}
	out = jmb_pool_calloc(pool, json_array_size(v) + 1, sizeof(char *));
	json_array_foreach(v, i, item)
	{
		if (!json_is_string(item)) {
			json_object_set_new(
			    type_errors, field,
			    json_string(tr(d, req, N_("Expected a list of e-mail addresses."))));
			return NULL;
		}
		out[i] = json_string_value(item);
	}
	return out;
}

const char *api_string_field(json_t *body, const char *field, json_t *type_errors, struct jmbd *d,
                             struct jmb_request *req)
{
	json_t *v = json_object_get(body, field);

	if (v == NULL || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		json_object_set_new(type_errors, field,
		                    json_string(tr(d, req, N_("Expected a string."))));
		return NULL;
	}
	return json_string_value(v);
}

/* "room_options": {"lobby": bool, "max_participants": int|null, "recording":
 * bool}, each optional; what is not named stays as it was. */
static void read_room_options(json_t *v, struct jmb_room_options *o, json_t *type_errors,
                              struct jmbd *d, struct jmb_request *req)
{
	json_t *lobby = json_object_get(v, "lobby"), *max = json_object_get(v, "max_participants");
	json_t *recording = json_object_get(v, "recording");
	const char *key;
	json_t *item;

	json_object_foreach(v, key, item)
	{
		if (strcmp(key, "lobby") != 0 && strcmp(key, "max_participants") != 0 &&
		    strcmp(key, "recording") != 0)
			goto invalid;
	}
	if ((lobby != NULL && !json_is_boolean(lobby)) ||
	    (recording != NULL && !json_is_boolean(recording)) ||
	    (max != NULL && !json_is_null(max) && !json_is_integer(max)))
		goto invalid;
	if (lobby != NULL)
		o->lobby = json_is_true(lobby);
	if (recording != NULL)
		o->recording_off = !json_is_true(recording);
	if (max != NULL) {
		json_int_t n = json_is_null(max) ? 0 : json_integer_value(max);
		/* out of long's range or negative: let the booking rules refuse it */
		o->max_participants = n < 0 || n > 1000000 ? -1 : (long)n;
	}
	return;
invalid:
	json_object_set_new(
	    type_errors, "room_options",
	    json_string(tr(d, req,
	                   N_("Expected {\"lobby\": true or false, \"max_participants\": "
	                      "a number or null, \"recording\": true or false}."))));
}

/* Fills input from a JSON body over defaults (the meeting being patched, if any).
 * Returns 0, or -1 after answering 400. *type_errors_r gets the fields of the
 * wrong JSON type (an object of messages, empty when none). */
int api_read_meeting_body(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp,
                          const struct jmb_meeting *base, struct jmb_booking_input *in,
                          json_t **type_errors_r)
{
	json_error_t jerr;
	json_t *body = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
	json_t *type_errors = json_object(), *v;
	const char *s;

	if (!json_is_object(body)) {
		json_decref(body);
		json_decref(type_errors);
		render_json_error(resp, 400, tr(d, req, N_("The body must be a JSON object.")),
		                  NULL);
		return -1;
	}
	jmb_pool_on_free(req->pool, (void (*)(void *))json_decref, body);
	if ((s = api_string_field(body, "title", type_errors, d, req)) != NULL || base == NULL)
		in->title = s;
	if ((s = api_string_field(body, "description", type_errors, d, req)) != NULL)
		in->description = s;
	if ((s = api_string_field(body, "timezone", type_errors, d, req)) != NULL)
		in->timezone = s;
	if ((s = api_string_field(body, "start", type_errors, d, req)) != NULL) {
		in->has_start_utc = jmb_parse_rfc3339(s, &in->start_utc) == 0;
		in->start_text = in->has_start_utc ? NULL : s;
	} else if (base == NULL && json_object_get(type_errors, "start") == NULL) {
		in->start_text = "";
	}
	if ((v = json_object_get(body, "duration")) != NULL) {
		if (json_is_integer(v))
			in->duration =
			    jmb_pool_printf(req->pool, "%lld", (long long)json_integer_value(v));
		else
			json_object_set_new(
			    type_errors, "duration",
			    json_string(tr(d, req, N_("Expected a whole number of minutes."))));
	}
	if ((v = json_object_get(body, "moderators")) != NULL)
		in->moderators = string_list(req->pool, v, "moderators", type_errors, d, req);
	if ((v = json_object_get(body, "guests")) != NULL)
		in->guests = string_list(req->pool, v, "guests", type_errors, d, req);
	if ((v = json_object_get(body, "recurrence")) != NULL) {
		if (json_is_null(v))
			in->recurrence = NULL;
		else if (json_is_string(v) && json_string_length(v) > 0)
			in->recurrence = json_string_value(v);
		else
			json_object_set_new(
			    type_errors, "recurrence",
			    json_string(tr(d, req,
			                   N_("Expected a repeat rule such as "
			                      "\"FREQ=WEEKLY;BYDAY=TU;COUNT=10\", or null."))));
	}
	if ((v = json_object_get(body, "room_options")) != NULL) {
		if (json_is_object(v))
			read_room_options(v, &in->options, type_errors, d, req);
		else if (!json_is_null(v))
			json_object_set_new(type_errors, "room_options",
			                    json_string(tr(d, req, N_("Expected an object."))));
	}
	*type_errors_r = type_errors;
	return 0;
}

/* Refuses a request with fields of the wrong type, with every other problem
   the booking rules find in the rest; false when there is none. */
static bool refused_for_types(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp,
                              const struct jmb_booking_input *in,
                              const struct jmb_meeting *previous, json_t *type_errors)
{
	struct jmb_field_errors errors = {0};

	if (json_object_size(type_errors) == 0) {
		json_decref(type_errors);
		return false;
	}
	meeting_check(d, req, in, previous, &errors);
	api_fail_fields(d, req, resp, type_errors, &errors);
	return true;
}

#define PAGE_DEFAULT 100
#define PAGE_MAX 500

/* A list request: its page size, where the previous page ended, the window. */
struct list_query {
	bool archive;
	long limit;
	bool has_cursor;
	time_t cursor_start; /* the last meeting of the previous page: its start and id */
	long long cursor_id;
	bool has_from, has_to;
	time_t from, to;
};

static const char *read_list_query(struct jmb_request *req, struct list_query *q)
{
	const char *archive = jmb_request_query(req, "archive");
	const char *limit = jmb_request_query(req, "limit");
	const char *cursor = jmb_request_query(req, "cursor");
	const char *from = jmb_request_query(req, "from"), *to = jmb_request_query(req, "to");
	char *end;

	*q = (struct list_query){.archive = archive != NULL && strcmp(archive, "1") == 0,
	                         .limit = PAGE_DEFAULT};
	if (limit != NULL) {
		q->limit = strtol(limit, &end, 10);
		if (*limit == '\0' || *end != '\0' || q->limit < 1 || q->limit > PAGE_MAX)
			return N_("limit must be a whole number from 1 to 500.");
	}
	if (cursor != NULL) {
		long long start;
		/* Only the canonical form the server writes is taken back. */
		if (sscanf(cursor, "%lld-%lld", &start, &q->cursor_id) != 2 || q->cursor_id <= 0 ||
		    strcmp(cursor, jmb_pool_printf(req->pool, "%lld-%lld", start, q->cursor_id)) !=
		        0)
			return N_(
			    "This cursor is not one the server gave: start again without it.");
		q->has_cursor = true;
		q->cursor_start = (time_t)start;
	}
	if (from != NULL && jmb_parse_rfc3339(from, &q->from) != 0)
		return N_("from must be an RFC 3339 date and time, such as 2027-01-05T09:00:00Z.");
	if (to != NULL && jmb_parse_rfc3339(to, &q->to) != 0)
		return N_("to must be an RFC 3339 date and time, such as 2027-01-05T09:00:00Z.");
	q->has_from = from != NULL;
	q->has_to = to != NULL;
	return NULL;
}

/* In the list's order (earliest first; latest first for the archive), is m
   after the cursor? Start and id together order meetings that start at once. */
static bool after_cursor(const struct list_query *q, const struct jmb_meeting *m)
{
	if (!q->has_cursor)
		return true;
	if (m->start != q->cursor_start)
		return q->archive ? m->start < q->cursor_start : m->start > q->cursor_start;
	return q->archive ? m->id < q->cursor_id : m->id > q->cursor_id;
}

static bool in_window(const struct list_query *q, const struct jmb_meeting *m)
{
	/* A series is in the window when one of its occurrences may be. */
	return (!q->has_from || m->last_end > q->from) && (!q->has_to || m->start < q->to);
}

static int by_start_then_id(const void *a, const void *b)
{
	const struct jmb_meeting *x = *(struct jmb_meeting *const *)a,
	                         *y = *(struct jmb_meeting *const *)b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int by_start_then_id_desc(const void *a, const void *b)
{
	return by_start_then_id(b, a);
}

/* The link of the page after the one ending with last. */
static const char *next_link(struct jmb_request *req, const struct list_query *q,
                             const struct jmb_meeting *last)
{
	const char *link = jmb_pool_printf(req->pool, "/api/v1/meetings?limit=%ld&cursor=%lld-%lld",
	                                   q->limit, (long long)last->start, (long long)last->id);

	if (q->archive)
		link = jmb_pool_printf(req->pool, "%s&archive=1", link);
	if (q->has_from)
		link = jmb_pool_printf(req->pool, "%s&from=%s", link,
		                       jmb_url_encode(req->pool, jmb_request_query(req, "from")));
	if (q->has_to)
		link = jmb_pool_printf(req->pool, "%s&to=%s", link,
		                       jmb_url_encode(req->pool, jmb_request_query(req, "to")));
	return link;
}

void api_meetings_list(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	struct list_query q;
	const char *problem = read_list_query(req, &q);
	struct jmb_meeting_list list;
	const struct jmb_meeting *last = NULL;
	json_t *items, *body;
	enum action_result r;
	size_t shown = 0, i = 0;

	if (problem != NULL) {
		render_json_error(resp, 400, tr(d, req, problem), NULL);
		return;
	}
	r = q.has_from || q.has_to ? meeting_window(d, req, q.has_from ? q.from : jmbd_now(), &list)
	                           : meeting_list(d, req, q.archive, &list);
	if (r != ACTION_OK) {
		meeting_action_fail(d, req, resp, r);
		return;
	}
	if (list.count > 1) /* an empty list has no array at all */
		qsort(list.items, list.count, sizeof(*list.items),
		      q.archive ? by_start_then_id_desc : by_start_then_id);
	items = json_array();
	for (; i < list.count && shown < (size_t)q.limit; i++) {
		if (!after_cursor(&q, list.items[i]) || !in_window(&q, list.items[i]))
			continue;
		json_array_append_new(items, api_meeting(d, req, list.items[i]));
		last = list.items[i];
		shown++;
	}
	body = json_pack("{s:o}", "meetings", items);
	/* More after this page? Only those the window keeps count. */
	while (i < list.count && !in_window(&q, list.items[i]))
		i++;
	json_object_set_new(body, "next",
	                    i < list.count && last != NULL ? json_string(next_link(req, &q, last))
	                                                   : json_null());
	render_json(resp, 200, body);
}

void api_meetings_create(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	struct jmb_booking_input in = {0};
	struct jmb_field_errors errors;
	struct jmb_meeting *m = NULL;
	enum action_result r;

	json_t *type_errors;

	if (api_read_meeting_body(d, req, resp, NULL, &in, &type_errors) < 0)
		return;
	if (in.duration == NULL)
		in.duration =
		    jmb_pool_printf(req->pool, "%ld", d->rt->settings.booking.default_duration);
	if (refused_for_types(d, req, resp, &in, NULL, type_errors))
		return;
	r = meeting_create(d, req, &in, &m, &errors);
	if (r == ACTION_INVALID)
		api_fail_fields(d, req, resp, json_object(), &errors);
	else if (r != ACTION_OK)
		meeting_action_fail(d, req, resp, r);
	else {
		jmb_response_add_header(
		    resp, "Location",
		    jmb_pool_printf(req->pool, "/api/v1/meetings/%lld", (long long)m->id));
		render_json(resp, 201, api_meeting(d, req, m));
	}
}

void api_meeting_get(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	struct jmb_meeting *m;
	enum action_result r = meeting_load(d, req, req->params[0], ACCESS_VIEW, &m);

	if (r != ACTION_OK)
		meeting_action_fail(d, req, resp, r);
	else
		render_json(resp, 200, api_meeting(d, req, m));
}

void api_meeting_patch(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	struct jmb_meeting *m;
	struct jmb_booking_input in = {0};
	struct jmb_field_errors errors;
	enum action_result r = meeting_load(d, req, req->params[0], ACCESS_OWNER, &m);

	if (r != ACTION_OK) {
		meeting_action_fail(d, req, resp, r);
		return;
	}
	json_t *type_errors;

	meeting_input_from(req->pool, m, NULL, &in);
	if (api_read_meeting_body(d, req, resp, m, &in, &type_errors) < 0)
		return;
	if (refused_for_types(d, req, resp, &in, m, type_errors))
		return;
	r = meeting_update(d, req, &in, &m, &errors);
	if (r == ACTION_INVALID)
		api_fail_fields(d, req, resp, json_object(), &errors);
	else if (r != ACTION_OK)
		meeting_action_fail(d, req, resp, r);
	else
		render_json(resp, 200, api_meeting(d, req, m));
}

void api_meeting_delete(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	struct jmb_meeting *m;
	enum action_result r = meeting_load(d, req, req->params[0], ACCESS_OWNER, &m);

	if (r == ACTION_OK)
		r = meeting_delete(d, req, m);
	if (r != ACTION_OK)
		meeting_action_fail(d, req, resp, r);
	else
		resp->status = 204;
}
