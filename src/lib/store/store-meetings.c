/* Writing meetings and their invitees: booking, editing, cancelling, answers,
 * join counts and imports. Each runs in one transaction with its side effects
 * (mails, reminders), so a change and what it announces commit together. */
#include "config.h"

#include <stdio.h>

#include "domain/recurrence.h"
#include "util/memory.h"
#include "util/timeutil.h"
#include "store-private.h"

/* SQLite keeps a unique room_key beside room (sql/sqlite/014_shared_rooms.sql):
   the UID, unique anyway. */
#define MEETING_INSERT_COLUMNS                                                                     \
	"uid, room, title, description, start_at, duration, end_at, timezone, owner_login, "       \
	"owner_mail, owner_name, sequence, created_at, updated_at, lobby, max_participants, "      \
	"recording_off, language, recurrence, last_end_at"
#define MEETING_INSERT_VALUES                                                                      \
	"$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, "   \
	"$20"
static const struct jmb_sql sql_meeting_insert = {
    .sqlite = "INSERT INTO meetings (" MEETING_INSERT_COLUMNS
              ", room_key) VALUES (" MEETING_INSERT_VALUES ", $1) RETURNING id",
    .pg = "INSERT INTO meetings (" MEETING_INSERT_COLUMNS ") VALUES (" MEETING_INSERT_VALUES
          ") RETURNING id",
};
/* RETURNING gives the row's id whether it was inserted or updated (SQLite's
   last rowid would be someone else's when a kept attendee is updated). */
static const struct jmb_sql sql_attendee_upsert =
    JMB_SQL_ANY("INSERT INTO attendees (meeting_id, mail, name, role, status, token, reply_token) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7) "
                "ON CONFLICT (meeting_id, mail) DO UPDATE SET role = excluded.role, "
                "reply_token = coalesce(attendees.reply_token, excluded.reply_token), "
                "name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE attendees.name END "
                "RETURNING id");
static const struct jmb_sql sql_attendee_import =
    JMB_SQL_ANY("INSERT INTO attendees (meeting_id, mail, name, role, status, token, joins) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7)");
static const struct jmb_sql sql_meeting_update =
    JMB_SQL_ANY("UPDATE meetings SET title = $1, description = $2, start_at = $3, duration = $4, "
                "end_at = $5, timezone = $6, sequence = sequence + 1, revision = revision + 1, "
                "updated_at = $7, lobby = $9, max_participants = $10, recording_off = $11, "
                "recurrence = $12, last_end_at = $13 "
                "WHERE id = $8 AND deleted_at IS NULL AND sequence = $14");
/* Rooms are no longer unique in the schema (014): a new meeting may take a
   room only when it continues a series there (a split). */
static const struct jmb_sql sql_room_taken =
    JMB_SQL_ANY("SELECT id FROM meetings WHERE room = $1 LIMIT 1");
static const struct jmb_sql sql_meeting_alive =
    JMB_SQL_ANY("SELECT id FROM meetings WHERE id = $1 AND deleted_at IS NULL");
static const struct jmb_sql sql_overrides_clear =
    JMB_SQL_ANY("DELETE FROM occurrence_overrides WHERE meeting_id = $1");
static const struct jmb_sql sql_override_insert =
    JMB_SQL_ANY("INSERT INTO occurrence_overrides (meeting_id, recurrence_id, start_at, duration, "
                "title, description, cancelled) VALUES ($1, $2, $3, $4, $5, $6, $7)");
/* Answers for occurrences the series no longer has go. */
static const struct jmb_sql sql_answers_prune = {
    .sqlite = "DELETE FROM occurrence_answers WHERE attendee_id IN "
              "(SELECT id FROM attendees WHERE meeting_id = $1) AND recurrence_id NOT IN "
              "(SELECT CAST(value AS INTEGER) FROM json_each($2))",
    .pg = "DELETE FROM occurrence_answers WHERE attendee_id IN "
          "(SELECT id FROM attendees WHERE meeting_id = $1) AND recurrence_id NOT IN "
          "(SELECT json_array_elements_text($2::json)::bigint)",
};
static const struct jmb_sql sql_occurrence_answer =
    JMB_SQL_ANY("INSERT INTO occurrence_answers (attendee_id, recurrence_id, status, responded_at) "
                "SELECT id, $1, $2, $3 FROM attendees WHERE token = $4 "
                "ON CONFLICT (attendee_id, recurrence_id) DO UPDATE SET status = excluded.status, "
                "responded_at = excluded.responded_at");
static const struct jmb_sql sql_attendees_prune = {
    .sqlite = "DELETE FROM attendees WHERE meeting_id = $1 "
              "AND mail NOT IN (SELECT value FROM json_each($2))",
    .pg = "DELETE FROM attendees WHERE meeting_id = $1 "
          "AND mail NOT IN (SELECT json_array_elements_text($2::json))",
};
static const struct jmb_sql sql_meeting_delete =
    JMB_SQL_ANY("UPDATE meetings SET deleted_at = $1, updated_at = $1, "
                "sequence = sequence + 1, revision = revision + 1 "
                "WHERE id = $2 AND deleted_at IS NULL");
static const struct jmb_sql sql_reminders_cancel =
    JMB_SQL_ANY("DELETE FROM reminders WHERE meeting_id = $1 AND done_at IS NULL");
static const struct jmb_sql sql_attendee_set_status =
    JMB_SQL_ANY("UPDATE attendees SET status = $1, responded_at = $2, delivery_failed_at = NULL, "
                "delivery_error = NULL WHERE token = $3");
/* The organiser's feed shows answers: its fingerprint must change. */
static const struct jmb_sql sql_meeting_touch = {
    .sqlite = "UPDATE meetings SET updated_at = max(updated_at, $1), revision = revision + 1 "
              "WHERE id = (SELECT meeting_id FROM attendees WHERE token = $2)",
    .pg = "UPDATE meetings SET updated_at = greatest(updated_at, $1), "
          "revision = revision + 1 "
          "WHERE id = (SELECT meeting_id FROM attendees WHERE token = $2)",
};
/* Not a feed change: the trigger does not watch the column. */
static const struct jmb_sql sql_attendee_language =
    JMB_SQL_ANY("UPDATE attendees SET language = $1 WHERE token = $2 AND language <> $1");
static const struct jmb_sql sql_attendee_add_joins =
    JMB_SQL_ANY("UPDATE attendees SET joins = joins + $1 WHERE token = $2");

static void read_id(struct jmb_sql_stmt *stmt, void *ctx)
{
	*(int64_t *)ctx = jmb_sql_int(stmt, 0);
}

/* The meetings row of m, exactly as given; sets m->id. CONFLICT when its room
   is another meeting's, unless shared_room (a series continued in its room). */
static enum jmb_store_result insert_meeting_row(struct jmb_sql_conn *conn, struct jmb_meeting *m,
                                                bool shared_room, struct jmb_error *error)
{
	int64_t holder = 0;
	enum jmb_store_result r =
	    shared_room ? JMB_STORE_NOT_FOUND
	                : jmb_sql_first_row(conn, &sql_room_taken, SQL_ARGS(sql_text(m->room)),
	                                    read_id, &holder, "room", error);

	if (r == JMB_STORE_OK) {
		jmb_error_set(error, "room %s is taken", m->room);
		return JMB_STORE_CONFLICT;
	}
	if (r != JMB_STORE_NOT_FOUND)
		return r;
	return jmb_sql_first_row(
	    conn, &sql_meeting_insert,
	    SQL_ARGS(sql_text(m->uid), sql_text(m->room), sql_text(m->title),
	             sql_text(m->description), sql_int(m->start), sql_int(m->duration),
	             sql_int(m->end), sql_text(m->timezone), sql_text(m->owner.login),
	             sql_text(m->owner.mail), sql_text_or_empty(m->owner.name),
	             sql_int(m->sequence), sql_int(m->created), sql_int(m->updated),
	             sql_int(m->options.lobby), sql_int(m->options.max_participants),
	             sql_int(m->options.recording_off), sql_text_or_empty(m->language),
	             sql_text(m->recurrence), sql_int(jmb_meeting_last_end(m))),
	    read_id, &m->id, "inserted meeting", error);
}

/* Adds or updates an invitee by address, keeping the token, status and joins
   of one already there; sets a->id. */
static enum jmb_store_result upsert_attendee(struct jmb_sql_conn *conn, int64_t meeting_id,
                                             struct jmb_attendee *a, struct jmb_error *error)
{
	return jmb_sql_first_row(
	    conn, &sql_attendee_upsert,
	    SQL_ARGS(sql_int(meeting_id), sql_text(a->mail), sql_text_or_empty(a->name),
	             sql_text(jmb_role_name(a->role)), sql_text(jmb_partstat_name(a->status)),
	             sql_text(a->token), sql_text(a->reply_token)),
	    read_id, &a->id, "attendee", error);
}

static enum jmb_store_result upsert_attendees(struct jmb_sql_conn *conn, struct jmb_meeting *m,
                                              struct jmb_error *error)
{
	enum jmb_store_result r = JMB_STORE_OK;

	for (size_t i = 0; r == JMB_STORE_OK && i < m->n_attendees; i++)
		r = upsert_attendee(conn, m->id, &m->attendees[i], error);
	return r;
}

/* Drops the invitees whose address is no longer among m's. */
static enum jmb_store_result prune_attendees(struct jmb_sql_conn *conn, const struct jmb_meeting *m,
                                             struct jmb_error *error)
{
	struct jmb_pool *pool = jmb_pool_new();
	const char **mails = jmb_pool_calloc(pool, m->n_attendees + 1, sizeof(*mails));
	enum jmb_store_result r;

	for (size_t i = 0; i < m->n_attendees; i++)
		mails[i] = m->attendees[i].mail;
	r = jmb_sql_exec(
	    conn, &sql_attendees_prune,
	    SQL_ARGS(sql_int(m->id), sql_text(jmb_sql_json_array(pool, mails, m->n_attendees))),
	    NULL, error);
	jmb_pool_free(&pool);
	return r;
}

static enum jmb_store_result meeting_not_found(int64_t id, struct jmb_error *error)
{
	jmb_error_set(error, "meeting %lld not found", (long long)id);
	return JMB_STORE_NOT_FOUND;
}

/* The update found no row of the sequence it was given: another writer came
   first (RETRY: read the meeting again and redo the change), or it is gone. */
static enum jmb_store_result changed_meanwhile(struct jmb_sql_conn *conn, int64_t id,
                                               struct jmb_error *error)
{
	int64_t found = 0;
	enum jmb_store_result r = jmb_sql_first_row(conn, &sql_meeting_alive, SQL_ARGS(sql_int(id)),
	                                            read_id, &found, "meeting", error);

	if (r == JMB_STORE_NOT_FOUND)
		return meeting_not_found(id, error);
	if (r == JMB_STORE_OK) {
		jmb_error_set(error, "meeting %lld changed meanwhile", (long long)id);
		r = JMB_STORE_RETRY;
	}
	return r;
}

/* The series' overrides become m's, and answers for occurrences it no longer
   has are dropped. */
static enum jmb_store_result write_overrides(struct jmb_sql_conn *conn, const struct jmb_meeting *m,
                                             struct jmb_error *error)
{
	struct jmb_pool *pool;
	struct jmb_occurrence *occ;
	const char **ids;
	size_t n;
	enum jmb_store_result r =
	    jmb_sql_exec(conn, &sql_overrides_clear, SQL_ARGS(sql_int(m->id)), NULL, error);

	for (size_t i = 0; r == JMB_STORE_OK && i < m->n_overrides; i++) {
		const struct jmb_override *o = &m->overrides[i];

		r = jmb_sql_exec(conn, &sql_override_insert,
		                 SQL_ARGS(sql_int(m->id), sql_int(o->recurrence_id),
		                          sql_int(o->start), sql_int(o->duration),
		                          sql_text(o->title), sql_text(o->description),
		                          sql_int(o->cancelled)),
		                 NULL, error);
	}
	if (r != JMB_STORE_OK)
		return r;
	pool = jmb_pool_new();
	occ = jmb_meeting_occurrences(pool, m, 0, JMB_TIME_MAX, JMB_SERIES_MAX_OCCURRENCES, &n);
	ids = jmb_pool_calloc(pool, n + 1, sizeof(*ids));
	for (size_t i = 0; i < n; i++)
		ids[i] = jmb_pool_printf(pool, "%lld", (long long)occ[i].recurrence_id);
	r = jmb_sql_exec(conn, &sql_answers_prune,
	                 SQL_ARGS(sql_int(m->id), sql_text(jmb_sql_json_array(pool, ids, n))), NULL,
	                 error);
	jmb_pool_free(&pool);
	return r;
}

/* What a meeting write works on. */
struct meeting_write {
	struct jmb_meeting *m;
	const struct jmb_side_effects *fx;
	int64_t id; /* delete */
	time_t now;
	bool shared_room; /* insert: m continues a series in that series' room */
};

static enum jmb_store_result insert(struct jmb_sql_conn *conn, void *ctx, struct jmb_error *error)
{
	struct meeting_write *w = ctx;
	enum jmb_store_result r = insert_meeting_row(conn, w->m, w->shared_room, error);

	if (r == JMB_STORE_OK && w->m->n_overrides > 0)
		r = write_overrides(conn, w->m, error);
	if (r == JMB_STORE_OK)
		r = upsert_attendees(conn, w->m, error);
	if (r == JMB_STORE_OK)
		r = jmb_store_plan_reminders(conn, w->m->id, w->fx, error);
	if (r == JMB_STORE_OK)
		r = jmb_store_queue_mails(conn, w->fx, error);
	return r;
}

static enum jmb_store_result update(struct jmb_sql_conn *conn, void *ctx, struct jmb_error *error)
{
	struct meeting_write *w = ctx;
	struct jmb_meeting *m = w->m;
	long changed = 0;
	enum jmb_store_result r =
	    jmb_sql_exec(conn, &sql_meeting_update,
	                 SQL_ARGS(sql_text(m->title), sql_text(m->description), sql_int(m->start),
	                          sql_int(m->duration), sql_int(m->end), sql_text(m->timezone),
	                          sql_int(m->updated), sql_int(m->id), sql_int(m->options.lobby),
	                          sql_int(m->options.max_participants),
	                          sql_int(m->options.recording_off), sql_text(m->recurrence),
	                          sql_int(jmb_meeting_last_end(m)), sql_int(m->sequence - 1)),
	                 &changed, error);

	if (r == JMB_STORE_OK && changed == 0)
		r = changed_meanwhile(conn, m->id, error);
	if (r == JMB_STORE_OK)
		r = write_overrides(conn, m, error);
	if (r == JMB_STORE_OK)
		r = prune_attendees(conn, m, error);
	if (r == JMB_STORE_OK)
		r = upsert_attendees(conn, m, error);
	if (r == JMB_STORE_OK)
		r = jmb_store_plan_reminders(conn, m->id, w->fx, error);
	if (r == JMB_STORE_OK)
		r = jmb_store_queue_mails(conn, w->fx, error);
	return r;
}

/* Marks the meeting deleted; its pending reminders go. */
static enum jmb_store_result soft_delete(struct jmb_sql_conn *conn, void *ctx,
                                         struct jmb_error *error)
{
	struct meeting_write *w = ctx;
	long changed = 0;
	enum jmb_store_result r = jmb_sql_exec(
	    conn, &sql_meeting_delete, SQL_ARGS(sql_int(w->now), sql_int(w->id)), &changed, error);

	if (r == JMB_STORE_OK && changed == 0)
		r = meeting_not_found(w->id, error);
	if (r == JMB_STORE_OK)
		r = jmb_sql_exec(conn, &sql_reminders_cancel, SQL_ARGS(sql_int(w->id)), NULL,
		                 error);
	if (r == JMB_STORE_OK)
		r = jmb_store_queue_mails(conn, w->fx, error);
	return r;
}

/* Import keeps every attendee's token, status and join count. */
static enum jmb_store_result import(struct jmb_sql_conn *conn, void *ctx, struct jmb_error *error)
{
	struct jmb_meeting *m = ((struct meeting_write *)ctx)->m;
	enum jmb_store_result r = insert_meeting_row(conn, m, false, error);

	for (size_t i = 0; r == JMB_STORE_OK && i < m->n_attendees; i++) {
		const struct jmb_attendee *a = &m->attendees[i];

		r = jmb_sql_exec(conn, &sql_attendee_import,
		                 SQL_ARGS(sql_int(m->id), sql_text(a->mail),
		                          sql_text_or_empty(a->name),
		                          sql_text(jmb_role_name(a->role)),
		                          sql_text(jmb_partstat_name(a->status)),
		                          sql_text(a->token), sql_int(a->joins)),
		                 NULL, error);
	}
	return r;
}

enum jmb_store_result jmb_store_meeting_insert_fx(struct jmb_store *store, struct jmb_meeting *m,
                                                  const struct jmb_side_effects *fx,
                                                  struct jmb_error *error)
{
	struct meeting_write w = {.m = m, .fx = fx};

	return jmb_store_run(store, JMB_SQL_TX_MEETINGS, insert, &w, error);
}

enum jmb_store_result jmb_store_meeting_update_fx(struct jmb_store *store, struct jmb_meeting *m,
                                                  const struct jmb_side_effects *fx,
                                                  struct jmb_error *error)
{
	struct meeting_write w = {.m = m, .fx = fx};

	return jmb_store_run(store, JMB_SQL_TX_MEETINGS, update, &w, error);
}

enum jmb_store_result jmb_store_meeting_delete_fx(struct jmb_store *store, int64_t id, time_t now,
                                                  const struct jmb_side_effects *fx,
                                                  struct jmb_error *error)
{
	struct meeting_write w = {.fx = fx, .id = id, .now = now};

	return jmb_store_run(store, JMB_SQL_TX_MEETINGS, soft_delete, &w, error);
}

struct split_write {
	struct meeting_write old, next;
};

static enum jmb_store_result split(struct jmb_sql_conn *conn, void *ctx, struct jmb_error *error)
{
	struct split_write *w = ctx;
	enum jmb_store_result r = update(conn, &w->old, error);

	return r == JMB_STORE_OK ? insert(conn, &w->next, error) : r;
}

enum jmb_store_result jmb_store_meeting_split_fx(struct jmb_store *store, struct jmb_meeting *old,
                                                 const struct jmb_side_effects *old_fx,
                                                 struct jmb_meeting *next,
                                                 const struct jmb_side_effects *next_fx,
                                                 struct jmb_error *error)
{
	struct split_write w = {.old = {.m = old, .fx = old_fx},
	                        .next = {.m = next, .fx = next_fx, .shared_room = true}};

	return jmb_store_run(store, JMB_SQL_TX_MEETINGS, split, &w, error);
}

enum jmb_store_result jmb_store_meeting_insert(struct jmb_store *store, struct jmb_meeting *m,
                                               struct jmb_error *error)
{
	return jmb_store_meeting_insert_fx(store, m, NULL, error);
}

enum jmb_store_result jmb_store_meeting_update(struct jmb_store *store, struct jmb_meeting *m,
                                               struct jmb_error *error)
{
	return jmb_store_meeting_update_fx(store, m, NULL, error);
}

enum jmb_store_result jmb_store_meeting_delete(struct jmb_store *store, int64_t id, time_t now,
                                               struct jmb_error *error)
{
	return jmb_store_meeting_delete_fx(store, id, now, NULL, error);
}

enum jmb_store_result jmb_store_meeting_import(struct jmb_store *store, struct jmb_meeting *m,
                                               struct jmb_error *error)
{
	struct meeting_write w = {.m = m};

	return jmb_store_run(store, JMB_SQL_TX_MEETINGS, import, &w, error);
}

/* ---- answers and joins ---- */

struct answer {
	const char *token;
	enum jmb_partstat status;
	time_t now;
	const struct jmb_side_effects *fx;
};

static enum jmb_store_result set_status(struct jmb_sql_conn *conn, void *ctx,
                                        struct jmb_error *error)
{
	struct answer *a = ctx;
	enum jmb_store_result r = jmb_sql_exec_one(
	    conn, &sql_attendee_set_status,
	    SQL_ARGS(sql_text(jmb_partstat_name(a->status)), sql_int(a->now), sql_text(a->token)),
	    "attendee", error);

	if (r == JMB_STORE_OK)
		r = jmb_sql_exec(conn, &sql_meeting_touch,
		                 SQL_ARGS(sql_int(a->now), sql_text(a->token)), NULL, error);
	if (r == JMB_STORE_OK)
		r = jmb_store_queue_mails(conn, a->fx, error);
	return r;
}

enum jmb_store_result jmb_store_attendee_set_status_fx(struct jmb_store *store, const char *token,
                                                       enum jmb_partstat status, time_t now,
                                                       const struct jmb_side_effects *fx,
                                                       struct jmb_error *error)
{
	struct answer a = {token, status, now, fx};

	return jmb_store_run(store, JMB_SQL_TX_MEETINGS, set_status, &a, error);
}

struct occurrence_answer {
	struct answer a;
	time_t recurrence_id;
};

static enum jmb_store_result set_occurrence_status(struct jmb_sql_conn *conn, void *ctx,
                                                   struct jmb_error *error)
{
	struct occurrence_answer *o = ctx;
	enum jmb_store_result r = jmb_sql_exec_one(
	    conn, &sql_occurrence_answer,
	    SQL_ARGS(sql_int(o->recurrence_id), sql_text(jmb_partstat_name(o->a.status)),
	             sql_int(o->a.now), sql_text(o->a.token)),
	    "attendee", error);

	if (r == JMB_STORE_OK)
		r = jmb_sql_exec(conn, &sql_meeting_touch,
		                 SQL_ARGS(sql_int(o->a.now), sql_text(o->a.token)), NULL, error);
	if (r == JMB_STORE_OK)
		r = jmb_store_queue_mails(conn, o->a.fx, error);
	return r;
}

enum jmb_store_result jmb_store_occurrence_answer_fx(struct jmb_store *store, const char *token,
                                                     time_t recurrence_id, enum jmb_partstat status,
                                                     time_t now, const struct jmb_side_effects *fx,
                                                     struct jmb_error *error)
{
	struct occurrence_answer o = {{token, status, now, fx}, recurrence_id};

	return jmb_store_run(store, JMB_SQL_TX_MEETINGS, set_occurrence_status, &o, error);
}

enum jmb_store_result jmb_store_attendee_set_status(struct jmb_store *store, const char *token,
                                                    enum jmb_partstat status, time_t now,
                                                    struct jmb_error *error)
{
	return jmb_store_attendee_set_status_fx(store, token, status, now, NULL, error);
}

struct join_batch {
	const struct jmb_join_count *counts;
	size_t n;
};

static enum jmb_store_result add_joins(struct jmb_sql_conn *conn, void *ctx,
                                       struct jmb_error *error)
{
	const struct join_batch *b = ctx;
	enum jmb_store_result r = JMB_STORE_OK;

	for (size_t i = 0; i < b->n && r == JMB_STORE_OK; i++)
		r = jmb_sql_exec(
		    conn, &sql_attendee_add_joins,
		    SQL_ARGS(sql_int(b->counts[i].joins), sql_text(b->counts[i].token)), NULL,
		    error);
	return r;
}

/* Joins are counted, not meetings changed: no meetings lock (see store-pg.c). */
enum jmb_store_result jmb_store_attendees_add_joins(struct jmb_store *store,
                                                    const struct jmb_join_count *counts, size_t n,
                                                    struct jmb_error *error)
{
	struct join_batch b = {counts, n};

	return jmb_store_run(store, JMB_SQL_TX_WRITE, add_joins, &b, error);
}

enum jmb_store_result jmb_store_attendee_set_language(struct jmb_store *store, const char *token,
                                                      const char *language, struct jmb_error *error)
{
	return jmb_store_exec(store, &sql_attendee_language,
	                      SQL_ARGS(sql_text(language), sql_text(token)), NULL, error);
}
