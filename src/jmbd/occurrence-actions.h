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

#endif
