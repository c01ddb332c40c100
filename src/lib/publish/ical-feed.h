/* The personal iCal feed: every meeting a user owns or is invited to, as one
 * VCALENDAR built with libical (RFC 5545, with RFC 7986 REFRESH-INTERVAL). */
#ifndef JMB_ICAL_FEED_H
#define JMB_ICAL_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "store/store.h"

struct jmb_feed_options {
	const char *public_url;    /* "https://jmb.example.org", no trailing slash */
	const char *calendar_name; /* X-WR-CALNAME, e.g. "Visioconférences — Alice Martin" */
	long refresh_minutes;      /* REFRESH-INTERVAL;VALUE=DURATION and X-PUBLISHED-TTL */
	const long
	    *alarm_offsets; /* minutes before the start, one VALARM each if still in the future */
	size_t n_alarm_offsets;
	const char *join_label; /* translated text before the join link in DESCRIPTION, e.g. "Join
	                           the meeting:" */
	time_t now;
	/* iMIP (RFC 6047) instead of a feed: "REQUEST" or "CANCEL" (NULL: PUBLISH);
	   attendee lines then ask for an answer (RSVP=TRUE). */
	const char *method;
	/* The ORGANIZER's address when it is not the owner's: the invitee's reply
	   address, so that their client's REPLY comes back to jmb (NULL: owner). */
	const char *organizer_mail;
	/* One occurrence of each series only (iMIP about one occurrence): a VEVENT
	   with its RECURRENCE-ID, no RRULE; STATUS:CANCELLED when it is cancelled
	   or the method is "CANCEL". A series that has no occurrence at
	   occurrence_id (its start by the rule) is left out; single meetings are
	   written whole. */
	bool has_occurrence;
	time_t occurrence_id;
};

/* The whole VCALENDAR for the user `login` whose addresses are `mails` (NULL-terminated,
 * lower-case), with every meeting of `meetings` (already selected by the store: owned or
 * invited; deleted ones have m->deleted != 0). Returns malloc'd text (CRLF, folded at
 * 75 octets), *len_r set; NULL only on allocation failure.
 *
 * The viewer owns a meeting when its owner's login is `login` or its owner's address is
 * among `mails`; otherwise the viewer is the attendee whose address is among `mails`. A
 * meeting where the viewer is neither is left out (it has no link to give them).
 * Meetings in "UTC", or in a zone libical does not know, are written in UTC ("Z"
 * times, no TZID): RFC 5545 forbids a TZID on UTC times. Text is made valid UTF-8
 * (U+FFFD for bad bytes), CR and CRLF become LF, other control characters but TAB are
 * dropped.
 *
 * A series is one VEVENT with the DTSTART and DTEND of its first occurrence, its
 * RRULE and an EXDATE per cancelled occurrence, then one VEVENT per changed
 * occurrence (same UID, RECURRENCE-ID in the form of DTSTART) with its own times,
 * text and the answers given for it. The series' VALARMs are those still ahead for
 * its next occurrence that the rule alone gives. */
char *jmb_ical_feed(const struct jmb_feed_options *o, const struct jmb_meeting_list *meetings,
                    const char *login, const char *const *mails, size_t *len_r);

/* The first moment after o->now at which the feed of `meetings` changes by the
 * clock alone, 0 if none: a VALARM's time comes (jmb_ical_feed() writes only
 * those still ahead), the next occurrence of a series starts (its VALARMs
 * follow the one after), or a meeting leaves the store's window, `window`
 * seconds after its (last) end or its cancellation. Until then a feed can be
 * answered 304 from its version in the store alone. */
time_t jmb_ical_feed_expiry(const struct jmb_feed_options *o,
                            const struct jmb_meeting_list *meetings, long window);

/* True when text is made of CRLF-terminated lines of at most 75 octets and no fold
 * splits a UTF-8 character (no continuation line starts with a UTF-8 continuation
 * byte). */
bool jmb_ical_folding_is_clean(const char *text, size_t len);

/* Unfolds text and folds it again at 75 octets on UTF-8 character boundaries, with
 * CRLF line ends. Returns malloc'd text, *len_r set. The feed uses it on libical's
 * output when jmb_ical_folding_is_clean() says libical folded badly. */
char *jmb_ical_refold(const char *text, size_t len, size_t *len_r);

#endif
