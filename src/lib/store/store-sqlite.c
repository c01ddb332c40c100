/* The SQLite driver: the SQL primitives of store-sql.h on one database file in
 * WAL mode with a busy timeout. Statements are cached per connection; writes
 * run in BEGIN IMMEDIATE transactions, which take the file's write lock first. */
#include "config.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/memory.h"
#include "store-sql.h"

#define SQLITE_STATEMENT_CACHE 64
#define SQLITE_MMAP_SIZE "268435456" /* 256 MiB of the database mapped, at most */
#define SQLITE_SET_UP_RETRY_MS 10

struct sqlite_stmt {
	struct jmb_sql_stmt base;
	sqlite3_stmt *stmt;
	const char *sql; /* the cache key: the text's address */
	bool busy;
};

struct sqlite_conn {
	struct jmb_sql_conn base;
	sqlite3 *db;
	struct sqlite_stmt cached[SQLITE_STATEMENT_CACHE];
	size_t n_cached;
};

static struct sqlite_conn *sqlite_conn(struct jmb_sql_conn *conn)
{
	return (struct sqlite_conn *)conn;
}

static struct sqlite_stmt *sqlite_stmt(struct jmb_sql_stmt *stmt)
{
	return (struct sqlite_stmt *)stmt;
}

/* Maps an SQLite result code to a store result: BUSY is RETRY, a unique key
   CONFLICT; I/O errors and corruption mark the connection broken. */
static enum jmb_store_result sqlite_result(struct sqlite_conn *c, int rc, struct jmb_error *error)
{
	const char *msg = sqlite3_errmsg(c->db);

	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return JMB_STORE_OK;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		jmb_error_set(error, "sqlite: database busy: %s", msg);
		return JMB_STORE_RETRY;
	case SQLITE_CONSTRAINT:
		jmb_error_set(error, "sqlite: %s", msg);
		return rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY
		           ? JMB_STORE_CONFLICT
		           : JMB_STORE_ERROR;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
		c->base.broken = true;
		/* fall through */
	default:
		jmb_error_set(error, "sqlite: %s", msg);
		return JMB_STORE_ERROR;
	}
}

static void sqlite_disconnect(struct jmb_sql_conn *conn)
{
	struct sqlite_conn *c = sqlite_conn(conn);

	for (size_t i = 0; i < c->n_cached; i++)
		sqlite3_finalize(c->cached[i].stmt);
	sqlite3_close(c->db);
	free(c);
}

static enum jmb_store_result sqlite_exec_script(struct jmb_sql_conn *conn, const char *sql,
                                                struct jmb_error *error)
{
	struct sqlite_conn *c = sqlite_conn(conn);
	char *err = NULL;
	int rc = sqlite3_exec(c->db, sql, NULL, NULL, &err);
	enum jmb_store_result r = sqlite_result(c, rc, error);

	/* sqlite3_exec's own message names the statement that failed. */
	if (r != JMB_STORE_OK && err != NULL)
		jmb_error_set(error, "sqlite: %s", err);
	sqlite3_free(err);
	return r;
}

/* The settings of every connection. Turning a new file to WAL needs its
 * exclusive lock, and while another connection holds the file's write lock
 * SQLite answers BUSY at once, without the busy handler: two jmbd starting
 * together on a new file (or jmbctl beside a starting jmbd) made one of them
 * exit with "database is locked". So the set-up is tried again for as long as
 * busy_timeout allows. */
static enum jmb_store_result sqlite_set_up(struct sqlite_conn *c, long busy_timeout,
                                           struct jmb_error *error)
{
	/* mmap_size: pages missing from this connection's own cache are read
	 * straight from the kernel's page cache, not with a pread() and a copy
	 * each (bench/run.sh: a personal-link join, 33 to 31 us of CPU). */
	static const char set_up[] = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
	                             "PRAGMA foreign_keys = ON; PRAGMA trusted_schema = OFF; "
	                             "PRAGMA mmap_size = " SQLITE_MMAP_SIZE ";";
	enum jmb_store_result r;
	long waited = 0;

	while ((r = sqlite_exec_script(&c->base, set_up, error)) == JMB_STORE_RETRY &&
	       waited < busy_timeout) {
		sqlite3_sleep(SQLITE_SET_UP_RETRY_MS);
		waited += SQLITE_SET_UP_RETRY_MS;
	}
	return r;
}

static struct jmb_sql_conn *sqlite_connect(const struct jmb_store_settings *settings,
                                           struct jmb_error *error)
{
	struct sqlite_conn *c = jmb_xcalloc(1, sizeof(*c));
	int rc;

	c->base.driver = &jmb_sql_driver_sqlite;
	rc = sqlite3_open_v2(settings->path, &c->db,
	                     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
	                         SQLITE_OPEN_EXRESCODE,
	                     NULL);
	if (rc != SQLITE_OK) {
		jmb_error_set(error, "sqlite: cannot open %s: %s", settings->path,
		              c->db != NULL ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		sqlite_disconnect(&c->base);
		return NULL;
	}
	sqlite3_busy_timeout(c->db, (int)settings->busy_timeout);
	if (sqlite_set_up(c, settings->busy_timeout, error) != JMB_STORE_OK) {
		jmb_error_prefix(error, "cannot set up %s: ", settings->path);
		sqlite_disconnect(&c->base);
		return NULL;
	}
	return &c->base;
}

/* A connection goes back to the pool only outside any transaction: one whose
   COMMIT failed (a deferred constraint, say) is still inside its transaction,
   and the next user's writes would never be committed. */
static bool sqlite_reset(struct jmb_sql_conn *conn)
{
	struct sqlite_conn *c = sqlite_conn(conn);

	if (!c->base.broken && !sqlite3_get_autocommit(c->db))
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
	return !c->base.broken && sqlite3_get_autocommit(c->db);
}

/* The SQL with its $N parameters written ?N, SQLite's numbered form, so that
   one text serves both engines. A '$' not before a digit is left alone. */
static char *numbered_parameters(const char *sql)
{
	char *out = jmb_xstrdup(sql);

	for (char *p = out; *p != '\0'; p++) {
		if (p[0] == '$' && p[1] >= '0' && p[1] <= '9')
			p[0] = '?';
	}
	return out;
}

static int compile(struct sqlite_conn *c, const char *sql, sqlite3_stmt **stmt_r)
{
	char *numbered = numbered_parameters(sql);
	int rc = sqlite3_prepare_v3(c->db, numbered, -1, SQLITE_PREPARE_PERSISTENT, stmt_r, NULL);

	free(numbered);
	return rc;
}

/* Statements are kept per connection, keyed by their SQL text's address (the
   SQL is always static): compiling them was most of the cost of a small
   request. A statement in use is not shared; a second user compiles its own. */
static int take_statement(struct sqlite_conn *c, const char *sql, struct sqlite_stmt **stmt_r)
{
	struct sqlite_stmt *s;
	sqlite3_stmt *compiled;
	const char *key = NULL;
	int rc;

	for (size_t i = 0; i < c->n_cached; i++) {
		if (c->cached[i].sql == sql && !c->cached[i].busy) {
			c->cached[i].busy = true;
			*stmt_r = &c->cached[i];
			return SQLITE_OK;
		}
	}
	rc = compile(c, sql, &compiled);
	if (rc != SQLITE_OK)
		return rc;
	if (c->n_cached < SQLITE_STATEMENT_CACHE) {
		s = &c->cached[c->n_cached++];
		key = sql;
	} else {
		s = jmb_xcalloc(1, sizeof(*s)); /* no key: finalised on release */
	}
	*s = (struct sqlite_stmt){{&c->base}, compiled, key, true};
	*stmt_r = s;
	return SQLITE_OK;
}

static void sqlite_release(struct jmb_sql_stmt *stmt)
{
	struct sqlite_stmt *s = sqlite_stmt(stmt);

	if (s->sql == NULL) {
		sqlite3_finalize(s->stmt);
		free(s);
		return;
	}
	sqlite3_reset(s->stmt);
	sqlite3_clear_bindings(s->stmt);
	s->busy = false;
}

static int bind_value(sqlite3_stmt *stmt, int index, const struct jmb_sql_value *v)
{
	switch (v->type) {
	case JMB_SQL_TEXT:
		return sqlite3_bind_text(stmt, index, v->u.text, -1, SQLITE_STATIC);
	case JMB_SQL_INT64:
		return sqlite3_bind_int64(stmt, index, v->u.int64);
	case JMB_SQL_NULL:
		break;
	}
	return sqlite3_bind_null(stmt, index);
}

static enum jmb_store_result sqlite_prepare(struct jmb_sql_conn *conn, const char *sql,
                                            const struct jmb_sql_value *values, size_t n_values,
                                            struct jmb_sql_stmt **stmt_r, struct jmb_error *error)
{
	struct sqlite_conn *c = sqlite_conn(conn);
	struct sqlite_stmt *s;
	int rc = take_statement(c, sql, &s);

	if (rc != SQLITE_OK)
		return sqlite_result(c, rc, error);
	for (size_t i = 0; i < n_values && rc == SQLITE_OK; i++)
		rc = bind_value(s->stmt, (int)i + 1, &values[i]);
	if (rc != SQLITE_OK) {
		enum jmb_store_result r = sqlite_result(c, rc, error);
		sqlite_release(&s->base);
		return r;
	}
	*stmt_r = &s->base;
	return JMB_STORE_OK;
}

static enum jmb_store_result sqlite_step(struct jmb_sql_stmt *stmt, bool *row_r,
                                         struct jmb_error *error)
{
	int rc = sqlite3_step(sqlite_stmt(stmt)->stmt);

	*row_r = rc == SQLITE_ROW;
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return JMB_STORE_OK;
	return sqlite_result(sqlite_conn(stmt->conn), rc, error);
}

static const char *sqlite_column_text(struct jmb_sql_stmt *stmt, int col)
{
	return (const char *)sqlite3_column_text(sqlite_stmt(stmt)->stmt, col);
}

static int64_t sqlite_column_int64(struct jmb_sql_stmt *stmt, int col)
{
	return sqlite3_column_int64(sqlite_stmt(stmt)->stmt, col);
}

static long sqlite_changes(struct jmb_sql_stmt *stmt)
{
	return sqlite3_changes(sqlite_conn(stmt->conn)->db);
}

static enum jmb_store_result sqlite_begin(struct jmb_sql_conn *conn, enum jmb_sql_tx kind,
                                          struct jmb_error *error)
{
	/* Every transaction here writes: take the write lock now, not at the
	   first write, where a busy database could no longer be waited for. */
	(void)kind;
	return sqlite_exec_script(conn, "BEGIN IMMEDIATE", error);
}

static enum jmb_store_result sqlite_commit(struct jmb_sql_conn *conn, struct jmb_error *error)
{
	return sqlite_exec_script(conn, "COMMIT", error);
}

static void sqlite_rollback(struct jmb_sql_conn *conn)
{
	sqlite_exec_script(conn, "ROLLBACK", NULL);
}

static enum jmb_store_result sqlite_lock_migrations(struct jmb_sql_conn *conn, bool lock,
                                                    struct jmb_error *error)
{
	/* Each migration runs in a BEGIN IMMEDIATE transaction and re-reads the
	   version first, so two migrators on one file cannot both apply a step. */
	(void)conn, (void)lock, (void)error;
	return JMB_STORE_OK;
}

const struct jmb_sql_driver jmb_sql_driver_sqlite = {
    .name = "sqlite",
    .dialect = JMB_SQL_SQLITE,
    .migrations = jmb_migrations_sqlite,
    .connect = sqlite_connect,
    .disconnect = sqlite_disconnect,
    .reset = sqlite_reset,
    .exec_script = sqlite_exec_script,
    .prepare = sqlite_prepare,
    .step = sqlite_step,
    .column_text = sqlite_column_text,
    .column_int64 = sqlite_column_int64,
    .changes = sqlite_changes,
    .release = sqlite_release,
    .begin = sqlite_begin,
    .commit = sqlite_commit,
    .rollback = sqlite_rollback,
    .lock_migrations = sqlite_lock_migrations,
};
