/* The meeting model: a booked room with its owner and invitees.
 * Times are UTC epoch seconds; the zone is kept for display and iCal. */
#ifndef JMB_MEETING_H
#define JMB_MEETING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

enum jmb_role { JMB_ROLE_GUEST = 0, JMB_ROLE_MODERATOR = 1 };
enum jmb_partstat {
	JMB_PARTSTAT_NEEDS_ACTION = 0,
	JMB_PARTSTAT_ACCEPTED = 1,
	JMB_PARTSTAT_DECLINED = 2,
	JMB_PARTSTAT_TENTATIVE = 3
};
#define JMB_PARTSTAT_COUNT 4

struct jmb_person {
	char *login; /* NULL for people who cannot log in */
	char *mail;
	char *name;
};

struct jmb_attendee {
	int64_t id;
	char *mail; /* lower-case */
	char *name;
	enum jmb_role role;
	enum jmb_partstat status;
	char *token;            /* personal link secret */
	char *reply_token;      /* secret of the reply address; NULL: none yet */
	time_t delivery_failed; /* when a mail to them last bounced; 0: never */
	char *delivery_error;   /* that bounce's diagnostic */
	char *language;         /* last used on their invitation page; "" unknown */
	long joins;
	time_t responded; /* 0: never */
};

/* What the organiser chose for the Jitsi room. */
struct jmb_room_options {
	bool lobby;            /* people wait in the lobby until a moderator lets them in */
	long max_participants; /* 0: no limit of this meeting's own */
	bool recording_off;    /* nobody may record, whatever [policy] grants */
};

struct jmb_meeting {
	int64_t id;
	char *uid;  /* iCal UID, globally unique and stable */
	char *room; /* Jitsi room name */
	char *title;
	char *description;
	time_t start;
	long duration; /* minutes */
	time_t end;
	char *timezone;
	struct jmb_person owner;
	long sequence; /* iCal SEQUENCE: bumped on every change */
	time_t created;
	time_t updated;
	time_t deleted; /* 0: not deleted */
	struct jmb_attendee *attendees;
	size_t n_attendees;
	struct jmb_room_options options;
	char *language; /* the organiser's at booking time ("" before 0.2) */
	/* Filled by jmbd from event_sync, not stored with the meeting. */
	long live_participants; /* 0: nobody in the room */
	time_t live_since;
};

const char *jmb_role_name(enum jmb_role role);
int jmb_role_parse(const char *s, enum jmb_role *role_r);
const char *jmb_partstat_name(enum jmb_partstat status);
int jmb_partstat_parse(const char *s, enum jmb_partstat *status_r);

struct jmb_pool;
/* Appends a zeroed attendee to m, growing its array from pool; *cap tracks the capacity. */
struct jmb_attendee *jmb_attendee_append(struct jmb_pool *pool, struct jmb_meeting *m, size_t *cap);

#endif
