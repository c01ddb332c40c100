/* Reading meetings: one row shape for every query (MEETING_COLUMNS), their
 * invitees loaded with one more query for a whole list, and the lists a user,
 * a feed or the admin CLI asks for. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "util/memory.h"
#include "store-private.h"

#define MEETING_COLUMNS                                                                            \
	"m.id, m.uid, m.room, m.title, m.description, m.start_at, m.duration, m.end_at, "          \
	"m.timezone, m.owner_login, m.owner_mail, m.owner_name, m.sequence, m.created_at, "        \
	"m.updated_at, m.deleted_at, m.lobby, m.max_participants, m.recording_off, m.language, "   \
	"m.recurrence, m.last_end_at"
#define MEETING_COLUMN_COUNT 22
#define ATTENDEE_COLUMNS                                                                           \
	"a.meeting_id, a.id, a.mail, a.name, a.role, a.status, a.token, a.joins, a.responded_at, " \
	"a.reply_token, a.delivery_failed_at, a.delivery_error, a.language"
#define ATTENDEE_ORDER " ORDER BY a.meeting_id, a.role DESC, a.id"

/* Owned by login $3 (or, for imported meetings, by one of the addresses in
   the JSON array $4), or with an attendee among those addresses. */
#define OWNED_OR_INVITED_SQLITE                                                                    \
	"AND (m.owner_login = $3 OR m.owner_mail IN (SELECT value FROM json_each($4)) "            \
	"OR m.id IN (SELECT a.meeting_id FROM attendees a "                                        \
	"WHERE a.mail IN (SELECT value FROM json_each($4))))"
#define OWNED_OR_INVITED_PG                                                                        \
	"AND (m.owner_login = $3 "                                                                 \
	"OR m.owner_mail = ANY (ARRAY(SELECT json_array_elements_text($4::json))) "                \
	"OR m.id = ANY (ARRAY(SELECT a.meeting_id FROM attendees a "                               \
	"WHERE a.mail = ANY (ARRAY(SELECT json_array_elements_text($4::json))))))"
/* Not deleted, ending in ($1, $2]. */
#define FOR_USER_WHERE                                                                             \
	" FROM meetings m WHERE m.deleted_at IS NULL AND m.last_end_at > $1 AND m.last_end_at <= " \
	"$2 "
/* A feed: meetings ending after $1, not deleted or deleted after $2. */
#define FEED_WHERE                                                                                 \
	" FROM meetings m WHERE m.last_end_at > $1 AND (m.deleted_at IS NULL OR m.deleted_at > "   \
	"$2) "
#define BY_START " ORDER BY m.start_at, m.id"
#define NEWEST_FIRST " ORDER BY m.start_at DESC, m.id DESC"

static const struct jmb_sql sql_attendees_of = {
    .sqlite = "SELECT " ATTENDEE_COLUMNS " FROM attendees a WHERE a.meeting_id IN "
              "(SELECT CAST(value AS INTEGER) FROM json_each($1))" ATTENDEE_ORDER,
    .pg = "SELECT " ATTENDEE_COLUMNS " FROM attendees a WHERE a.meeting_id IN "
          "(SELECT json_array_elements_text($1::json)::bigint)" ATTENDEE_ORDER,
};
/* The overrides of the series among a list (JSON array of ids), and their
   invitees' answers for single occurrences. */
static const struct jmb_sql sql_overrides_of = {
    .sqlite = "SELECT meeting_id, recurrence_id, start_at, duration, title, description, "
              "cancelled FROM occurrence_overrides WHERE meeting_id IN "
              "(SELECT CAST(value AS INTEGER) FROM json_each($1)) "
              "ORDER BY meeting_id, recurrence_id",
    .pg = "SELECT meeting_id, recurrence_id, start_at, duration, title, description, "
          "cancelled FROM occurrence_overrides WHERE meeting_id IN "
          "(SELECT json_array_elements_text($1::json)::bigint) "
          "ORDER BY meeting_id, recurrence_id",
};
static const struct jmb_sql sql_answers_of = {
    .sqlite = "SELECT a.meeting_id, o.attendee_id, o.recurrence_id, o.status "
              "FROM occurrence_answers o JOIN attendees a ON a.id = o.attendee_id "
              "WHERE a.meeting_id IN (SELECT CAST(value AS INTEGER) FROM json_each($1)) "
              "ORDER BY a.meeting_id, o.attendee_id, o.recurrence_id",
    .pg = "SELECT a.meeting_id, o.attendee_id, o.recurrence_id, o.status "
          "FROM occurrence_answers o JOIN attendees a ON a.id = o.attendee_id "
          "WHERE a.meeting_id IN (SELECT json_array_elements_text($1::json)::bigint) "
          "ORDER BY a.meeting_id, o.attendee_id, o.recurrence_id",
};
static const struct jmb_sql sql_meeting_get =
    JMB_SQL_ANY("SELECT " MEETING_COLUMNS " FROM meetings m WHERE m.id = $1");
/* A room passes from a series to the one continuing it: the meeting holding
   it is the first still running after $2, else the last to have run. */
static const struct jmb_sql sql_meeting_by_room = JMB_SQL_ANY(
    "SELECT " MEETING_COLUMNS " FROM meetings m WHERE m.room = $1 AND m.deleted_at IS NULL "
    "ORDER BY m.last_end_at <= $2, "
    "CASE WHEN m.last_end_at > $2 THEN m.last_end_at ELSE -m.last_end_at END, m.id LIMIT 1");
static const struct jmb_sql sql_meeting_by_token =
    JMB_SQL_ANY("SELECT " MEETING_COLUMNS " FROM meetings m JOIN attendees t "
                "ON t.meeting_id = m.id WHERE t.token = $1");
static const struct jmb_sql sql_meeting_by_reply_token =
    JMB_SQL_ANY("SELECT " MEETING_COLUMNS " FROM meetings m JOIN attendees t "
                "ON t.meeting_id = m.id WHERE t.reply_token = $1");
static const struct jmb_sql sql_invitee_by_token =
    JMB_SQL_ANY("SELECT " MEETING_COLUMNS ", " ATTENDEE_COLUMNS " FROM meetings m "
                "JOIN attendees a ON a.meeting_id = m.id WHERE a.token = $1");
static const struct jmb_sql sql_meetings_all =
    JMB_SQL_ANY("SELECT " MEETING_COLUMNS " FROM meetings m WHERE m.last_end_at > $1 "
                "AND ($2 <> 0 OR m.deleted_at IS NULL)" BY_START);
static const struct jmb_sql sql_meetings_for_user[2] = {
    {.sqlite = "SELECT " MEETING_COLUMNS FOR_USER_WHERE OWNED_OR_INVITED_SQLITE BY_START,
     .pg = "SELECT " MEETING_COLUMNS FOR_USER_WHERE OWNED_OR_INVITED_PG BY_START},
    {.sqlite = "SELECT " MEETING_COLUMNS FOR_USER_WHERE OWNED_OR_INVITED_SQLITE NEWEST_FIRST,
     .pg = "SELECT " MEETING_COLUMNS FOR_USER_WHERE OWNED_OR_INVITED_PG NEWEST_FIRST},
};
static const struct jmb_sql sql_meetings_for_feed = {
    .sqlite = "SELECT " MEETING_COLUMNS FEED_WHERE OWNED_OR_INVITED_SQLITE BY_START,
    .pg = "SELECT " MEETING_COLUMNS FEED_WHERE OWNED_OR_INVITED_PG BY_START,
};
/* sql/<driver>/003_feed_changes.sql keeps feed_changes. */
static const struct jmb_sql sql_feed_version = {
    .sqlite = "SELECT coalesce(sum(changes), 0), coalesce(max(changed_at), 0) "
              "FROM feed_changes WHERE key IN (SELECT 'login:' || $1 "
              "UNION ALL SELECT 'mail:' || value FROM json_each($2))",
    .pg = "SELECT coalesce(sum(changes), 0), coalesce(max(changed_at), 0) FROM feed_changes "
          "WHERE key = ANY (ARRAY(SELECT 'login:' || $1 "
          "UNION ALL SELECT 'mail:' || json_array_elements_text($2::json)))",
};

static void read_meeting_row(struct jmb_pool *pool, struct jmb_sql_stmt *stmt,
                             struct jmb_meeting *m)
{
	m->id = jmb_sql_int(stmt, 0);
	m->uid = jmb_sql_text(pool, stmt, 1);
	m->room = jmb_sql_text(pool, stmt, 2);
	m->title = jmb_sql_text(pool, stmt, 3);
	m->description = jmb_sql_text(pool, stmt, 4);
	m->start = (time_t)jmb_sql_int(stmt, 5);
	m->duration = (long)jmb_sql_int(stmt, 6);
	m->end = (time_t)jmb_sql_int(stmt, 7);
	m->timezone = jmb_sql_text(pool, stmt, 8);
	m->owner.login = jmb_sql_text(pool, stmt, 9);
	m->owner.mail = jmb_sql_text(pool, stmt, 10);
	m->owner.name = jmb_sql_text(pool, stmt, 11);
	m->sequence = (long)jmb_sql_int(stmt, 12);
	m->created = (time_t)jmb_sql_int(stmt, 13);
	m->updated = (time_t)jmb_sql_int(stmt, 14);
	m->deleted = (time_t)jmb_sql_int(stmt, 15);
	m->options.lobby = jmb_sql_int(stmt, 16) != 0;
	m->options.max_participants = (long)jmb_sql_int(stmt, 17);
	m->options.recording_off = jmb_sql_int(stmt, 18) != 0;
	m->language = jmb_sql_text(pool, stmt, 19);
	m->recurrence = jmb_sql_peek(stmt, 20) != NULL ? jmb_sql_text(pool, stmt, 20) : NULL;
	m->last_end = (time_t)jmb_sql_int(stmt, 21);
}

/* ATTENDEE_COLUMNS from column `first` on. */
static void read_attendee_row(struct jmb_pool *pool, struct jmb_sql_stmt *stmt, int first,
                              struct jmb_attendee *a)
{
	const char *role = jmb_sql_peek(stmt, first + 4);
	const char *status = jmb_sql_peek(stmt, first + 5);

	a->id = jmb_sql_int(stmt, first + 1);
	a->mail = jmb_sql_text(pool, stmt, first + 2);
	a->name = jmb_sql_text(pool, stmt, first + 3);
	if (role == NULL || jmb_role_parse(role, &a->role) < 0)
		a->role = JMB_ROLE_GUEST;
	if (status == NULL || jmb_partstat_parse(status, &a->status) < 0)
		a->status = JMB_PARTSTAT_NEEDS_ACTION;
	a->token = jmb_sql_text(pool, stmt, first + 6);
	a->joins = (long)jmb_sql_int(stmt, first + 7);
	a->responded = (time_t)jmb_sql_int(stmt, first + 8);
	a->reply_token = jmb_sql_text(pool, stmt, first + 9);
	a->delivery_failed = (time_t)jmb_sql_int(stmt, first + 10);
	a->delivery_error = jmb_sql_text(pool, stmt, first + 11);
	a->language = jmb_sql_text(pool, stmt, first + 12);
}

struct meeting_index {
	int64_t id;
	size_t pos;
	size_t cap;
};

static int meeting_index_cmp(const void *a, const void *b)
{
	int64_t x = ((const struct meeting_index *)a)->id,
	        y = ((const struct meeting_index *)b)->id;

	return x < y ? -1 : x > y;
}

/* The ids of list as a JSON array, and an index of them sorted by id. */
static const char *index_meetings(struct jmb_pool *pool, const struct jmb_meeting_list *list,
                                  struct meeting_index *index)
{
	const char **ids = jmb_pool_calloc(pool, list->count, sizeof(*ids));

	for (size_t i = 0; i < list->count; i++) {
		index[i].id = list->items[i]->id;
		index[i].pos = i;
		ids[i] = jmb_pool_printf(pool, "%lld", (long long)index[i].id);
	}
	qsort(index, list->count, sizeof(*index), meeting_index_cmp);
	return jmb_sql_json_array(pool, ids, list->count);
}

/* Loads the attendees of every meeting in list with one query; rows are
   matched to meetings through an index sorted by id. */
static enum jmb_store_result load_attendees(struct jmb_sql_conn *conn, struct jmb_pool *pool,
                                            struct jmb_meeting_list *list, struct jmb_error *error)
{
	struct meeting_index *index;
	struct jmb_sql_stmt *stmt;
	enum jmb_store_result r;
	bool row = false;

	if (list->count == 0)
		return JMB_STORE_OK;
	index = jmb_pool_calloc(pool, list->count, sizeof(*index));
	r = jmb_sql_query(conn, &sql_attendees_of,
	                  SQL_ARGS(sql_text(index_meetings(pool, list, index))), &stmt, error);
	while (r == JMB_STORE_OK && (r = jmb_sql_next(stmt, &row, error)) == JMB_STORE_OK && row) {
		struct meeting_index key = {.id = jmb_sql_int(stmt, 0)};
		struct meeting_index *found =
		    bsearch(&key, index, list->count, sizeof(*index), meeting_index_cmp);

		if (found != NULL)
			read_attendee_row(
			    pool, stmt, 0,
			    jmb_attendee_append(pool, list->items[found->pos], &found->cap));
	}
	jmb_sql_release(stmt);
	return r;
}

/* The ids of the series in list, as a JSON array; NULL when there is none. */
static const char *series_ids(struct jmb_pool *pool, const struct jmb_meeting_list *list)
{
	const char **ids = jmb_pool_calloc(pool, list->count + 1, sizeof(*ids));
	size_t n = 0;

	for (size_t i = 0; i < list->count; i++)
		if (list->items[i]->recurrence != NULL)
			ids[n++] = jmb_pool_printf(pool, "%lld", (long long)list->items[i]->id);
	return n > 0 ? jmb_sql_json_array(pool, ids, n) : NULL;
}

static struct jmb_meeting *find_meeting(const struct jmb_meeting_list *list, int64_t id)
{
	for (size_t i = 0; i < list->count; i++)
		if (list->items[i]->id == id)
			return list->items[i];
	return NULL;
}

static void override_append(struct jmb_pool *pool, struct jmb_meeting *m,
                            const struct jmb_override *o)
{
	struct jmb_override *grown = jmb_pool_calloc(pool, m->n_overrides + 1, sizeof(*grown));

	if (m->n_overrides > 0)
		memcpy(grown, m->overrides, m->n_overrides * sizeof(*grown));
	grown[m->n_overrides++] = *o;
	m->overrides = grown;
}

static void answer_append(struct jmb_pool *pool, struct jmb_attendee *a,
                          const struct jmb_occurrence_answer *o)
{
	struct jmb_occurrence_answer *grown =
	    jmb_pool_calloc(pool, a->n_answers + 1, sizeof(*grown));

	if (a->n_answers > 0)
		memcpy(grown, a->answers, a->n_answers * sizeof(*grown));
	grown[a->n_answers++] = *o;
	a->answers = grown;
}

static void read_override(struct jmb_pool *pool, struct jmb_sql_stmt *stmt,
                          const struct jmb_meeting_list *list)
{
	struct jmb_meeting *m = find_meeting(list, jmb_sql_int(stmt, 0));
	struct jmb_override o = {
	    .recurrence_id = (time_t)jmb_sql_int(stmt, 1),
	    .start = (time_t)jmb_sql_int(stmt, 2),
	    .duration = (long)jmb_sql_int(stmt, 3),
	    .title = jmb_sql_peek(stmt, 4) != NULL ? jmb_sql_text(pool, stmt, 4) : NULL,
	    .description = jmb_sql_peek(stmt, 5) != NULL ? jmb_sql_text(pool, stmt, 5) : NULL,
	    .cancelled = jmb_sql_int(stmt, 6) != 0,
	};

	if (m != NULL)
		override_append(pool, m, &o);
}

static void read_answer(struct jmb_pool *pool, struct jmb_sql_stmt *stmt,
                        const struct jmb_meeting_list *list)
{
	struct jmb_meeting *m = find_meeting(list, jmb_sql_int(stmt, 0));
	int64_t attendee = jmb_sql_int(stmt, 1);
	const char *status = jmb_sql_peek(stmt, 3);
	struct jmb_occurrence_answer o = {.recurrence_id = (time_t)jmb_sql_int(stmt, 2)};

	if (m == NULL || status == NULL || jmb_partstat_parse(status, &o.status) < 0)
		return;
	for (size_t i = 0; i < m->n_attendees; i++)
		if (m->attendees[i].id == attendee)
			answer_append(pool, &m->attendees[i], &o);
}

/* Loads the overrides of the series in list and their invitees' answers for
   single occurrences, one query each (none when the list has no series). */
static enum jmb_store_result load_series(struct jmb_sql_conn *conn, struct jmb_pool *pool,
                                         struct jmb_meeting_list *list, struct jmb_error *error)
{
	const char *ids = series_ids(pool, list);
	const struct jmb_sql *queries[] = {&sql_overrides_of, &sql_answers_of};
	enum jmb_store_result r = JMB_STORE_OK;

	for (size_t q = 0; ids != NULL && q < 2 && r == JMB_STORE_OK; q++) {
		struct jmb_sql_stmt *stmt;
		bool row = false;

		r = jmb_sql_query(conn, queries[q], SQL_ARGS(sql_text(ids)), &stmt, error);
		while (r == JMB_STORE_OK && (r = jmb_sql_next(stmt, &row, error)) == JMB_STORE_OK &&
		       row)
			(q == 0 ? read_override : read_answer)(pool, stmt, list);
		jmb_sql_release(stmt);
	}
	return r;
}

static void list_append(struct jmb_pool *pool, struct jmb_meeting_list *list, size_t *cap,
                        struct jmb_meeting *m)
{
	if (list->count == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct jmb_meeting **grown = jmb_pool_calloc(pool, ncap, sizeof(*grown));

		if (list->count > 0)
			memcpy(grown, list->items, list->count * sizeof(*grown));
		list->items = grown;
		*cap = ncap;
	}
	list->items[list->count++] = m;
}

/* Runs a meetings query (rows of MEETING_COLUMNS) and loads their attendees. */
static enum jmb_store_result collect_meetings(struct jmb_sql_conn *conn, struct jmb_pool *pool,
                                              const struct jmb_sql *sql,
                                              const struct jmb_sql_value *args, size_t n_args,
                                              struct jmb_meeting_list *list,
                                              struct jmb_error *error)
{
	struct jmb_sql_stmt *stmt;
	enum jmb_store_result r = jmb_sql_query(conn, sql, args, n_args, &stmt, error);
	size_t cap = 0;
	bool row = false;

	list->items = NULL;
	list->count = 0;
	while (r == JMB_STORE_OK && (r = jmb_sql_next(stmt, &row, error)) == JMB_STORE_OK && row) {
		struct jmb_meeting *m = jmb_pool_calloc(pool, 1, sizeof(*m));

		read_meeting_row(pool, stmt, m);
		list_append(pool, list, &cap, m);
	}
	jmb_sql_release(stmt);
	if (r == JMB_STORE_OK)
		r = load_attendees(conn, pool, list, error);
	return r == JMB_STORE_OK ? load_series(conn, pool, list, error) : r;
}

/* The one meeting a query finds, with its attendees. */
static enum jmb_store_result one_meeting(struct jmb_store *store, struct jmb_pool *pool,
                                         const struct jmb_sql *sql,
                                         const struct jmb_sql_value *args, size_t n_args,
                                         struct jmb_meeting **m_r, struct jmb_error *error)
{
	struct jmb_sql_conn *conn = jmb_store_acquire(store, error);
	struct jmb_meeting_list list;
	enum jmb_store_result r;

	if (conn == NULL)
		return JMB_STORE_ERROR;
	r = collect_meetings(conn, pool, sql, args, n_args, &list, error);
	jmb_store_release(store, conn);
	if (r == JMB_STORE_OK && list.count == 0) {
		jmb_error_set(error, "no such meeting");
		r = JMB_STORE_NOT_FOUND;
	}
	if (r == JMB_STORE_OK)
		*m_r = list.items[0];
	return r;
}

/* A list of meetings, run on a connection of its own. */
static enum jmb_store_result meeting_list(struct jmb_store *store, struct jmb_pool *pool,
                                          const struct jmb_sql *sql,
                                          const struct jmb_sql_value *args, size_t n_args,
                                          struct jmb_meeting_list *list_r, struct jmb_error *error)
{
	struct jmb_sql_conn *conn = jmb_store_acquire(store, error);
	enum jmb_store_result r;

	if (conn == NULL)
		return JMB_STORE_ERROR;
	r = collect_meetings(conn, pool, sql, args, n_args, list_r, error);
	jmb_store_release(store, conn);
	return r;
}

static const char *mails_json(struct jmb_pool *pool, const char *const *mails)
{
	size_t n = 0;

	while (mails != NULL && mails[n] != NULL)
		n++;
	return jmb_sql_json_array(pool, mails, n);
}

enum jmb_store_result jmb_store_meeting_get(struct jmb_store *store, struct jmb_pool *pool,
                                            int64_t id, struct jmb_meeting **m_r,
                                            struct jmb_error *error)
{
	return one_meeting(store, pool, &sql_meeting_get, SQL_ARGS(sql_int(id)), m_r, error);
}

enum jmb_store_result jmb_store_meeting_by_room(struct jmb_store *store, struct jmb_pool *pool,
                                                const char *room, time_t active_after,
                                                struct jmb_meeting **m_r, struct jmb_error *error)
{
	return one_meeting(store, pool, &sql_meeting_by_room,
	                   SQL_ARGS(sql_text(room), sql_int(active_after)), m_r, error);
}

/* The meeting that sql finds by one of its invitees' secrets, and which
   invitee holds it (token_of reads that secret from an attendee). */
static enum jmb_store_result
attendee_by_secret(struct jmb_store *store, struct jmb_pool *pool, const struct jmb_sql *sql,
                   const char *secret, const char *(*token_of)(const struct jmb_attendee *),
                   struct jmb_meeting **m_r, size_t *index_r, struct jmb_error *error)
{
	enum jmb_store_result r =
	    one_meeting(store, pool, sql, SQL_ARGS(sql_text(secret)), m_r, error);

	if (r != JMB_STORE_OK)
		return r;
	for (size_t i = 0; i < (*m_r)->n_attendees; i++) {
		const char *held = token_of(&(*m_r)->attendees[i]);
		if (held != NULL && strcmp(held, secret) == 0) {
			*index_r = i;
			return JMB_STORE_OK;
		}
	}
	/* Removed between the two reads (the meeting, its invitees). */
	jmb_error_set(error, "attendee vanished during lookup");
	return JMB_STORE_RETRY;
}

static const char *join_token_of(const struct jmb_attendee *a)
{
	return a->token;
}

static const char *reply_token_of(const struct jmb_attendee *a)
{
	return a->reply_token;
}

enum jmb_store_result jmb_store_attendee_by_token(struct jmb_store *store, struct jmb_pool *pool,
                                                  const char *token, struct jmb_meeting **m_r,
                                                  size_t *index_r, struct jmb_error *error)
{
	return attendee_by_secret(store, pool, &sql_meeting_by_token, token, join_token_of, m_r,
	                          index_r, error);
}

enum jmb_store_result jmb_store_attendee_by_reply_token(struct jmb_store *store,
                                                        struct jmb_pool *pool, const char *token,
                                                        struct jmb_meeting **m_r, size_t *index_r,
                                                        struct jmb_error *error)
{
	return attendee_by_secret(store, pool, &sql_meeting_by_reply_token, token, reply_token_of,
	                          m_r, index_r, error);
}

struct invitee_read {
	struct jmb_pool *pool;
	struct jmb_meeting *m;
};

static void read_invitee(struct jmb_sql_stmt *stmt, void *ctx)
{
	struct invitee_read *rd = ctx;
	struct jmb_meeting *m = jmb_pool_calloc(rd->pool, 1, sizeof(*m));

	read_meeting_row(rd->pool, stmt, m);
	m->attendees = jmb_pool_calloc(rd->pool, 1, sizeof(*m->attendees));
	read_attendee_row(rd->pool, stmt, MEETING_COLUMN_COUNT, &m->attendees[0]);
	m->n_attendees = 1;
	rd->m = m;
}

enum jmb_store_result jmb_store_invitee_by_token(struct jmb_store *store, struct jmb_pool *pool,
                                                 const char *token, struct jmb_meeting **m_r,
                                                 struct jmb_error *error)
{
	struct invitee_read rd = {pool, NULL};
	enum jmb_store_result r =
	    jmb_store_first_row(store, &sql_invitee_by_token, SQL_ARGS(sql_text(token)),
	                        read_invitee, &rd, "invitee", error);

	/* A series needs its overrides to know when its room is open. */
	if (r == JMB_STORE_OK && rd.m->recurrence != NULL) {
		struct jmb_meeting_list list = {.items = &rd.m, .count = 1};
		struct jmb_sql_conn *conn = jmb_store_acquire(store, error);

		if (conn == NULL)
			return JMB_STORE_ERROR;
		r = load_series(conn, pool, &list, error);
		jmb_store_release(store, conn);
	}
	if (r == JMB_STORE_OK)
		*m_r = rd.m;
	return r;
}

enum jmb_store_result jmb_store_meetings_for_user(struct jmb_store *store, struct jmb_pool *pool,
                                                  const char *login, const char *const *mails,
                                                  time_t ends_after, time_t ends_before,
                                                  bool newest_first,
                                                  struct jmb_meeting_list *list_r,
                                                  struct jmb_error *error)
{
	return meeting_list(store, pool, &sql_meetings_for_user[newest_first ? 1 : 0],
	                    SQL_ARGS(sql_int(ends_after), sql_int(ends_before), sql_text(login),
	                             sql_text(mails_json(pool, mails))),
	                    list_r, error);
}

enum jmb_store_result jmb_store_meetings_all(struct jmb_store *store, struct jmb_pool *pool,
                                             time_t ends_after, bool include_deleted,
                                             struct jmb_meeting_list *list_r,
                                             struct jmb_error *error)
{
	return meeting_list(store, pool, &sql_meetings_all,
	                    SQL_ARGS(sql_int(ends_after), sql_int(include_deleted)), list_r, error);
}

enum jmb_store_result jmb_store_meetings_for_feed(struct jmb_store *store, struct jmb_pool *pool,
                                                  const char *login, const char *const *mails,
                                                  time_t ends_after, time_t deleted_after,
                                                  struct jmb_meeting_list *list_r,
                                                  struct jmb_error *error)
{
	return meeting_list(store, pool, &sql_meetings_for_feed,
	                    SQL_ARGS(sql_int(ends_after), sql_int(deleted_after), sql_text(login),
	                             sql_text(mails_json(pool, mails))),
	                    list_r, error);
}

static void read_feed_version(struct jmb_sql_stmt *stmt, void *ctx)
{
	struct jmb_feed_version *version = ctx;

	version->changes = jmb_sql_int(stmt, 0);
	version->changed_at = (time_t)jmb_sql_int(stmt, 1);
}

enum jmb_store_result jmb_store_feed_version(struct jmb_store *store, struct jmb_pool *pool,
                                             const char *login, const char *const *mails,
                                             struct jmb_feed_version *version_r,
                                             struct jmb_error *error)
{
	return jmb_store_first_row(store, &sql_feed_version,
	                           SQL_ARGS(sql_text(login), sql_text(mails_json(pool, mails))),
	                           read_feed_version, version_r, "feed version", error);
}
