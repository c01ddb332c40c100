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
/* The organiser's notice that attendee a answered (none if switched off). */
void notify_answer(struct jmbd *d, struct jmb_pool *pool, const struct jmb_meeting *m,
                   const struct jmb_attendee *a, enum jmb_partstat answer, time_t now,
                   struct jmb_side_effects *fx);
/* The mails of one reminder: the owner (with who answered what) and every
 * invitee who has not declined, composed from the runtime rt (the queue
 * worker's reference, not d->rt, which a reload may swap meanwhile). */
void notify_reminder(const struct jmbd_runtime *rt, struct jmb_pool *pool,
                     const struct jmb_meeting *m, time_t now, struct jmb_side_effects *fx);

#endif
