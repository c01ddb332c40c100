/* What the web pages and the JSON API do to meetings, written once:
 * load with permission checks, create, update, delete. */
#ifndef JMBD_MEETING_ACTIONS_H
#define JMBD_MEETING_ACTIONS_H

#include "domain/booking.h"
#include "web/http.h"
#include "domain/meeting.h"

struct jmbd;

enum action_result {
	ACTION_OK,
	ACTION_INVALID, /* field errors filled */
	ACTION_NOT_FOUND,
	ACTION_FORBIDDEN,
	ACTION_FAILED, /* the store failed; logged */
};

enum meeting_access { ACCESS_VIEW, ACCESS_OWNER };

/* A write made from a read that another writer overtook (the store's RETRY)
 * is made again on a fresh read, up to this many times... */
#define STALE_RETRIES 12
/* ...after this pause before attempt n (none before the first): a few random
 * milliseconds, more each time, so a burst of writers to one meeting (several
 * occurrences changed at once) spreads out instead of colliding again. */
void stale_write_pause(int attempt);

/* Loads meeting id_text (decimal) if the requester may see it (owner or
 * invitee) or, with ACCESS_OWNER, change it. Deleted meetings are not found. */
enum action_result meeting_load(struct jmbd *d, struct jmb_request *req, const char *id_text,
                                enum meeting_access access, struct jmb_meeting **m_r);
/* The booking rules as they apply to req now (its language, the directory). */
struct jmb_booking_context meeting_booking_context(struct jmbd *d, const struct jmb_request *req);
enum action_result meeting_create(struct jmbd *d, struct jmb_request *req,
                                  const struct jmb_booking_input *input, struct jmb_meeting **m_r,
                                  struct jmb_field_errors *errors);
/* The booking rules' verdict on input alone (nothing is stored): for a
 * request that must be refused anyway, to report all its problems at once. */
void meeting_check(struct jmbd *d, struct jmb_request *req, const struct jmb_booking_input *input,
                   const struct jmb_meeting *previous, struct jmb_field_errors *errors);
/* input as m is now, without invitee skip (NULL: everyone). */
void meeting_input_from(struct jmb_pool *pool, const struct jmb_meeting *m,
                        const struct jmb_attendee *skip, struct jmb_booking_input *input);
/* previous is replaced by the stored result on success. */
enum action_result meeting_update(struct jmbd *d, struct jmb_request *req,
                                  const struct jmb_booking_input *input,
                                  struct jmb_meeting **previous, struct jmb_field_errors *errors);
enum action_result meeting_delete(struct jmbd *d, struct jmb_request *req,
                                  const struct jmb_meeting *m);
/* The invitee of m whose attendee id is id_text, NULL when none. */
const struct jmb_attendee *meeting_attendee(const struct jmb_meeting *m, const char *id_text);
/* Takes invitee a off *m as an edit would (a gets a CANCEL, the others
 * nothing since nothing else changed); *m is replaced by the stored result. */
enum action_result meeting_remove_attendee(struct jmbd *d, struct jmb_request *req,
                                           struct jmb_meeting **m, const struct jmb_attendee *a);
/* Queues invitee a's invitation again. */
enum action_result meeting_resend_invitation(struct jmbd *d, struct jmb_request *req,
                                             const struct jmb_meeting *m,
                                             const struct jmb_attendee *a);
/* The answer of a form's "answer" button, recorded for invitee a of m;
 * false after answering 400 (no such answer), 410 (over) or the failure. */
bool meeting_answer_form(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp,
                         const struct jmb_meeting *m, const struct jmb_attendee *a);
/* Records the requester's own answer to m (they are invitee a). */
enum action_result meeting_answer(struct jmbd *d, struct jmb_request *req,
                                  const struct jmb_meeting *m, const struct jmb_attendee *a,
                                  enum jmb_partstat answer);
struct jmb_occurrence;
/* Records invitee a's answer for one occurrence of series m. */
enum action_result meeting_answer_occurrence(struct jmbd *d, struct jmb_request *req,
                                             const struct jmb_meeting *m,
                                             const struct jmb_attendee *a,
                                             const struct jmb_occurrence *occ,
                                             enum jmb_partstat answer);
/* The requester's meetings that end after `after`, deleted ones left out. */
enum action_result meeting_window(struct jmbd *d, struct jmb_request *req, time_t after,
                                  struct jmb_meeting_list *list_r);
/* The requester's own upcoming (or, with archive, past) meetings. */
enum action_result meeting_list(struct jmbd *d, struct jmb_request *req, bool archive,
                                struct jmb_meeting_list *list_r);

/* The requester's relation to m: "owner", "moderator", "guest", or NULL. */
const char *meeting_role_of(const struct jmb_request *req, const struct jmb_meeting *m,
                            const struct jmb_attendee **attendee_r);
/* The invitee of personal token `token`, with the meeting in *m_r: all its
 * invitees, or only this one when `invitee_only` (one read less: joins).
 * Answers 404 (unknown) or 410 (cancelled) itself and returns NULL then. */
const struct jmb_attendee *attendee_load(struct jmbd *d, struct jmb_request *req,
                                         struct jmb_response *resp, const char *token,
                                         bool invitee_only, struct jmb_meeting **m_r);
/* Sends the response matching a failed action (HTML or JSON by path). */
void meeting_action_fail(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp,
                         enum action_result r);

/* Fills m's live state from event_sync's records while its room may be open
 * (see domain/room.h); a store error leaves it empty (logged). */
void meeting_fill_live(struct jmbd *d, struct jmb_meeting *m);

#endif
