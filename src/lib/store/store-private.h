/* What the store's domain files share: a connection checked out of the
 * store's pool for the length of one operation, and the side effects that
 * several operations write in their own transactions. The SQL primitives
 * they are written with are in store-sql.h. */
#ifndef JMB_STORE_PRIVATE_H
#define JMB_STORE_PRIVATE_H

#include "store/store.h"
#include "store-sql.h"

/* Opens a store on the given driver (jmb_store_open picks it from settings);
   tests wrap a real driver's primitives through here. */
struct jmb_store *jmb_store_open_driver(const struct jmb_store_settings *settings,
                                        const struct jmb_sql_driver *driver,
                                        struct jmb_error *error);

/* A connection for one operation (NULL, with error set, when none can be
   opened), and giving it back: one left broken or unfit is closed. */
struct jmb_sql_conn *jmb_store_acquire(struct jmb_store *store, struct jmb_error *error);
void jmb_store_release(struct jmb_store *store, struct jmb_sql_conn *conn);

/* One statement on a connection of its own: jmb_sql_exec and
   jmb_sql_first_row for operations that need no more. */
enum jmb_store_result jmb_store_exec(struct jmb_store *store, const struct jmb_sql *sql,
                                     const struct jmb_sql_value *args, size_t n_args,
                                     long *changed_r, struct jmb_error *error);
enum jmb_store_result jmb_store_first_row(struct jmb_store *store, const struct jmb_sql *sql,
                                          const struct jmb_sql_value *args, size_t n_args,
                                          jmb_sql_row_reader *read, void *ctx, const char *what,
                                          struct jmb_error *error);

/* Runs body(conn, ctx, error) on a connection of its own, in one transaction
   of the given kind (committed when body returns OK, else rolled back) or in
   none (JMB_SQL_TX_NONE). */
typedef enum jmb_store_result jmb_store_body(struct jmb_sql_conn *conn, void *ctx,
                                             struct jmb_error *error);
enum jmb_store_result jmb_store_run(struct jmb_store *store, enum jmb_sql_tx kind,
                                    jmb_store_body *body, void *ctx, struct jmb_error *error);

/* A query's rows into a growing array of item_size items (from pool), each
   read by read; jmb_store_collect runs it in one transaction of the given kind
   and leaves count at 0 when it fails. */
struct jmb_row_collector {
	const struct jmb_sql *sql;
	const struct jmb_sql_value *args;
	size_t n_args;
	struct jmb_pool *pool;
	size_t item_size;
	void (*read)(struct jmb_sql_stmt *stmt, void *item, void *pool);
	void *items;
	size_t count;
	size_t cap;
};
enum jmb_store_result jmb_store_collect(struct jmb_store *store, enum jmb_sql_tx kind,
                                        struct jmb_row_collector *rc, struct jmb_error *error);

/* Only the claimer may change a claimed row: no row changed means another
   instance took it over (or it is done); r passes through otherwise. */
enum jmb_store_result jmb_store_claimed_one(enum jmb_store_result r, long changed, const char *what,
                                            int64_t id, const char *instance,
                                            struct jmb_error *error);

/* store-queue.c, inside the caller's transaction (fx may be NULL): queues
   fx's mails; makes the meeting's pending reminders fx's plan. */
enum jmb_store_result jmb_store_queue_mails(struct jmb_sql_conn *conn,
                                            const struct jmb_side_effects *fx,
                                            struct jmb_error *error);
enum jmb_store_result jmb_store_plan_reminders(struct jmb_sql_conn *conn, int64_t meeting_id,
                                               const struct jmb_side_effects *fx,
                                               struct jmb_error *error);

#endif
