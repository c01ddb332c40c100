/* The store front end: picks the driver, keeps a pool of its connections and
 * checks one out for each call, so any thread may use the store at any time. */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "util/memory.h"
#include "store-private.h"

#define STORE_MAX_IDLE 32

struct jmb_store {
	const struct jmb_store_driver *driver;
	struct jmb_store_settings settings;
	pthread_mutex_t lock;
	void *idle[STORE_MAX_IDLE];
	size_t n_idle;
};

const char *jmb_store_result_name(enum jmb_store_result r)
{
	switch (r) {
	case JMB_STORE_OK:
		return "ok";
	case JMB_STORE_NOT_FOUND:
		return "not found";
	case JMB_STORE_CONFLICT:
		return "conflict";
	case JMB_STORE_RETRY:
		return "retry";
	case JMB_STORE_ERROR:
		return "error";
	}
	return "error";
}

static void *conn_acquire(struct jmb_store *store, char **error_r)
{
	void *conn = NULL;

	pthread_mutex_lock(&store->lock);
	while (conn == NULL && store->n_idle > 0) {
		conn = store->idle[--store->n_idle];
		if (store->driver->is_broken(conn)) {
			store->driver->disconnect(conn);
			conn = NULL;
		}
	}
	pthread_mutex_unlock(&store->lock);
	if (conn == NULL)
		conn = store->driver->connect(&store->settings, error_r);
	return conn;
}

static void conn_release(struct jmb_store *store, void *conn)
{
	if (!store->driver->is_broken(conn)) {
		pthread_mutex_lock(&store->lock);
		if (store->n_idle < STORE_MAX_IDLE) {
			store->idle[store->n_idle++] = conn;
			conn = NULL;
		}
		pthread_mutex_unlock(&store->lock);
	}
	if (conn != NULL)
		store->driver->disconnect(conn);
}

/* Checks a connection out, runs one driver operation on it, and puts it back. */
#define STORE_CALL(op, ...)                                                                        \
	do {                                                                                       \
		void *conn_ = conn_acquire(store, error_r);                                        \
		enum jmb_store_result r_;                                                          \
		if (conn_ == NULL)                                                                 \
			return JMB_STORE_ERROR;                                                    \
		r_ = store->driver->op(conn_, __VA_ARGS__);                                        \
		conn_release(store, conn_);                                                        \
		return r_;                                                                         \
	} while (0)

struct jmb_store *jmb_store_open(const struct jmb_store_settings *settings, char **error_r)
{
	struct jmb_store *store = jmb_xcalloc(1, sizeof(*store));
	void *conn;

	switch (settings->driver) {
	case JMB_STORE_SQLITE:
		store->driver = &jmb_store_driver_sqlite;
		break;
	case JMB_STORE_POSTGRESQL:
#ifdef HAVE_POSTGRESQL
		store->driver = &jmb_store_driver_pg;
		break;
#else
		*error_r = jmb_xstrdup("this jmb was built without PostgreSQL support");
		free(store);
		return NULL;
#endif
	default:
		*error_r = jmb_xstrdup("unknown store driver");
		free(store);
		return NULL;
	}
	store->settings.driver = settings->driver;
	store->settings.busy_timeout = settings->busy_timeout;
	store->settings.path = settings->path != NULL ? jmb_xstrdup(settings->path) : NULL;
	store->settings.conninfo =
	    settings->conninfo != NULL ? jmb_xstrdup(settings->conninfo) : NULL;
	pthread_mutex_init(&store->lock, NULL);
	conn = store->driver->connect(&store->settings, error_r);
	if (conn == NULL) {
		jmb_store_close(&store);
		return NULL;
	}
	conn_release(store, conn);
	return store;
}

void jmb_store_close(struct jmb_store **storep)
{
	struct jmb_store *store = *storep;

	if (store == NULL)
		return;
	while (store->n_idle > 0)
		store->driver->disconnect(store->idle[--store->n_idle]);
	pthread_mutex_destroy(&store->lock);
	free(store->settings.path);
	if (store->settings.conninfo != NULL)
		explicit_bzero(store->settings.conninfo, strlen(store->settings.conninfo));
	free(store->settings.conninfo);
	free(store);
	*storep = NULL;
}

const char *jmb_store_driver_name(const struct jmb_store *store)
{
	return store->driver->name;
}

int jmb_store_latest_schema_version(const struct jmb_store *store)
{
	int latest = 0;

	for (const struct jmb_migration *m = store->driver->migrations; m->version != 0; m++)
		latest = m->version;
	return latest;
}

enum jmb_store_result jmb_store_schema_version(struct jmb_store *store, int *version_r,
                                               char **error_r)
{
	STORE_CALL(schema_version, version_r, error_r);
}

static enum jmb_store_result migrate_locked(struct jmb_store *store, void *conn, int *from_r,
                                            int *to_r, char **error_r)
{
	enum jmb_store_result r = store->driver->schema_version(conn, from_r, error_r);

	*to_r = *from_r;
	if (r != JMB_STORE_OK)
		return r;
	if (*from_r > jmb_store_latest_schema_version(store)) {
		*error_r = jmb_xasprintf("the database schema (version %d) is newer than this jmb "
		                         "knows (version %d): upgrade jmb",
		                         *from_r, jmb_store_latest_schema_version(store));
		return JMB_STORE_ERROR;
	}
	for (const struct jmb_migration *m = store->driver->migrations; m->version != 0; m++) {
		if (m->version <= *to_r)
			continue;
		r = store->driver->apply_migration(conn, m, error_r);
		if (r != JMB_STORE_OK)
			return r;
		*to_r = m->version;
	}
	return JMB_STORE_OK;
}

enum jmb_store_result jmb_store_migrate(struct jmb_store *store, int *from_r, int *to_r,
                                        char **error_r)
{
	void *conn = conn_acquire(store, error_r);
	enum jmb_store_result r;

	if (conn == NULL)
		return JMB_STORE_ERROR;
	r = store->driver->lock_migrations(conn, true, error_r);
	if (r == JMB_STORE_OK) {
		r = migrate_locked(store, conn, from_r, to_r, error_r);
		char *unlock_error = NULL;
		store->driver->lock_migrations(conn, false, &unlock_error);
		free(unlock_error);
	}
	conn_release(store, conn);
	return r;
}

enum jmb_store_result jmb_store_ping(struct jmb_store *store, char **error_r)
{
	STORE_CALL(ping, error_r);
}

enum jmb_store_result jmb_store_meeting_insert(struct jmb_store *store, struct jmb_meeting *m,
                                               char **error_r)
{
	STORE_CALL(meeting_insert, m, NULL, error_r);
}

enum jmb_store_result jmb_store_meeting_update(struct jmb_store *store, struct jmb_meeting *m,
                                               char **error_r)
{
	STORE_CALL(meeting_update, m, NULL, error_r);
}

enum jmb_store_result jmb_store_meeting_delete(struct jmb_store *store, int64_t id, time_t now,
                                               char **error_r)
{
	STORE_CALL(meeting_delete, id, now, NULL, error_r);
}

enum jmb_store_result jmb_store_meeting_get(struct jmb_store *store, struct jmb_pool *pool,
                                            int64_t id, struct jmb_meeting **m_r, char **error_r)
{
	STORE_CALL(meeting_get, pool, id, m_r, error_r);
}

/* Mail lists travel to the drivers as one JSON array parameter, so the SQL
 * stays fixed whatever the number of addresses. */
static char *mails_to_json(struct jmb_pool *pool, const char *const *mails)
{
	json_t *array = json_array();
	char *dumped, *out;

	for (size_t i = 0; mails != NULL && mails[i] != NULL; i++)
		json_array_append_new(array, json_string(mails[i]));
	dumped = json_dumps(array, JSON_COMPACT);
	json_decref(array);
	if (dumped == NULL)
		jmb_fatal_oom();
	out = jmb_pool_strdup(pool, dumped);
	free(dumped);
	return out;
}

enum jmb_store_result jmb_store_meeting_insert_fx(struct jmb_store *store, struct jmb_meeting *m,
                                                  const struct jmb_side_effects *fx, char **error_r)
{
	STORE_CALL(meeting_insert, m, fx, error_r);
}

enum jmb_store_result jmb_store_meeting_update_fx(struct jmb_store *store, struct jmb_meeting *m,
                                                  const struct jmb_side_effects *fx, char **error_r)
{
	STORE_CALL(meeting_update, m, fx, error_r);
}

enum jmb_store_result jmb_store_meeting_delete_fx(struct jmb_store *store, int64_t id, time_t now,
                                                  const struct jmb_side_effects *fx, char **error_r)
{
	STORE_CALL(meeting_delete, id, now, fx, error_r);
}

enum jmb_store_result jmb_store_attendee_set_status_fx(struct jmb_store *store, const char *token,
                                                       enum jmb_partstat status, time_t now,
                                                       const struct jmb_side_effects *fx,
                                                       char **error_r)
{
	STORE_CALL(attendee_set_status, token, status, now, fx, error_r);
}

enum jmb_store_result jmb_store_outbox_add(struct jmb_store *store,
                                           const struct jmb_side_effects *fx, char **error_r)
{
	STORE_CALL(outbox_add, fx, error_r);
}

enum jmb_store_result jmb_store_outbox_claim(struct jmb_store *store, struct jmb_pool *pool,
                                             const char *instance, time_t now, time_t stale_before,
                                             long limit, struct jmb_outbox_list *list_r,
                                             char **error_r)
{
	STORE_CALL(outbox_claim, pool, instance, now, stale_before, limit, list_r, error_r);
}

enum jmb_store_result jmb_store_outbox_finish(struct jmb_store *store, int64_t id,
                                              const char *instance, enum jmb_outbox_outcome outcome,
                                              time_t now, time_t next_attempt,
                                              const char *error_text, char **error_r)
{
	STORE_CALL(outbox_finish, id, instance, outcome, now, next_attempt, error_text, error_r);
}

enum jmb_store_result jmb_store_outbox_list(struct jmb_store *store, struct jmb_pool *pool,
                                            bool failed_only, long limit,
                                            struct jmb_outbox_list *list_r, char **error_r)
{
	STORE_CALL(outbox_list, pool, failed_only, limit, list_r, error_r);
}

enum jmb_store_result jmb_store_outbox_retry(struct jmb_store *store, int64_t id, time_t now,
                                             char **error_r)
{
	STORE_CALL(outbox_retry, id, now, error_r);
}

enum jmb_store_result jmb_store_reminders_claim(struct jmb_store *store, struct jmb_pool *pool,
                                                const char *instance, time_t now,
                                                time_t stale_before, long limit,
                                                struct jmb_reminder_list *list_r, char **error_r)
{
	STORE_CALL(reminders_claim, pool, instance, now, stale_before, limit, list_r, error_r);
}

enum jmb_store_result jmb_store_reminder_finish(struct jmb_store *store, int64_t id,
                                                const char *instance, time_t now,
                                                const struct jmb_side_effects *fx, char **error_r)
{
	STORE_CALL(reminder_finish, id, instance, now, fx, error_r);
}

enum jmb_store_result jmb_store_reminder_release(struct jmb_store *store, int64_t id,
                                                 const char *instance, time_t retry_at,
                                                 char **error_r)
{
	STORE_CALL(reminder_release, id, instance, retry_at, error_r);
}

enum jmb_store_result jmb_store_meetings_for_user(struct jmb_store *store, struct jmb_pool *pool,
                                                  const char *login, const char *const *mails,
                                                  time_t ends_after, time_t ends_before,
                                                  bool newest_first,
                                                  struct jmb_meeting_list *list_r, char **error_r)
{
	const char *mails_json = mails_to_json(pool, mails);

	STORE_CALL(meetings_for_user, pool, login, mails_json, ends_after, ends_before,
	           newest_first, list_r, error_r);
}

enum jmb_store_result jmb_store_meetings_all(struct jmb_store *store, struct jmb_pool *pool,
                                             time_t ends_after, bool include_deleted,
                                             struct jmb_meeting_list *list_r, char **error_r)
{
	STORE_CALL(meetings_all, pool, ends_after, include_deleted, list_r, error_r);
}

static enum jmb_store_result meeting_by_token(struct jmb_store *store, struct jmb_pool *pool,
                                              const char *token, struct jmb_meeting **m_r,
                                              char **error_r)
{
	STORE_CALL(meeting_by_token, pool, token, m_r, error_r);
}

enum jmb_store_result jmb_store_attendee_by_token(struct jmb_store *store, struct jmb_pool *pool,
                                                  const char *token, struct jmb_meeting **m_r,
                                                  size_t *index_r, char **error_r)
{
	enum jmb_store_result r = meeting_by_token(store, pool, token, m_r, error_r);

	if (r != JMB_STORE_OK)
		return r;
	for (size_t i = 0; i < (*m_r)->n_attendees; i++) {
		if (strcmp((*m_r)->attendees[i].token, token) == 0) {
			*index_r = i;
			return JMB_STORE_OK;
		}
	}
	/* Removed between the driver's two reads (the meeting, its invitees). */
	*error_r = jmb_xstrdup("attendee vanished during lookup");
	return JMB_STORE_RETRY;
}

enum jmb_store_result jmb_store_invitee_by_token(struct jmb_store *store, struct jmb_pool *pool,
                                                 const char *token, struct jmb_meeting **m_r,
                                                 char **error_r)
{
	STORE_CALL(invitee_by_token, pool, token, m_r, error_r);
}

enum jmb_store_result jmb_store_attendee_set_status(struct jmb_store *store, const char *token,
                                                    enum jmb_partstat status, time_t now,
                                                    char **error_r)
{
	STORE_CALL(attendee_set_status, token, status, now, NULL, error_r);
}

enum jmb_store_result jmb_store_attendees_add_joins(struct jmb_store *store,
                                                    const struct jmb_join_count *counts, size_t n,
                                                    char **error_r)
{
	STORE_CALL(attendees_add_joins, counts, n, error_r);
}

enum jmb_store_result jmb_store_meeting_by_room(struct jmb_store *store, struct jmb_pool *pool,
                                                const char *room, struct jmb_meeting **m_r,
                                                char **error_r)
{
	STORE_CALL(meeting_by_room, pool, room, m_r, error_r);
}

enum jmb_store_result jmb_store_meeting_import(struct jmb_store *store, struct jmb_meeting *m,
                                               char **error_r)
{
	STORE_CALL(meeting_import, m, error_r);
}

enum jmb_store_result jmb_store_meetings_for_feed(struct jmb_store *store, struct jmb_pool *pool,
                                                  const char *login, const char *const *mails,
                                                  time_t ends_after, time_t deleted_after,
                                                  struct jmb_meeting_list *list_r, char **error_r)
{
	const char *mails_json = mails_to_json(pool, mails);

	STORE_CALL(meetings_for_feed, pool, login, mails_json, ends_after, deleted_after, list_r,
	           error_r);
}

enum jmb_store_result jmb_store_feed_version(struct jmb_store *store, struct jmb_pool *pool,
                                             const char *login, const char *const *mails,
                                             struct jmb_feed_version *version_r, char **error_r)
{
	const char *mails_json = mails_to_json(pool, mails);

	STORE_CALL(feed_version, login, mails_json, version_r, error_r);
}

enum jmb_store_result jmb_store_feed_token(struct jmb_store *store, struct jmb_pool *pool,
                                           const struct jmb_person *user, const char *identity_json,
                                           const char *candidate, time_t now, char **token_r,
                                           char **error_r)
{
	STORE_CALL(feed_token, pool, user, identity_json, candidate, now, token_r, error_r);
}

enum jmb_store_result jmb_store_feed_token_set(struct jmb_store *store,
                                               const struct jmb_person *user,
                                               const char *identity_json, const char *token,
                                               time_t now, char **error_r)
{
	STORE_CALL(feed_token_set, user, identity_json, token, now, error_r);
}

enum jmb_store_result jmb_store_feed_token_lookup(struct jmb_store *store, struct jmb_pool *pool,
                                                  const char *token, char **login_r,
                                                  char **identity_json_r, char **error_r)
{
	STORE_CALL(feed_token_lookup, pool, token, login_r, identity_json_r, error_r);
}

enum jmb_store_result jmb_store_private_room_use(struct jmb_store *store, const char *login,
                                                 time_t now, long *uses_r, char **error_r)
{
	STORE_CALL(private_room_use, login, now, uses_r, error_r);
}

enum jmb_store_result jmb_store_user_touch(struct jmb_store *store, const struct jmb_person *user,
                                           const char *language, time_t now, char **error_r)
{
	STORE_CALL(user_touch, user, language, now, error_r);
}

enum jmb_store_result jmb_store_session_create(struct jmb_store *store, const char *id_hash,
                                               const char *identity_json, time_t created,
                                               time_t expires, char **error_r)
{
	STORE_CALL(session_create, id_hash, identity_json, created, expires, error_r);
}

enum jmb_store_result jmb_store_session_get(struct jmb_store *store, struct jmb_pool *pool,
                                            const char *id_hash, time_t now,
                                            struct jmb_session_record *session_r, char **error_r)
{
	STORE_CALL(session_get, pool, id_hash, now, session_r, error_r);
}

enum jmb_store_result jmb_store_session_delete(struct jmb_store *store, const char *id_hash,
                                               char **error_r)
{
	STORE_CALL(session_delete, id_hash, error_r);
}

enum jmb_store_result jmb_store_sessions_purge(struct jmb_store *store, time_t now, long *purged_r,
                                               char **error_r)
{
	STORE_CALL(sessions_purge, now, purged_r, error_r);
}

enum jmb_store_result jmb_store_api_token_create(struct jmb_store *store, const char *token_hash,
                                                 const char *identity_json, const char *label,
                                                 time_t now, char **error_r)
{
	STORE_CALL(api_token_create, token_hash, identity_json, label, now, error_r);
}

enum jmb_store_result jmb_store_api_token_lookup(struct jmb_store *store, struct jmb_pool *pool,
                                                 const char *token_hash, time_t now,
                                                 char **identity_json_r, char **error_r)
{
	STORE_CALL(api_token_lookup, pool, token_hash, now, identity_json_r, error_r);
}

enum jmb_store_result jmb_store_secret_get(struct jmb_store *store, struct jmb_pool *pool,
                                           const char *name, const char *candidate, char **value_r,
                                           char **error_r)
{
	STORE_CALL(secret_get, pool, name, candidate, value_r, error_r);
}
