/* View models of meetings for the HTML pages. */
#include "config.h"

#include <string.h>

#include "domain/recurrence.h"
#include "daemon.h"
#include "web/i18n.h"
#include "web/json-meeting.h"
#include "meeting-actions.h"
#include "util/memory.h"
#include "render.h"
#include "view-meeting.h"
#include "attendance.h"
#include "domain/recurrence.h"
#include "web/rrule-text.h"

static const char *role_label(const char *role)
{
	if (strcmp(role, "owner") == 0)
		return N_("Organiser");
	if (strcmp(role, "moderator") == 0)
		return N_("Moderator");
	return N_("Guest");
}

/* "Lobby · At most 12 participants · No recording", "" for none. */
static const char *room_notes(struct jmbd *d, struct jmb_request *req,
                              const struct jmb_room_options *o)
{
	const char *notes = "";

	if (o->lobby)
		notes = tr(d, req, N_("Lobby"));
	if (o->max_participants > 0)
		notes = jmb_pool_printf(req->pool, "%s%s%s", notes, *notes ? " · " : "",
		                        jmb_pool_printf(req->pool,
		                                        tr(d, req, N_("At most %ld participants")),
		                                        o->max_participants));
	if (o->recording_off)
		notes = jmb_pool_printf(req->pool, "%s%s%s", notes, *notes ? " · " : "",
		                        tr(d, req, N_("No recording")));
	return notes;
}

/* What the organiser can do for one invitee: see and copy their personal
   link, send their invitation again, take them off the meeting. */
static void add_attendee_actions(struct jmbd *d, struct jmb_request *req, json_t *o,
                                 const struct jmb_meeting *m, const struct jmb_attendee *a)
{
	const char *base = jmb_pool_printf(req->pool, "/meetings/%lld/attendees/%lld",
	                                   (long long)m->id, (long long)a->id);

	json_object_set_new(o, "id", json_integer((json_int_t)a->id));
	json_object_set_new(o, "link",
	                    json_sprintf("%s/j/%s", d->rt->settings.server.public_url, a->token));
	json_object_set_new(o, "link_label",
	                    json_string(jmb_pool_printf(
	                        req->pool, tr(d, req, N_("Personal link of %s")), a->mail)));
	json_object_set_new(o, "resend_url", json_sprintf("%s/resend", base));
	json_object_set_new(o, "remove_url", json_sprintf("%s/remove", base));
	json_object_set_new(
	    o, "remove_label",
	    json_string(jmb_pool_printf(req->pool, tr(d, req, N_("Remove: %s")), a->mail)));
	json_object_set_new(
	    o, "resend_label",
	    json_string(jmb_pool_printf(req->pool, tr(d, req, N_("Send again: %s")), a->mail)));
}

static void add_attendee_labels(struct jmbd *d, struct jmb_request *req, json_t *attendees,
                                const struct jmb_meeting *m, long counts[JMB_PARTSTAT_COUNT],
                                bool actions)
{
	for (size_t i = 0; i < m->n_attendees; i++) {
		const struct jmb_attendee *a = &m->attendees[i];
		json_t *o = json_array_get(attendees, i);

		counts[a->status]++;
		json_object_set_new(
		    o, "role_label",
		    json_string(
		        tr(d, req, a->role == JMB_ROLE_MODERATOR ? N_("Moderator") : N_("Guest"))));
		json_object_set_new(o, "status_label",
		                    json_string(tr(d, req, partstat_label(a->status))));
		json_object_set_new(o, "status_class", json_string(jmb_partstat_name(a->status)));
		if (actions)
			add_attendee_actions(d, req, o, m, a);
		if (a->delivery_failed != 0)
			json_object_set_new(
			    o, "undeliverable",
			    json_string(jmb_pool_printf(
			        req->pool, "%s %s", tr(d, req, N_("Not delivered:")),
			        a->delivery_error != NULL ? a->delivery_error : "")));
	}
}

/* "14:02–15:10 · 68 min", "in the room since 14:02", or "—" for someone who
 * did not come. */
static const char *attended_text(struct jmbd *d, struct jmb_request *req,
                                 const struct jmb_attendance_entry *e, const char *zone)
{
	if (e->first_join == 0)
		return "—";
	if (e->present)
		return jmb_pool_printf(req->pool, tr(d, req, N_("in the room since %s")),
		                       format_clock(req, e->first_join, zone));
	return jmb_pool_printf(req->pool, "%s–%s · %s", format_clock(req, e->first_join, zone),
	                       format_clock(req, e->last_leave, zone),
	                       format_duration(d, req, (e->seconds + 59) / 60));
}

/* The organiser's view of who came, once the room may have been used. */
static void add_attendance(struct jmbd *d, struct jmb_request *req, json_t *o,
                           const struct jmb_meeting *m, const char *zone)
{
	json_t *attendees = json_object_get(o, "attendees");
	struct jmb_attendance a;

	if (jmbd_now() < m->start - d->rt->settings.booking.link_opens_before * 60 ||
	    meeting_attendance(d, req->pool, m, &a) < 0)
		return;
	json_object_set_new(o, "attendance", json_true());
	json_object_set_new(o, "owner_attended",
	                    json_string(attended_text(d, req, &a.entries[0], zone)));
	for (size_t i = 1; i < a.n; i++)
		json_object_set_new(json_array_get(attendees, i - 1), "attended",
		                    json_string(attended_text(d, req, &a.entries[i], zone)));
	if (a.unknown > 0)
		json_object_set_new(
		    o, "unknown_text",
		    json_string(jmb_pool_printf(
		        req->pool, tr(d, req, N_("%ld more people came without a personal link.")),
		        a.unknown)));
	json_object_set_new(o, "attendance_csv",
	                    json_sprintf("/meetings/%lld/attendance.csv", (long long)m->id));
}

/* When the viewer's way in opens: /start/ from start_early before the start
 * for the organiser and moderators who log in, the personal link from
 * link_opens_before for guests. */
static void add_join(struct jmbd *d, struct jmb_request *req, json_t *o,
                     const struct jmb_meeting *m, const struct jmb_attendee *mine, const char *role,
                     const char *zone)
{
	const struct jmb_settings *s = &d->rt->settings;
	bool by_link = mine != NULL && mine->role == JMB_ROLE_GUEST;
	time_t opens =
	    m->start - (by_link ? s->booking.link_opens_before : s->jitsi.start_early) * 60;

	if (role == NULL)
		return;
	json_object_set_new(o, "can_join", json_boolean(jmbd_now() >= opens));
	json_object_set_new(
	    o, "join_opens",
	    json_string(jmb_pool_printf(req->pool, tr(d, req, N_("The room opens on %s.")),
	                                format_datetime(d, req, opens, zone))));
}

json_t *view_meeting(struct jmbd *d, struct jmb_request *req, struct jmb_meeting *m)
{
	const struct jmb_booking_settings *b = &d->rt->settings.booking;
	const char *zone = viewer_zone(d, req);
	const struct jmb_attendee *mine = NULL;
	const char *role = meeting_role_of(req, m, &mine);
	bool is_owner = role != NULL && strcmp(role, "owner") == 0;
	json_t *o;
	long counts[JMB_PARTSTAT_COUNT] = {0};
	time_t now = jmbd_now();
	long lead = (is_owner ? b->highlight_owner : b->highlight_invitee) * 60;
	/* A series is shown at its next occurrence, and is over after its last. */
	const struct jmb_meeting *at = jmb_meeting_current(req->pool, m, now);

	meeting_fill_live(d, m);
	o = jmb_meeting_to_json(m, NULL, now);
	add_attendee_labels(d, req, json_object_get(o, "attendees"), m, counts,
	                    is_owner && now < m->last_end);
	json_object_set_new(o, "when", json_string(format_datetime(d, req, at->start, zone)));
	json_object_set_new(o, "until", json_string(format_clock(req, at->end, zone)));
	json_object_set_new(o, "duration_text", json_string(format_duration(d, req, at->duration)));
	if (strcmp(m->timezone, zone) != 0)
		json_object_set_new(
		    o, "local_when",
		    json_string(jmb_pool_printf(req->pool, "%s (%s)",
		                                format_datetime(d, req, at->start, m->timezone),
		                                m->timezone)));
	json_object_set_new(o, "role", json_string(role != NULL ? role : ""));
	json_object_set_new(o, "role_label",
	                    json_string(tr(d, req, role_label(role != NULL ? role : ""))));
	json_object_set_new(o, "is_owner", json_boolean(is_owner));
	json_object_set_new(o, "invitees", json_integer((json_int_t)m->n_attendees));
	json_object_set_new(o, "accepted", json_integer(counts[JMB_PARTSTAT_ACCEPTED]));
	json_object_set_new(o, "declined", json_integer(counts[JMB_PARTSTAT_DECLINED]));
	json_object_set_new(o, "tentative", json_integer(counts[JMB_PARTSTAT_TENTATIVE]));
	json_object_set_new(o, "pending", json_integer(counts[JMB_PARTSTAT_NEEDS_ACTION]));
	json_object_set_new(o, "soon", json_boolean(now >= at->start - lead && now < at->end));
	if (m->live_participants > 0)
		json_object_set_new(
		    o, "live_text",
		    json_string(jmb_pool_printf(
		        req->pool, tr(d, req, N_("In progress · %ld participants since %s")),
		        m->live_participants, format_clock(req, m->live_since, zone))));
	json_object_set_new(o, "past", json_boolean(now >= m->last_end));
	/* A meeting that is over is history: no edit, no delete. */
	json_object_set_new(o, "editable", json_boolean(is_owner && now < m->last_end));
	json_object_set_new(o, "url", json_sprintf("/meetings/%lld", (long long)m->id));
	json_object_set_new(o, "calendar_url",
	                    json_sprintf("/meetings/%lld.ics", (long long)m->id));
	/* Owners and moderators who log in start the room; guests use their link. */
	if (mine != NULL && mine->role == JMB_ROLE_GUEST)
		json_object_set_new(o, "start_url", json_sprintf("/j/%s", mine->token));
	else
		json_object_set_new(o, "start_url", json_sprintf("/start/%s", m->room));
	add_join(d, req, o, at, mine, role, zone);
	json_object_set_new(o, "edit_url", json_sprintf("/meetings/%lld/edit", (long long)m->id));
	json_object_set_new(o, "delete_url",
	                    json_sprintf("/meetings/%lld/delete", (long long)m->id));
	if (mine != NULL) {
		json_object_set_new(o, "my_status",
		                    json_string(tr(d, req, partstat_label(mine->status))));
		/* A logged-in invitee answers here as on their invitation page. */
		json_object_set_new(o, "can_answer", json_boolean(now < m->last_end));
		json_object_set_new(o, "answer_url",
		                    json_sprintf("/meetings/%lld/answer", (long long)m->id));
		json_object_set_new(o, "my_accepted",
		                    json_boolean(mine->status == JMB_PARTSTAT_ACCEPTED));
		json_object_set_new(o, "my_declined",
		                    json_boolean(mine->status == JMB_PARTSTAT_DECLINED));
		json_object_set_new(o, "my_tentative",
		                    json_boolean(mine->status == JMB_PARTSTAT_TENTATIVE));
	}
	json_object_set_new(o, "room_notes", json_string(room_notes(d, req, &m->options)));
	if (m->recurrence != NULL)
		json_object_set_new(
		    o, "rule_text",
		    json_string(jmb_rrule_describe(req->pool, d->rt->i18n, req->language,
		                                   m->recurrence, m->start, m->timezone)));
	if (is_owner)
		add_attendance(d, req, o, m, zone);
	return o;
}
