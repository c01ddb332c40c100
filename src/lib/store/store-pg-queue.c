/* The PostgreSQL driver's queues: the durable mail outbox, reminders, and the
 * side effects a meeting change writes in its own transaction. Claims use
 * FOR UPDATE SKIP LOCKED, so instances sharing the database never take the
 * same row. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "util/memory.h"
#include "store-pg-private.h"
#include "util/strbuf.h"

static const char *const kind_names[] = {"mail", "xmpp"};

static const struct pg_statement st_outbox_add = {
    PG_OUTBOX_ADD,
    "INSERT INTO outbox (created_at, envelope_from, recipients, message, next_attempt_at) "
    "VALUES ($1, $2, json_build_array($3::text)::text, $4, $1)",
    "ittt"};

enum jmb_store_result jmb_pg_outbox_add(void *conn, const struct jmb_side_effects *fx,
                                        char **error_r)
{
	enum jmb_store_result r = JMB_STORE_OK;

	for (size_t i = 0; r == JMB_STORE_OK && fx != NULL && i < fx->n_mails; i++)
		r = jmb_pg_exec(conn, &st_outbox_add, NULL, error_r, (int64_t)fx->now,
		                fx->mails[i].sender, fx->mails[i].recipient, fx->mails[i].message);
	return r;
}

static const struct pg_statement st_reminders_prune = {
    PG_REMINDERS_PRUNE,
    "DELETE FROM reminders WHERE meeting_id = $1 AND done_at IS NULL "
    "AND (kind || ':' || offset_minutes) NOT IN (SELECT json_array_elements_text($2::json))",
    "it"};
/* A reminder whose time moved fires again; one that did not keeps its state. */
static const struct pg_statement st_reminder_upsert = {
    PG_REMINDER_UPSERT,
    "INSERT INTO reminders (meeting_id, kind, offset_minutes, due_at) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (meeting_id, kind, offset_minutes) DO UPDATE SET "
    "done_at = CASE WHEN reminders.due_at = excluded.due_at THEN reminders.done_at END, "
    "claimed_by = CASE WHEN reminders.due_at = excluded.due_at THEN reminders.claimed_by END, "
    "due_at = excluded.due_at",
    "itii"};

enum jmb_store_result jmb_pg_apply_effects(struct pg_conn *c, int64_t meeting_id,
                                           const struct jmb_side_effects *fx, char **error_r)
{
	struct jmb_strbuf keys = {0};
	enum jmb_store_result r;

	if (fx == NULL)
		return JMB_STORE_OK;
	jmb_strbuf_putc(&keys, '[');
	for (size_t i = 0; i < fx->n_reminders; i++)
		jmb_strbuf_printf(&keys, "%s\"%s:%ld\"", i ? "," : "",
		                  kind_names[fx->reminders[i].kind], fx->reminders[i].offset);
	jmb_strbuf_putc(&keys, ']');
	r = jmb_pg_exec(c, &st_reminders_prune, NULL, error_r, meeting_id, keys.data);
	jmb_strbuf_free(&keys);
	for (size_t i = 0; r == JMB_STORE_OK && i < fx->n_reminders; i++) {
		const struct jmb_reminder *p = &fx->reminders[i];
		r = jmb_pg_exec(c, &st_reminder_upsert, NULL, error_r, meeting_id,
		                kind_names[p->kind], (int64_t)p->offset, (int64_t)p->due);
	}
	if (r == JMB_STORE_OK)
		r = jmb_pg_outbox_add(c, fx, error_r);
	return r;
}

#define OUTBOX_COLUMNS                                                                             \
	"id, envelope_from, recipients::json->>0, status, attempts, created_at, next_attempt_at, " \
	"sent_at, last_error"

static void read_outbox_rows(struct jmb_pool *pool, const PGresult *res, bool with_message,
                             struct jmb_outbox_list *list)
{
	int rows = PQntuples(res);

	list->count = (size_t)rows;
	list->items = rows > 0 ? jmb_pool_calloc(pool, (size_t)rows, sizeof(*list->items)) : NULL;
	for (int row = 0; row < rows; row++) {
		struct jmb_outbox_mail *m = &list->items[row];
		const char *status = PQgetvalue(res, row, 3);

		m->id = jmb_pg_int(res, row, 0);
		m->sender = jmb_pg_text(pool, res, row, 1);
		m->recipient = jmb_pg_text(pool, res, row, 2);
		m->status = strcmp(status, "pending") == 0 ? JMB_OUTBOX_PENDING
		            : strcmp(status, "sent") == 0  ? JMB_OUTBOX_SENT
		                                           : JMB_OUTBOX_FAILED;
		m->attempts = (long)jmb_pg_int(res, row, 4);
		m->created = (time_t)jmb_pg_int(res, row, 5);
		m->next_attempt = (time_t)jmb_pg_int(res, row, 6);
		m->sent = (time_t)jmb_pg_int(res, row, 7);
		m->last_error = jmb_pg_text(pool, res, row, 8);
		if (with_message) {
			m->message = jmb_pg_text(pool, res, row, 9);
			m->message_len = m->message != NULL ? strlen(m->message) : 0;
		} else {
			m->message_len = (size_t)jmb_pg_int(res, row, 9);
		}
	}
}

static const struct pg_statement st_outbox_claim = {
    PG_OUTBOX_CLAIM,
    "UPDATE outbox SET claimed_by = $1, claimed_at = $2 WHERE id IN "
    "(SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $2 "
    "AND (claimed_by IS NULL OR claimed_at < $3) ORDER BY next_attempt_at, id LIMIT $4 "
    "FOR UPDATE SKIP LOCKED) RETURNING " OUTBOX_COLUMNS ", message",
    "tiii"};

enum jmb_store_result jmb_pg_outbox_claim(void *conn, struct jmb_pool *pool, const char *instance,
                                          time_t now, time_t stale_before, long limit,
                                          struct jmb_outbox_list *list_r, char **error_r)
{
	PGresult *res;
	enum jmb_store_result r = jmb_pg_query(conn, &st_outbox_claim, &res, error_r, instance,
	                                       (int64_t)now, (int64_t)stale_before, (int64_t)limit);

	if (r != JMB_STORE_OK)
		return r;
	read_outbox_rows(pool, res, true, list_r);
	PQclear(res);
	return JMB_STORE_OK;
}

static const struct pg_statement st_outbox_outcome[] = {
    [JMB_OUTBOX_DELIVERED] = {PG_OUTBOX_DELIVERED,
                              "UPDATE outbox SET status = 'sent', sent_at = $1, "
                              "attempts = attempts + 1, claimed_by = NULL, last_error = $3 "
                              "WHERE id = $4 AND claimed_by = $5 AND $2::bigint IS NOT NULL",
                              "iitit"},
    [JMB_OUTBOX_DEFERRED] = {PG_OUTBOX_DEFERRED,
                             "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $2, "
                             "last_error = $3, claimed_by = NULL "
                             "WHERE id = $4 AND claimed_by = $5 AND $1::bigint IS NOT NULL",
                             "iitit"},
    [JMB_OUTBOX_REJECTED] =
        {PG_OUTBOX_REJECTED,
         "UPDATE outbox SET status = 'failed', attempts = attempts + 1, "
         "last_error = $3, claimed_by = NULL WHERE id = $4 AND "
         "claimed_by = $5 AND $1::bigint IS NOT NULL AND $2::bigint IS NOT NULL",
         "iitit"},
};

enum jmb_store_result jmb_pg_outbox_finish(void *conn, int64_t id, const char *instance,
                                           enum jmb_outbox_outcome outcome, time_t now,
                                           time_t next_attempt, const char *error_text,
                                           char **error_r)
{
	long changed = 0;
	enum jmb_store_result r =
	    jmb_pg_exec(conn, &st_outbox_outcome[outcome], &changed, error_r, (int64_t)now,
	                (int64_t)next_attempt, error_text, id, instance);

	if (r == JMB_STORE_OK && changed == 0) {
		*error_r =
		    jmb_xasprintf("outbox mail %lld is not claimed by %s", (long long)id, instance);
		r = JMB_STORE_NOT_FOUND;
	}
	return r;
}

static const struct pg_statement st_outbox_list = {
    PG_OUTBOX_LIST,
    "SELECT " OUTBOX_COLUMNS ", length(message) FROM outbox "
    "WHERE (NOT $1 OR status = 'failed') ORDER BY id DESC LIMIT $2",
    "bi"};

enum jmb_store_result jmb_pg_outbox_list(void *conn, struct jmb_pool *pool, bool failed_only,
                                         long limit, struct jmb_outbox_list *list_r, char **error_r)
{
	PGresult *res;
	enum jmb_store_result r =
	    jmb_pg_query(conn, &st_outbox_list, &res, error_r, failed_only, (int64_t)limit);

	if (r != JMB_STORE_OK)
		return r;
	read_outbox_rows(pool, res, false, list_r);
	PQclear(res);
	return JMB_STORE_OK;
}

/* A claim is left alone: the mail may be on its way right now, and freeing it
   would let a second instance send it too. */
static const struct pg_statement st_outbox_retry = {
    PG_OUTBOX_RETRY,
    "UPDATE outbox SET status = 'pending', next_attempt_at = $1 "
    "WHERE id = $2 AND status <> 'sent'",
    "ii"};

enum jmb_store_result jmb_pg_outbox_retry(void *conn, int64_t id, time_t now, char **error_r)
{
	long changed = 0;
	enum jmb_store_result r =
	    jmb_pg_exec(conn, &st_outbox_retry, &changed, error_r, (int64_t)now, id);

	if (r == JMB_STORE_OK && changed == 0) {
		*error_r = jmb_xasprintf("no unsent mail %lld in the outbox", (long long)id);
		r = JMB_STORE_NOT_FOUND;
	}
	return r;
}

static const struct pg_statement st_reminders_claim = {
    PG_REMINDERS_CLAIM,
    "UPDATE reminders SET claimed_by = $1, claimed_at = $2 WHERE id IN "
    "(SELECT r.id FROM reminders r JOIN meetings m ON m.id = r.meeting_id "
    "WHERE r.done_at IS NULL AND r.due_at <= $2 AND m.deleted_at IS NULL "
    "AND (r.claimed_by IS NULL OR r.claimed_at < $3) ORDER BY r.due_at, r.id LIMIT $4 "
    "FOR UPDATE OF r SKIP LOCKED) RETURNING id, meeting_id, kind, offset_minutes, due_at",
    "tiii"};

enum jmb_store_result jmb_pg_reminders_claim(void *conn, struct jmb_pool *pool,
                                             const char *instance, time_t now, time_t stale_before,
                                             long limit, struct jmb_reminder_list *list_r,
                                             char **error_r)
{
	PGresult *res;
	enum jmb_store_result r = jmb_pg_query(conn, &st_reminders_claim, &res, error_r, instance,
	                                       (int64_t)now, (int64_t)stale_before, (int64_t)limit);
	int rows;

	if (r != JMB_STORE_OK)
		return r;
	rows = PQntuples(res);
	list_r->count = (size_t)rows;
	list_r->items =
	    rows > 0 ? jmb_pool_calloc(pool, (size_t)rows, sizeof(*list_r->items)) : NULL;
	for (int row = 0; row < rows; row++) {
		struct jmb_reminder *rem = &list_r->items[row];
		rem->id = jmb_pg_int(res, row, 0);
		rem->meeting_id = jmb_pg_int(res, row, 1);
		rem->kind = strcmp(PQgetvalue(res, row, 2), "xmpp") == 0 ? JMB_REMINDER_XMPP
		                                                         : JMB_REMINDER_MAIL;
		rem->offset = (long)jmb_pg_int(res, row, 3);
		rem->due = (time_t)jmb_pg_int(res, row, 4);
	}
	PQclear(res);
	return JMB_STORE_OK;
}

static const struct pg_statement st_reminder_done = {
    PG_REMINDER_DONE,
    "UPDATE reminders SET done_at = $1, claimed_by = NULL WHERE id = $2 AND claimed_by = $3",
    "iit"};

enum jmb_store_result jmb_pg_reminder_finish(void *conn, int64_t id, const char *instance,
                                             time_t now, const struct jmb_side_effects *fx,
                                             char **error_r)
{
	long changed = 0;
	enum jmb_store_result r = jmb_pg_begin(conn, error_r);

	if (r != JMB_STORE_OK)
		return r;
	r = jmb_pg_exec(conn, &st_reminder_done, &changed, error_r, (int64_t)now, id, instance);
	if (r == JMB_STORE_OK && changed == 0) {
		*error_r =
		    jmb_xasprintf("reminder %lld is not claimed by %s", (long long)id, instance);
		r = JMB_STORE_NOT_FOUND;
	}
	if (r == JMB_STORE_OK)
		r = jmb_pg_outbox_add(conn, fx, error_r);
	return jmb_pg_finish(conn, r, error_r);
}

static const struct pg_statement st_reminder_release = {
    PG_REMINDER_RELEASE,
    "UPDATE reminders SET due_at = $1, claimed_by = NULL, claimed_at = NULL "
    "WHERE id = $2 AND claimed_by = $3 AND done_at IS NULL",
    "iit"};

enum jmb_store_result jmb_pg_reminder_release(void *conn, int64_t id, const char *instance,
                                              time_t retry_at, char **error_r)
{
	long changed = 0;
	enum jmb_store_result r = jmb_pg_exec(conn, &st_reminder_release, &changed, error_r,
	                                      (int64_t)retry_at, id, instance);

	if (r == JMB_STORE_OK && changed == 0) {
		*error_r =
		    jmb_xasprintf("reminder %lld is not claimed by %s", (long long)id, instance);
		r = JMB_STORE_NOT_FOUND;
	}
	return r;
}
