/* Join counters written behind: a personal-link join adds one in memory, and a
 * thread writes the sums to the store every second in one transaction. */
#ifndef JMBD_JOIN_COUNTER_H
#define JMBD_JOIN_COUNTER_H

#include "jmb/error.h"

struct jmb_store;
struct join_counter;

struct join_counter *join_counter_start(struct jmb_store *store, struct jmb_error *error);
/* Counts one join of the personal link token; never blocks on the store. */
void join_counter_add(struct join_counter *counter, const char *token);
/* Writes what is pending, stops the thread and frees the counter. */
void join_counter_stop(struct join_counter **counter);

#endif
