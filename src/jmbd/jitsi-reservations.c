/* jmb as the reservation backend of Prosody's mod_reservations: when the
 * first person enters a room that does not exist yet, Prosody asks
 * POST <prefix>/conference whether it may be created and for how long, and
 * destroys it when that time runs out; DELETE <prefix>/conference/<id> when
 * the room is gone, GET <prefix>/conference/<id> after a 409. The contract
 * (form fields, Java-style dates, the JSON answered, {"message"} on refusal)
 * is the one Jitsi documents for Jicofo's reservation system. Prosody
 * authenticates with a bearer token; the endpoints exist only when
 * [jitsi] prosody_token is set. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "domain/recurrence.h"
#include "daemon.h"
#include "domain/room.h"
#include "handlers.h"
#include "prosody.h"
#include "metrics.h"
#include "render.h"
#include "util/log.h"
#include "util/memory.h"
#include "util/secret.h"
#include "util/timeutil.h"

/* 2048-04-20T17:55:12.000Z, as Java's SimpleDateFormat writes it. */
static char *java_date(struct jmb_pool *pool, time_t t)
{
	struct jmb_local_time lt;

	jmb_utc_to_local(t, "UTC", &lt);
	return jmb_pool_printf(pool, "%04d-%02d-%02dT%02d:%02d:%02d.000Z", lt.year, lt.month,
	                       lt.day, lt.hour, lt.minute, lt.second);
}

static void answer_reservation(struct jmb_request *req, struct jmb_response *resp,
                               const struct jmb_reservation *res)
{
	long duration = (long)(res->expires - res->start);
	json_t *body =
	    json_pack("{s:I, s:s, s:s, s:s, s:I}", "id", (json_int_t)res->id, "name", res->name,
	              "mail_owner", res->mail_owner, "start_time", java_date(req->pool, res->start),
	              "duration", (json_int_t)(duration > 0 ? duration : 0));

	/* Read by reservations_enable_max_occupants / _lobby_support. */
	if (res->max_occupants > 0)
		json_object_set_new(body, "max_occupants", json_integer(res->max_occupants));
	if (res->lobby)
		json_object_set_new(body, "lobby", json_true());
	render_json(resp, 200, body);
}

/* "This room is booked for Tuesday 1 December 2026, 14:00–15:30 (Europe/Paris)." */
static const char *booked_for(struct jmbd *d, struct jmb_request *req, const struct jmb_meeting *m)
{
	return jmb_pool_printf(req->pool, tr(d, req, N_("This room is booked for %s–%s (%s).")),
	                       format_datetime(d, req, m->start, m->timezone),
	                       format_clock(req, m->end, m->timezone), m->timezone);
}

/* Whether the room may exist now, and until when; the message why not. */
static const char *room_verdict(struct jmbd *d, struct jmb_request *req, const char *room,
                                time_t now, struct jmb_reservation *res, bool *unavailable_r)
{
	const struct jmb_settings *s = &d->rt->settings;
	struct jmb_meeting *m = NULL;
	struct jmb_room_window w;
	struct jmb_error error;
	bool user = false;
	enum jmb_store_result r = jmb_store_meeting_by_room(
	    d->store, req->pool, room, jmbd_now() - d->rt->settings.jitsi.room_grace * 60, &m,
	    &error);

	if (r == JMB_STORE_OK) {
		/* A series: the occurrence whose room is open, or opens next. */
		m = (struct jmb_meeting *)jmb_meeting_current(req->pool, m,
		                                              now - s->jitsi.room_grace * 60);
		w = jmb_room_window(m, now, s->booking.link_opens_before, s->jitsi.start_early,
		                    s->jitsi.room_grace);
		res->meeting_id = (long long)m->id;
		res->expires = w.closes;
		res->max_occupants = m->options.max_participants;
		res->lobby = m->options.lobby;
		switch (jmb_room_state(&w, now)) {
		case JMB_ROOM_OPEN:
			return NULL;
		case JMB_ROOM_NOT_YET:
			return booked_for(d, req, m);
		case JMB_ROOM_OVER:
			return tr(d, req, N_("This meeting is over."));
		}
	}
	if (r == JMB_STORE_NOT_FOUND && s->jitsi.private_rooms)
		r = jmb_store_user_exists(d->store, room, &user, &error);
	if (r != JMB_STORE_OK && r != JMB_STORE_NOT_FOUND) {
		jmb_log(JMB_LOG_ERROR, "reservation_lookup", "error", error.text, NULL);
		metrics_count(METRICS_STORE_ERROR);
		*unavailable_r = true;
		return tr(d, req, N_("The booking service is unavailable; please try again."));
	}
	res->meeting_id = 0;
	res->expires = now + s->jitsi.open_room_hours * 3600;
	if (user || s->jitsi.allow_adhoc_rooms)
		return NULL;
	return tr(d, req, N_("This room is not booked."));
}

void jitsi_reservation_create(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	const char *name = jmb_request_form(req, "name");
	const char *start_text = jmb_request_form(req, "start_time");
	const char *owner = jmb_request_form(req, "mail_owner");
	struct jmb_reservation res = {0};
	bool unavailable = false;
	struct jmb_error error;
	const char *refusal;
	char *room;

	if (!prosody_may_call(d, req, resp))
		return;
	if (req->form_invalid || name == NULL || start_text == NULL ||
	    jmb_parse_rfc3339(start_text, &res.start) < 0 || strlen(name) > 200 ||
	    (owner != NULL && strlen(owner) > 320)) {
		prosody_answer(resp, 400,
		               "Expected the form fields name, start_time and mail_owner.");
		return;
	}
	if ((room = jmb_room_from_prosody(req->pool, d->rt->settings.jitsi.tenant, name)) == NULL) {
		prosody_answer(resp, 403, tr(d, req, N_("This room is not booked.")));
		return;
	}
	refusal = room_verdict(d, req, room, jmbd_now(), &res, &unavailable);
	jmb_response_log(resp, "room", room);
	if (refusal != NULL) {
		jmb_response_log(resp, "as", "refused");
		prosody_answer(resp, unavailable ? 503 : 403, refusal);
		return;
	}
	res.name = name;
	res.mail_owner = owner != NULL ? owner : "";
	if (jmb_store_reservation_put(d->store, &res, jmbd_now(), &error) != JMB_STORE_OK) {
		jmb_log(JMB_LOG_ERROR, "reservation_put", "error", error.text, NULL);
		metrics_count(METRICS_STORE_ERROR);
		prosody_answer(resp, 503,
		               tr(d, req,
		                  N_("The booking service is unavailable; "
		                     "please try again.")));
		return;
	}
	answer_reservation(req, resp, &res);
}

/* The id in the path, or -1. */
static long long reservation_id(const char *text)
{
	char *end;
	long long id;

	errno = 0;
	id = strtoll(text, &end, 10);
	return errno == 0 && end != text && *end == '\0' && id > 0 ? id : -1;
}

void jitsi_reservation_get(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	long long id = reservation_id(req->params[0]);
	struct jmb_reservation res = {0};
	struct jmb_error error;
	enum jmb_store_result r;

	if (!prosody_may_call(d, req, resp))
		return;
	r = id > 0 ? jmb_store_reservation_get(d->store, req->pool, id, &res, &error)
	           : JMB_STORE_NOT_FOUND;
	if (r == JMB_STORE_OK)
		answer_reservation(req, resp, &res);
	else if (r == JMB_STORE_NOT_FOUND)
		prosody_answer(resp, 404, "No such reservation.");
	else
		prosody_answer(resp, 503, "The booking service is unavailable; please try again.");
}

void jitsi_reservation_delete(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	long long id = reservation_id(req->params[0]);
	struct jmb_error error;

	if (!prosody_may_call(d, req, resp))
		return;
	if (id > 0 && jmb_store_reservation_delete(d->store, id, &error) != JMB_STORE_OK) {
		jmb_log(JMB_LOG_ERROR, "reservation_delete", "error", error.text, NULL);
		prosody_answer(resp, 503, "The booking service is unavailable; please try again.");
		return;
	}
	render_json(resp, 200, json_object());
}
