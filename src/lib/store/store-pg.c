/* The PostgreSQL store driver: the same operations and result codes as the SQLite
 * driver, with named prepared statements and migrations under an advisory lock. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util/memory.h"
#include "store-pg-private.h"
#include "util/strbuf.h"

#define MEETING_COLUMNS                                                                            \
	"m.id, m.uid, m.room, m.title, m.description, m.start_at, m.duration, m.end_at, "          \
	"m.timezone, m.owner_login, m.owner_mail, m.owner_name, m.sequence, m.created_at, "        \
	"m.updated_at, m.deleted_at"
#define MEETING_COLUMN_COUNT 16
#define ATTENDEE_COLUMNS                                                                           \
	"a.meeting_id, a.id, a.mail, a.name, a.role, a.status, a.token, a.joins, a.responded_at"
#define ATTENDEE_ORDER " ORDER BY a.meeting_id, a.role DESC, a.id"
/* Owned by login $3 (or, for imported meetings, by one of the addresses in the
   JSON array $4), or with an attendee among those addresses. */
#define OWNED_OR_INVITED                                                                           \
	"AND (m.owner_login = $3 "                                                                 \
	"OR m.owner_mail = ANY (ARRAY(SELECT json_array_elements_text($4::json))) "                \
	"OR m.id = ANY (ARRAY(SELECT a.meeting_id FROM attendees a "                               \
	"WHERE a.mail = ANY (ARRAY(SELECT json_array_elements_text($4::json))))))"
#define FOR_USER_WHERE                                                                             \
	" FROM meetings m WHERE m.deleted_at IS NULL AND m.end_at > $1 AND m.end_at <= "           \
	"$2 " OWNED_OR_INVITED
/* A feed: meetings ending after $1, not deleted or deleted after $2. */
#define FEED_WHERE                                                                                 \
	" FROM meetings m WHERE m.end_at > $1 AND (m.deleted_at IS NULL OR m.deleted_at > "        \
	"$2) " OWNED_OR_INVITED

/* "jmb-migr": the pg_advisory_lock key every jmb instance migrates under. */
#define MIGRATION_LOCK_KEY INT64_C(0x6a6d622d6d696772)
/* Held by every transaction that writes meetings or invitees, from its start:
   their triggers count changes in feed_changes (003_feed_changes.sql), and one
   writer at a time never locks those rows in two orders. Bookings are written
   at the pace people type; joins and the queues do not take it. */
#define MEETINGS_LOCK_KEY INT64_C(0x6a6d622d6d656574)

static const struct pg_statement st_ping = {PG_PING, "SELECT 1", ""};

static enum jmb_store_result pg_ping(void *conn, char **error_r)
{
	return jmb_pg_exec(conn, &st_ping, NULL, error_r);
}

/* ---- schema and migrations ---- */

static const struct pg_statement st_schema_table_exists = {
    PG_SCHEMA_TABLE_EXISTS, "SELECT to_regclass('schema_version') IS NOT NULL", ""};
static const struct pg_statement st_schema_version = {
    PG_SCHEMA_VERSION, "SELECT coalesce(max(version), 0) FROM schema_version", ""};
static const struct pg_statement st_schema_record = {
    PG_SCHEMA_RECORD,
    "INSERT INTO schema_version (version, name, applied_at) "
    "VALUES ($1, $2, floor(extract(epoch FROM now()))::bigint)",
    "it"};

static enum jmb_store_result schema_table_exists(struct pg_conn *c, bool *exists_r, char **error_r)
{
	PGresult *res;
	enum jmb_store_result r = jmb_pg_query(c, &st_schema_table_exists, &res, error_r);

	if (r == JMB_STORE_OK)
		*exists_r = PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	return r;
}

/* Creates the version table when missing. Two instances creating it at once can
   collide on the catalogue (23505): the loser finds the winner's table. */
static enum jmb_store_result schema_table_ensure(struct pg_conn *c, char **error_r)
{
	bool exists = false;
	enum jmb_store_result r = schema_table_exists(c, &exists, error_r);

	if (r != JMB_STORE_OK || exists)
		return r;
	r = jmb_pg_exec_plain(c,
	                      "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY "
	                      "KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
	                      error_r);
	if (r == JMB_STORE_CONFLICT) {
		free(*error_r);
		*error_r = NULL;
		r = schema_table_exists(c, &exists, error_r);
		if (r == JMB_STORE_OK && !exists) {
			*error_r = jmb_xstrdup("pg: cannot create the schema_version table");
			r = JMB_STORE_ERROR;
		}
	}
	return r;
}

static enum jmb_store_result pg_schema_version(void *conn, int *version_r, char **error_r)
{
	PGresult *res;
	enum jmb_store_result r = schema_table_ensure(conn, error_r);

	if (r != JMB_STORE_OK)
		return r;
	r = jmb_pg_query(conn, &st_schema_version, &res, error_r);
	if (r == JMB_STORE_OK)
		*version_r = (int)jmb_pg_int(res, 0, 0);
	PQclear(res);
	return r;
}

static enum jmb_store_result pg_apply_migration(void *conn, const struct jmb_migration *m,
                                                char **error_r)
{
	struct pg_conn *c = conn;
	enum jmb_store_result r = jmb_pg_begin(c, error_r);
	int current = 0;

	if (r != JMB_STORE_OK)
		return r;
	/* Another migrator may have applied this step before we got the lock. */
	r = pg_schema_version(c, &current, error_r);
	if (r == JMB_STORE_OK && current >= m->version)
		return jmb_pg_finish(c, r, error_r);
	if (r == JMB_STORE_OK)
		r = jmb_pg_exec_plain(c, m->sql, error_r);
	if (r == JMB_STORE_OK)
		r = jmb_pg_exec(c, &st_schema_record, NULL, error_r, (int64_t)m->version, m->name);
	if (r != JMB_STORE_OK && *error_r != NULL) {
		char *msg = jmb_xasprintf("migration %s: %s", m->name, *error_r);
		free(*error_r);
		*error_r = msg;
	}
	return jmb_pg_finish(c, r, error_r);
}

static const struct pg_statement st_advisory_lock = {PG_ADVISORY_LOCK,
                                                     "SELECT pg_advisory_lock($1::bigint)", "i"};
static const struct pg_statement st_advisory_unlock = {
    PG_ADVISORY_UNLOCK, "SELECT pg_advisory_unlock($1::bigint)", "i"};

/* A session-level advisory lock: instances starting together wait for each
   other, and the lock dies with the connection if the migrator does. */
static enum jmb_store_result pg_lock_migrations(void *conn, bool lock, char **error_r)
{
	struct pg_conn *c = conn;
	PGresult *res;
	enum jmb_store_result r;

	r = jmb_pg_query(c, lock ? &st_advisory_lock : &st_advisory_unlock, &res, error_r,
	                 MIGRATION_LOCK_KEY);
	if (!lock && r == JMB_STORE_OK && PQgetvalue(res, 0, 0)[0] != 't') {
		*error_r = jmb_xstrdup("pg: the migration lock was not held");
		r = JMB_STORE_ERROR;
	}
	PQclear(res);
	/* Never pool a connection that may still hold the lock: closing it frees it. */
	if (!lock && r != JMB_STORE_OK)
		c->broken = true;
	return r;
}

static const struct pg_statement st_meetings_lock = {
    PG_MEETINGS_LOCK, "SELECT pg_advisory_xact_lock($1::bigint)", "i"};

/* BEGIN for the writers of meetings and invitees (see MEETINGS_LOCK_KEY). */
static enum jmb_store_result begin_meetings_write(struct pg_conn *c, char **error_r)
{
	enum jmb_store_result r = jmb_pg_begin(c, error_r);

	if (r != JMB_STORE_OK)
		return r;
	r = jmb_pg_exec(c, &st_meetings_lock, NULL, error_r, MEETINGS_LOCK_KEY);
	return r == JMB_STORE_OK ? r : jmb_pg_finish(c, r, error_r);
}

/* ---- reading meetings ---- */

static void read_meeting_row(struct jmb_pool *pool, const PGresult *res, int row,
                             struct jmb_meeting *m)
{
	m->id = jmb_pg_int(res, row, 0);
	m->uid = jmb_pg_text(pool, res, row, 1);
	m->room = jmb_pg_text(pool, res, row, 2);
	m->title = jmb_pg_text(pool, res, row, 3);
	m->description = jmb_pg_text(pool, res, row, 4);
	m->start = (time_t)jmb_pg_int(res, row, 5);
	m->duration = (long)jmb_pg_int(res, row, 6);
	m->end = (time_t)jmb_pg_int(res, row, 7);
	m->timezone = jmb_pg_text(pool, res, row, 8);
	m->owner.login = jmb_pg_text(pool, res, row, 9);
	m->owner.mail = jmb_pg_text(pool, res, row, 10);
	m->owner.name = jmb_pg_text(pool, res, row, 11);
	m->sequence = (long)jmb_pg_int(res, row, 12);
	m->created = (time_t)jmb_pg_int(res, row, 13);
	m->updated = (time_t)jmb_pg_int(res, row, 14);
	m->deleted = (time_t)jmb_pg_int(res, row, 15);
}

/* ATTENDEE_COLUMNS from column `first` on. */
static void read_attendee_row(struct jmb_pool *pool, const PGresult *res, int row, int first,
                              struct jmb_attendee *a)
{
	const char *role = PQgetvalue(res, row, first + 4);
	const char *status = PQgetvalue(res, row, first + 5);

	a->id = jmb_pg_int(res, row, first + 1);
	a->mail = jmb_pg_text(pool, res, row, first + 2);
	a->name = jmb_pg_text(pool, res, row, first + 3);
	if (jmb_role_parse(role, &a->role) < 0)
		a->role = JMB_ROLE_GUEST;
	if (jmb_partstat_parse(status, &a->status) < 0)
		a->status = JMB_PARTSTAT_NEEDS_ACTION;
	a->token = jmb_pg_text(pool, res, row, first + 6);
	a->joins = (long)jmb_pg_int(res, row, first + 7);
	a->responded = (time_t)jmb_pg_int(res, row, first + 8);
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

static const struct pg_statement st_attendees_of = {
    PG_ATTENDEES_OF,
    "SELECT " ATTENDEE_COLUMNS " FROM attendees a WHERE a.meeting_id IN "
    "(SELECT json_array_elements_text($1::json)::bigint)" ATTENDEE_ORDER,
    "t"};

/* Loads the attendees of every meeting in list with one query; rows are matched
 * to meetings through an index sorted by id. */
static enum jmb_store_result load_attendees(struct pg_conn *c, struct jmb_pool *pool,
                                            struct jmb_meeting_list *list, char **error_r)
{
	struct meeting_index *index;
	struct jmb_strbuf ids = {0};
	PGresult *res;
	enum jmb_store_result r;

	if (list->count == 0)
		return JMB_STORE_OK;
	index = jmb_pool_calloc(pool, list->count, sizeof(*index));
	jmb_strbuf_putc(&ids, '[');
	for (size_t i = 0; i < list->count; i++) {
		index[i].id = list->items[i]->id;
		index[i].pos = i;
		jmb_strbuf_printf(&ids, "%s%lld", i ? "," : "", (long long)index[i].id);
	}
	jmb_strbuf_putc(&ids, ']');
	qsort(index, list->count, sizeof(*index), meeting_index_cmp);
	r = jmb_pg_query(c, &st_attendees_of, &res, error_r, ids.data);
	jmb_strbuf_free(&ids);
	if (r != JMB_STORE_OK)
		return r;
	for (int row = 0; row < PQntuples(res); row++) {
		struct meeting_index key = {.id = jmb_pg_int(res, row, 0)};
		struct meeting_index *found =
		    bsearch(&key, index, list->count, sizeof(*index), meeting_index_cmp);

		if (found == NULL)
			continue;
		read_attendee_row(pool, res, row, 0,
		                  jmb_attendee_append(pool, list->items[found->pos], &found->cap));
	}
	PQclear(res);
	return JMB_STORE_OK;
}

/* Turns the rows of a meetings query into list (taking res) and loads their attendees. */
static enum jmb_store_result collect_meetings(struct pg_conn *c, struct jmb_pool *pool,
                                              PGresult *res, struct jmb_meeting_list *list,
                                              char **error_r)
{
	int rows = PQntuples(res);

	list->count = (size_t)rows;
	list->items = rows > 0 ? jmb_pool_calloc(pool, (size_t)rows, sizeof(*list->items)) : NULL;
	for (int row = 0; row < rows; row++) {
		list->items[row] = jmb_pool_alloc(pool, sizeof(*list->items[row]));
		read_meeting_row(pool, res, row, list->items[row]);
	}
	PQclear(res);
	return load_attendees(c, pool, list, error_r);
}

/* Runs a query expected to return at most one meeting. */
static enum jmb_store_result one_meeting(struct pg_conn *c, struct jmb_pool *pool, PGresult *res,
                                         struct jmb_meeting **m_r, char **error_r)
{
	struct jmb_meeting_list list;
	enum jmb_store_result r = collect_meetings(c, pool, res, &list, error_r);

	if (r != JMB_STORE_OK)
		return r;
	if (list.count == 0) {
		*error_r = jmb_xstrdup("no such meeting");
		return JMB_STORE_NOT_FOUND;
	}
	*m_r = list.items[0];
	return JMB_STORE_OK;
}

static const struct pg_statement st_meeting_get = {
    PG_MEETING_GET, "SELECT " MEETING_COLUMNS " FROM meetings m WHERE m.id = $1", "i"};

static enum jmb_store_result pg_meeting_get(void *conn, struct jmb_pool *pool, int64_t id,
                                            struct jmb_meeting **m_r, char **error_r)
{
	PGresult *res;
	enum jmb_store_result r = jmb_pg_query(conn, &st_meeting_get, &res, error_r, id);

	if (r != JMB_STORE_OK)
		return r;
	return one_meeting(conn, pool, res, m_r, error_r);
}

static const struct pg_statement st_meetings_for_user_asc = {
    PG_MEETINGS_FOR_USER_ASC, "SELECT " MEETING_COLUMNS FOR_USER_WHERE " ORDER BY m.start_at, m.id",
    "iitt"};
static const struct pg_statement st_meetings_for_user_desc = {
    PG_MEETINGS_FOR_USER_DESC,
    "SELECT " MEETING_COLUMNS FOR_USER_WHERE " ORDER BY m.start_at DESC, m.id DESC", "iitt"};

static enum jmb_store_result pg_meetings_for_user(void *conn, struct jmb_pool *pool,
                                                  const char *login, const char *mails_json,
                                                  time_t ends_after, time_t ends_before,
                                                  bool newest_first,
                                                  struct jmb_meeting_list *list_r, char **error_r)
{
	PGresult *res;
	enum jmb_store_result r;

	r = jmb_pg_query(
	    conn, newest_first ? &st_meetings_for_user_desc : &st_meetings_for_user_asc, &res,
	    error_r, (int64_t)ends_after, (int64_t)ends_before, login, mails_json);
	if (r != JMB_STORE_OK)
		return r;
	return collect_meetings(conn, pool, res, list_r, error_r);
}

static const struct pg_statement st_meetings_all = {
    PG_MEETINGS_ALL,
    "SELECT " MEETING_COLUMNS " FROM meetings m WHERE m.end_at > $1 "
    "AND ($2::boolean OR m.deleted_at IS NULL) ORDER BY m.start_at, m.id",
    "ib"};

static enum jmb_store_result pg_meetings_all(void *conn, struct jmb_pool *pool, time_t ends_after,
                                             bool include_deleted, struct jmb_meeting_list *list_r,
                                             char **error_r)
{
	PGresult *res;
	enum jmb_store_result r;

	r = jmb_pg_query(conn, &st_meetings_all, &res, error_r, (int64_t)ends_after,
	                 include_deleted);
	if (r != JMB_STORE_OK)
		return r;
	return collect_meetings(conn, pool, res, list_r, error_r);
}

static const struct pg_statement st_meeting_by_token = {PG_MEETING_BY_TOKEN,
                                                        "SELECT " MEETING_COLUMNS
                                                        " FROM meetings m JOIN attendees t "
                                                        "ON t.meeting_id = m.id WHERE t.token = $1",
                                                        "t"};

static enum jmb_store_result pg_meeting_by_token(void *conn, struct jmb_pool *pool,
                                                 const char *token, struct jmb_meeting **m_r,
                                                 char **error_r)
{
	PGresult *res;
	enum jmb_store_result r = jmb_pg_query(conn, &st_meeting_by_token, &res, error_r, token);

	if (r != JMB_STORE_OK)
		return r;
	return one_meeting(conn, pool, res, m_r, error_r);
}

static const struct pg_statement st_invitee_by_token = {
    PG_INVITEE_BY_TOKEN,
    "SELECT " MEETING_COLUMNS ", " ATTENDEE_COLUMNS " FROM meetings m "
    "JOIN attendees a ON a.meeting_id = m.id WHERE a.token = $1",
    "t"};

static enum jmb_store_result pg_invitee_by_token(void *conn, struct jmb_pool *pool,
                                                 const char *token, struct jmb_meeting **m_r,
                                                 char **error_r)
{
	PGresult *res;
	struct jmb_meeting *m;
	enum jmb_store_result r = jmb_pg_query(conn, &st_invitee_by_token, &res, error_r, token);

	if (r != JMB_STORE_OK)
		return r;
	if (PQntuples(res) == 0) {
		PQclear(res);
		*error_r = jmb_xstrdup("no invitee with this token");
		return JMB_STORE_NOT_FOUND;
	}
	m = jmb_pool_calloc(pool, 1, sizeof(*m));
	read_meeting_row(pool, res, 0, m);
	m->attendees = jmb_pool_calloc(pool, 1, sizeof(*m->attendees));
	read_attendee_row(pool, res, 0, MEETING_COLUMN_COUNT, &m->attendees[0]);
	m->n_attendees = 1;
	*m_r = m;
	PQclear(res);
	return JMB_STORE_OK;
}

/* ---- writing meetings ---- */

static const struct pg_statement st_meeting_insert = {
    PG_MEETING_INSERT,
    "INSERT INTO meetings (uid, room, title, description, start_at, duration, end_at, "
    "timezone, owner_login, owner_mail, owner_name, sequence, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
    "ttttiiitttt"
    "iii"};
/* RETURNING gives the row's id whether it was inserted or updated. */
static const struct pg_statement st_attendee_upsert = {
    PG_ATTENDEE_UPSERT,
    "INSERT INTO attendees (meeting_id, mail, name, role, status, token) "
    "VALUES ($1, $2, $3, $4, $5, $6) "
    "ON CONFLICT (meeting_id, mail) DO UPDATE SET role = excluded.role, "
    "name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE attendees.name END "
    "RETURNING id",
    "itttt"
    "t"};

static enum jmb_store_result insert_attendee(struct pg_conn *c, int64_t meeting_id,
                                             struct jmb_attendee *a, char **error_r)
{
	PGresult *res;
	enum jmb_store_result r;

	r = jmb_pg_query(c, &st_attendee_upsert, &res, error_r, meeting_id, a->mail,
	                 a->name != NULL ? a->name : "", jmb_role_name(a->role),
	                 jmb_partstat_name(a->status), a->token);
	if (r == JMB_STORE_OK)
		a->id = jmb_pg_int(res, 0, 0);
	PQclear(res);
	return r;
}

static enum jmb_store_result pg_meeting_insert(void *conn, struct jmb_meeting *m,
                                               const struct jmb_side_effects *fx, char **error_r)
{
	struct pg_conn *c = conn;
	PGresult *res;
	enum jmb_store_result r = begin_meetings_write(c, error_r);

	if (r != JMB_STORE_OK)
		return r;
	r = jmb_pg_query(c, &st_meeting_insert, &res, error_r, m->uid, m->room, m->title,
	                 m->description, (int64_t)m->start, (int64_t)m->duration, (int64_t)m->end,
	                 m->timezone, m->owner.login, m->owner.mail,
	                 m->owner.name != NULL ? m->owner.name : "", (int64_t)m->sequence,
	                 (int64_t)m->created, (int64_t)m->updated);
	if (r == JMB_STORE_OK)
		m->id = jmb_pg_int(res, 0, 0);
	PQclear(res);
	for (size_t i = 0; r == JMB_STORE_OK && i < m->n_attendees; i++)
		r = insert_attendee(c, m->id, &m->attendees[i], error_r);
	if (r == JMB_STORE_OK)
		r = jmb_pg_apply_effects(c, m->id, fx, error_r);
	return jmb_pg_finish(c, r, error_r);
}

/* The attendees' mails as one JSON array parameter. */
static char *attendee_mails_json(const struct jmb_meeting *m)
{
	json_t *array = json_array();
	char *dumped;

	for (size_t i = 0; i < m->n_attendees; i++)
		json_array_append_new(array, json_string(m->attendees[i].mail));
	dumped = json_dumps(array, JSON_COMPACT);
	json_decref(array);
	if (dumped == NULL)
		jmb_fatal_oom();
	return dumped;
}

static const struct pg_statement st_meeting_update = {
    PG_MEETING_UPDATE,
    "UPDATE meetings SET title = $1, description = $2, start_at = $3, duration = $4, "
    "end_at = $5, timezone = $6, sequence = sequence + 1, revision = revision + 1, "
    "updated_at = $7 "
    "WHERE id = $8 AND deleted_at IS NULL",
    "ttiiiti"
    "i"};
static const struct pg_statement st_attendees_prune = {
    PG_ATTENDEES_PRUNE,
    "DELETE FROM attendees WHERE meeting_id = $1 "
    "AND mail NOT IN (SELECT json_array_elements_text($2::json))",
    "it"};

static enum jmb_store_result pg_meeting_update(void *conn, struct jmb_meeting *m,
                                               const struct jmb_side_effects *fx, char **error_r)
{
	struct pg_conn *c = conn;
	enum jmb_store_result r = begin_meetings_write(c, error_r);
	long changed = 0;
	char *mails;

	if (r != JMB_STORE_OK)
		return r;
	r = jmb_pg_exec(c, &st_meeting_update, &changed, error_r, m->title, m->description,
	                (int64_t)m->start, (int64_t)m->duration, (int64_t)m->end, m->timezone,
	                (int64_t)m->updated, m->id);
	if (r == JMB_STORE_OK && changed == 0) {
		*error_r = jmb_xasprintf("meeting %lld not found", (long long)m->id);
		r = JMB_STORE_NOT_FOUND;
	}
	mails = attendee_mails_json(m);
	if (r == JMB_STORE_OK)
		r = jmb_pg_exec(c, &st_attendees_prune, NULL, error_r, m->id, mails);
	free(mails);
	for (size_t i = 0; r == JMB_STORE_OK && i < m->n_attendees; i++)
		r = insert_attendee(c, m->id, &m->attendees[i], error_r);
	if (r == JMB_STORE_OK)
		r = jmb_pg_apply_effects(c, m->id, fx, error_r);
	return jmb_pg_finish(c, r, error_r);
}

static const struct pg_statement st_meeting_delete = {
    PG_MEETING_DELETE,
    "UPDATE meetings SET deleted_at = $1, updated_at = $2, sequence = sequence + 1, "
    "revision = revision + 1 "
    "WHERE id = $3 AND deleted_at IS NULL",
    "iii"};
static const struct pg_statement st_reminders_cancel = {
    PG_REMINDERS_CANCEL, "DELETE FROM reminders WHERE meeting_id = $1 AND done_at IS NULL", "i"};

static enum jmb_store_result pg_meeting_delete(void *conn, int64_t id, time_t now,
                                               const struct jmb_side_effects *fx, char **error_r)
{
	struct pg_conn *c = conn;
	enum jmb_store_result r = begin_meetings_write(c, error_r);
	long changed = 0;

	if (r != JMB_STORE_OK)
		return r;
	r = jmb_pg_exec(c, &st_meeting_delete, &changed, error_r, (int64_t)now, (int64_t)now, id);
	if (r == JMB_STORE_OK && changed == 0) {
		*error_r = jmb_xasprintf("meeting %lld not found", (long long)id);
		r = JMB_STORE_NOT_FOUND;
	}
	if (r == JMB_STORE_OK)
		r = jmb_pg_exec(c, &st_reminders_cancel, NULL, error_r, id);
	if (r == JMB_STORE_OK)
		r = jmb_pg_outbox_add(c, fx, error_r);
	return jmb_pg_finish(c, r, error_r);
}

/* ---- attendees ---- */

static const struct pg_statement st_attendee_set_status = {
    PG_ATTENDEE_SET_STATUS, "UPDATE attendees SET status = $1, responded_at = $2 WHERE token = $3",
    "tit"};

static const struct pg_statement st_meeting_touch = {
    PG_MEETING_TOUCH,
    "UPDATE meetings SET updated_at = greatest(updated_at, $1), revision = revision + 1 "
    "WHERE id = "
    "(SELECT meeting_id FROM attendees WHERE token = $2)",
    "it"};

static enum jmb_store_result pg_attendee_set_status(void *conn, const char *token,
                                                    enum jmb_partstat status, time_t now,
                                                    const struct jmb_side_effects *fx,
                                                    char **error_r)
{
	long changed = 0;
	enum jmb_store_result r;

	r = begin_meetings_write(conn, error_r);
	if (r != JMB_STORE_OK)
		return r;
	r = jmb_pg_exec(conn, &st_attendee_set_status, &changed, error_r, jmb_partstat_name(status),
	                (int64_t)now, token);
	if (r == JMB_STORE_OK && changed == 0) {
		*error_r = jmb_xstrdup("attendee not found");
		r = JMB_STORE_NOT_FOUND;
	}
	/* The organiser's feed shows answers: its fingerprint must change. */
	if (r == JMB_STORE_OK)
		r = jmb_pg_exec(conn, &st_meeting_touch, NULL, error_r, (int64_t)now, token);
	if (r == JMB_STORE_OK)
		r = jmb_pg_outbox_add(conn, fx, error_r);
	return jmb_pg_finish(conn, r, error_r);
}

static const struct pg_statement st_attendee_add_joins = {
    PG_ATTENDEE_ADD_JOINS, "UPDATE attendees SET joins = joins + $1 WHERE token = $2", "it"};

static enum jmb_store_result pg_attendees_add_joins(void *conn, const struct jmb_join_count *counts,
                                                    size_t n, char **error_r)
{
	struct pg_conn *c = conn;
	enum jmb_store_result r = jmb_pg_begin(c, error_r);

	for (size_t i = 0; i < n && r == JMB_STORE_OK; i++)
		r = jmb_pg_exec(c, &st_attendee_add_joins, NULL, error_r, (int64_t)counts[i].joins,
		                counts[i].token);
	return jmb_pg_finish(c, r, error_r);
}

/* ---- users, sessions, tokens, secrets ---- */

static const struct pg_statement st_user_touch = {
    PG_USER_TOUCH,
    "INSERT INTO users (login, mail, name, language, created_at, last_login_at) "
    "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (login) DO UPDATE SET "
    "mail = excluded.mail, name = excluded.name, "
    "language = coalesce(excluded.language, users.language), "
    "last_login_at = excluded.last_login_at",
    "ttttii"};

static enum jmb_store_result pg_user_touch(void *conn, const struct jmb_person *user,
                                           const char *language, time_t now, char **error_r)
{
	return jmb_pg_exec(
	    conn, &st_user_touch, NULL, error_r, user->login, user->mail != NULL ? user->mail : "",
	    user->name != NULL ? user->name : "", language, (int64_t)now, (int64_t)now);
}

static const struct pg_statement st_session_create = {
    PG_SESSION_CREATE,
    "INSERT INTO sessions (id_hash, identity, created_at, expires_at) "
    "VALUES ($1, $2, $3, $4)",
    "ttii"};

static enum jmb_store_result pg_session_create(void *conn, const char *id_hash,
                                               const char *identity_json, time_t created,
                                               time_t expires, char **error_r)
{
	return jmb_pg_exec(conn, &st_session_create, NULL, error_r, id_hash, identity_json,
	                   (int64_t)created, (int64_t)expires);
}

/* Reads the first row of res (taken): text in column 0, optional times after it. */
static enum jmb_store_result first_text(struct jmb_pool *pool, PGresult *res, char **value_r,
                                        time_t *t1_r, time_t *t2_r, char **error_r)
{
	enum jmb_store_result r = JMB_STORE_OK;

	if (PQntuples(res) > 0) {
		*value_r = jmb_pg_text(pool, res, 0, 0);
		if (t1_r != NULL)
			*t1_r = (time_t)jmb_pg_int(res, 0, 1);
		if (t2_r != NULL)
			*t2_r = (time_t)jmb_pg_int(res, 0, 2);
	} else {
		*error_r = jmb_xstrdup("not found");
		r = JMB_STORE_NOT_FOUND;
	}
	PQclear(res);
	return r;
}

static const struct pg_statement st_session_get = {
    PG_SESSION_GET,
    "SELECT identity, created_at, expires_at FROM sessions "
    "WHERE id_hash = $1 AND expires_at > $2",
    "ti"};

static enum jmb_store_result pg_session_get(void *conn, struct jmb_pool *pool, const char *id_hash,
                                            time_t now, struct jmb_session_record *s,
                                            char **error_r)
{
	PGresult *res;
	enum jmb_store_result r;

	r = jmb_pg_query(conn, &st_session_get, &res, error_r, id_hash, (int64_t)now);
	if (r != JMB_STORE_OK)
		return r;
	return first_text(pool, res, &s->identity_json, &s->created, &s->expires, error_r);
}

static const struct pg_statement st_session_delete = {
    PG_SESSION_DELETE, "DELETE FROM sessions WHERE id_hash = $1", "t"};
static const struct pg_statement st_sessions_purge = {
    PG_SESSIONS_PURGE, "DELETE FROM sessions WHERE expires_at <= $1", "i"};

static enum jmb_store_result pg_session_delete(void *conn, const char *id_hash, char **error_r)
{
	return jmb_pg_exec(conn, &st_session_delete, NULL, error_r, id_hash);
}

static enum jmb_store_result pg_sessions_purge(void *conn, time_t now, long *purged_r,
                                               char **error_r)
{
	return jmb_pg_exec(conn, &st_sessions_purge, purged_r, error_r, (int64_t)now);
}

static const struct pg_statement st_api_token_create = {
    PG_API_TOKEN_CREATE,
    "INSERT INTO api_tokens (token_hash, identity, label, created_at) "
    "VALUES ($1, $2, $3, $4)",
    "ttti"};
static const struct pg_statement st_api_token_lookup = {
    PG_API_TOKEN_LOOKUP,
    "SELECT identity FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL", "t"};
static const struct pg_statement st_api_token_used = {
    PG_API_TOKEN_USED, "UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2", "it"};

static enum jmb_store_result pg_api_token_create(void *conn, const char *token_hash,
                                                 const char *identity_json, const char *label,
                                                 time_t now, char **error_r)
{
	return jmb_pg_exec(conn, &st_api_token_create, NULL, error_r, token_hash, identity_json,
	                   label != NULL ? label : "", (int64_t)now);
}

static enum jmb_store_result pg_api_token_lookup(void *conn, struct jmb_pool *pool,
                                                 const char *token_hash, time_t now,
                                                 char **identity_json_r, char **error_r)
{
	PGresult *res;
	enum jmb_store_result r;

	r = jmb_pg_query(conn, &st_api_token_lookup, &res, error_r, token_hash);
	if (r != JMB_STORE_OK)
		return r;
	r = first_text(pool, res, identity_json_r, NULL, NULL, error_r);
	if (r == JMB_STORE_OK) {
		char *ignored = NULL;
		/* Best effort: a busy database must not refuse a valid token. */
		jmb_pg_exec(conn, &st_api_token_used, NULL, &ignored, (int64_t)now, token_hash);
		free(ignored);
	}
	return r;
}

static const struct pg_statement st_secret_insert = {
    PG_SECRET_INSERT,
    "INSERT INTO secrets (name, value, created_at) "
    "VALUES ($1, $2, floor(extract(epoch FROM now()))::bigint) ON CONFLICT (name) DO NOTHING",
    "tt"};
static const struct pg_statement st_secret_get = {PG_SECRET_GET,
                                                  "SELECT value FROM secrets WHERE name = $1", "t"};

static enum jmb_store_result pg_secret_get(void *conn, struct jmb_pool *pool, const char *name,
                                           const char *candidate, char **value_r, char **error_r)
{
	PGresult *res;
	enum jmb_store_result r;

	r = jmb_pg_exec(conn, &st_secret_insert, NULL, error_r, name, candidate);
	if (r != JMB_STORE_OK)
		return r;
	r = jmb_pg_query(conn, &st_secret_get, &res, error_r, name);
	if (r != JMB_STORE_OK)
		return r;
	return first_text(pool, res, value_r, NULL, NULL, error_r);
}

/* ---- rooms, imports, feeds, private rooms ---- */

static const struct pg_statement st_meeting_by_room = {
    PG_MEETING_BY_ROOM,
    "SELECT " MEETING_COLUMNS " FROM meetings m WHERE m.room = $1 AND m.deleted_at IS NULL", "t"};

static enum jmb_store_result pg_meeting_by_room(void *conn, struct jmb_pool *pool, const char *room,
                                                struct jmb_meeting **m_r, char **error_r)
{
	PGresult *res;
	enum jmb_store_result r = jmb_pg_query(conn, &st_meeting_by_room, &res, error_r, room);

	if (r != JMB_STORE_OK)
		return r;
	return one_meeting(conn, pool, res, m_r, error_r);
}

static const struct pg_statement st_meeting_import = {
    PG_MEETING_IMPORT,
    "INSERT INTO meetings (uid, room, title, description, start_at, duration, end_at, timezone, "
    "owner_login, owner_mail, owner_name, sequence, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
    "ttttiiitttt"
    "iii"};
static const struct pg_statement st_attendee_import = {
    PG_ATTENDEE_IMPORT,
    "INSERT INTO attendees (meeting_id, mail, name, role, status, token, joins) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7)",
    "itttt"
    "ti"};

static enum jmb_store_result pg_meeting_import(void *conn, struct jmb_meeting *m, char **error_r)
{
	struct pg_conn *c = conn;
	PGresult *res = NULL;
	enum jmb_store_result r = begin_meetings_write(c, error_r);

	if (r != JMB_STORE_OK)
		return r;
	r = jmb_pg_query(c, &st_meeting_import, &res, error_r, m->uid, m->room, m->title,
	                 m->description, (int64_t)m->start, (int64_t)m->duration, (int64_t)m->end,
	                 m->timezone, m->owner.login, m->owner.mail,
	                 m->owner.name != NULL ? m->owner.name : "", (int64_t)m->sequence,
	                 (int64_t)m->created, (int64_t)m->updated);
	if (r == JMB_STORE_OK) {
		m->id = jmb_pg_int(res, 0, 0);
		PQclear(res);
	}
	for (size_t i = 0; r == JMB_STORE_OK && i < m->n_attendees; i++) {
		const struct jmb_attendee *a = &m->attendees[i];
		r = jmb_pg_exec(c, &st_attendee_import, NULL, error_r, m->id, a->mail,
		                a->name != NULL ? a->name : "", jmb_role_name(a->role),
		                jmb_partstat_name(a->status), a->token, (int64_t)a->joins);
	}
	return jmb_pg_finish(c, r, error_r);
}

static const struct pg_statement st_meetings_for_feed = {
    PG_MEETINGS_FOR_FEED, "SELECT " MEETING_COLUMNS FEED_WHERE " ORDER BY m.start_at, m.id",
    "iitt"};

static enum jmb_store_result pg_meetings_for_feed(void *conn, struct jmb_pool *pool,
                                                  const char *login, const char *mails_json,
                                                  time_t ends_after, time_t deleted_after,
                                                  struct jmb_meeting_list *list_r, char **error_r)
{
	PGresult *res;
	enum jmb_store_result r =
	    jmb_pg_query(conn, &st_meetings_for_feed, &res, error_r, (int64_t)ends_after,
	                 (int64_t)deleted_after, login, mails_json);

	if (r != JMB_STORE_OK)
		return r;
	return collect_meetings(conn, pool, res, list_r, error_r);
}

/* sql/postgresql/003_feed_changes.sql keeps feed_changes. */
static const struct pg_statement st_feed_version = {
    PG_FEED_VERSION,
    "SELECT coalesce(sum(changes), 0), coalesce(max(changed_at), 0) FROM feed_changes "
    "WHERE key = ANY (ARRAY(SELECT 'login:' || $1 "
    "UNION ALL SELECT 'mail:' || json_array_elements_text($2::json)))",
    "tt"};

static enum jmb_store_result pg_feed_version(void *conn, const char *login, const char *mails_json,
                                             struct jmb_feed_version *version_r, char **error_r)
{
	PGresult *res;
	enum jmb_store_result r =
	    jmb_pg_query(conn, &st_feed_version, &res, error_r, login, mails_json);

	if (r != JMB_STORE_OK)
		return r;
	version_r->changes = jmb_pg_int(res, 0, 0);
	version_r->changed_at = (time_t)jmb_pg_int(res, 0, 1);
	PQclear(res);
	return JMB_STORE_OK;
}

static const struct pg_statement st_feed_token_upsert = {
    PG_FEED_TOKEN_UPSERT,
    "INSERT INTO users (login, mail, name, identity, feed_token, created_at, last_login_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (login) DO UPDATE "
    "SET identity = excluded.identity, "
    "feed_token = coalesce(users.feed_token, excluded.feed_token)",
    "tttt"
    "ti"};
static const struct pg_statement st_feed_token_get = {
    PG_FEED_TOKEN_GET, "SELECT feed_token, identity FROM users WHERE login = $1", "t"};

static enum jmb_store_result pg_feed_token(void *conn, struct jmb_pool *pool,
                                           const struct jmb_person *user, const char *identity_json,
                                           const char *candidate, time_t now, char **token_r,
                                           char **error_r)
{
	PGresult *res;
	enum jmb_store_result r;

	/* The common case, every view of the meeting list: nothing to write. */
	r = jmb_pg_query(conn, &st_feed_token_get, &res, error_r, user->login);
	if (r != JMB_STORE_OK)
		return r;
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0) && !PQgetisnull(res, 0, 1) &&
	    strcmp(PQgetvalue(res, 0, 1), identity_json) == 0)
		return first_text(pool, res, token_r, NULL, NULL, error_r);
	PQclear(res);
	r = jmb_pg_exec(conn, &st_feed_token_upsert, NULL, error_r, user->login,
	                user->mail != NULL ? user->mail : "", user->name != NULL ? user->name : "",
	                identity_json, candidate, (int64_t)now);
	if (r != JMB_STORE_OK)
		return r;
	r = jmb_pg_query(conn, &st_feed_token_get, &res, error_r, user->login);
	if (r != JMB_STORE_OK)
		return r;
	return first_text(pool, res, token_r, NULL, NULL, error_r);
}

static const struct pg_statement st_feed_token_set = {
    PG_FEED_TOKEN_SET,
    "INSERT INTO users (login, mail, name, identity, feed_token, feed_rotated_at, created_at, "
    "last_login_at) VALUES ($1, $2, $3, $4, $5, $6, $6, $6) "
    "ON CONFLICT (login) DO UPDATE SET feed_token = excluded.feed_token, "
    "feed_rotated_at = excluded.feed_rotated_at, "
    "identity = coalesce(users.identity, excluded.identity)",
    "tttt"
    "ti"};

static enum jmb_store_result pg_feed_token_set(void *conn, const struct jmb_person *user,
                                               const char *identity_json, const char *token,
                                               time_t now, char **error_r)
{
	return jmb_pg_exec(conn, &st_feed_token_set, NULL, error_r, user->login,
	                   user->mail != NULL ? user->mail : "",
	                   user->name != NULL ? user->name : "", identity_json, token,
	                   (int64_t)now);
}

static const struct pg_statement st_feed_token_lookup = {
    PG_FEED_TOKEN_LOOKUP,
    "SELECT login, coalesce(identity, json_build_object('login', login, 'mail', mail, "
    "'name', name)::text) FROM users WHERE feed_token = $1",
    "t"};

static enum jmb_store_result pg_feed_token_lookup(void *conn, struct jmb_pool *pool,
                                                  const char *token, char **login_r,
                                                  char **identity_json_r, char **error_r)
{
	PGresult *res;
	enum jmb_store_result r = jmb_pg_query(conn, &st_feed_token_lookup, &res, error_r, token);

	if (r != JMB_STORE_OK)
		return r;
	if (PQntuples(res) == 0) {
		PQclear(res);
		*error_r = jmb_xstrdup("unknown feed token");
		return JMB_STORE_NOT_FOUND;
	}
	*login_r = jmb_pg_text(pool, res, 0, 0);
	*identity_json_r = jmb_pg_text(pool, res, 0, 1);
	PQclear(res);
	return JMB_STORE_OK;
}

static const struct pg_statement st_private_room_use = {
    PG_PRIVATE_ROOM_USE,
    "INSERT INTO private_rooms (login, uses, last_used_at) VALUES ($1, 1, $2) "
    "ON CONFLICT (login) DO UPDATE SET uses = private_rooms.uses + 1, "
    "last_used_at = excluded.last_used_at RETURNING uses",
    "ti"};

static enum jmb_store_result pg_private_room_use(void *conn, const char *login, time_t now,
                                                 long *uses_r, char **error_r)
{
	PGresult *res;
	enum jmb_store_result r =
	    jmb_pg_query(conn, &st_private_room_use, &res, error_r, login, (int64_t)now);

	if (r != JMB_STORE_OK)
		return r;
	*uses_r = (long)jmb_pg_int(res, 0, 0);
	PQclear(res);
	return JMB_STORE_OK;
}

const struct jmb_store_driver jmb_store_driver_pg = {
    .name = "postgresql",
    .migrations = jmb_migrations_postgresql,
    .connect = jmb_pg_connect,
    .disconnect = jmb_pg_disconnect,
    .is_broken = jmb_pg_is_broken,
    .ping = pg_ping,
    .schema_version = pg_schema_version,
    .apply_migration = pg_apply_migration,
    .lock_migrations = pg_lock_migrations,
    .meeting_insert = pg_meeting_insert,
    .meeting_update = pg_meeting_update,
    .meeting_delete = pg_meeting_delete,
    .meeting_get = pg_meeting_get,
    .meetings_for_user = pg_meetings_for_user,
    .meetings_all = pg_meetings_all,
    .meeting_by_token = pg_meeting_by_token,
    .invitee_by_token = pg_invitee_by_token,
    .attendee_set_status = pg_attendee_set_status,
    .attendees_add_joins = pg_attendees_add_joins,
    .meeting_by_room = pg_meeting_by_room,
    .meeting_import = pg_meeting_import,
    .meetings_for_feed = pg_meetings_for_feed,
    .feed_version = pg_feed_version,
    .feed_token = pg_feed_token,
    .feed_token_set = pg_feed_token_set,
    .feed_token_lookup = pg_feed_token_lookup,
    .private_room_use = pg_private_room_use,
    .outbox_add = jmb_pg_outbox_add,
    .outbox_claim = jmb_pg_outbox_claim,
    .outbox_finish = jmb_pg_outbox_finish,
    .outbox_list = jmb_pg_outbox_list,
    .outbox_retry = jmb_pg_outbox_retry,
    .reminders_claim = jmb_pg_reminders_claim,
    .reminder_finish = jmb_pg_reminder_finish,
    .reminder_release = jmb_pg_reminder_release,
    .user_touch = pg_user_touch,
    .session_create = pg_session_create,
    .session_get = pg_session_get,
    .session_delete = pg_session_delete,
    .sessions_purge = pg_sessions_purge,
    .api_token_create = pg_api_token_create,
    .api_token_lookup = pg_api_token_lookup,
    .secret_get = pg_secret_get,
};
