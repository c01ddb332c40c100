/* Mail received for reply addresses: queued by `jmbctl mail-in` or IMAP
 * polling, claimed by one jmbd instance, handled with what it changes (an
 * answer, a bounce, mails to send) in one transaction, so a message is
 * handled once however many times it is delivered or fetched. */
#include "config.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "util/memory.h"
#include "store-private.h"

static const struct jmb_sql sql_mail_in_add = JMB_SQL_ANY(
    "INSERT INTO mail_in (message_key, recipient, message, received_at) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (message_key) DO NOTHING");
#define MAIL_IN_DUE                                                                                \
	"SELECT id FROM mail_in WHERE handled_at IS NULL "                                         \
	"AND (claimed_by IS NULL OR claimed_at < $3) ORDER BY received_at, id LIMIT $4"
static const struct jmb_sql sql_mail_in_claim = {
    .sqlite = "UPDATE mail_in SET claimed_by = $1, claimed_at = $2 WHERE id IN (" MAIL_IN_DUE
              ") RETURNING id, recipient, message, received_at",
    .pg = "UPDATE mail_in SET claimed_by = $1, claimed_at = $2 WHERE id IN (" MAIL_IN_DUE
          " FOR UPDATE SKIP LOCKED) RETURNING id, recipient, message, received_at",
};
/* Handled: the message itself is no longer needed (it may hold anything a
   stranger wrote); the key stays to recognise it if it comes again. */
static const struct jmb_sql sql_mail_in_done =
    JMB_SQL_ANY("UPDATE mail_in SET handled_at = $1, outcome = $2, message = '', "
                "claimed_by = NULL WHERE id = $3 AND claimed_by = $4");
static const struct jmb_sql sql_mail_in_purge =
    JMB_SQL_ANY("DELETE FROM mail_in WHERE handled_at IS NOT NULL AND handled_at < $1");
static const struct jmb_sql sql_answer =
    JMB_SQL_ANY("UPDATE attendees SET status = $1, responded_at = $2, delivery_failed_at = NULL, "
                "delivery_error = NULL WHERE id = $3");
/* An answer for one occurrence; a bounce mark goes as for any answer. */
static const struct jmb_sql sql_occurrence_answer =
    JMB_SQL_ANY("INSERT INTO occurrence_answers (attendee_id, recurrence_id, status, responded_at) "
                "VALUES ($3, $4, $1, $2) ON CONFLICT (attendee_id, recurrence_id) DO UPDATE SET "
                "status = excluded.status, responded_at = excluded.responded_at");
static const struct jmb_sql sql_answer_clears_bounce = JMB_SQL_ANY(
    "UPDATE attendees SET delivery_failed_at = NULL, delivery_error = NULL WHERE id = $1");
static const struct jmb_sql sql_answer_touch = {
    .sqlite = "UPDATE meetings SET updated_at = max(updated_at, $1), revision = revision + 1 "
              "WHERE id = (SELECT meeting_id FROM attendees WHERE id = $2)",
    .pg = "UPDATE meetings SET updated_at = greatest(updated_at, $1), revision = revision + 1 "
          "WHERE id = (SELECT meeting_id FROM attendees WHERE id = $2)",
};
/* Only the first bounce since the last answer counts: the organiser hears
   of it once. */
static const struct jmb_sql sql_bounced =
    JMB_SQL_ANY("UPDATE attendees SET delivery_failed_at = $1, delivery_error = $2 "
                "WHERE id = $3 AND delivery_failed_at IS NULL");

enum jmb_store_result jmb_store_mail_in_add(struct jmb_store *store, const char *key,
                                            const char *recipient, const char *message, size_t len,
                                            time_t now, struct jmb_error *error)
{
	char *base64 = jmb_xmalloc(4 * ((len + 2) / 3) + 1);
	long added = 0;
	enum jmb_store_result r;

	EVP_EncodeBlock((unsigned char *)base64, (const unsigned char *)message, (int)len);
	r = jmb_store_exec(
	    store, &sql_mail_in_add,
	    SQL_ARGS(sql_text(key), sql_text(recipient), sql_text(base64), sql_int(now)), &added,
	    error);
	free(base64);

	if (r == JMB_STORE_OK && added == 0) {
		jmb_error_set(error, "message already received");
		r = JMB_STORE_CONFLICT;
	}
	return r;
}

/* Base64 back to bytes: EVP_DecodeBlock counts the padding as zero bytes. */
static void decode_message(struct jmb_pool *pool, const char *base64, struct jmb_mail_in *m)
{
	size_t n = base64 != NULL ? strlen(base64) : 0;
	unsigned char *out = jmb_pool_calloc(pool, n / 4 * 3 + 1, 1);
	int len = n > 0 ? EVP_DecodeBlock(out, (const unsigned char *)base64, (int)n) : 0;

	if (len < 0)
		len = 0;
	for (size_t i = n; i > 0 && base64[i - 1] == '=' && len > 0; i--)
		len--;
	out[len] = '\0';
	m->message = (const char *)out;
	m->message_len = (size_t)len;
}

static void read_mail_in(struct jmb_sql_stmt *stmt, void *item, void *pool)
{
	struct jmb_mail_in *m = item;

	m->id = jmb_sql_int(stmt, 0);
	m->recipient = jmb_sql_text(pool, stmt, 1);
	decode_message(pool, jmb_sql_peek(stmt, 2), m);
	m->received = (time_t)jmb_sql_int(stmt, 3);
}

enum jmb_store_result jmb_store_mail_in_claim(struct jmb_store *store, struct jmb_pool *pool,
                                              const char *instance, time_t now, time_t stale_before,
                                              long limit, struct jmb_mail_in_list *list_r,
                                              struct jmb_error *error)
{
	const struct jmb_sql_value args[] = {sql_text(instance), sql_int(now),
	                                     sql_int(stale_before), sql_int(limit)};
	struct jmb_row_collector rc = {.sql = &sql_mail_in_claim,
	                               .args = args,
	                               .n_args = 4,
	                               .pool = pool,
	                               .item_size = sizeof(*list_r->items),
	                               .read = read_mail_in};
	enum jmb_store_result r = jmb_store_collect(store, JMB_SQL_TX_WRITE, &rc, error);

	list_r->items = rc.items;
	list_r->count = rc.count;
	return r;
}

/* The answer of a REPLY, for the series or for one occurrence; either clears
   a bounce mark and changes the organiser's feed. */
static enum jmb_store_result record_answer(struct jmb_sql_conn *conn,
                                           const struct jmb_mail_in_result *res, time_t now,
                                           struct jmb_error *error)
{
	const char *status = jmb_partstat_name(res->answer);
	enum jmb_store_result r;

	if (res->for_occurrence) {
		r = jmb_sql_exec(conn, &sql_occurrence_answer,
		                 SQL_ARGS(sql_text(status), sql_int(now), sql_int(res->attendee_id),
		                          sql_int(res->recurrence_id)),
		                 NULL, error);
		if (r == JMB_STORE_OK)
			r = jmb_sql_exec_one(conn, &sql_answer_clears_bounce,
			                     SQL_ARGS(sql_int(res->attendee_id)), "attendee",
			                     error);
	} else {
		r = jmb_sql_exec_one(
		    conn, &sql_answer,
		    SQL_ARGS(sql_text(status), sql_int(now), sql_int(res->attendee_id)), "attendee",
		    error);
	}
	if (r == JMB_STORE_OK)
		r = jmb_sql_exec(conn, &sql_answer_touch,
		                 SQL_ARGS(sql_int(now), sql_int(res->attendee_id)), NULL, error);
	return r;
}

struct mail_in_done {
	int64_t id;
	const char *instance;
	time_t now;
	const struct jmb_mail_in_result *result;
};

static enum jmb_store_result finish_mail_in(struct jmb_sql_conn *conn, void *ctx,
                                            struct jmb_error *error)
{
	struct mail_in_done *d = ctx;
	const struct jmb_mail_in_result *res = d->result;
	const struct jmb_side_effects *fx = res->fx;
	long changed = 0;
	enum jmb_store_result r = jmb_sql_exec(conn, &sql_mail_in_done,
	                                       SQL_ARGS(sql_int(d->now), sql_text(res->outcome),
	                                                sql_int(d->id), sql_text(d->instance)),
	                                       &changed, error);

	r = jmb_store_claimed_one(r, changed, "received mail", d->id, d->instance, error);
	if (r == JMB_STORE_OK && res->kind == JMB_MAIL_IN_ANSWER)
		r = record_answer(conn, res, d->now, error);
	if (r == JMB_STORE_OK && res->kind == JMB_MAIL_IN_BOUNCE) {
		changed = 0;
		r = jmb_sql_exec(conn, &sql_bounced,
		                 SQL_ARGS(sql_int(d->now), sql_text(res->bounce_error),
		                          sql_int(res->attendee_id)),
		                 &changed, error);
		if (changed == 0)
			fx = NULL; /* already known undeliverable: no second notice */
	}
	if (r == JMB_STORE_OK)
		r = jmb_store_queue_mails(conn, fx, error);
	return r;
}

enum jmb_store_result jmb_store_mail_in_finish(struct jmb_store *store, int64_t id,
                                               const char *instance, time_t now,
                                               const struct jmb_mail_in_result *result,
                                               struct jmb_error *error)
{
	struct mail_in_done d = {id, instance, now, result};

	return jmb_store_run(store, JMB_SQL_TX_MEETINGS, finish_mail_in, &d, error);
}

enum jmb_store_result jmb_store_mail_in_purge(struct jmb_store *store, time_t before,
                                              long *purged_r, struct jmb_error *error)
{
	return jmb_store_exec(store, &sql_mail_in_purge, SQL_ARGS(sql_int(before)), purged_r,
	                      error);
}
