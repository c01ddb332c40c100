/* The daemon's shared state: settings, store, views, translations and plugins.
 * What a SIGHUP reloads lives in a runtime that is swapped as a whole.
 *
 * A runtime is reference-counted: jmbd holds one reference to the current one
 * (d->rt), and the queue worker takes its own for a round (jmbd_runtime_get),
 * so it can deliver mails and XMPP messages without the lock. A reload swaps
 * d->rt under the write lock and drops jmbd's reference to the old runtime,
 * which is freed when its last user lets go. Requests use d->rt under the read
 * lock for their whole duration instead. */
#ifndef JMBD_DAEMON_H
#define JMBD_DAEMON_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "web/i18n.h"
#include "metrics.h"
#include "config/settings.h"
#include "jmb/error.h"
#include "store/store.h"
#include "web/views.h"

struct jmb_auth_plugins;
struct jmb_directory;
struct join_counter;

struct jmbd_runtime {
	atomic_int refs; /* jmbd's reference while current, plus the queue worker's */
	struct jmb_pool *pool;
	struct jmb_settings settings;
	struct jmb_views *views;
	struct jmb_i18n *i18n;
	struct jmb_auth_plugins *plugins;
	const char *uid_domain;          /* host part of public_url, for iCal UIDs */
	struct jmb_directory *directory; /* [ldap] (and its identity cache), or NULL */
};

struct jmbd {
	const char *config_path;
	struct jmb_store *store;
	struct join_counter *joins; /* written behind, see join-counter.h */
	char *csrf_key;             /* shared by every instance through the store */
	pthread_rwlock_t lock;      /* requests read, reload writes (writers first) */
	struct jmbd_runtime *rt;
};

/* Reads and checks the config, loads templates, translations and plugins.
 * On failure error has "file:line: message" lines. The runtime has one
 * reference. */
struct jmbd_runtime *jmbd_runtime_load(const char *config_path, struct jmb_error *error);
/* A new reference to the current runtime, taken under the read lock. */
struct jmbd_runtime *jmbd_runtime_get(struct jmbd *d);
/* Drops a reference (*rt becomes NULL); the last one frees the runtime. */
void jmbd_runtime_put(struct jmbd_runtime **rt);
/* The read-write lock of struct jmbd, writer-preferring: a reload waits for
 * the requests in progress, not for a stream of new ones. */
void jmbd_lock_init(struct jmbd *d);

/* Opens the store, migrates it and fetches the shared secrets. */
int jmbd_open_store(struct jmbd *d, struct jmb_error *error);
/* Re-reads the config; on success swaps the runtime (store settings need a restart). */
int jmbd_reload(struct jmbd *d, struct jmb_error *error);

/* Seconds since the epoch; tests shift it with JMB_TEST_TIME_OFFSET. */
time_t jmbd_now(void);

#endif
