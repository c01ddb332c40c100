/* Delivery outcomes the store could not record yet (it was down or full), kept
 * by the queue worker until it can: a mail delivered but still marked pending
 * would be claimed again once its claim is stale, and sent twice. */
#ifndef JMBD_OUTBOX_OUTCOMES_H
#define JMBD_OUTBOX_OUTCOMES_H

#include <stddef.h>
#include <time.h>

#include "store/store.h"

struct outbox_outcome;

struct outbox_outcomes {
	struct outbox_outcome *items;
	size_t count;
};

/* Keeps what jmb_store_outbox_finish was told and could not store. */
void outbox_outcomes_keep(struct outbox_outcomes *kept, int64_t id, enum jmb_outbox_outcome outcome,
                          time_t at, time_t next_attempt, const char *error_text);
/* Stores the kept outcomes of this instance's claims; returns how many are left
 * (the store still fails: error says why). An outcome whose claim was lost
 * meanwhile is dropped, since another instance owns the mail now. */
size_t outbox_outcomes_record(struct outbox_outcomes *kept, struct jmb_store *store,
                              const char *instance, struct jmb_error *error);
void outbox_outcomes_free(struct outbox_outcomes *kept);

#endif
