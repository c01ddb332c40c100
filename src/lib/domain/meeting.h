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

/* An invitee's answer for one occurrence of a series, when it differs from
 * their answer for the whole series. */
struct jmb_occurrence_answer {
	time_t recurrence_id; /* the occurrence's start by the rule */
	enum jmb_partstat status;
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
	struct jmb_occurrence_answer *answers; /* per occurrence, series only */
	size_t n_answers;
};

/* One occurrence of a series changed or cancelled, keyed by the start the
 * rule gives it (its iCalendar RECURRENCE-ID). */
struct jmb_override {
	time_t recurrence_id;
	time_t start;
	long duration;     /* minutes */
	char *title;       /* NULL: the series' */
	char *description; /* NULL: the series' */
	bool cancelled;
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
	/* A series: its RRULE (normalised, without "RRULE:"), NULL for a single
	 * meeting. start, duration and end are then its first occurrence's, and
	 * last_end the end of its last one (end for a single meeting). */
	char *recurrence;
	time_t last_end;
	struct jmb_override *overrides; /* in recurrence_id order */
	size_t n_overrides;
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
