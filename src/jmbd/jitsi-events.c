/* Live occupancy and attendance from Prosody's event_sync component
 * (jitsi-contrib prosody-plugins): with api_prefix = <public_url>/jitsi it
 * POSTs JSON to /jitsi/events/room/created, room/destroyed,
 * occupant/joined and occupant/left, with the same bearer token as
 * mod_reservations. Events of breakout rooms name the main room
 * (room_name) and their own (breakout_room_id); they count towards the
 * main room. Prosody may send an event twice (retries after a 5xx), late
 * or out of order: each is recorded by what it carries (see
 * store-presences.c), so the result does not depend on it. */
#include "config.h"

#include <string.h>

#include "daemon.h"
#include "domain/room.h"
#include "handlers.h"
#include "metrics.h"
#include "prosody.h"
#include "render.h"
#include "util/log.h"
#include "util/memory.h"
#include "util/timeutil.h"

/* all_occupants of one room/destroyed event: a room of more is refused
 * rather than half recorded. */
#define MAX_OCCUPANTS 5000
#define MAX_TEXT 512

struct event {
	const char *room;     /* the main room, lower case */
	const char *breakout; /* "" for the main room */
	long long meeting_id;
};

/* A string member of at most MAX_TEXT bytes, "" when absent; NULL when it
 * is something else. */
static const char *text_member(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL || json_is_null(v))
		return "";
	if (!json_is_string(v) || json_string_length(v) > MAX_TEXT)
		return NULL;
	return json_string_value(v);
}

/* A time in seconds since the epoch, within what jmb writes; -1 otherwise. */
static time_t time_member(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	json_int_t t;

	if (!json_is_integer(v))
		return -1;
	t = json_integer_value(v);
	return t >= JMB_TIME_MIN && t <= JMB_TIME_MAX ? (time_t)t : -1;
}

/* The room an event is about, and its meeting (0 for none). */
static const char *read_room(struct jmbd *d, struct jmb_request *req, json_t *body,
                             struct event *ev)
{
	const char *name = text_member(body, "room_name");
	json_t *breakout = json_object_get(body, "is_breakout");
	struct jmb_meeting *m = NULL;
	struct jmb_error error;
	enum jmb_store_result r;

	if (name == NULL || *name == '\0' ||
	    (ev->room = jmb_room_from_prosody(req->pool, d->rt->settings.jitsi.tenant, name)) ==
	        NULL)
		return "room_name must be a room name.";
	ev->breakout = "";
	if (json_is_true(breakout) &&
	    ((ev->breakout = text_member(body, "breakout_room_id")) == NULL ||
	     *ev->breakout == '\0'))
		return "A breakout room event needs breakout_room_id.";
	r = jmb_store_meeting_by_room(d->store, req->pool, ev->room,
	                              jmbd_now() - d->rt->settings.jitsi.room_grace * 60, &m,
	                              &error);
	if (r != JMB_STORE_OK && r != JMB_STORE_NOT_FOUND) {
		jmb_log(JMB_LOG_ERROR, "event_meeting", "error", error.text, NULL);
		return NULL; /* the caller answers 503 */
	}
	ev->meeting_id = r == JMB_STORE_OK ? (long long)m->id : 0;
	return "";
}

/* One occupant object (of an occupant event or all_occupants); message or "". */
static const char *read_occupant(json_t *o, const struct event *ev, bool needs_left,
                                 struct jmb_presence *p)
{
	if (!json_is_object(o))
		return "occupant must be an object.";
	*p = (struct jmb_presence){.room = ev->room,
	                           .breakout = ev->breakout,
	                           .meeting_id = ev->meeting_id,
	                           .occupant_jid = text_member(o, "occupant_jid"),
	                           .user_id = text_member(o, "id"),
	                           .email = text_member(o, "email"),
	                           .name = text_member(o, "name"),
	                           .joined = time_member(o, "joined_at")};
	if (p->occupant_jid == NULL || *p->occupant_jid == '\0' || p->user_id == NULL ||
	    p->email == NULL || p->name == NULL)
		return "occupant needs occupant_jid, and id, email and name as strings when given.";
	if (p->joined < 0)
		return "occupant needs joined_at, in seconds since 1970.";
	p->left = 0;
	if (needs_left || json_object_get(o, "left_at") != NULL) {
		p->left = time_member(o, "left_at");
		if (p->left < p->joined)
			return "occupant needs left_at, not before joined_at.";
	}
	return "";
}

static bool store_failed(struct jmb_response *resp, enum jmb_store_result r,
                         const struct jmb_error *error)
{
	if (r == JMB_STORE_OK)
		return false;
	jmb_log(JMB_LOG_ERROR, "event_store", "error", error->text, NULL);
	metrics_count(METRICS_STORE_ERROR);
	prosody_answer(resp, 503, "The booking service is unavailable; please try again.");
	return true;
}

static void occupant_event(struct jmbd *d, struct jmb_response *resp, json_t *body,
                           const struct event *ev, bool left)
{
	struct jmb_presence p;
	struct jmb_error error;
	const char *why = read_occupant(json_object_get(body, "occupant"), ev, left, &p);

	if (*why != '\0') {
		prosody_answer(resp, 400, why);
		return;
	}
	if (!store_failed(resp, jmb_store_presence_record(d->store, &p, &error), &error))
		render_json(resp, 200, json_object());
}

/* all_occupants fills in what lost events left out; then the room's open
 * sessions end. */
static void room_destroyed(struct jmbd *d, struct jmb_response *resp, json_t *body,
                           const struct event *ev)
{
	json_t *all = json_object_get(body, "all_occupants"), *o;
	time_t destroyed = time_member(body, "destroyed_at");
	struct jmb_presence p;
	struct jmb_error error;
	size_t i;

	if (destroyed < 0 || (all != NULL && !json_is_array(all) && !json_is_null(all))) {
		prosody_answer(resp, 400, "room/destroyed needs destroyed_at and all_occupants.");
		return;
	}
	if (json_array_size(all) > MAX_OCCUPANTS) {
		prosody_answer(resp, 413, "Too many occupants in one event.");
		return;
	}
	json_array_foreach(all, i, o)
	{
		const char *why = read_occupant(o, ev, false, &p);
		if (*why != '\0') {
			prosody_answer(resp, 400, why);
			return;
		}
	}
	json_array_foreach(all, i, o)
	{
		read_occupant(o, ev, false, &p);
		if (store_failed(resp, jmb_store_presence_record(d->store, &p, &error), &error))
			return;
	}
	if (!store_failed(
	        resp, jmb_store_room_closed(d->store, ev->room, ev->breakout, destroyed, &error),
	        &error))
		render_json(resp, 200, json_object());
}

static void handle(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp,
                   const char *kind)
{
	json_error_t jerr;
	json_t *body;
	struct event ev;
	const char *why;

	if (!prosody_may_call(d, req, resp))
		return;
	body = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(body)) {
		json_decref(body);
		prosody_answer(resp, 400, "The body must be a JSON object.");
		return;
	}
	jmb_pool_on_free(req->pool, (void (*)(void *))json_decref, body);
	why = read_room(d, req, body, &ev);
	jmb_response_log(resp, "event", kind);
	if (why == NULL)
		prosody_answer(resp, 503, "The booking service is unavailable; please try again.");
	else if (*why != '\0')
		prosody_answer(resp, 400, why);
	else if (strcmp(kind, "occupant/joined") == 0)
		occupant_event(d, resp, body, &ev, false);
	else if (strcmp(kind, "occupant/left") == 0)
		occupant_event(d, resp, body, &ev, true);
	else if (strcmp(kind, "room/destroyed") == 0)
		room_destroyed(d, resp, body, &ev);
	else /* room/created: the first join says the same */
		render_json(resp, 200, json_object());
}

void jitsi_event(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	const char *kind = jmb_pool_printf(req->pool, "%s/%s", req->params[0], req->params[1]);

	if (strcmp(kind, "room/created") != 0 && strcmp(kind, "room/destroyed") != 0 &&
	    strcmp(kind, "occupant/joined") != 0 && strcmp(kind, "occupant/left") != 0) {
		if (prosody_may_call(d, req, resp))
			prosody_answer(resp, 404, "Unknown event.");
		return;
	}
	handle(d, req, resp, kind);
}
