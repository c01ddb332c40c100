/* Jitsi rooms: their names, and when a booked meeting's room may exist. */
#ifndef JMB_ROOM_H
#define JMB_ROOM_H

#include <stdbool.h>
#include <time.h>

#include "domain/meeting.h"

/* 1 to 64 of lower-case letters, digits and . _ - (login-shaped). */
bool jmb_room_name_is_valid(const char *room);

struct jmb_pool;

/* The room of a name as Prosody gives it ("room", or "[tenant]room"),
 * lower-cased, in pool; NULL when malformed or of another tenant than
 * `tenant` ("" for none). */
char *jmb_room_from_prosody(struct jmb_pool *pool, const char *tenant, const char *name);

/* When a meeting's room may be open. Every way in agrees on it: a personal
 * link opens `link_opens_before` minutes before the start, its owner's
 * /start/ `start_early` minutes before; the room exists from the earlier of
 * the two (whoever comes first creates it) until `grace` minutes after the
 * end, when Prosody closes it. */
struct jmb_room_window {
	time_t opens;
	time_t closes;
};

/* For a series, the window of the occurrence whose room is open at `now`, or
 * opens next (else the last one). */
struct jmb_room_window jmb_room_window(const struct jmb_meeting *m, time_t now,
                                       long link_opens_before, long start_early, long grace);

enum jmb_room_state { JMB_ROOM_NOT_YET, JMB_ROOM_OPEN, JMB_ROOM_OVER };

enum jmb_room_state jmb_room_state(const struct jmb_room_window *w, time_t now);

#endif
