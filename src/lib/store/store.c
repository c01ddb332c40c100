/* The store front end: picks the driver, keeps a pool of its connections so
 * that any thread may use the store at any time, and brings the schema up to
 * date. The operations themselves are in store-meetings*.c, store-accounts.c
 * and store-queue.c. */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/memory.h"
#include "store-private.h"

#define STORE_MAX_IDLE 32

struct jmb_store {
	const struct jmb_sql_driver *driver;
	struct jmb_store_settings settings;
	pthread_mutex_t lock;
	struct jmb_sql_conn *idle[STORE_MAX_IDLE];
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

struct jmb_sql_conn *jmb_store_acquire(struct jmb_store *store, struct jmb_error *error)
{
	struct jmb_sql_conn *conn = NULL;

	pthread_mutex_lock(&store->lock);
	if (store->n_idle > 0)
		conn = store->idle[--store->n_idle];
	pthread_mutex_unlock(&store->lock);
	if (conn == NULL)
		conn = store->driver->connect(&store->settings, error);
	return conn;
}

void jmb_store_release(struct jmb_store *store, struct jmb_sql_conn *conn)
{
	if (store->driver->reset(conn)) {
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

enum jmb_store_result jmb_store_exec(struct jmb_store *store, const struct jmb_sql *sql,
                                     const struct jmb_sql_value *args, size_t n_args,
                                     long *changed_r, struct jmb_error *error)
{
	struct jmb_sql_conn *conn = jmb_store_acquire(store, error);
	enum jmb_store_result r;

	if (conn == NULL)
		return JMB_STORE_ERROR;
	r = jmb_sql_exec(conn, sql, args, n_args, changed_r, error);
	jmb_store_release(store, conn);
	return r;
}

enum jmb_store_result jmb_store_first_row(struct jmb_store *store, const struct jmb_sql *sql,
                                          const struct jmb_sql_value *args, size_t n_args,
                                          jmb_sql_row_reader *read, void *ctx, const char *what,
                                          struct jmb_error *error)
{
	struct jmb_sql_conn *conn = jmb_store_acquire(store, error);
	enum jmb_store_result r;

	if (conn == NULL)
		return JMB_STORE_ERROR;
	r = jmb_sql_first_row(conn, sql, args, n_args, read, ctx, what, error);
	jmb_store_release(store, conn);
	return r;
}

enum jmb_store_result jmb_store_run(struct jmb_store *store, enum jmb_sql_tx kind,
                                    jmb_store_body *body, void *ctx, struct jmb_error *error)
{
	struct jmb_sql_conn *conn = jmb_store_acquire(store, error);
	enum jmb_store_result r;

	if (conn == NULL)
		return JMB_STORE_ERROR;
	if (kind == JMB_SQL_TX_NONE)
		r = body(conn, ctx, error);
	else if ((r = jmb_sql_begin(conn, kind, error)) == JMB_STORE_OK)
		r = jmb_sql_end(conn, body(conn, ctx, error), error);
	jmb_store_release(store, conn);
	return r;
}

static const struct jmb_sql_driver *driver_for(enum jmb_store_driver_kind driver,
                                               struct jmb_error *error)
{
	switch (driver) {
	case JMB_STORE_SQLITE:
		return &jmb_sql_driver_sqlite;
	case JMB_STORE_POSTGRESQL:
#ifdef HAVE_POSTGRESQL
		return &jmb_sql_driver_pg;
#else
		jmb_error_set(error, "this jmb was built without PostgreSQL support");
		return NULL;
#endif
	}
	jmb_error_set(error, "unknown store driver");
	return NULL;
}

struct jmb_store *jmb_store_open(const struct jmb_store_settings *settings, struct jmb_error *error)
{
	const struct jmb_sql_driver *driver = driver_for(settings->driver, error);

	return driver != NULL ? jmb_store_open_driver(settings, driver, error) : NULL;
}

struct jmb_store *jmb_store_open_driver(const struct jmb_store_settings *settings,
                                        const struct jmb_sql_driver *driver,
                                        struct jmb_error *error)
{
	struct jmb_store *store = jmb_xcalloc(1, sizeof(*store));
	struct jmb_sql_conn *conn;

	store->driver = driver;
	store->settings.driver = settings->driver;
	store->settings.busy_timeout = settings->busy_timeout;
	store->settings.path = settings->path != NULL ? jmb_xstrdup(settings->path) : NULL;
	store->settings.conninfo =
	    settings->conninfo != NULL ? jmb_xstrdup(settings->conninfo) : NULL;
	pthread_mutex_init(&store->lock, NULL);
	/* Connect once now, so that a wrong setting shows at start-up. */
	conn = jmb_store_acquire(store, error);
	if (conn == NULL) {
		jmb_store_close(&store);
		return NULL;
	}
	jmb_store_release(store, conn);
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

/* Reading the schema touches the file: a damaged or vanished SQLite database
   fails here, where "SELECT 1" would not. */
static const struct jmb_sql sql_ping = {
    .sqlite = "SELECT count(*) FROM sqlite_master",
    .pg = "SELECT 1",
};

enum jmb_store_result jmb_store_ping(struct jmb_store *store, struct jmb_error *error)
{
	return jmb_store_exec(store, &sql_ping, SQL_NO_ARGS, NULL, error);
}

/* ---- schema and migrations ---- */

static const struct jmb_sql sql_version_table_exists = {
    .sqlite = "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
              "AND name = 'schema_version'",
    .pg = "SELECT count(*) FROM pg_class WHERE oid = to_regclass('schema_version')",
};
static const struct jmb_sql sql_version_table_create = {
    .sqlite = "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
              "name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
    .pg = "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
          "name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
};
static const struct jmb_sql sql_version_get =
    JMB_SQL_ANY("SELECT coalesce(max(version), 0) FROM schema_version");
static const struct jmb_sql sql_version_record =
    JMB_SQL_ANY("INSERT INTO schema_version (version, name, applied_at) VALUES ($1, $2, $3)");

static void read_int(struct jmb_sql_stmt *stmt, void *ctx)
{
	*(int64_t *)ctx = jmb_sql_int(stmt, 0);
}

static enum jmb_store_result version_table_exists(struct jmb_sql_conn *conn, bool *exists_r,
                                                  struct jmb_error *error)
{
	int64_t count = 0;
	enum jmb_store_result r = jmb_sql_first_row(conn, &sql_version_table_exists, SQL_NO_ARGS,
	                                            read_int, &count, "catalogue", error);

	*exists_r = count > 0;
	return r;
}

/* Creates the version table when missing (checking first: inside a
   transaction, a failed CREATE would abort it). Two instances creating it at
   once can collide on PostgreSQL's catalogue (CONFLICT): the loser finds the
   winner's table. */
static enum jmb_store_result ensure_version_table(struct jmb_sql_conn *conn,
                                                  struct jmb_error *error)
{
	bool exists = false;
	enum jmb_store_result r = version_table_exists(conn, &exists, error);

	if (r != JMB_STORE_OK || exists)
		return r;
	r = jmb_sql_exec(conn, &sql_version_table_create, SQL_NO_ARGS, NULL, error);
	if (r != JMB_STORE_CONFLICT)
		return r;
	r = version_table_exists(conn, &exists, error);
	if (r == JMB_STORE_OK && !exists) {
		jmb_error_set(error, "cannot create the schema_version table");
		r = JMB_STORE_ERROR;
	}
	return r;
}

static enum jmb_store_result read_version(struct jmb_sql_conn *conn, int *version_r,
                                          struct jmb_error *error)
{
	int64_t version = 0;
	enum jmb_store_result r = ensure_version_table(conn, error);

	if (r == JMB_STORE_OK)
		r = jmb_sql_first_row(conn, &sql_version_get, SQL_NO_ARGS, read_int, &version,
		                      "schema version", error);
	*version_r = (int)version;
	return r;
}

enum jmb_store_result jmb_store_schema_version(struct jmb_store *store, int *version_r,
                                               struct jmb_error *error)
{
	struct jmb_sql_conn *conn = jmb_store_acquire(store, error);
	enum jmb_store_result r;

	if (conn == NULL)
		return JMB_STORE_ERROR;
	r = read_version(conn, version_r, error);
	jmb_store_release(store, conn);
	return r;
}

int jmb_store_latest_schema_version(const struct jmb_store *store)
{
	int latest = 0;

	for (const struct jmb_migration *m = store->driver->migrations; m->version != 0; m++)
		latest = m->version;
	return latest;
}

/* Runs one migration in its own transaction and records its version. */
static enum jmb_store_result apply_migration(struct jmb_sql_conn *conn,
                                             const struct jmb_migration *m, struct jmb_error *error)
{
	enum jmb_store_result r = jmb_sql_begin(conn, JMB_SQL_TX_WRITE, error);
	int current = 0;

	if (r != JMB_STORE_OK)
		return r;
	/* Another migrator may have applied this step while we waited for the lock. */
	r = read_version(conn, &current, error);
	if (r == JMB_STORE_OK && current >= m->version)
		return jmb_sql_end(conn, r, error);
	if (r == JMB_STORE_OK)
		r = conn->driver->exec_script(conn, m->sql, error);
	if (r == JMB_STORE_OK)
		r = jmb_sql_exec(
		    conn, &sql_version_record,
		    SQL_ARGS(sql_int(m->version), sql_text(m->name), sql_int(time(NULL))), NULL,
		    error);
	if (r != JMB_STORE_OK)
		jmb_error_prefix(error, "migration %s: ", m->name);
	return jmb_sql_end(conn, r, error);
}

static enum jmb_store_result migrate_locked(struct jmb_store *store, struct jmb_sql_conn *conn,
                                            int *from_r, int *to_r, struct jmb_error *error)
{
	int latest = jmb_store_latest_schema_version(store);
	enum jmb_store_result r = read_version(conn, from_r, error);

	*to_r = *from_r;
	if (r != JMB_STORE_OK)
		return r;
	if (*from_r > latest) {
		jmb_error_set(error,
		              "the database schema (version %d) is newer than this jmb "
		              "knows (version %d): upgrade jmb",
		              *from_r, latest);
		return JMB_STORE_ERROR;
	}
	for (const struct jmb_migration *m = store->driver->migrations; m->version != 0; m++) {
		if (m->version <= *to_r)
			continue;
		r = apply_migration(conn, m, error);
		if (r != JMB_STORE_OK)
			return r;
		*to_r = m->version;
	}
	return JMB_STORE_OK;
}

enum jmb_store_result jmb_store_migrate(struct jmb_store *store, int *from_r, int *to_r,
                                        struct jmb_error *error)
{
	struct jmb_sql_conn *conn = jmb_store_acquire(store, error);
	enum jmb_store_result r;

	if (conn == NULL)
		return JMB_STORE_ERROR;
	r = store->driver->lock_migrations(conn, true, error);
	if (r == JMB_STORE_OK) {
		r = migrate_locked(store, conn, from_r, to_r, error);
		/* A failed unlock marks the connection broken, which frees the lock. */
		store->driver->lock_migrations(conn, false, NULL);
	}
	jmb_store_release(store, conn);
	return r;
}

/* ---- rows into arrays ---- */

static void *collector_next(struct jmb_row_collector *rc)
{
	if (rc->count == rc->cap) {
		size_t ncap = rc->cap ? rc->cap * 2 : 16;
		void *grown = jmb_pool_calloc(rc->pool, ncap, rc->item_size);

		if (rc->count > 0)
			memcpy(grown, rc->items, rc->count * rc->item_size);
		rc->items = grown;
		rc->cap = ncap;
	}
	return (char *)rc->items + rc->item_size * rc->count++;
}

static enum jmb_store_result collect_rows(struct jmb_sql_conn *conn, void *ctx,
                                          struct jmb_error *error)
{
	struct jmb_row_collector *rc = ctx;
	struct jmb_sql_stmt *stmt;
	enum jmb_store_result r = jmb_sql_query(conn, rc->sql, rc->args, rc->n_args, &stmt, error);
	bool row = false;

	while (r == JMB_STORE_OK && (r = jmb_sql_next(stmt, &row, error)) == JMB_STORE_OK && row)
		rc->read(stmt, collector_next(rc), rc->pool);
	jmb_sql_release(stmt);
	return r;
}

enum jmb_store_result jmb_store_collect(struct jmb_store *store, enum jmb_sql_tx kind,
                                        struct jmb_row_collector *rc, struct jmb_error *error)
{
	enum jmb_store_result r = jmb_store_run(store, kind, collect_rows, rc, error);

	if (r != JMB_STORE_OK)
		rc->count = 0;
	return r;
}

/* Only the claimer may change a claimed row: no row changed means another
   instance took it over (or it is done). */
enum jmb_store_result jmb_store_claimed_one(enum jmb_store_result r, long changed, const char *what,
                                            int64_t id, const char *instance,
                                            struct jmb_error *error)
{
	if (r == JMB_STORE_OK && changed == 0) {
		jmb_error_set(error, "%s %lld is not claimed by %s", what, (long long)id, instance);
		return JMB_STORE_NOT_FOUND;
	}
	return r;
}
