/* Who came to a meeting: event_sync's sessions matched to the organiser and
 * the invitees by what jmb put in their token (context.user.id and email),
 * with the time each was present (overlapping sessions, two devices, counted
 * once). Occupants without a token (anonymous guests) are only counted. */
#ifndef JMB_ATTENDANCE_H
#define JMB_ATTENDANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "domain/meeting.h"
#include "store/store.h"

struct jmb_attendance_entry {
	const char *mail;
	const char *role; /* "owner", "moderator" or "guest" */
	enum jmb_partstat status;
	time_t first_join; /* 0: never joined */
	time_t last_leave; /* 0: never joined, or still there */
	long seconds;      /* time present */
	bool present;      /* in the room now */
};

struct jmb_attendance {
	struct jmb_attendance_entry *entries; /* the organiser, then the invitees in order */
	size_t n;
	long unknown; /* people who came without a known token */
};

/* Sessions still open count until `until` (now, or the room's closing). */
void jmb_attendance_compute(struct jmb_pool *pool, const struct jmb_meeting *m,
                            const struct jmb_presence *sessions, size_t n_sessions, time_t until,
                            struct jmb_attendance *out);

#endif
