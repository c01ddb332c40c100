/* The SQL primitives a store driver provides, and the query helpers the domain
 * operations (store-meetings.c, store-queue.c, ...) are written with. A driver
 * knows nothing of meetings: it opens connections, prepares (and caches)
 * statements, binds typed values, steps rows, reads typed columns, runs
 * transactions and maps its engine's errors to the five store results. The
 * domain code never knows which driver runs it; where the SQL itself differs
 * it keeps both texts side by side (struct jmb_sql). */
#ifndef JMB_STORE_SQL_H
#define JMB_STORE_SQL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jmb/error.h"
#include "jmb/pool.h"
#include "store/store.h"

enum jmb_sql_dialect { JMB_SQL_SQLITE, JMB_SQL_POSTGRESQL };

/* A statement's text. Parameters are written $1, $2, ... in both (the SQLite
   driver reads them as ?1, ?2); the same literal goes in both fields unless
   the engines need different SQL. The address of the text is the key of the
   drivers' statement caches, so texts are always static. */
struct jmb_sql {
	const char *sqlite;
	const char *pg;
};
#define JMB_SQL_ANY(text)                                                                          \
	{                                                                                          \
		.sqlite = (text), .pg = (text)                                                     \
	}

/* A typed parameter value; build them with the constructors below, so the
   compiler checks every argument's type. */
enum jmb_sql_type { JMB_SQL_NULL, JMB_SQL_TEXT, JMB_SQL_INT64 };

struct jmb_sql_value {
	enum jmb_sql_type type;
	union {
		const char *text;
		int64_t int64;
	} u;
};

static inline struct jmb_sql_value sql_text(const char *text)
{
	/* NULL text is SQL NULL, as the columns that allow it expect. */
	if (text == NULL)
		return (struct jmb_sql_value){.type = JMB_SQL_NULL};
	return (struct jmb_sql_value){.type = JMB_SQL_TEXT, .u.text = text};
}

static inline struct jmb_sql_value sql_int(int64_t value)
{
	return (struct jmb_sql_value){.type = JMB_SQL_INT64, .u.int64 = value};
}

/* Text where NULL means the empty string (names, labels). */
static inline struct jmb_sql_value sql_text_or_empty(const char *text)
{
	return sql_text(text != NULL ? text : "");
}

/* The parameter list of a call: an array literal and its length. */
#define SQL_ARGS(...)                                                                              \
	(const struct jmb_sql_value[]){__VA_ARGS__},                                               \
	    sizeof((const struct jmb_sql_value[]){__VA_ARGS__}) / sizeof(struct jmb_sql_value)
#define SQL_NO_ARGS NULL, 0

/* What a transaction is for. SQLite takes the database's write lock at the
   start of both (BEGIN IMMEDIATE); PostgreSQL also serialises the writers of
   meetings and invitees (see store-pg.c). NONE: no transaction, each
   statement commits on its own (for jmb_store_run). */
enum jmb_sql_tx { JMB_SQL_TX_NONE, JMB_SQL_TX_WRITE, JMB_SQL_TX_MEETINGS };

/* The base of a driver's connection and statement structs. */
struct jmb_sql_conn {
	const struct jmb_sql_driver *driver;
	bool broken; /* unusable: closed instead of going back to the pool */
};

struct jmb_sql_stmt {
	struct jmb_sql_conn *conn;
};

struct jmb_migration {
	int version;
	const char *name;
	const char *sql;
};

struct jmb_sql_driver {
	const char *name;
	enum jmb_sql_dialect dialect;
	const struct jmb_migration *migrations; /* ends with version 0 */

	struct jmb_sql_conn *(*connect)(const struct jmb_store_settings *settings,
	                                struct jmb_error *error);
	void (*disconnect)(struct jmb_sql_conn *conn);
	/* Readies conn for the pool's next user (a transaction left open is
	   rolled back); false when conn is broken or lost and must be closed. */
	bool (*reset)(struct jmb_sql_conn *conn);

	/* Runs SQL without parameters, several statements allowed (migrations). */
	enum jmb_store_result (*exec_script)(struct jmb_sql_conn *conn, const char *sql,
	                                     struct jmb_error *error);
	/* Returns a statement for sql, from the connection's cache when it can,
	   with values bound. release gives it back. */
	enum jmb_store_result (*prepare)(struct jmb_sql_conn *conn, const char *sql,
	                                 const struct jmb_sql_value *values, size_t n_values,
	                                 struct jmb_sql_stmt **stmt_r, struct jmb_error *error);
	/* Runs the statement (first call) or moves to its next row: *row_r says
	   whether there is one to read. */
	enum jmb_store_result (*step)(struct jmb_sql_stmt *stmt, bool *row_r,
	                              struct jmb_error *error);
	/* Columns of the current row: SQL NULL is NULL text and integer 0. The
	   text lives until the next step or release. */
	const char *(*column_text)(struct jmb_sql_stmt *stmt, int col);
	int64_t (*column_int64)(struct jmb_sql_stmt *stmt, int col);
	/* Rows the statement inserted, updated or deleted (after its last step). */
	long (*changes)(struct jmb_sql_stmt *stmt);
	void (*release)(struct jmb_sql_stmt *stmt);

	enum jmb_store_result (*begin)(struct jmb_sql_conn *conn, enum jmb_sql_tx kind,
	                               struct jmb_error *error);
	enum jmb_store_result (*commit)(struct jmb_sql_conn *conn, struct jmb_error *error);
	void (*rollback)(struct jmb_sql_conn *conn);

	/* Serialises migrators across instances (a no-op where each migration's
	   own transaction is exclusive). */
	enum jmb_store_result (*lock_migrations)(struct jmb_sql_conn *conn, bool lock,
	                                         struct jmb_error *error);
};

extern const struct jmb_sql_driver jmb_sql_driver_sqlite;
#ifdef HAVE_POSTGRESQL
extern const struct jmb_sql_driver jmb_sql_driver_pg;
#endif

/* Migrations embedded at build time from sql/<driver>/NNN_name.sql (sql-migrations.c). */
extern const struct jmb_migration jmb_migrations_sqlite[];
extern const struct jmb_migration jmb_migrations_postgresql[];

/* ---- helpers over the primitives (store-sql.c) ---- */

/* Prepares sql for conn's dialect with args bound; the caller steps it with
   jmb_sql_next and gives it back with jmb_sql_release. */
enum jmb_store_result jmb_sql_query(struct jmb_sql_conn *conn, const struct jmb_sql *sql,
                                    const struct jmb_sql_value *args, size_t n_args,
                                    struct jmb_sql_stmt **stmt_r, struct jmb_error *error);
enum jmb_store_result jmb_sql_next(struct jmb_sql_stmt *stmt, bool *row_r, struct jmb_error *error);
void jmb_sql_release(struct jmb_sql_stmt *stmt);
/* Runs a statement to its end; *changed_r (if not NULL) gets the rows it changed. */
enum jmb_store_result jmb_sql_exec(struct jmb_sql_conn *conn, const struct jmb_sql *sql,
                                   const struct jmb_sql_value *args, size_t n_args, long *changed_r,
                                   struct jmb_error *error);
/* jmb_sql_exec that must change a row: NOT_FOUND ("<what> not found") when none. */
enum jmb_store_result jmb_sql_exec_one(struct jmb_sql_conn *conn, const struct jmb_sql *sql,
                                       const struct jmb_sql_value *args, size_t n_args,
                                       const char *what, struct jmb_error *error);
/* Runs a query and reads its first row with read(stmt, ctx); NOT_FOUND
   ("<what> not found") when there is none. */
typedef void jmb_sql_row_reader(struct jmb_sql_stmt *stmt, void *ctx);
enum jmb_store_result jmb_sql_first_row(struct jmb_sql_conn *conn, const struct jmb_sql *sql,
                                        const struct jmb_sql_value *args, size_t n_args,
                                        jmb_sql_row_reader *read, void *ctx, const char *what,
                                        struct jmb_error *error);

/* Columns, copied into pool (text) or converted; peek gives the driver's own
   text (NULL for SQL NULL), valid until the next step. */
const char *jmb_sql_peek(struct jmb_sql_stmt *stmt, int col);
char *jmb_sql_text(struct jmb_pool *pool, struct jmb_sql_stmt *stmt, int col);
int64_t jmb_sql_int(struct jmb_sql_stmt *stmt, int col);

/* Transactions: end commits when r is OK, else rolls back; returns r or the
   commit's failure. */
enum jmb_store_result jmb_sql_begin(struct jmb_sql_conn *conn, enum jmb_sql_tx kind,
                                    struct jmb_error *error);
enum jmb_store_result jmb_sql_end(struct jmb_sql_conn *conn, enum jmb_store_result r,
                                  struct jmb_error *error);

/* A list of strings as one JSON array text (from pool): lists of addresses
   or ids travel as one parameter, so the SQL stays fixed whatever their number. */
char *jmb_sql_json_array(struct jmb_pool *pool, const char *const *items, size_t n);

#endif
