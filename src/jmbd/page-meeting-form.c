/* The meeting form: new, edit, save, delete. Invalid input comes back with
 * what was typed and one message per field (HTTP 422); nothing is stored. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "handlers.h"
#include "domain/mailaddr.h"
#include "meeting-actions.h"
#include "util/memory.h"
#include "render.h"
#include "util/strbuf.h"
#include "util/timeutil.h"
#include "zone-options.h"

/* Zones offered in the form; any other valid IANA zone a meeting has is added. */
/* The form as typed (or as stored, when editing). */
struct form_values {
	const char *title, *description, *date, *time, *timezone, *duration, *moderators, *guests;
	const char *max_participants; /* "" for none */
	bool lobby, recording_off;
};

static json_t *duration_options(struct jmbd *d, struct jmb_request *req, const char *selected)
{
	const struct jmb_booking_settings *b = &d->rt->settings.booking;
	json_t *list = json_array();

	for (long v = b->min_duration; v <= b->max_duration; v += b->step_duration) {
		char value[24];
		snprintf(value, sizeof(value), "%ld", v);
		json_array_append_new(list,
		                      json_pack("{s:s, s:s, s:b}", "value", value, "label",
		                                format_duration(d, req, v), "selected",
		                                selected != NULL && strcmp(selected, value) == 0));
	}
	return list;
}

/* The fields of the form that show their own message (ids in meeting-form.xhtml). */
static bool is_form_field(const char *field)
{
	static const char *const fields[] = {"title",      "description", "date",
	                                     "time",       "duration",    "timezone",
	                                     "moderators", "guests",      "max_participants"};

	for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
		if (strcmp(field, fields[i]) == 0)
			return true;
	return false;
}

static void render_form(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp,
                        unsigned status, const struct jmb_meeting *m, const struct form_values *v,
                        const struct jmb_field_errors *errors)
{
	json_t *errs = json_object(), *list = json_array();
	json_t *invalid = json_object(), *described = json_object();
	const struct jmb_booking_settings *b = &d->rt->settings.booking;

	/* A field with an error gets aria-invalid and aria-describedby naming its
	 * message, and the summary links to it; errors of no field of this form
	 * stay in the summary alone. */
	for (size_t i = 0; errors != NULL && i < errors->count; i++) {
		const char *field = errors->items[i].field;
		json_t *item =
		    json_pack("{s:s, s:s}", "field", field, "message", errors->items[i].message);

		json_t *before = json_object_get(errs, field);
		/* A field's problems are said together next to it. */
		json_object_set_new(
		    errs, field,
		    json_string(before == NULL
		                    ? errors->items[i].message
		                    : jmb_pool_printf(req->pool, "%s %s", json_string_value(before),
		                                      errors->items[i].message)));
		if (is_form_field(field)) {
			json_object_set_new(invalid, field, json_string("true"));
			json_object_set_new(
			    described, field,
			    json_string(jmb_pool_printf(req->pool, "%s-error", field)));
			json_object_set_new(item, "href",
			                    json_string(jmb_pool_printf(req->pool, "#%s", field)));
		}
		json_array_append_new(list, item);
	}
	json_t *model = json_pack(
	    "{s:b, s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s}, s:o, s:o, s:o, s:o, s:I, s:I}",
	    "is_edit", m != NULL, "action",
	    m != NULL ? jmb_pool_printf(req->pool, "/meetings/%lld", (long long)m->id)
	              : "/meetings",
	    "cancel_url",
	    m != NULL ? jmb_pool_printf(req->pool, "/meetings/%lld", (long long)m->id)
	              : "/meetings",
	    "form", "title", v->title ? v->title : "", "description",
	    v->description ? v->description : "", "date", v->date ? v->date : "", "time",
	    v->time ? v->time : "", "moderators", v->moderators ? v->moderators : "", "guests",
	    v->guests ? v->guests : "", "durations", duration_options(d, req, v->duration),
	    "zone_groups", zone_groups(d, req, v->timezone), "errors", errs, "error_list", list,
	    "max_moderators", (json_int_t)b->max_moderators, "max_guests",
	    (json_int_t)b->max_guests);
	json_object_set_new(model, "invalid", invalid);
	json_object_set_new(model, "described", described);
	/* Focus starts on the first field, or on the error summary after a refusal. */
	json_object_set_new(model, "focus_first", json_boolean(json_array_size(list) == 0));
	json_t *form = json_object_get(model, "form");
	json_object_set_new(form, "lobby", json_boolean(v->lobby));
	json_object_set_new(form, "recording_off", json_boolean(v->recording_off));
	json_object_set_new(form, "max_participants",
	                    json_string(v->max_participants ? v->max_participants : ""));
	json_object_set_new(model, "max_participants",
	                    json_integer(d->rt->settings.jitsi.max_participants));
	render_page(d, req, resp, status, "meeting-form", model);
}

static char *join_invitees(struct jmb_pool *pool, const struct jmb_meeting *m, enum jmb_role role)
{
	struct jmb_strbuf sb = {0};
	char *out;

	for (size_t i = 0; i < m->n_attendees; i++) {
		if (m->attendees[i].role != role)
			continue;
		if (sb.len > 0)
			jmb_strbuf_putc(&sb, '\n');
		jmb_strbuf_puts(&sb, m->attendees[i].mail);
	}
	out = jmb_pool_strdup(pool, sb.data != NULL ? sb.data : "");
	jmb_strbuf_free(&sb);
	return out;
}

static void values_from_meeting(struct jmb_request *req, const struct jmb_meeting *m,
                                struct form_values *v)
{
	struct jmb_local_time lt;

	jmb_utc_to_local(m->start, m->timezone, &lt);
	v->title = m->title;
	v->description = m->description;
	v->date = jmb_pool_printf(req->pool, "%04d-%02d-%02d", lt.year, lt.month, lt.day);
	v->time = jmb_pool_printf(req->pool, "%02d:%02d", lt.hour, lt.minute);
	v->timezone = m->timezone;
	v->duration = jmb_pool_printf(req->pool, "%ld", m->duration);
	v->moderators = join_invitees(req->pool, m, JMB_ROLE_MODERATOR);
	v->guests = join_invitees(req->pool, m, JMB_ROLE_GUEST);
	v->lobby = m->options.lobby;
	v->recording_off = m->options.recording_off;
	v->max_participants = m->options.max_participants > 0
	                          ? jmb_pool_printf(req->pool, "%ld", m->options.max_participants)
	                          : "";
}

static void values_from_form(const struct jmb_request *req, struct form_values *v)
{
	v->title = jmb_request_form(req, "title");
	v->description = jmb_request_form(req, "description");
	v->date = jmb_request_form(req, "date");
	v->time = jmb_request_form(req, "time");
	v->timezone = jmb_request_form(req, "timezone");
	v->duration = jmb_request_form(req, "duration");
	v->moderators = jmb_request_form(req, "moderators");
	v->guests = jmb_request_form(req, "guests");
	v->max_participants = jmb_request_form(req, "max_participants");
	/* Checkboxes: present when ticked. */
	v->lobby = jmb_request_form(req, "lobby") != NULL;
	v->recording_off = jmb_request_form(req, "recording_off") != NULL;
}

/* The typed participant limit: 0 for none, -1 (refused by the booking rules)
 * for anything but a whole number. */
static long participant_limit(const char *text)
{
	char *end;
	long n;

	if (text == NULL || *text == '\0')
		return 0;
	errno = 0;
	n = strtol(text, &end, 10);
	return errno == 0 && *end == '\0' && n >= 0 ? n : -1;
}

static void input_from_values(struct jmb_pool *pool, const struct form_values *v,
                              struct jmb_booking_input *in)
{
	memset(in, 0, sizeof(*in));
	in->title = v->title;
	in->description = v->description;
	in->date = v->date;
	in->time = v->time;
	in->timezone = v->timezone;
	in->duration = v->duration;
	in->moderators = (const char *const *)jmb_mail_split_list(
	    pool, v->moderators ? v->moderators : "", NULL);
	in->guests =
	    (const char *const *)jmb_mail_split_list(pool, v->guests ? v->guests : "", NULL);
	in->options.lobby = v->lobby;
	in->options.recording_off = v->recording_off;
	in->options.max_participants = participant_limit(v->max_participants);
}

void page_meeting_new(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	const char *zone = viewer_zone(d, req);
	struct form_values v = {0};
	struct jmb_local_time lt;

	/* Suggest the next full hour today. */
	jmb_utc_to_local(jmbd_now() + 3600, zone, &lt);
	v.date = jmb_pool_printf(req->pool, "%04d-%02d-%02d", lt.year, lt.month, lt.day);
	v.time = jmb_pool_printf(req->pool, "%02d:00", lt.hour);
	v.timezone = zone;
	v.duration = jmb_pool_printf(req->pool, "%ld", d->rt->settings.booking.default_duration);
	render_form(d, req, resp, 200, NULL, &v, NULL);
}

void page_meeting_create(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	struct form_values v;
	struct jmb_booking_input in;
	struct jmb_field_errors errors;
	struct jmb_meeting *m = NULL;
	enum action_result r;

	values_from_form(req, &v);
	input_from_values(req->pool, &v, &in);
	r = meeting_create(d, req, &in, &m, &errors);
	if (r == ACTION_INVALID)
		render_form(d, req, resp, 422, NULL, &v, &errors);
	else if (r != ACTION_OK)
		meeting_action_fail(d, req, resp, r);
	else
		jmb_response_redirect(
		    resp, 303,
		    jmb_pool_printf(req->pool, "/meetings/%lld?saved=1", (long long)m->id));
}

void page_meeting_edit(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	struct jmb_meeting *m;
	struct form_values v;
	enum action_result r = meeting_load(d, req, req->params[0], ACCESS_OWNER, &m);

	if (r != ACTION_OK) {
		meeting_action_fail(d, req, resp, r);
		return;
	}
	values_from_meeting(req, m, &v);
	render_form(d, req, resp, 200, m, &v, NULL);
}

void page_meeting_save(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	struct jmb_meeting *m;
	struct form_values v;
	struct jmb_booking_input in;
	struct jmb_field_errors errors;
	enum action_result r = meeting_load(d, req, req->params[0], ACCESS_OWNER, &m);

	if (r != ACTION_OK) {
		meeting_action_fail(d, req, resp, r);
		return;
	}
	values_from_form(req, &v);
	input_from_values(req->pool, &v, &in);
	r = meeting_update(d, req, &in, &m, &errors);
	if (r == ACTION_INVALID)
		render_form(d, req, resp, 422, m, &v, &errors);
	else if (r != ACTION_OK)
		meeting_action_fail(d, req, resp, r);
	else
		jmb_response_redirect(
		    resp, 303,
		    jmb_pool_printf(req->pool, "/meetings/%lld?saved=1", (long long)m->id));
}

void page_meeting_delete_confirm(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	struct jmb_meeting *m;
	enum action_result r = meeting_load(d, req, req->params[0], ACCESS_OWNER, &m);

	if (r != ACTION_OK) {
		meeting_action_fail(d, req, resp, r);
		return;
	}
	render_page(d, req, resp, 200, "meeting-delete",
	            json_pack("{s:{s:s, s:s, s:s, s:I}}", "meeting", "title", m->title, "when",
	                      format_datetime(d, req, m->start, viewer_zone(d, req)), "action",
	                      jmb_pool_printf(req->pool, "/meetings/%lld/delete", (long long)m->id),
	                      "invitees", (json_int_t)m->n_attendees));
}

void page_meeting_delete(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	struct jmb_meeting *m;
	enum action_result r = meeting_load(d, req, req->params[0], ACCESS_OWNER, &m);

	if (r == ACTION_OK)
		r = meeting_delete(d, req, m);
	if (r != ACTION_OK)
		meeting_action_fail(d, req, resp, r);
	else
		jmb_response_redirect(resp, 303, "/meetings?deleted=1");
}
