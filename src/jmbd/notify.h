/* Notifications: which mails a meeting change sends to whom, and the plan of
 * reminders. They are returned as side effects for the store to write in the
 * same transaction as the change, so a crash never leaves one without the other. */
#ifndef JMBD_NOTIFY_H
#define JMBD_NOTIFY_H

#include "web/http.h"
#include "domain/meeting.h"
#include "store/store.h"

struct jmbd;
struct jmbd_runtime;

enum notify_change { NOTIFY_CREATED, NOTIFY_UPDATED, NOTIFY_DELETED };

/* Mails for a change (before is NULL when created, after NULL when deleted)
 * and, unless deleted, the reminders still to come. Allocated from pool. */
void notify_meeting_change(struct jmbd *d, struct jmb_pool *pool, enum notify_change change,
                           const struct jmb_meeting *before, const struct jmb_meeting *after,
                           time_t now, struct jmb_side_effects *fx);
struct jmb_occurrence;
/* Mails for a change of one occurrence of a series (was: as it was in
 * before; now_is: as it is in after, maybe cancelled), each naming it and
 * carrying it alone in its iMIP part (a CANCEL or a REQUEST with its
 * RECURRENCE-ID), and the series' reminders re-planned. */
void notify_occurrence_change(struct jmbd *d, struct jmb_pool *pool,
                              const struct jmb_meeting *before, const struct jmb_meeting *after,
                              const struct jmb_occurrence *was, const struct jmb_occurrence *now_is,
                              time_t now, struct jmb_side_effects *fx);
/* The organiser's notice that attendee a answered (none if switched off). */
void notify_answer(const struct jmbd_runtime *rt, struct jmb_store *store, struct jmb_pool *pool,
                   const struct jmb_meeting *m, const struct jmb_attendee *a,
                   enum jmb_partstat answer, time_t now, struct jmb_side_effects *fx);
/* Attendee a's invitation once more (the organiser asked), with the meeting's
 * current SEQUENCE: their calendar updates the event it may already hold. */
void notify_invitation_again(const struct jmbd_runtime *rt, struct jmb_store *store,
                             struct jmb_pool *pool, const struct jmb_meeting *m,
                             const struct jmb_attendee *a, time_t now, struct jmb_side_effects *fx);
/* The organiser's notice that mail to attendee a bounced, saying why. */
void notify_bounce(const struct jmbd_runtime *rt, struct jmb_store *store, struct jmb_pool *pool,
                   const struct jmb_meeting *m, const struct jmb_attendee *a,
                   const char *diagnostic, time_t now, struct jmb_side_effects *fx);

/* A person's mail to a reply address, passed on to the organiser. */
struct notify_forwarded {
	const char *from;      /* the writer's address, NULL when unknown */
	const char *from_name; /* "" when none */
	const char *subject;
	const char *text; /* their text, NULL when the mail had none */
};
/* The organiser's copy of what an invitee (or someone in their name) wrote to
 * their reply address, Reply-To the writer, marked Auto-Submitted: auto-replied. */
void notify_forward(const struct jmbd_runtime *rt, struct jmb_store *store, struct jmb_pool *pool,
                    const struct jmb_meeting *m, const struct jmb_attendee *a,
                    const struct notify_forwarded *mail, time_t now, struct jmb_side_effects *fx);
/* The mails of one reminder: the owner (with who answered what) and every
 * invitee who has not declined, composed from the runtime rt (the queue
 * worker's reference, not d->rt, which a reload may swap meanwhile). For a
 * series, m is the occurrence's view (jmb_meeting_at: its date, time and
 * title) and recurrence_id names it: the answers are those for it. */
void notify_reminder(const struct jmbd_runtime *rt, struct jmb_store *store, struct jmb_pool *pool,
                     const struct jmb_meeting *m, time_t recurrence_id, time_t now,
                     struct jmb_side_effects *fx);

#endif
