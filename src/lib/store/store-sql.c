/* The query helpers over a driver's primitives: pick the dialect's text, run a
 * statement to its end or read its first row, and end transactions. */
#include "config.h"

#include <stdlib.h>

#include <jansson.h>

#include "util/memory.h"
#include "store-sql.h"

static const char *dialect_text(const struct jmb_sql_conn *conn, const struct jmb_sql *sql)
{
	return conn->driver->dialect == JMB_SQL_SQLITE ? sql->sqlite : sql->pg;
}

enum jmb_store_result jmb_sql_query(struct jmb_sql_conn *conn, const struct jmb_sql *sql,
                                    const struct jmb_sql_value *args, size_t n_args,
                                    struct jmb_sql_stmt **stmt_r, struct jmb_error *error)
{
	*stmt_r = NULL;
	return conn->driver->prepare(conn, dialect_text(conn, sql), args, n_args, stmt_r, error);
}

enum jmb_store_result jmb_sql_next(struct jmb_sql_stmt *stmt, bool *row_r, struct jmb_error *error)
{
	return stmt->conn->driver->step(stmt, row_r, error);
}

void jmb_sql_release(struct jmb_sql_stmt *stmt)
{
	if (stmt != NULL)
		stmt->conn->driver->release(stmt);
}

enum jmb_store_result jmb_sql_exec(struct jmb_sql_conn *conn, const struct jmb_sql *sql,
                                   const struct jmb_sql_value *args, size_t n_args, long *changed_r,
                                   struct jmb_error *error)
{
	struct jmb_sql_stmt *stmt;
	bool row = true;
	enum jmb_store_result r = jmb_sql_query(conn, sql, args, n_args, &stmt, error);

	/* Statements with RETURNING hand back rows: step past them all. */
	while (r == JMB_STORE_OK && row)
		r = jmb_sql_next(stmt, &row, error);
	if (changed_r != NULL)
		*changed_r = r == JMB_STORE_OK ? conn->driver->changes(stmt) : 0;
	jmb_sql_release(stmt);
	return r;
}

enum jmb_store_result jmb_sql_exec_one(struct jmb_sql_conn *conn, const struct jmb_sql *sql,
                                       const struct jmb_sql_value *args, size_t n_args,
                                       const char *what, struct jmb_error *error)
{
	long changed = 0;
	enum jmb_store_result r = jmb_sql_exec(conn, sql, args, n_args, &changed, error);

	if (r == JMB_STORE_OK && changed == 0) {
		jmb_error_set(error, "%s not found", what);
		return JMB_STORE_NOT_FOUND;
	}
	return r;
}

enum jmb_store_result jmb_sql_first_row(struct jmb_sql_conn *conn, const struct jmb_sql *sql,
                                        const struct jmb_sql_value *args, size_t n_args,
                                        jmb_sql_row_reader *read, void *ctx, const char *what,
                                        struct jmb_error *error)
{
	struct jmb_sql_stmt *stmt;
	bool row = false;
	enum jmb_store_result r = jmb_sql_query(conn, sql, args, n_args, &stmt, error);

	if (r == JMB_STORE_OK)
		r = jmb_sql_next(stmt, &row, error);
	if (r == JMB_STORE_OK && row)
		read(stmt, ctx);
	jmb_sql_release(stmt);
	if (r == JMB_STORE_OK && !row) {
		jmb_error_set(error, "%s not found", what);
		r = JMB_STORE_NOT_FOUND;
	}
	return r;
}

const char *jmb_sql_peek(struct jmb_sql_stmt *stmt, int col)
{
	return stmt->conn->driver->column_text(stmt, col);
}

char *jmb_sql_text(struct jmb_pool *pool, struct jmb_sql_stmt *stmt, int col)
{
	const char *text = jmb_sql_peek(stmt, col);

	return text != NULL ? jmb_pool_strdup(pool, text) : NULL;
}

int64_t jmb_sql_int(struct jmb_sql_stmt *stmt, int col)
{
	return stmt->conn->driver->column_int64(stmt, col);
}

enum jmb_store_result jmb_sql_begin(struct jmb_sql_conn *conn, enum jmb_sql_tx kind,
                                    struct jmb_error *error)
{
	return conn->driver->begin(conn, kind, error);
}

enum jmb_store_result jmb_sql_end(struct jmb_sql_conn *conn, enum jmb_store_result r,
                                  struct jmb_error *error)
{
	if (r == JMB_STORE_OK)
		return conn->driver->commit(conn, error);
	conn->driver->rollback(conn);
	return r;
}

char *jmb_sql_json_array(struct jmb_pool *pool, const char *const *items, size_t n)
{
	json_t *array = json_array();
	char *dumped, *out;

	for (size_t i = 0; i < n; i++)
		json_array_append_new(array, json_string(items[i]));
	dumped = json_dumps(array, JSON_COMPACT);
	json_decref(array);
	if (dumped == NULL)
		jmb_fatal_oom();
	out = jmb_pool_strdup(pool, dumped);
	free(dumped);
	return out;
}
