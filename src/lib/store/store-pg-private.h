/* Internals shared by the PostgreSQL store driver's two files: the connection,
 * named prepared statements cached per connection, and the helpers that run them. */
#ifndef JMB_STORE_PG_PRIVATE_H
#define JMB_STORE_PG_PRIVATE_H

#include <libpq-fe.h>

#include "store-private.h"

/* One slot per statement: a connection prepares each slot once, on first use,
   as the named statement "jmb_<slot>". */
enum pg_slot {
	PG_PING,
	PG_SCHEMA_TABLE_EXISTS,
	PG_SCHEMA_VERSION,
	PG_SCHEMA_RECORD,
	PG_ADVISORY_LOCK,
	PG_ADVISORY_UNLOCK,
	PG_MEETING_INSERT,
	PG_ATTENDEE_UPSERT,
	PG_MEETING_UPDATE,
	PG_ATTENDEES_PRUNE,
	PG_MEETING_DELETE,
	PG_REMINDERS_CANCEL,
	PG_MEETING_GET,
	PG_ATTENDEES_OF,
	PG_MEETINGS_FOR_USER_ASC,
	PG_MEETINGS_FOR_USER_DESC,
	PG_MEETINGS_ALL,
	PG_MEETING_BY_TOKEN,
	PG_INVITEE_BY_TOKEN,
	PG_ATTENDEE_SET_STATUS,
	PG_ATTENDEE_ADD_JOINS,
	PG_USER_TOUCH,
	PG_SESSION_CREATE,
	PG_SESSION_GET,
	PG_SESSION_DELETE,
	PG_SESSIONS_PURGE,
	PG_API_TOKEN_CREATE,
	PG_API_TOKEN_LOOKUP,
	PG_API_TOKEN_USED,
	PG_SECRET_INSERT,
	PG_SECRET_GET,
	PG_MEETING_BY_ROOM,
	PG_MEETING_IMPORT,
	PG_ATTENDEE_IMPORT,
	PG_MEETINGS_FOR_FEED,
	PG_FEED_VERSION,
	PG_FEED_TOKEN_UPSERT,
	PG_FEED_TOKEN_GET,
	PG_FEED_TOKEN_SET,
	PG_FEED_TOKEN_LOOKUP,
	PG_PRIVATE_ROOM_USE,
	PG_MEETING_TOUCH,
	PG_MEETINGS_LOCK,
	PG_OUTBOX_ADD,
	PG_OUTBOX_CLAIM,
	PG_OUTBOX_DELIVERED,
	PG_OUTBOX_DEFERRED,
	PG_OUTBOX_REJECTED,
	PG_OUTBOX_LIST,
	PG_OUTBOX_RETRY,
	PG_REMINDERS_PRUNE,
	PG_REMINDER_UPSERT,
	PG_REMINDERS_CLAIM,
	PG_REMINDER_DONE,
	PG_REMINDER_RELEASE,
	PG_SLOT_COUNT
};

/* A statement and the arguments it takes, one letter each: 't' text
   (const char *, NULL for SQL NULL), 'i' integer (int64_t), 'b' boolean (bool). */
struct pg_statement {
	enum pg_slot slot;
	const char *sql;
	const char *types;
};

struct pg_conn {
	PGconn *db;
	bool broken;
	bool prepared[PG_SLOT_COUNT];
};

void *jmb_pg_connect(const struct jmb_store_settings *settings, char **error_r);
void jmb_pg_disconnect(void *conn);
/* True when the connection is lost, marked broken, or left inside a transaction. */
bool jmb_pg_is_broken(void *conn);

/* Maps a result to a store code: 23505 is CONFLICT, 40001/40P01/55P03 RETRY,
   a lost connection marks c broken. res may be NULL. */
enum jmb_store_result jmb_pg_check(struct pg_conn *c, const PGresult *res, char **error_r);

/* Runs st with the arguments its types describe. On success *res_r holds the
   result, which the caller PQclear()s; on failure *res_r is NULL. */
enum jmb_store_result jmb_pg_query(struct pg_conn *c, const struct pg_statement *st,
                                   PGresult **res_r, char **error_r, ...);
/* Runs st and drops its result; *changed_r (if not NULL) gets the rows affected. */
enum jmb_store_result jmb_pg_exec(struct pg_conn *c, const struct pg_statement *st, long *changed_r,
                                  char **error_r, ...);
/* Runs fixed SQL without parameters (transaction control, embedded migrations). */
enum jmb_store_result jmb_pg_exec_plain(struct pg_conn *c, const char *sql, char **error_r);

enum jmb_store_result jmb_pg_begin(struct pg_conn *c, char **error_r);
/* Commits when r is OK, else rolls back; returns r or the commit's failure. */
enum jmb_store_result jmb_pg_finish(struct pg_conn *c, enum jmb_store_result r, char **error_r);

/* Column readers: SQL NULL reads as NULL text and as integer 0. */
char *jmb_pg_text(struct jmb_pool *pool, const PGresult *res, int row, int col);
int64_t jmb_pg_int(const PGresult *res, int row, int col);

/* store-pg-queue.c: the side effects of a change, and the outbox and reminder
   operations. */
enum jmb_store_result jmb_pg_apply_effects(struct pg_conn *c, int64_t meeting_id,
                                           const struct jmb_side_effects *fx, char **error_r);
enum jmb_store_result jmb_pg_outbox_add(void *conn, const struct jmb_side_effects *fx,
                                        char **error_r);
enum jmb_store_result jmb_pg_outbox_claim(void *conn, struct jmb_pool *pool, const char *instance,
                                          time_t now, time_t stale_before, long limit,
                                          struct jmb_outbox_list *list_r, char **error_r);
enum jmb_store_result jmb_pg_outbox_finish(void *conn, int64_t id, const char *instance,
                                           enum jmb_outbox_outcome outcome, time_t now,
                                           time_t next_attempt, const char *error_text,
                                           char **error_r);
enum jmb_store_result jmb_pg_outbox_list(void *conn, struct jmb_pool *pool, bool failed_only,
                                         long limit, struct jmb_outbox_list *list_r,
                                         char **error_r);
enum jmb_store_result jmb_pg_outbox_retry(void *conn, int64_t id, time_t now, char **error_r);
enum jmb_store_result jmb_pg_reminders_claim(void *conn, struct jmb_pool *pool,
                                             const char *instance, time_t now, time_t stale_before,
                                             long limit, struct jmb_reminder_list *list_r,
                                             char **error_r);
enum jmb_store_result jmb_pg_reminder_finish(void *conn, int64_t id, const char *instance,
                                             time_t now, const struct jmb_side_effects *fx,
                                             char **error_r);
enum jmb_store_result jmb_pg_reminder_release(void *conn, int64_t id, const char *instance,
                                              time_t retry_at, char **error_r);

#endif
