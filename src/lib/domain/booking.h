/* Booking rules: what a valid meeting is, checked the same way for the web
 * form and the JSON API, and how a new meeting gets its secrets. */
#ifndef JMB_BOOKING_H
#define JMB_BOOKING_H

#include <stdbool.h>
#include <time.h>

#include "web/i18n.h"
#include "jmb/identity.h"
#include "domain/meeting.h"
#include "config/settings.h"

/* What a person asked for. Missing strings are NULL. Either start_utc is set
 * (API, RFC 3339) or date + time in timezone (form). */
struct jmb_booking_input {
	const char *title;
	const char *description;
	bool has_start_utc;
	time_t start_utc;
	const char *start_text; /* as typed, for the error message of an unparsable start */
	const char *date;       /* YYYY-MM-DD */
	const char *time;       /* HH:MM */
	const char *timezone;
	const char *duration; /* minutes, as text */
	const char *const *moderators;
	const char *const *guests;
	struct jmb_room_options options; /* as asked (the previous meeting's on edit) */
	const char *recurrence;          /* an RRULE value; NULL or "": a single meeting */
};

struct jmb_field_error {
	const char *field;
	const char *message; /* translated */
};

struct jmb_field_errors {
	struct jmb_field_error items[32]; /* a field may have several */
	size_t count;
};

enum jmb_booking_resolution {
	JMB_RESOLVE_SAME,     /* invite the address as typed */
	JMB_RESOLVE_REPLACED, /* invite (*mails_r)[0] instead (a secondary address's primary) */
	JMB_RESOLVE_LIST,     /* a list: invite each of *mails_r (the owner and repeats skipped) */
};

/* What a typed, valid, lower-cased address stands for (directory, lists file).
 * Addresses returned are lower-case, valid, in pool. */
typedef enum jmb_booking_resolution jmb_booking_resolver(void *data, struct jmb_pool *pool,
                                                         const char *mail,
                                                         const char *const **mails_r);

struct jmb_booking_context {
	const struct jmb_booking_settings *rules;
	const char *default_timezone;
	const struct jmb_i18n *i18n;
	const char *language;
	time_t now;
	long max_participants; /* [jitsi] max_participants: the most a meeting may ask for */
	jmb_booking_resolver *resolve; /* may be NULL: addresses stay as typed */
	void *resolve_data;
};

/* Checks input against the rules and fills m's title, description, start, end,
 * duration, timezone, recurrence (with the previous overrides that still match
 * an occurrence) and attendee list (mail and role; existing attendees keep
 * the rest when the store updates). previous is the meeting being edited, or
 * NULL for a new one: an unchanged start may lie in the past.
 * Returns 0, or -1 with one message per faulty field in errors. */
int jmb_booking_check(const struct jmb_booking_context *ctx, const struct jmb_identity *owner,
                      const struct jmb_booking_input *input, const struct jmb_meeting *previous,
                      struct jmb_pool *pool, struct jmb_meeting *m,
                      struct jmb_field_errors *errors);

/* A change of one occurrence of a series: what is NULL (or has_start false)
 * stays as the occurrence is. */
struct jmb_occurrence_input {
	bool has_start;
	time_t start;
	const char *start_text; /* as given, for the message of an unparsable start */
	const char *duration;   /* minutes, as text */
	const char *title;
	const char *description;
};

struct jmb_occurrence;
/* Checks a change of occurrence occ of series m against the rules and fills
 * the override that stores it (title and description only where they differ
 * from the series'). Returns 0, or -1 with the problems in errors. */
int jmb_booking_check_occurrence(const struct jmb_booking_context *ctx,
                                 const struct jmb_meeting *m, const struct jmb_occurrence *occ,
                                 const struct jmb_occurrence_input *in, struct jmb_pool *pool,
                                 struct jmb_override *o, struct jmb_field_errors *errors);

/* Gives a new meeting its owner, room name, UID and attendee tokens. */
void jmb_booking_assign_secrets(struct jmb_pool *pool, struct jmb_meeting *m,
                                const char *uid_domain);
/* Gives new attendees (those without a token) a token. */
void jmb_booking_assign_attendee_tokens(struct jmb_pool *pool, struct jmb_meeting *m);

#endif
