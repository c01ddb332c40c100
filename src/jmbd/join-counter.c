/* Join counters written behind. A join is the hottest request jmbd answers,
 * and a write per join would serialise them all on the store (on SQLite, one
 * writer at a time, plus WAL checkpoints in the request). Joins are summed in
 * memory per link instead, and a thread adds the sums to the store every
 * FLUSH_INTERVAL (joins = joins + n: several instances lose nothing). While
 * the store refuses, the sums are kept and tried again; a crash loses at most
 * the last interval's counts, SIGTERM none. */
#include "config.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "join-counter.h"
#include "util/log.h"
#include "util/memory.h"
#include "metrics.h"
#include "store/store.h"
#include "util/tally.h"

#define FLUSH_INTERVAL 1 /* seconds */
#define FLUSH_EARLY 4096 /* distinct links waiting: write them now */

struct join_counter {
	struct jmb_store *store;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct jmb_tally pending; /* under lock */
	bool stopping;            /* under lock */
	bool failing;             /* the last write failed: log the recovery */
};

void join_counter_add(struct join_counter *counter, const char *token)
{
	pthread_mutex_lock(&counter->lock);
	jmb_tally_add(&counter->pending, token, 1);
	if (jmb_tally_size(&counter->pending) == FLUSH_EARLY)
		pthread_cond_signal(&counter->wake);
	pthread_mutex_unlock(&counter->lock);
}

/* Sums that could not be written go back into the table for the next round. */
static void give_back(struct join_counter *counter, const struct jmb_tally_item *items, size_t n)
{
	pthread_mutex_lock(&counter->lock);
	for (size_t i = 0; i < n; i++)
		jmb_tally_add(&counter->pending, items[i].key, items[i].count);
	pthread_mutex_unlock(&counter->lock);
}

/* Sums the store refuses are kept for the next round. */
static void flush(struct join_counter *counter)
{
	struct jmb_tally_item *items;
	struct jmb_join_count *counts;
	struct jmb_error error;
	size_t n;
	enum jmb_store_result r;

	pthread_mutex_lock(&counter->lock);
	items = jmb_tally_take(&counter->pending, &n); /* sorted: one lock order */
	pthread_mutex_unlock(&counter->lock);
	if (n == 0)
		return;
	counts = jmb_xcalloc(n, sizeof(*counts));
	for (size_t i = 0; i < n; i++)
		counts[i] = (struct jmb_join_count){items[i].key, items[i].count};
	r = jmb_store_attendees_add_joins(counter->store, counts, n, &error);
	free(counts);
	if (r != JMB_STORE_OK) {
		if (!counter->failing)
			jmb_log(JMB_LOG_WARNING, "join_count", "error", error.text, "kept", "yes",
			        NULL);
		metrics_count(METRICS_STORE_ERROR);
		counter->failing = true;
		give_back(counter, items, n);
	} else if (counter->failing) {
		jmb_log(JMB_LOG_INFO, "join_count", "written", "yes", NULL);
		counter->failing = false;
	}
	jmb_tally_items_free(items, n);
}

static void *counter_main(void *arg)
{
	struct join_counter *counter = arg;
	bool stopping = false;

	while (!stopping) {
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += FLUSH_INTERVAL;
		pthread_mutex_lock(&counter->lock);
		while (!counter->stopping && jmb_tally_size(&counter->pending) < FLUSH_EARLY &&
		       pthread_cond_timedwait(&counter->wake, &counter->lock, &until) == 0)
			;
		stopping = counter->stopping;
		pthread_mutex_unlock(&counter->lock);
		flush(counter);
	}
	return NULL;
}

struct join_counter *join_counter_start(struct jmb_store *store, struct jmb_error *error)
{
	struct join_counter *counter = jmb_xcalloc(1, sizeof(*counter));

	counter->store = store;
	jmb_tally_init(&counter->pending);
	pthread_mutex_init(&counter->lock, NULL);
	pthread_cond_init(&counter->wake, NULL);
	if (pthread_create(&counter->thread, NULL, counter_main, counter) != 0) {
		jmb_error_set(error, "cannot start the join counter thread");
		pthread_cond_destroy(&counter->wake);
		pthread_mutex_destroy(&counter->lock);
		free(counter);
		return NULL;
	}
	return counter;
}

void join_counter_stop(struct join_counter **counter_p)
{
	struct join_counter *counter = *counter_p;
	size_t lost;

	if (counter == NULL)
		return;
	pthread_mutex_lock(&counter->lock);
	counter->stopping = true;
	pthread_cond_signal(&counter->wake);
	pthread_mutex_unlock(&counter->lock);
	pthread_join(counter->thread, NULL);
	lost = jmb_tally_size(&counter->pending);
	if (lost > 0) {
		char links[32];

		snprintf(links, sizeof(links), "%zu", lost);
		jmb_log(JMB_LOG_ERROR, "join_count_lost", "links", links, NULL);
	}
	jmb_tally_clear(&counter->pending);
	pthread_cond_destroy(&counter->wake);
	pthread_mutex_destroy(&counter->lock);
	free(counter);
	*counter_p = NULL;
}
