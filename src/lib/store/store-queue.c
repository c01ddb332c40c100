/* The queues: the durable mail outbox, reminders, and the side effects a
 * change writes in its own transaction. Instances claim rows for a while;
 * PostgreSQL's claims skip rows another instance has locked, SQLite's run in a
 * transaction that holds the file's write lock, so each row goes to one. */
#include "config.h"

#include <string.h>
#include <time.h>

#include "util/memory.h"
#include "store-private.h"

static const char *const kind_names[] = {"mail", "xmpp"};

static const struct jmb_sql sql_outbox_add = {
    .sqlite = "INSERT INTO outbox (created_at, envelope_from, recipients, message, "
              "next_attempt_at, kind) VALUES ($1, $2, json_array($3), $4, $1, $5)",
    .pg = "INSERT INTO outbox (created_at, envelope_from, recipients, message, "
          "next_attempt_at, kind) VALUES ($1, $2, json_build_array($3::text)::text, $4, $1, $5)",
};
static const struct jmb_sql sql_reminders_prune = {
    .sqlite = "DELETE FROM reminders WHERE meeting_id = $1 AND done_at IS NULL "
              "AND (kind || ':' || offset_minutes || ':' || recurrence_id) NOT IN "
              "(SELECT value FROM json_each($2))",
    .pg = "DELETE FROM reminders WHERE meeting_id = $1 AND done_at IS NULL "
          "AND (kind || ':' || offset_minutes || ':' || recurrence_id) NOT IN "
          "(SELECT json_array_elements_text($2::json))",
};
/* A reminder whose time moved fires again; one that did not keeps its state
   (each occurrence of a series has its own). */
static const struct jmb_sql sql_reminder_upsert = JMB_SQL_ANY(
    "INSERT INTO reminders (meeting_id, kind, offset_minutes, due_at, recurrence_id) "
    "VALUES ($1, $2, $3, $4, $5) "
    "ON CONFLICT (meeting_id, kind, offset_minutes, recurrence_id) DO UPDATE SET "
    "done_at = CASE WHEN reminders.due_at = excluded.due_at THEN reminders.done_at END, "
    "claimed_by = CASE WHEN reminders.due_at = excluded.due_at THEN reminders.claimed_by END, "
    "due_at = excluded.due_at");

#define OUTBOX_COLUMNS_TAIL                                                                        \
	"status, attempts, created_at, next_attempt_at, sent_at, last_error, kind"
#define OUTBOX_COLUMNS_SQLITE                                                                      \
	"id, envelope_from, json_extract(recipients, '$[0]'), " OUTBOX_COLUMNS_TAIL
#define OUTBOX_COLUMNS_PG "id, envelope_from, recipients::json->>0, " OUTBOX_COLUMNS_TAIL
#define OUTBOX_DUE                                                                                 \
	"SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $2 "                \
	"AND (claimed_by IS NULL OR claimed_at < $3) ORDER BY next_attempt_at, id LIMIT $4"

static const struct jmb_sql sql_outbox_claim = {
    .sqlite = "UPDATE outbox SET claimed_by = $1, claimed_at = $2 WHERE id IN (" OUTBOX_DUE
              ") RETURNING " OUTBOX_COLUMNS_SQLITE ", message",
    .pg = "UPDATE outbox SET claimed_by = $1, claimed_at = $2 WHERE id IN (" OUTBOX_DUE
          " FOR UPDATE SKIP LOCKED) RETURNING " OUTBOX_COLUMNS_PG ", message",
};
static const struct jmb_sql sql_outbox_list = {
    .sqlite = "SELECT " OUTBOX_COLUMNS_SQLITE ", length(message) FROM outbox "
              "WHERE ($1 = 0 OR status = 'failed') ORDER BY id DESC LIMIT $2",
    .pg = "SELECT " OUTBOX_COLUMNS_PG ", length(message) FROM outbox "
          "WHERE ($1 = 0 OR status = 'failed') ORDER BY id DESC LIMIT $2",
};
static const struct jmb_sql sql_outbox_outcome[] = {
    [JMB_OUTBOX_DELIVERED] =
        JMB_SQL_ANY("UPDATE outbox SET status = 'sent', sent_at = $1, attempts = attempts + 1, "
                    "claimed_by = NULL, last_error = $3 WHERE id = $4 AND claimed_by = $5"),
    [JMB_OUTBOX_DEFERRED] =
        JMB_SQL_ANY("UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $2, "
                    "last_error = $3, claimed_by = NULL WHERE id = $4 AND claimed_by = $5"),
    [JMB_OUTBOX_REJECTED] = JMB_SQL_ANY(
        "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = $3, "
        "claimed_by = NULL WHERE id = $4 AND claimed_by = $5"),
};
/* A claim is left alone: the mail may be on its way right now, and freeing it
   would let a second instance send it too. */
static const struct jmb_sql sql_outbox_retry =
    JMB_SQL_ANY("UPDATE outbox SET status = 'pending', next_attempt_at = $1 "
                "WHERE id = $2 AND status <> 'sent'");

#define REMINDERS_DUE                                                                              \
	"SELECT r.id FROM reminders r JOIN meetings m ON m.id = r.meeting_id "                     \
	"WHERE r.done_at IS NULL AND r.due_at <= $2 AND m.deleted_at IS NULL "                     \
	"AND (r.claimed_by IS NULL OR r.claimed_at < $3) ORDER BY r.due_at, r.id LIMIT $4"
#define REMINDERS_CLAIMED " RETURNING id, meeting_id, kind, offset_minutes, due_at, recurrence_id"

static const struct jmb_sql sql_reminders_claim = {
    .sqlite = "UPDATE reminders SET claimed_by = $1, claimed_at = $2 "
              "WHERE id IN (" REMINDERS_DUE ")" REMINDERS_CLAIMED,
    .pg = "UPDATE reminders SET claimed_by = $1, claimed_at = $2 "
          "WHERE id IN (" REMINDERS_DUE " FOR UPDATE OF r SKIP LOCKED)" REMINDERS_CLAIMED,
};
static const struct jmb_sql sql_reminder_done = JMB_SQL_ANY(
    "UPDATE reminders SET done_at = $1, claimed_by = NULL WHERE id = $2 AND claimed_by = $3");
static const struct jmb_sql sql_reminder_release =
    JMB_SQL_ANY("UPDATE reminders SET due_at = $1, claimed_by = NULL, claimed_at = NULL "
                "WHERE id = $2 AND claimed_by = $3 AND done_at IS NULL");

/* ---- side effects ---- */

enum jmb_store_result jmb_store_queue_mails(struct jmb_sql_conn *conn,
                                            const struct jmb_side_effects *fx,
                                            struct jmb_error *error)
{
	enum jmb_store_result r = JMB_STORE_OK;

	for (size_t i = 0; r == JMB_STORE_OK && fx != NULL && i < fx->n_mails; i++) {
		const struct jmb_outbox_mail *m = &fx->mails[i];

		r = jmb_sql_exec(conn, &sql_outbox_add,
		                 SQL_ARGS(sql_int(fx->now), sql_text(m->sender),
		                          sql_text(m->recipient), sql_text(m->message),
		                          sql_text_or_empty(m->kind)),
		                 NULL, error);
	}
	return r;
}

/* The plan's "mail:60:<recurrence id>" keys, which the prune keeps, as a JSON array. */
static const char *plan_keys(struct jmb_pool *pool, const struct jmb_side_effects *fx)
{
	const char **keys = jmb_pool_calloc(pool, fx->n_reminders + 1, sizeof(*keys));

	for (size_t i = 0; i < fx->n_reminders; i++)
		keys[i] = jmb_pool_printf(pool, "%s:%ld:%lld", kind_names[fx->reminders[i].kind],
		                          fx->reminders[i].offset,
		                          (long long)fx->reminders[i].recurrence_id);
	return jmb_sql_json_array(pool, keys, fx->n_reminders);
}

enum jmb_store_result jmb_store_plan_reminders(struct jmb_sql_conn *conn, int64_t meeting_id,
                                               const struct jmb_side_effects *fx,
                                               struct jmb_error *error)
{
	struct jmb_pool *pool;
	enum jmb_store_result r;

	if (fx == NULL)
		return JMB_STORE_OK;
	pool = jmb_pool_new();
	r = jmb_sql_exec(conn, &sql_reminders_prune,
	                 SQL_ARGS(sql_int(meeting_id), sql_text(plan_keys(pool, fx))), NULL, error);
	jmb_pool_free(&pool);
	for (size_t i = 0; r == JMB_STORE_OK && i < fx->n_reminders; i++) {
		const struct jmb_reminder *p = &fx->reminders[i];

		r = jmb_sql_exec(conn, &sql_reminder_upsert,
		                 SQL_ARGS(sql_int(meeting_id), sql_text(kind_names[p->kind]),
		                          sql_int(p->offset), sql_int(p->due),
		                          sql_int(p->recurrence_id)),
		                 NULL, error);
	}
	return r;
}

static enum jmb_store_result queue_mails(struct jmb_sql_conn *conn, void *ctx,
                                         struct jmb_error *error)
{
	return jmb_store_queue_mails(conn, ctx, error);
}

enum jmb_store_result jmb_store_outbox_add(struct jmb_store *store,
                                           const struct jmb_side_effects *fx,
                                           struct jmb_error *error)
{
	return jmb_store_run(store, JMB_SQL_TX_WRITE, queue_mails, (void *)fx, error);
}

/* ---- the outbox ---- */

static enum jmb_outbox_status outbox_status(const char *status)
{
	if (status == NULL || strcmp(status, "pending") == 0)
		return JMB_OUTBOX_PENDING;
	return strcmp(status, "sent") == 0 ? JMB_OUTBOX_SENT : JMB_OUTBOX_FAILED;
}

/* A row of OUTBOX_COLUMNS_* and then the message, or only its length. */
static void read_outbox_row(struct jmb_pool *pool, struct jmb_sql_stmt *stmt,
                            struct jmb_outbox_mail *m, bool with_message)
{
	m->id = jmb_sql_int(stmt, 0);
	m->sender = jmb_sql_text(pool, stmt, 1);
	m->recipient = jmb_sql_text(pool, stmt, 2);
	m->status = outbox_status(jmb_sql_peek(stmt, 3));
	m->attempts = (long)jmb_sql_int(stmt, 4);
	m->created = (time_t)jmb_sql_int(stmt, 5);
	m->next_attempt = (time_t)jmb_sql_int(stmt, 6);
	m->sent = (time_t)jmb_sql_int(stmt, 7);
	m->last_error = jmb_sql_text(pool, stmt, 8);
	m->kind = jmb_sql_text(pool, stmt, 9);
	if (with_message) {
		m->message = jmb_sql_text(pool, stmt, 10);
		m->message_len = m->message != NULL ? strlen(m->message) : 0;
	} else {
		m->message_len = (size_t)jmb_sql_int(stmt, 10);
	}
}

static void read_reminder_row(struct jmb_sql_stmt *stmt, void *item, void *ctx)
{
	struct jmb_reminder *rem = item;
	const char *kind = jmb_sql_peek(stmt, 2);

	(void)ctx;
	rem->id = jmb_sql_int(stmt, 0);
	rem->meeting_id = jmb_sql_int(stmt, 1);
	rem->kind =
	    kind != NULL && strcmp(kind, "xmpp") == 0 ? JMB_REMINDER_XMPP : JMB_REMINDER_MAIL;
	rem->offset = (long)jmb_sql_int(stmt, 3);
	rem->due = (time_t)jmb_sql_int(stmt, 4);
	rem->recurrence_id = (time_t)jmb_sql_int(stmt, 5);
}

static void read_claimed_mail(struct jmb_sql_stmt *stmt, void *item, void *pool)
{
	read_outbox_row(pool, stmt, item, true);
}

static void read_listed_mail(struct jmb_sql_stmt *stmt, void *item, void *pool)
{
	read_outbox_row(pool, stmt, item, false);
}

/* Claims run in a write transaction: on SQLite it holds the file's write
   lock from the start, so two instances never pick the same rows. */
enum jmb_store_result jmb_store_outbox_claim(struct jmb_store *store, struct jmb_pool *pool,
                                             const char *instance, time_t now, time_t stale_before,
                                             long limit, struct jmb_outbox_list *list_r,
                                             struct jmb_error *error)
{
	const struct jmb_sql_value args[] = {sql_text(instance), sql_int(now),
	                                     sql_int(stale_before), sql_int(limit)};
	struct jmb_row_collector rc = {.sql = &sql_outbox_claim,
	                               .args = args,
	                               .n_args = 4,
	                               .pool = pool,
	                               .item_size = sizeof(*list_r->items),
	                               .read = read_claimed_mail};
	enum jmb_store_result r = jmb_store_collect(store, JMB_SQL_TX_WRITE, &rc, error);

	list_r->items = rc.items;
	list_r->count = rc.count;
	return r;
}

enum jmb_store_result jmb_store_outbox_list(struct jmb_store *store, struct jmb_pool *pool,
                                            bool failed_only, long limit,
                                            struct jmb_outbox_list *list_r, struct jmb_error *error)
{
	const struct jmb_sql_value args[] = {sql_int(failed_only), sql_int(limit)};
	struct jmb_row_collector rc = {.sql = &sql_outbox_list,
	                               .args = args,
	                               .n_args = 2,
	                               .pool = pool,
	                               .item_size = sizeof(*list_r->items),
	                               .read = read_listed_mail};
	enum jmb_store_result r = jmb_store_collect(store, JMB_SQL_TX_NONE, &rc, error);

	list_r->items = rc.items;
	list_r->count = rc.count;
	return r;
}

enum jmb_store_result jmb_store_reminders_claim(struct jmb_store *store, struct jmb_pool *pool,
                                                const char *instance, time_t now,
                                                time_t stale_before, long limit,
                                                struct jmb_reminder_list *list_r,
                                                struct jmb_error *error)
{
	const struct jmb_sql_value args[] = {sql_text(instance), sql_int(now),
	                                     sql_int(stale_before), sql_int(limit)};
	struct jmb_row_collector rc = {.sql = &sql_reminders_claim,
	                               .args = args,
	                               .n_args = 4,
	                               .pool = pool,
	                               .item_size = sizeof(*list_r->items),
	                               .read = read_reminder_row};
	enum jmb_store_result r = jmb_store_collect(store, JMB_SQL_TX_WRITE, &rc, error);

	list_r->items = rc.items;
	list_r->count = rc.count;
	return r;
}

enum jmb_store_result jmb_store_outbox_finish(struct jmb_store *store, int64_t id,
                                              const char *instance, enum jmb_outbox_outcome outcome,
                                              time_t now, time_t next_attempt,
                                              const char *error_text, struct jmb_error *error)
{
	long changed = 0;
	enum jmb_store_result r =
	    jmb_store_exec(store, &sql_outbox_outcome[outcome],
	                   SQL_ARGS(sql_int(now), sql_int(next_attempt), sql_text(error_text),
	                            sql_int(id), sql_text(instance)),
	                   &changed, error);

	return jmb_store_claimed_one(r, changed, "outbox mail", id, instance, error);
}

enum jmb_store_result jmb_store_outbox_retry(struct jmb_store *store, int64_t id, time_t now,
                                             struct jmb_error *error)
{
	long changed = 0;
	enum jmb_store_result r = jmb_store_exec(
	    store, &sql_outbox_retry, SQL_ARGS(sql_int(now), sql_int(id)), &changed, error);

	if (r == JMB_STORE_OK && changed == 0) {
		jmb_error_set(error, "no unsent mail %lld in the outbox", (long long)id);
		r = JMB_STORE_NOT_FOUND;
	}
	return r;
}

/* ---- reminders ---- */

struct reminder_done {
	int64_t id;
	const char *instance;
	time_t now;
	const struct jmb_side_effects *fx;
};

static enum jmb_store_result finish_reminder(struct jmb_sql_conn *conn, void *ctx,
                                             struct jmb_error *error)
{
	struct reminder_done *d = ctx;
	long changed = 0;
	enum jmb_store_result r = jmb_sql_exec(
	    conn, &sql_reminder_done,
	    SQL_ARGS(sql_int(d->now), sql_int(d->id), sql_text(d->instance)), &changed, error);

	r = jmb_store_claimed_one(r, changed, "reminder", d->id, d->instance, error);
	if (r == JMB_STORE_OK)
		r = jmb_store_queue_mails(conn, d->fx, error);
	return r;
}

enum jmb_store_result jmb_store_reminder_finish(struct jmb_store *store, int64_t id,
                                                const char *instance, time_t now,
                                                const struct jmb_side_effects *fx,
                                                struct jmb_error *error)
{
	struct reminder_done d = {id, instance, now, fx};

	return jmb_store_run(store, JMB_SQL_TX_WRITE, finish_reminder, &d, error);
}

enum jmb_store_result jmb_store_reminder_release(struct jmb_store *store, int64_t id,
                                                 const char *instance, time_t retry_at,
                                                 struct jmb_error *error)
{
	long changed = 0;
	enum jmb_store_result r = jmb_store_exec(
	    store, &sql_reminder_release,
	    SQL_ARGS(sql_int(retry_at), sql_int(id), sql_text(instance)), &changed, error);

	return jmb_store_claimed_one(r, changed, "reminder", id, instance, error);
}
