/* What a store driver implements: a vtable of operations on one connection.
 * store.c owns the connection pool and calls these with a connection checked out. */
#ifndef JMB_STORE_PRIVATE_H
#define JMB_STORE_PRIVATE_H

#include "store/store.h"

struct jmb_migration {
	int version;
	const char *name;
	const char *sql;
};

struct jmb_store_driver {
	const char *name;
	const struct jmb_migration *migrations; /* ends with version 0 */

	void *(*connect)(const struct jmb_store_settings *settings, char **error_r);
	void (*disconnect)(void *conn);
	/* True when the connection is unusable and must be replaced. */
	bool (*is_broken)(void *conn);

	enum jmb_store_result (*ping)(void *conn, char **error_r);
	enum jmb_store_result (*schema_version)(void *conn, int *version_r, char **error_r);
	/* Runs one migration in its own transaction and records its version. */
	enum jmb_store_result (*apply_migration)(void *conn, const struct jmb_migration *m,
	                                         char **error_r);
	/* Serialises concurrent migrators across instances (a no-op where the
	   migration transaction itself is exclusive). */
	enum jmb_store_result (*lock_migrations)(void *conn, bool lock, char **error_r);

	enum jmb_store_result (*meeting_insert)(void *conn, struct jmb_meeting *m,
	                                        const struct jmb_side_effects *fx, char **error_r);
	enum jmb_store_result (*meeting_update)(void *conn, struct jmb_meeting *m,
	                                        const struct jmb_side_effects *fx, char **error_r);
	enum jmb_store_result (*meeting_delete)(void *conn, int64_t id, time_t now,
	                                        const struct jmb_side_effects *fx, char **error_r);
	enum jmb_store_result (*meeting_get)(void *conn, struct jmb_pool *pool, int64_t id,
	                                     struct jmb_meeting **m_r, char **error_r);
	enum jmb_store_result (*meetings_for_user)(void *conn, struct jmb_pool *pool,
	                                           const char *login, const char *mails_json,
	                                           time_t ends_after, time_t ends_before,
	                                           bool newest_first,
	                                           struct jmb_meeting_list *list_r, char **error_r);
	enum jmb_store_result (*meetings_all)(void *conn, struct jmb_pool *pool, time_t ends_after,
	                                      bool include_deleted, struct jmb_meeting_list *list_r,
	                                      char **error_r);

	/* The meeting with every invitee; store.c finds the token's one. */
	enum jmb_store_result (*meeting_by_token)(void *conn, struct jmb_pool *pool,
	                                          const char *token, struct jmb_meeting **m_r,
	                                          char **error_r);
	enum jmb_store_result (*invitee_by_token)(void *conn, struct jmb_pool *pool,
	                                          const char *token, struct jmb_meeting **m_r,
	                                          char **error_r);
	enum jmb_store_result (*attendee_set_status)(void *conn, const char *token,
	                                             enum jmb_partstat status, time_t now,
	                                             const struct jmb_side_effects *fx,
	                                             char **error_r);
	enum jmb_store_result (*attendees_add_joins)(void *conn,
	                                             const struct jmb_join_count *counts, size_t n,
	                                             char **error_r);

	enum jmb_store_result (*meeting_by_room)(void *conn, struct jmb_pool *pool,
	                                         const char *room, struct jmb_meeting **m_r,
	                                         char **error_r);
	enum jmb_store_result (*meeting_import)(void *conn, struct jmb_meeting *m, char **error_r);
	enum jmb_store_result (*meetings_for_feed)(void *conn, struct jmb_pool *pool,
	                                           const char *login, const char *mails_json,
	                                           time_t ends_after, time_t deleted_after,
	                                           struct jmb_meeting_list *list_r, char **error_r);
	enum jmb_store_result (*feed_version)(void *conn, const char *login, const char *mails_json,
	                                      struct jmb_feed_version *version_r, char **error_r);
	enum jmb_store_result (*feed_token)(void *conn, struct jmb_pool *pool,
	                                    const struct jmb_person *user,
	                                    const char *identity_json, const char *candidate,
	                                    time_t now, char **token_r, char **error_r);
	enum jmb_store_result (*feed_token_set)(void *conn, const struct jmb_person *user,
	                                        const char *identity_json, const char *token,
	                                        time_t now, char **error_r);
	enum jmb_store_result (*feed_token_lookup)(void *conn, struct jmb_pool *pool,
	                                           const char *token, char **login_r,
	                                           char **identity_json_r, char **error_r);
	enum jmb_store_result (*private_room_use)(void *conn, const char *login, time_t now,
	                                          long *uses_r, char **error_r);

	enum jmb_store_result (*user_touch)(void *conn, const struct jmb_person *user,
	                                    const char *language, time_t now, char **error_r);

	enum jmb_store_result (*session_create)(void *conn, const char *id_hash,
	                                        const char *identity_json, time_t created,
	                                        time_t expires, char **error_r);
	enum jmb_store_result (*session_get)(void *conn, struct jmb_pool *pool, const char *id_hash,
	                                     time_t now, struct jmb_session_record *session_r,
	                                     char **error_r);
	enum jmb_store_result (*session_delete)(void *conn, const char *id_hash, char **error_r);
	enum jmb_store_result (*sessions_purge)(void *conn, time_t now, long *purged_r,
	                                        char **error_r);

	enum jmb_store_result (*api_token_create)(void *conn, const char *token_hash,
	                                          const char *identity_json, const char *label,
	                                          time_t now, char **error_r);
	enum jmb_store_result (*api_token_lookup)(void *conn, struct jmb_pool *pool,
	                                          const char *token_hash, time_t now,
	                                          char **identity_json_r, char **error_r);

	enum jmb_store_result (*outbox_add)(void *conn, const struct jmb_side_effects *fx,
	                                    char **error_r);
	enum jmb_store_result (*outbox_claim)(void *conn, struct jmb_pool *pool,
	                                      const char *instance, time_t now, time_t stale_before,
	                                      long limit, struct jmb_outbox_list *list_r,
	                                      char **error_r);
	enum jmb_store_result (*outbox_finish)(void *conn, int64_t id, const char *instance,
	                                       enum jmb_outbox_outcome outcome, time_t now,
	                                       time_t next_attempt, const char *error_text,
	                                       char **error_r);
	enum jmb_store_result (*outbox_list)(void *conn, struct jmb_pool *pool, bool failed_only,
	                                     long limit, struct jmb_outbox_list *list_r,
	                                     char **error_r);
	enum jmb_store_result (*outbox_retry)(void *conn, int64_t id, time_t now, char **error_r);
	enum jmb_store_result (*reminders_claim)(void *conn, struct jmb_pool *pool,
	                                         const char *instance, time_t now,
	                                         time_t stale_before, long limit,
	                                         struct jmb_reminder_list *list_r, char **error_r);
	enum jmb_store_result (*reminder_finish)(void *conn, int64_t id, const char *instance,
	                                         time_t now, const struct jmb_side_effects *fx,
	                                         char **error_r);
	enum jmb_store_result (*reminder_release)(void *conn, int64_t id, const char *instance,
	                                          time_t retry_at, char **error_r);

	enum jmb_store_result (*secret_get)(void *conn, struct jmb_pool *pool, const char *name,
	                                    const char *candidate, char **value_r, char **error_r);
};

extern const struct jmb_store_driver jmb_store_driver_sqlite;
#ifdef HAVE_POSTGRESQL
extern const struct jmb_store_driver jmb_store_driver_pg;
#endif

/* Migrations embedded at build time from sql/<driver>/NNN_name.sql (sql-migrations.c). */
extern const struct jmb_migration jmb_migrations_sqlite[];
extern const struct jmb_migration jmb_migrations_postgresql[];

#endif
