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
#include "web/rrule-text.h"
#include "zone-options.h"

/* Zones offered in the form; any other valid IANA zone a meeting has is added. */
/* The form as typed (or as stored, when editing). */
struct form_values {
	const char *title, *description, *date, *time, *timezone, *duration, *moderators, *guests;
	const char *max_participants; /* "" for none */
	bool lobby, recording_off;
	/* The repeat block: repeat is one of repeat_kinds' values. */
	const char *repeat, *repeat_interval, *repeat_end, *repeat_count, *repeat_until;
	const char *repeat_rule; /* "keep": the stored rule, of no shape of the form */
	unsigned repeat_days;    /* bit w: weekday w (0 = Sunday) ticked */
};

/* The choices of "How often", by enum jmb_rrule_kind; "keep" is offered
 * only for a stored rule the form cannot show. */
static const char *const repeat_kinds[] = {"none",        "daily",        "weekly", "monthly_day",
                                           "monthly_nth", "monthly_last", "yearly"};
static const char *const repeat_labels[] = {
    N_("Does not repeat"),
    N_("Daily"),
    N_("Weekly"),
    N_("Monthly, on the same date"),
    N_("Monthly, on the same weekday (nth: the 2nd Tuesday...)"),
    N_("Monthly, on the last weekday (the last Friday...)"),
    N_("Yearly")};

static enum jmb_rrule_kind repeat_kind(const char *value)
{
	for (size_t i = 0; value != NULL && i < sizeof repeat_kinds / sizeof *repeat_kinds; i++)
		if (strcmp(value, repeat_kinds[i]) == 0)
			return (enum jmb_rrule_kind)i;
	return JMB_REPEAT_NONE;
}

static bool whole_number(const char *text, long min, long max, long *n_r)
{
	char *end;
	long n;

	if (text == NULL || *text < '0' || *text > '9')
		return false;
	errno = 0;
	n = strtol(text, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		return false;
	*n_r = n;
	return true;
}

/* The first start as typed, 0 when the date, time or zone do not parse. */
static time_t typed_start(const struct form_values *v)
{
	struct jmb_local_time t = {0};
	time_t start;

	if (v->date == NULL || v->time == NULL || v->timezone == NULL ||
	    jmb_parse_date(v->date, &t) < 0 || jmb_parse_clock(v->time, &t) < 0 ||
	    !jmb_timezone_is_valid(v->timezone) || jmb_local_to_utc(&t, v->timezone, &start) != 0)
		return 0;
	return start;
}

/* The RRULE value the repeat block asks for ("" for none), or NULL with a
 * message in *problem_r for a block that says no rule. A weekly series
 * with no day ticked is on its start's weekday; a monthly one on the nth
 * or last weekday takes it from the date, as the rule must give the start. */
static const char *repeat_rule(struct jmb_pool *pool, const struct form_values *v,
                               const char **problem_r)
{
	enum jmb_rrule_kind kind = repeat_kind(v->repeat);
	struct jmb_local_time day = {0}, lt;
	bool dated = false;
	struct jmb_strbuf b = {0};
	long interval = 1, count = 0;
	const char *rule;

	*problem_r = NULL;
	if (v->repeat != NULL && strcmp(v->repeat, "keep") == 0)
		return v->repeat_rule != NULL ? v->repeat_rule : "";
	if (kind == JMB_REPEAT_NONE)
		return "";
	if (v->repeat_interval != NULL && *v->repeat_interval != '\0' &&
	    !whole_number(v->repeat_interval, 1, 999, &interval)) {
		*problem_r = N_("The repeat interval must be a whole number from 1 to 999.");
		return NULL;
	}
	if (v->repeat_end != NULL && strcmp(v->repeat_end, "until") == 0) {
		if (v->repeat_until == NULL || jmb_parse_date(v->repeat_until, &lt) < 0) {
			*problem_r = N_("Give the last day of the series as a date.");
			return NULL;
		}
	} else if (!whole_number(v->repeat_count, 1, 99999, &count)) {
		*problem_r = N_("Give the number of occurrences as a whole number.");
		return NULL;
	}
	if (v->date != NULL && jmb_parse_date(v->date, &day) == 0) {
		time_t noon;

		day.hour = 12;
		dated = jmb_local_to_utc(&day, "UTC", &noon) == 0 &&
		        jmb_utc_to_local(noon, "UTC", &day) == 0;
	}
	jmb_strbuf_printf(&b, "FREQ=%s",
	                  kind == JMB_REPEAT_DAILY    ? "DAILY"
	                  : kind == JMB_REPEAT_WEEKLY ? "WEEKLY"
	                  : kind == JMB_REPEAT_YEARLY ? "YEARLY"
	                                              : "MONTHLY");
	if (interval != 1)
		jmb_strbuf_printf(&b, ";INTERVAL=%ld", interval);
	if (count > 0)
		jmb_strbuf_printf(&b, ";COUNT=%ld", count);
	else
		jmb_strbuf_printf(&b, ";UNTIL=%04d%02d%02d", lt.year, lt.month, lt.day);
	if (kind == JMB_REPEAT_WEEKLY) {
		unsigned days = v->repeat_days;

		if (days == 0 && dated)
			days = 1u << day.weekday;
		for (int i = 1, first = 1; i <= 7; i++)
			if (days & (1u << (i % 7))) {
				jmb_strbuf_printf(&b, "%s%s", first ? ";BYDAY=" : ",",
				                  jmb_rrule_day_code(i % 7));
				first = 0;
			}
	} else if (kind == JMB_REPEAT_MONTHLY_DAY && dated) {
		jmb_strbuf_printf(&b, ";BYMONTHDAY=%d", day.day);
	} else if (kind == JMB_REPEAT_MONTHLY_NTH && dated) {
		jmb_strbuf_printf(&b, ";BYDAY=%d%s", (day.day - 1) / 7 + 1,
		                  jmb_rrule_day_code(day.weekday));
	} else if (kind == JMB_REPEAT_MONTHLY_LAST && dated) {
		jmb_strbuf_printf(&b, ";BYDAY=-1%s", jmb_rrule_day_code(day.weekday));
	}
	rule = jmb_pool_strdup(pool, b.data);
	jmb_strbuf_free(&b);
	return rule;
}

static void add_error(struct jmbd *d, struct jmb_request *req, struct jmb_field_errors *errors,
                      const char *field, const char *msgid)
{
	if (errors->count < sizeof errors->items / sizeof *errors->items)
		errors->items[errors->count++] =
		    (struct jmb_field_error){.field = field, .message = tr(d, req, msgid)};
}

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
	static const char *const fields[] = {
	    "title",  "description",      "date",      "time", "duration", "timezone", "moderators",
	    "guests", "max_participants", "recurrence"};

	for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
		if (strcmp(field, fields[i]) == 0)
			return true;
	return false;
}

/* The repeat block's choices, and the rule typed said in words (a refused
 * or checked form, an edited series) next to it. */
static void add_repeat_block(struct jmbd *d, struct jmb_request *req, json_t *model,
                             const struct form_values *v)
{
	json_t *form = json_object_get(model, "form"), *options = json_array(),
	       *days = json_array();
	bool keep = v->repeat != NULL && strcmp(v->repeat, "keep") == 0 && v->repeat_rule != NULL;
	const char *problem, *rule = repeat_rule(req->pool, v, &problem);
	time_t start = typed_start(v);

	for (size_t i = 0; i < sizeof repeat_kinds / sizeof *repeat_kinds; i++)
		json_array_append_new(options,
		                      json_pack("{s:s, s:s, s:b}", "value", repeat_kinds[i],
		                                "label", tr(d, req, repeat_labels[i]), "selected",
		                                !keep && repeat_kind(v->repeat) == i));
	if (keep)
		json_array_append_new(
		    options,
		    json_pack("{s:s, s:s, s:b}", "value", "keep", "label",
		              tr(d, req, N_("As it is now (a rule this form cannot show)")),
		              "selected", true));
	for (int i = 1; i <= 7; i++)
		json_array_append_new(
		    days, json_pack("{s:s, s:s, s:b}", "value", jmb_rrule_day_code(i % 7), "label",
		                    tr(d, req, jmb_weekday_names[i % 7]), "checked",
		                    (v->repeat_days & (1u << (i % 7))) != 0));
	json_object_set_new(model, "repeat_options", options);
	json_object_set_new(model, "repeat_days", days);
	json_object_set_new(form, "repeat_interval",
	                    json_string(v->repeat_interval ? v->repeat_interval : "1"));
	json_object_set_new(form, "repeat_count",
	                    json_string(v->repeat_count ? v->repeat_count : ""));
	json_object_set_new(form, "repeat_until",
	                    json_string(v->repeat_until ? v->repeat_until : ""));
	json_object_set_new(form, "repeat_rule", json_string(keep ? v->repeat_rule : ""));
	bool until = v->repeat_end != NULL && strcmp(v->repeat_end, "until") == 0;
	json_object_set_new(form, "end_count", json_boolean(!until));
	json_object_set_new(form, "end_until", json_boolean(until));
	if (rule != NULL && *rule != '\0' && start != 0) {
		json_t *described = json_object_get(model, "described");
		const char *error_id = json_string_value(json_object_get(described, "recurrence"));

		json_object_set_new(
		    model, "repeat_text",
		    json_string(jmb_rrule_describe(req->pool, d->rt->i18n, req->language, rule,
		                                   start, v->timezone)));
		json_object_set_new(
		    described, "recurrence",
		    json_string(error_id != NULL
		                    ? jmb_pool_printf(req->pool, "%s recurrence-text", error_id)
		                    : "recurrence-text"));
	}
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
	add_repeat_block(d, req, model, v);
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

/* The repeat block of a stored meeting: its rule's shape, or "keep" for a
 * rule the form cannot show (set through the API). */
static void values_from_rule(struct jmb_request *req, const struct jmb_meeting *m,
                             struct form_values *v)
{
	struct jmb_rrule_shape shape;
	struct jmb_local_time lt;

	v->repeat = "none";
	v->repeat_interval = "1";
	v->repeat_end = "count";
	v->repeat_count = "10";
	if (m->recurrence == NULL)
		return;
	if (!jmb_rrule_shape_parse(m->recurrence, m->start, m->timezone, &shape)) {
		v->repeat = "keep";
		v->repeat_rule = m->recurrence;
		return;
	}
	v->repeat = repeat_kinds[shape.kind];
	v->repeat_interval = jmb_pool_printf(req->pool, "%ld", shape.interval);
	if (shape.kind == JMB_REPEAT_WEEKLY)
		v->repeat_days = shape.days;
	if (shape.count > 0) {
		v->repeat_count = jmb_pool_printf(req->pool, "%ld", shape.count);
	} else {
		v->repeat_end = "until";
		jmb_utc_to_local(shape.until, m->timezone, &lt);
		v->repeat_until =
		    jmb_pool_printf(req->pool, "%04d-%02d-%02d", lt.year, lt.month, lt.day);
	}
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
	values_from_rule(req, m, v);
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
	v->repeat = jmb_request_form(req, "repeat");
	v->repeat_interval = jmb_request_form(req, "repeat_interval");
	v->repeat_end = jmb_request_form(req, "repeat_end");
	v->repeat_count = jmb_request_form(req, "repeat_count");
	v->repeat_until = jmb_request_form(req, "repeat_until");
	v->repeat_rule = jmb_request_form(req, "repeat_rule");
	v->repeat_days = 0;
	for (const char **day = jmb_pairs_get_all(req->pool, &req->form, "repeat_day");
	     day != NULL && *day != NULL; day++)
		for (int w = 0; w < 7; w++)
			if (strcmp(*day, jmb_rrule_day_code(w)) == 0)
				v->repeat_days |= 1u << w;
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

/* in from v; returns the repeat block's problem (a msgid), NULL when the
 * block gives a rule (or none) for the booking rules to check. */
static const char *input_from_values(struct jmb_pool *pool, const struct form_values *v,
                                     struct jmb_booking_input *in)
{
	const char *problem;

	memset(in, 0, sizeof(*in));
	in->recurrence = repeat_rule(pool, v, &problem);
	if (in->recurrence == NULL)
		in->recurrence = "";
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
	return problem;
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
	v.repeat_count = "10";
	render_form(d, req, resp, 200, NULL, &v, NULL);
}

/* A new meeting (m NULL) or a change of m, as typed. "Check" and a repeat
 * block that says no rule render the form again with every problem and the
 * rule in words, and store nothing. */
static void submit_form(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp,
                        struct jmb_meeting *m)
{
	struct form_values v = {0};
	struct jmb_booking_input in;
	struct jmb_field_errors errors = {0};
	enum action_result r;
	const char *problem;

	values_from_form(req, &v);
	problem = input_from_values(req->pool, &v, &in);
	if (problem != NULL || jmb_request_form(req, "check") != NULL) {
		meeting_check(d, req, &in, m, &errors);
		if (problem != NULL)
			add_error(d, req, &errors, "recurrence", problem);
		render_form(d, req, resp, errors.count > 0 ? 422 : 200, m, &v, &errors);
		return;
	}
	if (m == NULL)
		r = meeting_create(d, req, &in, &m, &errors);
	else
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

void page_meeting_create(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	submit_form(d, req, resp, NULL);
}

void page_meeting_edit(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	struct jmb_meeting *m;
	struct form_values v = {0};
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
	enum action_result r = meeting_load(d, req, req->params[0], ACCESS_OWNER, &m);

	if (r != ACTION_OK) {
		meeting_action_fail(d, req, resp, r);
		return;
	}
	submit_form(d, req, resp, m);
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
