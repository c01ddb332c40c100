/* Internals shared by the SQLite store driver's files: the connection and the
 * helpers that prepare, bind and run statements. */
#ifndef JMB_STORE_SQLITE_PRIVATE_H
#define JMB_STORE_SQLITE_PRIVATE_H

#include <sqlite3.h>

#include "store-private.h"

#define SQLITE_STATEMENT_CACHE 64

struct sqlite_cached_statement {
	const char *sql;
	sqlite3_stmt *stmt;
	bool busy;
};

struct sqlite_conn {
	sqlite3 *db;
	bool broken;
	struct sqlite_cached_statement cached[SQLITE_STATEMENT_CACHE];
	size_t n_cached;
};

/* Maps an SQLite result code to a store code (BUSY is RETRY, a unique
   constraint CONFLICT); I/O and corruption errors mark c broken. */
enum jmb_store_result jmb_sqlite_result(struct sqlite_conn *c, int rc, char **error_r);
/* Prepares sql and binds the arguments types describes: 't' text (const char *,
   NULL for SQL NULL), 'n' the same, 'i' integer (int64_t). */
enum jmb_store_result jmb_sqlite_prepare(struct sqlite_conn *c, sqlite3_stmt **stmt_r,
                                         const char *sql, const char *types, char **error_r, ...);
/* Steps a prepared statement once (no rows expected) and finalises it. */
enum jmb_store_result jmb_sqlite_exec_done(struct sqlite_conn *c, enum jmb_store_result r,
                                           sqlite3_stmt **stmt, char **error_r);
enum jmb_store_result jmb_sqlite_exec_plain(struct sqlite_conn *c, const char *sql, char **error_r);
/* BEGIN IMMEDIATE; finish commits when r is OK, else rolls back. */
enum jmb_store_result jmb_sqlite_begin(struct sqlite_conn *c, char **error_r);
enum jmb_store_result jmb_sqlite_finish(struct sqlite_conn *c, enum jmb_store_result r,
                                        char **error_r);
char *jmb_sqlite_text(struct jmb_pool *pool, sqlite3_stmt *stmt, int col);
/* Gives a statement from jmb_sqlite_prepare back (reset for reuse, or finalised). */
void jmb_sqlite_release(struct sqlite_conn *c, sqlite3_stmt *stmt);

/* Runs a statement that returns no rows (needs a local sqlite3_stmt *stmt_). */
#define EXEC(c, error_r, sql, types, ...)                                                          \
	jmb_sqlite_exec_done(c, jmb_sqlite_prepare(c, &stmt_, sql, types, error_r, __VA_ARGS__),   \
	                     &stmt_, error_r)

/* store-sqlite-queue.c: the side effects of a change, and the outbox and
   reminder operations. */
enum jmb_store_result jmb_sqlite_apply_effects(struct sqlite_conn *c, int64_t meeting_id,
                                               const struct jmb_side_effects *fx, time_t now,
                                               char **error_r);
enum jmb_store_result jmb_sqlite_outbox_add(void *conn, const struct jmb_side_effects *fx,
                                            char **error_r);
enum jmb_store_result jmb_sqlite_outbox_claim(void *conn, struct jmb_pool *pool,
                                              const char *instance, time_t now, time_t stale_before,
                                              long limit, struct jmb_outbox_list *list_r,
                                              char **error_r);
enum jmb_store_result jmb_sqlite_outbox_finish(void *conn, int64_t id, const char *instance,
                                               enum jmb_outbox_outcome outcome, time_t now,
                                               time_t next_attempt, const char *error_text,
                                               char **error_r);
enum jmb_store_result jmb_sqlite_outbox_list(void *conn, struct jmb_pool *pool, bool failed_only,
                                             long limit, struct jmb_outbox_list *list_r,
                                             char **error_r);
enum jmb_store_result jmb_sqlite_outbox_retry(void *conn, int64_t id, time_t now, char **error_r);
enum jmb_store_result jmb_sqlite_reminders_claim(void *conn, struct jmb_pool *pool,
                                                 const char *instance, time_t now,
                                                 time_t stale_before, long limit,
                                                 struct jmb_reminder_list *list_r, char **error_r);
enum jmb_store_result jmb_sqlite_reminder_finish(void *conn, int64_t id, const char *instance,
                                                 time_t now, const struct jmb_side_effects *fx,
                                                 char **error_r);
enum jmb_store_result jmb_sqlite_reminder_release(void *conn, int64_t id, const char *instance,
                                                  time_t retry_at, char **error_r);

#endif
