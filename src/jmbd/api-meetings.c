/* JSON API v1 for meetings. Field names are a contract with integration
 * tooling: see doc/api.md. */
#include "config.h"

#include <string.h>

#include "daemon.h"
#include "handlers.h"
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
	return jmb_meeting_to_json(m, owner ? d->rt->settings.server.public_url : NULL);
}

static void fail_fields(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp,
                        const struct jmb_field_errors *errors)
{
	json_t *fields = json_object();

	for (size_t i = 0; i < errors->count; i++)
		json_object_set_new(fields, errors->items[i].field,
		                    json_string(errors->items[i].message));
	render_json_error(resp, 422, tr(d, req, N_("Some fields are not valid.")), fields);
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

static const char *string_field(json_t *body, const char *field, json_t *type_errors,
                                struct jmbd *d, struct jmb_request *req)
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
 * Returns 0, or -1 after answering 400/422. */
static int read_body(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp,
                     const struct jmb_meeting *base, struct jmb_booking_input *in)
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
	if ((s = string_field(body, "title", type_errors, d, req)) != NULL || base == NULL)
		in->title = s;
	if ((s = string_field(body, "description", type_errors, d, req)) != NULL)
		in->description = s;
	if ((s = string_field(body, "timezone", type_errors, d, req)) != NULL)
		in->timezone = s;
	if ((s = string_field(body, "start", type_errors, d, req)) != NULL) {
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
	if ((v = json_object_get(body, "room_options")) != NULL) {
		if (json_is_object(v))
			read_room_options(v, &in->options, type_errors, d, req);
		else if (!json_is_null(v))
			json_object_set_new(type_errors, "room_options",
			                    json_string(tr(d, req, N_("Expected an object."))));
	}
	if (json_object_size(type_errors) > 0) {
		render_json_error(resp, 422, tr(d, req, N_("Some fields are not valid.")),
		                  type_errors);
		return -1;
	}
	json_decref(type_errors);
	return 0;
}

static const char *const *invitees_of(struct jmb_pool *pool, const struct jmb_meeting *m,
                                      enum jmb_role role)
{
	const char **out = jmb_pool_calloc(pool, m->n_attendees + 1, sizeof(char *));
	size_t n = 0;

	for (size_t i = 0; i < m->n_attendees; i++) {
		if (m->attendees[i].role == role)
			out[n++] = m->attendees[i].mail;
	}
	return out;
}

void api_meetings_list(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	const char *archive = jmb_request_query(req, "archive");
	struct jmb_meeting_list list;
	enum action_result r =
	    meeting_list(d, req, archive != NULL && strcmp(archive, "1") == 0, &list);
	json_t *items;

	if (r != ACTION_OK) {
		meeting_action_fail(d, req, resp, r);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < list.count; i++)
		json_array_append_new(items, api_meeting(d, req, list.items[i]));
	render_json(resp, 200, json_pack("{s:o}", "meetings", items));
}

void api_meetings_create(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	struct jmb_booking_input in = {0};
	struct jmb_field_errors errors;
	struct jmb_meeting *m = NULL;
	enum action_result r;

	if (read_body(d, req, resp, NULL, &in) < 0)
		return;
	if (in.duration == NULL)
		in.duration =
		    jmb_pool_printf(req->pool, "%ld", d->rt->settings.booking.default_duration);
	r = meeting_create(d, req, &in, &m, &errors);
	if (r == ACTION_INVALID)
		fail_fields(d, req, resp, &errors);
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
	in.title = m->title;
	in.description = m->description;
	in.has_start_utc = true;
	in.start_utc = m->start;
	in.timezone = m->timezone;
	in.duration = jmb_pool_printf(req->pool, "%ld", m->duration);
	in.moderators = invitees_of(req->pool, m, JMB_ROLE_MODERATOR);
	in.guests = invitees_of(req->pool, m, JMB_ROLE_GUEST);
	in.options = m->options;
	if (read_body(d, req, resp, m, &in) < 0)
		return;
	r = meeting_update(d, req, &in, &m, &errors);
	if (r == ACTION_INVALID)
		fail_fields(d, req, resp, &errors);
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
