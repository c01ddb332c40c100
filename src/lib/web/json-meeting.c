/* The JSON form of meetings. Field names are a contract with integration tooling. */
#include "config.h"

#include "web/json-meeting.h"
#include "domain/recurrence.h"
#include "util/timeutil.h"

static json_t *attendee_to_json(const struct jmb_attendee *a, const char *link_base)
{
	json_t *o =
	    json_pack("{s:s, s:s, s:s, s:I}", "mail", a->mail, "role", jmb_role_name(a->role),
	              "status", jmb_partstat_name(a->status), "joins", (json_int_t)a->joins);

	if (a->name != NULL && *a->name != '\0')
		json_object_set_new(o, "name", json_string(a->name));
	if (link_base != NULL && a->token != NULL)
		json_object_set_new(o, "link", json_sprintf("%s/j/%s", link_base, a->token));
	/* The organiser's view (the one with links): a bounce since the last answer. */
	if (link_base != NULL && a->delivery_failed != 0) {
		char at[40];
		jmb_format_rfc3339(a->delivery_failed, "UTC", at, sizeof(at));
		json_object_set_new(o, "delivery", json_string("failed"));
		json_object_set_new(
		    o, "delivery_error",
		    json_string(a->delivery_error != NULL ? a->delivery_error : ""));
		json_object_set_new(o, "delivery_failed_at", json_string(at));
	}
	/* The organiser's view: occurrence answers that differ from the series'. */
	if (link_base != NULL && a->n_answers > 0) {
		json_t *answers = json_array();

		for (size_t i = 0; i < a->n_answers; i++) {
			char id[40];

			if (a->answers[i].status == a->status)
				continue;
			jmb_format_rfc3339(a->answers[i].recurrence_id, "UTC", id, sizeof(id));
			json_array_append_new(answers,
			                      json_pack("{s:s, s:s}", "recurrence_id", id, "status",
			                                jmb_partstat_name(a->answers[i].status)));
		}
		json_object_set_new(o, "answers", answers);
	}
	return o;
}

/* {"lobby", "max_participants" (null: none), "recording"}. */
static json_t *room_options_to_json(const struct jmb_room_options *o)
{
	return json_pack("{s:b, s:o, s:b}", "lobby", o->lobby, "max_participants",
	                 o->max_participants > 0 ? json_integer(o->max_participants) : json_null(),
	                 "recording", !o->recording_off);
}

json_t *jmb_occurrence_to_json(const struct jmb_meeting *m, const struct jmb_occurrence *occ)
{
	char id[40], start[40], end[40];

	jmb_format_rfc3339(occ->recurrence_id, "UTC", id, sizeof(id));
	jmb_format_rfc3339(occ->start, m->timezone, start, sizeof(start));
	jmb_format_rfc3339(occ->end, m->timezone, end, sizeof(end));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "recurrence_id", id, "start", start,
	                 "end", end, "title", occ->title, "description",
	                 occ->description != NULL ? occ->description : "", "status",
	                 occ->cancelled ? "cancelled" : "confirmed", "overridden", occ->overridden);
}

json_t *jmb_meeting_to_json(const struct jmb_meeting *m, const char *link_base, time_t now)
{
	struct jmb_occurrence next;
	char start[40], end[40];
	json_t *attendees = json_array(), *o;

	jmb_format_rfc3339(m->start, m->timezone, start, sizeof(start));
	jmb_format_rfc3339(m->end, m->timezone, end, sizeof(end));
	for (size_t i = 0; i < m->n_attendees; i++)
		json_array_append_new(attendees, attendee_to_json(&m->attendees[i], link_base));
	o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:{s:s?, s:s, s:s}, s:o}", "id",
	              (json_int_t)m->id, "room", m->room, "title", m->title, "description",
	              m->description != NULL ? m->description : "", "start", start, "end", end,
	              "duration", (json_int_t)m->duration, "timezone", m->timezone, "owner",
	              "login", m->owner.login, "mail", m->owner.mail != NULL ? m->owner.mail : "",
	              "name", m->owner.name != NULL ? m->owner.name : "", "attendees", attendees);
	json_object_set_new(o, "room_options", room_options_to_json(&m->options));
	json_object_set_new(o, "recurrence",
	                    m->recurrence != NULL ? json_string(m->recurrence) : json_null());
	if (jmb_meeting_next(m, now, &next)) {
		json_t *occ = jmb_occurrence_to_json(m, &next);

		json_object_set_new(o, "next",
		                    json_pack("{s:O, s:O, s:O}", "start", json_object_get(occ, "start"),
		                              "end", json_object_get(occ, "end"), "recurrence_id",
		                              json_object_get(occ, "recurrence_id")));
		json_decref(occ);
	} else {
		json_object_set_new(o, "next", json_null());
	}
	if (m->live_participants > 0) {
		char since[40];

		jmb_format_rfc3339(m->live_since, m->timezone, since, sizeof(since));
		json_object_set_new(o, "live",
		                    json_pack("{s:I, s:s}", "participants",
		                              (json_int_t)m->live_participants, "since", since));
	} else {
		json_object_set_new(o, "live", json_null());
	}
	return o;
}
