/* The SQLite driver's queues: the durable mail outbox, reminders, and the side
 * effects a meeting change writes in its own transaction. Claims run inside
 * BEGIN IMMEDIATE, which serialises writers on one database file. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "util/memory.h"
#include "store-sqlite-private.h"
#include "util/strbuf.h"

static const char *const kind_names[] = {"mail", "xmpp"};

enum jmb_store_result jmb_sqlite_outbox_add(void *conn, const struct jmb_side_effects *fx,
                                            char **error_r)
{
	struct sqlite_conn *c = conn;
	enum jmb_store_result r = JMB_STORE_OK;

	for (size_t i = 0; r == JMB_STORE_OK && fx != NULL && i < fx->n_mails; i++) {
		const struct jmb_outbox_mail *m = &fx->mails[i];
		sqlite3_stmt *stmt_ = NULL;

		r = EXEC(c, error_r,
		         "INSERT INTO outbox (created_at, envelope_from, recipients, message, "
		         "next_attempt_at) VALUES (?1, ?2, json_array(?3), ?4, ?1)",
		         "ittt", (int64_t)fx->now, m->sender, m->recipient, m->message);
	}
	return r;
}

/* "mail:60" keys of the plan, as a JSON array for the SQL below. */
static char *plan_keys(const struct jmb_side_effects *fx)
{
	struct jmb_strbuf sb = {0};

	jmb_strbuf_putc(&sb, '[');
	for (size_t i = 0; i < fx->n_reminders; i++)
		jmb_strbuf_printf(&sb, "%s\"%s:%ld\"", i ? "," : "",
		                  kind_names[fx->reminders[i].kind], fx->reminders[i].offset);
	jmb_strbuf_putc(&sb, ']');
	return jmb_strbuf_steal(&sb, NULL);
}

enum jmb_store_result jmb_sqlite_apply_effects(struct sqlite_conn *c, int64_t meeting_id,
                                               const struct jmb_side_effects *fx, time_t now,
                                               char **error_r)
{
	sqlite3_stmt *stmt_ = NULL;
	enum jmb_store_result r;
	char *keys;

	if (fx == NULL)
		return JMB_STORE_OK;
	keys = plan_keys(fx);
	r = EXEC(c, error_r,
	         "DELETE FROM reminders WHERE meeting_id = ? AND done_at IS NULL "
	         "AND (kind || ':' || offset_minutes) NOT IN (SELECT value FROM json_each(?))",
	         "it", meeting_id, keys);
	free(keys);
	for (size_t i = 0; r == JMB_STORE_OK && i < fx->n_reminders; i++) {
		const struct jmb_reminder *p = &fx->reminders[i];
		/* A reminder whose time moved fires again; one that did not keeps its state. */
		r = EXEC(
		    c, error_r,
		    "INSERT INTO reminders (meeting_id, kind, offset_minutes, due_at) "
		    "VALUES (?, ?, ?, ?) ON CONFLICT (meeting_id, kind, offset_minutes) DO UPDATE "
		    "SET done_at = CASE WHEN reminders.due_at = excluded.due_at "
		    "THEN reminders.done_at ELSE NULL END, "
		    "claimed_by = CASE WHEN reminders.due_at = excluded.due_at "
		    "THEN reminders.claimed_by ELSE NULL END, due_at = excluded.due_at",
		    "itii", meeting_id, kind_names[p->kind], (int64_t)p->offset, (int64_t)p->due);
	}
	if (r == JMB_STORE_OK)
		r = jmb_sqlite_outbox_add(c, fx, error_r);
	(void)now;
	return r;
}

static void read_outbox_row(struct jmb_pool *pool, sqlite3_stmt *stmt, struct jmb_outbox_mail *m,
                            bool with_message)
{
	const char *status = (const char *)sqlite3_column_text(stmt, 3);

	m->id = sqlite3_column_int64(stmt, 0);
	m->sender = jmb_sqlite_text(pool, stmt, 1);
	m->recipient = jmb_sqlite_text(pool, stmt, 2);
	m->status = status == NULL || strcmp(status, "pending") == 0 ? JMB_OUTBOX_PENDING
	            : strcmp(status, "sent") == 0                    ? JMB_OUTBOX_SENT
	                                                             : JMB_OUTBOX_FAILED;
	m->attempts = (long)sqlite3_column_int64(stmt, 4);
	m->created = (time_t)sqlite3_column_int64(stmt, 5);
	m->next_attempt = (time_t)sqlite3_column_int64(stmt, 6);
	m->sent = (time_t)sqlite3_column_int64(stmt, 7);
	m->last_error = jmb_sqlite_text(pool, stmt, 8);
	if (with_message) {
		m->message = jmb_sqlite_text(pool, stmt, 9);
		m->message_len = m->message != NULL ? strlen(m->message) : 0;
	} else {
		m->message_len = (size_t)sqlite3_column_int64(stmt, 9);
	}
}

#define OUTBOX_COLUMNS                                                                             \
	"id, envelope_from, json_extract(recipients, '$[0]'), status, attempts, created_at, "      \
	"next_attempt_at, sent_at, last_error"

/* Steps stmt to the end, collecting outbox rows into list (from pool). */
static enum jmb_store_result collect_outbox(struct sqlite_conn *c, struct jmb_pool *pool,
                                            sqlite3_stmt *stmt, bool with_message,
                                            struct jmb_outbox_list *list, char **error_r)
{
	size_t cap = 0;
	int rc;

	list->items = NULL;
	list->count = 0;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (list->count == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct jmb_outbox_mail *grown = jmb_pool_calloc(pool, ncap, sizeof(*grown));
			if (list->count > 0)
				memcpy(grown, list->items, list->count * sizeof(*grown));
			list->items = grown;
			cap = ncap;
		}
		read_outbox_row(pool, stmt, &list->items[list->count++], with_message);
	}
	jmb_sqlite_release(c, stmt);
	return rc == SQLITE_DONE ? JMB_STORE_OK : jmb_sqlite_result(c, rc, error_r);
}

enum jmb_store_result jmb_sqlite_outbox_claim(void *conn, struct jmb_pool *pool,
                                              const char *instance, time_t now, time_t stale_before,
                                              long limit, struct jmb_outbox_list *list_r,
                                              char **error_r)
{
	struct sqlite_conn *c = conn;
	sqlite3_stmt *stmt = NULL;
	enum jmb_store_result r = jmb_sqlite_begin(c, error_r);

	if (r != JMB_STORE_OK)
		return r;
	r = jmb_sqlite_prepare(
	    c, &stmt,
	    "UPDATE outbox SET claimed_by = ?1, claimed_at = ?2 WHERE id IN "
	    "(SELECT id FROM outbox WHERE status = 'pending' "
	    "AND next_attempt_at <= ?2 AND (claimed_by IS NULL OR claimed_at < ?3) "
	    "ORDER BY next_attempt_at, id LIMIT ?4) RETURNING " OUTBOX_COLUMNS ", message",
	    "tiii", error_r, instance, (int64_t)now, (int64_t)stale_before, (int64_t)limit);
	if (r == JMB_STORE_OK)
		r = collect_outbox(c, pool, stmt, true, list_r, error_r);
	return jmb_sqlite_finish(c, r, error_r);
}

enum jmb_store_result jmb_sqlite_outbox_finish(void *conn, int64_t id, const char *instance,
                                               enum jmb_outbox_outcome outcome, time_t now,
                                               time_t next_attempt, const char *error_text,
                                               char **error_r)
{
	static const char *const sql[] = {
	    [JMB_OUTBOX_DELIVERED] =
	        "UPDATE outbox SET status = 'sent', sent_at = ?1, attempts = attempts + 1, "
	        "claimed_by = NULL, last_error = ?3 WHERE id = ?4 AND claimed_by = ?5",
	    [JMB_OUTBOX_DEFERRED] =
	        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?2, "
	        "last_error = ?3, claimed_by = NULL WHERE id = ?4 AND claimed_by = ?5",
	    [JMB_OUTBOX_REJECTED] =
	        "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?3, "
	        "claimed_by = NULL WHERE id = ?4 AND claimed_by = ?5",
	};
	struct sqlite_conn *c = conn;
	sqlite3_stmt *stmt_ = NULL;
	enum jmb_store_result r;

	r = EXEC(c, error_r, sql[outcome], "iitit", (int64_t)now, (int64_t)next_attempt, error_text,
	         id, instance);
	if (r == JMB_STORE_OK && sqlite3_changes(c->db) == 0) {
		*error_r =
		    jmb_xasprintf("outbox mail %lld is not claimed by %s", (long long)id, instance);
		r = JMB_STORE_NOT_FOUND;
	}
	return r;
}

enum jmb_store_result jmb_sqlite_outbox_list(void *conn, struct jmb_pool *pool, bool failed_only,
                                             long limit, struct jmb_outbox_list *list_r,
                                             char **error_r)
{
	sqlite3_stmt *stmt = NULL;
	enum jmb_store_result r;

	r = jmb_sqlite_prepare(conn, &stmt,
	                       "SELECT " OUTBOX_COLUMNS ", length(message) FROM outbox "
	                       "WHERE (?1 = 0 OR status = 'failed') ORDER BY id DESC LIMIT ?2",
	                       "ii", error_r, (int64_t)failed_only, (int64_t)limit);
	if (r != JMB_STORE_OK)
		return r;
	return collect_outbox(conn, pool, stmt, false, list_r, error_r);
}

enum jmb_store_result jmb_sqlite_outbox_retry(void *conn, int64_t id, time_t now, char **error_r)
{
	struct sqlite_conn *c = conn;
	sqlite3_stmt *stmt_ = NULL;
	enum jmb_store_result r;

	/* A claim is left alone: the mail may be on its way right now, and freeing
	   it would let a second instance send it too. */
	r = EXEC(c, error_r,
	         "UPDATE outbox SET status = 'pending', next_attempt_at = ? "
	         "WHERE id = ? AND status <> 'sent'",
	         "ii", (int64_t)now, id);
	if (r == JMB_STORE_OK && sqlite3_changes(c->db) == 0) {
		*error_r = jmb_xasprintf("no unsent mail %lld in the outbox", (long long)id);
		r = JMB_STORE_NOT_FOUND;
	}
	return r;
}

enum jmb_store_result jmb_sqlite_reminders_claim(void *conn, struct jmb_pool *pool,
                                                 const char *instance, time_t now,
                                                 time_t stale_before, long limit,
                                                 struct jmb_reminder_list *list_r, char **error_r)
{
	struct sqlite_conn *c = conn;
	sqlite3_stmt *stmt = NULL;
	enum jmb_store_result r = jmb_sqlite_begin(c, error_r);
	size_t cap = 0;
	int rc;

	if (r != JMB_STORE_OK)
		return r;
	list_r->items = NULL;
	list_r->count = 0;
	r = jmb_sqlite_prepare(
	    c, &stmt,
	    "UPDATE reminders SET claimed_by = ?1, claimed_at = ?2 WHERE id IN "
	    "(SELECT r.id FROM reminders r JOIN meetings m ON m.id = r.meeting_id "
	    "WHERE r.done_at IS NULL AND r.due_at <= ?2 AND m.deleted_at IS NULL "
	    "AND (r.claimed_by IS NULL OR r.claimed_at < ?3) ORDER BY r.due_at, r.id LIMIT ?4) "
	    "RETURNING id, meeting_id, kind, offset_minutes, due_at",
	    "tiii", error_r, instance, (int64_t)now, (int64_t)stale_before, (int64_t)limit);
	while (r == JMB_STORE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (list_r->count == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct jmb_reminder *grown = jmb_pool_calloc(pool, ncap, sizeof(*grown));
			if (list_r->count > 0)
				memcpy(grown, list_r->items, list_r->count * sizeof(*grown));
			list_r->items = grown;
			cap = ncap;
		}
		struct jmb_reminder *rem = &list_r->items[list_r->count++];
		const char *kind = (const char *)sqlite3_column_text(stmt, 2);
		rem->id = sqlite3_column_int64(stmt, 0);
		rem->meeting_id = sqlite3_column_int64(stmt, 1);
		rem->kind = kind != NULL && strcmp(kind, "xmpp") == 0 ? JMB_REMINDER_XMPP
		                                                      : JMB_REMINDER_MAIL;
		rem->offset = (long)sqlite3_column_int64(stmt, 3);
		rem->due = (time_t)sqlite3_column_int64(stmt, 4);
	}
	if (r == JMB_STORE_OK && rc != SQLITE_DONE)
		r = jmb_sqlite_result(c, rc, error_r);
	jmb_sqlite_release(c, stmt);
	return jmb_sqlite_finish(c, r, error_r);
}

enum jmb_store_result jmb_sqlite_reminder_finish(void *conn, int64_t id, const char *instance,
                                                 time_t now, const struct jmb_side_effects *fx,
                                                 char **error_r)
{
	struct sqlite_conn *c = conn;
	sqlite3_stmt *stmt_ = NULL;
	enum jmb_store_result r = jmb_sqlite_begin(c, error_r);

	if (r != JMB_STORE_OK)
		return r;
	r = EXEC(
	    c, error_r,
	    "UPDATE reminders SET done_at = ?, claimed_by = NULL WHERE id = ? AND claimed_by = ?",
	    "iit", (int64_t)now, id, instance);
	if (r == JMB_STORE_OK && sqlite3_changes(c->db) == 0) {
		*error_r =
		    jmb_xasprintf("reminder %lld is not claimed by %s", (long long)id, instance);
		r = JMB_STORE_NOT_FOUND;
	}
	if (r == JMB_STORE_OK)
		r = jmb_sqlite_outbox_add(c, fx, error_r);
	return jmb_sqlite_finish(c, r, error_r);
}

enum jmb_store_result jmb_sqlite_reminder_release(void *conn, int64_t id, const char *instance,
                                                  time_t retry_at, char **error_r)
{
	struct sqlite_conn *c = conn;
	sqlite3_stmt *stmt_ = NULL;
	enum jmb_store_result r = jmb_sqlite_begin(c, error_r);

	if (r != JMB_STORE_OK)
		return r;
	r = EXEC(c, error_r,
	         "UPDATE reminders SET due_at = ?, claimed_by = NULL, claimed_at = NULL "
	         "WHERE id = ? AND claimed_by = ? AND done_at IS NULL",
	         "iit", (int64_t)retry_at, id, instance);
	if (r == JMB_STORE_OK && sqlite3_changes(c->db) == 0) {
		*error_r =
		    jmb_xasprintf("reminder %lld is not claimed by %s", (long long)id, instance);
		r = JMB_STORE_NOT_FOUND;
	}
	return jmb_sqlite_finish(c, r, error_r);
}
