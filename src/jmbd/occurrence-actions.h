/* What the pages and the API do to one occurrence of a series: move or
 * change it, or cancel it. */
#ifndef JMBD_OCCURRENCE_ACTIONS_H
#define JMBD_OCCURRENCE_ACTIONS_H

#include "domain/booking.h"
#include "meeting-actions.h"

/* Applies in (or, with cancel, a cancellation) to the occurrence of *m that
 * the rule starts at recurrence_id, as an override, and stores it with the
 * meeting's next sequence. Another writer's change since *m was read is kept:
 * the change is made again on a fresh read. ACTION_NOT_FOUND when the series
 * has no such occurrence. *m is replaced by the stored result. */
enum action_result occurrence_change(struct jmbd *d, struct jmb_request *req,
                                     struct jmb_meeting **m, time_t recurrence_id,
                                     const struct jmb_occurrence_input *in, bool cancel,
                                     struct jmb_field_errors *errors);

/* "This and the following occurrences": ends series *m before the occurrence
 * the rule starts at recurrence_id (not its first) and books, in the same
 * transaction, the series continuing from there in the same room, with input
 * (the series' fields, its start that occurrence's and its rule what remains,
 * as changed by the caller) applied. Its invitees get new personal links and
 * an invitation; the old series' invitees an update. *m is replaced by the
 * stored old series, *next_r is the new one. ACTION_NOT_FOUND when there is no
 * such later occurrence. */
enum action_result occurrence_split(struct jmbd *d, struct jmb_request *req, struct jmb_meeting **m,
                                    time_t recurrence_id, const struct jmb_booking_input *input,
                                    struct jmb_meeting **next_r, struct jmb_field_errors *errors);
/* The input occurrence_split starts from: series m as it is, from the
 * occurrence at recurrence_id on (NULL when there is no such later one). */
const struct jmb_booking_input *occurrence_split_input(struct jmb_request *req,
                                                       const struct jmb_meeting *m,
                                                       time_t recurrence_id);

#endif
