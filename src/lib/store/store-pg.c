/* The PostgreSQL driver: the SQL primitives of store-sql.h over libpq, with
 * statements prepared once per connection under a name, parameters sent as
 * text with their types, and whole results read row by row. Connections and
 * error mapping are in store-pg-conn.c. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/memory.h"
#include "store-pg-private.h"

#define PG_MAX_PARAMS 24
/* Type OIDs from pg_type.h, which libpq-fe.h does not include. */
#define PG_INT8OID 20
#define PG_TEXTOID 25
/* "jmb-migr": the pg_advisory_lock key every jmb instance migrates under. */
#define MIGRATION_LOCK_KEY INT64_C(0x6a6d622d6d696772)
/* Held by every transaction that writes meetings or invitees, from its start:
   their triggers count changes in feed_changes (003_feed_changes.sql), and one
   writer at a time never locks those rows in two orders. Bookings are written
   at the pace people type; joins and the queues do not take it. */
#define MEETINGS_LOCK_KEY INT64_C(0x6a6d622d6d656574)

struct pg_stmt {
	struct jmb_sql_stmt base;
	const char *sql;
	char name[16]; /* empty: run unnamed, the cache is full */
	int n_params;
	Oid types[PG_MAX_PARAMS];
	const char *values[PG_MAX_PARAMS];
	char numbers[PG_MAX_PARAMS][24];
	PGresult *res; /* NULL until the first step runs the statement */
	int row;
};

static struct pg_stmt *pg_stmt(struct jmb_sql_stmt *stmt)
{
	return (struct pg_stmt *)stmt;
}

static enum jmb_store_result pg_exec_script(struct jmb_sql_conn *conn, const char *sql,
                                            struct jmb_error *error)
{
	struct pg_conn *c = pg_conn(conn);
	PGresult *res = PQexec(c->db, sql);
	enum jmb_store_result r = jmb_pg_check(c, res, error);

	PQclear(res);
	return r;
}

static void bind_values(struct pg_stmt *s, const struct jmb_sql_value *values)
{
	for (int i = 0; i < s->n_params; i++) {
		const struct jmb_sql_value *v = &values[i];

		s->types[i] = 0; /* NULL: the server infers the type */
		s->values[i] = NULL;
		if (v->type == JMB_SQL_TEXT) {
			s->types[i] = PG_TEXTOID;
			s->values[i] = v->u.text;
		} else if (v->type == JMB_SQL_INT64) {
			snprintf(s->numbers[i], sizeof(s->numbers[i]), "%lld",
			         (long long)v->u.int64);
			s->types[i] = PG_INT8OID;
			s->values[i] = s->numbers[i];
		}
	}
}

/* Finds the connection's prepared statement for sql, preparing it on first
   use. The types of this first use are the statement's for good: giving them
   lets a statement ignore a parameter, which inference cannot type. */
static enum jmb_store_result name_statement(struct pg_conn *c, struct pg_stmt *s,
                                            struct jmb_error *error)
{
	enum jmb_store_result r;
	PGresult *res;
	size_t i = 0;

	while (i < c->n_prepared && c->prepared[i] != s->sql)
		i++;
	if (i == PG_STATEMENT_CACHE)
		return JMB_STORE_OK;
	snprintf(s->name, sizeof(s->name), "jmb_%zu", i);
	if (i < c->n_prepared)
		return JMB_STORE_OK;
	/* Prepared statements outlive a rolled-back transaction, so the entry
	   stays even when the prepare ran inside one. */
	res = PQprepare(c->db, s->name, s->sql, s->n_params, s->types);
	r = jmb_pg_check(c, res, error);
	PQclear(res);
	if (r == JMB_STORE_OK)
		c->prepared[c->n_prepared++] = s->sql;
	return r;
}

static enum jmb_store_result pg_prepare(struct jmb_sql_conn *conn, const char *sql,
                                        const struct jmb_sql_value *values, size_t n_values,
                                        struct jmb_sql_stmt **stmt_r, struct jmb_error *error)
{
	struct pg_stmt *s;
	enum jmb_store_result r;

	if (n_values > PG_MAX_PARAMS) {
		jmb_error_set(error, "pg: %zu parameters, at most %d", n_values, PG_MAX_PARAMS);
		return JMB_STORE_ERROR;
	}
	s = jmb_xcalloc(1, sizeof(*s));
	s->base.conn = conn;
	s->sql = sql;
	s->n_params = (int)n_values;
	bind_values(s, values);
	r = name_statement(pg_conn(conn), s, error);
	if (r != JMB_STORE_OK) {
		free(s);
		return r;
	}
	*stmt_r = &s->base;
	return JMB_STORE_OK;
}

static PGresult *run(struct pg_conn *c, struct pg_stmt *s)
{
	if (s->name[0] != '\0')
		return PQexecPrepared(c->db, s->name, s->n_params, s->values, NULL, NULL, 0);
	return PQexecParams(c->db, s->sql, s->n_params, s->types, s->values, NULL, NULL, 0);
}

static enum jmb_store_result pg_step(struct jmb_sql_stmt *stmt, bool *row_r,
                                     struct jmb_error *error)
{
	struct pg_stmt *s = pg_stmt(stmt);

	*row_r = false;
	if (s->res == NULL) {
		struct pg_conn *c = pg_conn(stmt->conn);
		enum jmb_store_result r;

		s->res = run(c, s);
		r = jmb_pg_check(c, s->res, error);
		if (r != JMB_STORE_OK)
			return r;
		s->row = -1;
	}
	if (s->row < PQntuples(s->res))
		s->row++;
	*row_r = s->row < PQntuples(s->res);
	return JMB_STORE_OK;
}

static const char *pg_column_text(struct jmb_sql_stmt *stmt, int col)
{
	struct pg_stmt *s = pg_stmt(stmt);

	if (PQgetisnull(s->res, s->row, col))
		return NULL;
	return PQgetvalue(s->res, s->row, col);
}

static int64_t pg_column_int64(struct jmb_sql_stmt *stmt, int col)
{
	const char *text = pg_column_text(stmt, col);

	return text != NULL ? (int64_t)strtoll(text, NULL, 10) : 0;
}

static long pg_changes(struct jmb_sql_stmt *stmt)
{
	struct pg_stmt *s = pg_stmt(stmt);

	return s->res != NULL ? strtol(PQcmdTuples(s->res), NULL, 10) : 0;
}

static void pg_release(struct jmb_sql_stmt *stmt)
{
	struct pg_stmt *s = pg_stmt(stmt);

	PQclear(s->res);
	free(s);
}

/* Runs a statement that takes one bigint (the advisory locks); *value_r gets
   its one text value, "t" or "f" for the locks that answer. */
static enum jmb_store_result call_with_key(struct jmb_sql_conn *conn, const char *sql, int64_t key,
                                           char *value_r, struct jmb_error *error)
{
	const struct jmb_sql_value arg = sql_int(key);
	struct jmb_sql_stmt *stmt;
	bool row = false;
	enum jmb_store_result r = pg_prepare(conn, sql, &arg, 1, &stmt, error);

	if (r != JMB_STORE_OK)
		return r;
	r = pg_step(stmt, &row, error);
	*value_r = r == JMB_STORE_OK && row && pg_column_text(stmt, 0) != NULL
	               ? pg_column_text(stmt, 0)[0]
	               : '\0';
	pg_release(stmt);
	return r;
}

static void pg_rollback(struct jmb_sql_conn *conn)
{
	struct pg_conn *c = pg_conn(conn);

	pg_exec_script(conn, "ROLLBACK", NULL);
	/* A connection still inside a transaction must not go back to the pool. */
	if (PQtransactionStatus(c->db) != PQTRANS_IDLE)
		c->base.broken = true;
}

static enum jmb_store_result pg_begin(struct jmb_sql_conn *conn, enum jmb_sql_tx kind,
                                      struct jmb_error *error)
{
	enum jmb_store_result r = pg_exec_script(conn, "BEGIN", error);
	char ignored;

	if (r != JMB_STORE_OK || kind != JMB_SQL_TX_MEETINGS)
		return r;
	/* See MEETINGS_LOCK_KEY; the lock ends with the transaction. */
	r = call_with_key(conn, "SELECT pg_advisory_xact_lock($1)", MEETINGS_LOCK_KEY, &ignored,
	                  error);
	if (r != JMB_STORE_OK)
		pg_rollback(conn);
	return r;
}

static enum jmb_store_result pg_commit(struct jmb_sql_conn *conn, struct jmb_error *error)
{
	return pg_exec_script(conn, "COMMIT", error);
}

/* A session-level advisory lock: instances starting together wait for each
   other, and the lock dies with the connection if the migrator does. */
static enum jmb_store_result pg_lock_migrations(struct jmb_sql_conn *conn, bool lock,
                                                struct jmb_error *error)
{
	char held = '\0';
	enum jmb_store_result r;

	if (lock)
		return call_with_key(conn, "SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY, &held,
		                     error);
	r = call_with_key(conn, "SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY, &held, error);
	if (r == JMB_STORE_OK && held != 't') {
		jmb_error_set(error, "pg: the migration lock was not held");
		r = JMB_STORE_ERROR;
	}
	/* Never pool a connection that may still hold the lock: closing it frees it. */
	if (r != JMB_STORE_OK)
		conn->broken = true;
	return r;
}

const struct jmb_sql_driver jmb_sql_driver_pg = {
    .name = "postgresql",
    .dialect = JMB_SQL_POSTGRESQL,
    .migrations = jmb_migrations_postgresql,
    /* store-pg-conn.c */
    .connect = jmb_pg_connect,
    .disconnect = jmb_pg_disconnect,
    .reset = jmb_pg_reset,
    /* transactions and locks */
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .lock_migrations = pg_lock_migrations,
    /* statements */
    .exec_script = pg_exec_script,
    .prepare = pg_prepare,
    .step = pg_step,
    .release = pg_release,
    /* results */
    .column_text = pg_column_text,
    .column_int64 = pg_column_int64,
    .changes = pg_changes,
};
