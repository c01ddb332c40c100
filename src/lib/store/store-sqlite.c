/* The SQLite store driver: one database file in WAL mode, a busy timeout, and
 * every statement prepared with bound parameters. Writes use BEGIN IMMEDIATE. */
#include "config.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "util/memory.h"
#include "store-sqlite-private.h"
#include "util/strbuf.h"

#define MEETING_COLUMNS                                                                            \
	"m.id, m.uid, m.room, m.title, m.description, m.start_at, m.duration, m.end_at, "          \
	"m.timezone, m.owner_login, m.owner_mail, m.owner_name, m.sequence, m.created_at, "        \
	"m.updated_at, m.deleted_at"
#define MEETING_COLUMN_COUNT 16
#define SQLITE_MMAP_SIZE "268435456" /* 256 MiB of the database mapped, at most */
#define ATTENDEE_COLUMNS                                                                           \
	"a.meeting_id, a.id, a.mail, a.name, a.role, a.status, a.token, a.joins, a.responded_at"
#define ATTENDEE_ORDER " ORDER BY a.meeting_id, a.role DESC, a.id"
/* Owned by login ?3 (or, for imported meetings, by one of the addresses in the
   JSON array ?4), or with an attendee among those addresses. */
#define OWNED_OR_INVITED                                                                           \
	"AND (m.owner_login = ?3 OR m.owner_mail IN (SELECT value FROM json_each(?4)) "            \
	"OR m.id IN (SELECT a.meeting_id FROM attendees a "                                        \
	"WHERE a.mail IN (SELECT value FROM json_each(?4))))"
/* A feed: meetings ending after ?1, not deleted or deleted after ?2. */
#define FEED_WHERE                                                                                 \
	" FROM meetings m WHERE m.end_at > ?1 AND (m.deleted_at IS NULL OR m.deleted_at > "        \
	"?2) " OWNED_OR_INVITED

enum jmb_store_result jmb_sqlite_result(struct sqlite_conn *c, int rc, char **error_r)
{
	const char *msg = sqlite3_errmsg(c->db);

	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return JMB_STORE_OK;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		*error_r = jmb_xasprintf("sqlite: database busy: %s", msg);
		return JMB_STORE_RETRY;
	case SQLITE_CONSTRAINT:
		*error_r = jmb_xasprintf("sqlite: %s", msg);
		return rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY
		           ? JMB_STORE_CONFLICT
		           : JMB_STORE_ERROR;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
		c->broken = true;
		/* fall through */
	default:
		*error_r = jmb_xasprintf("sqlite: %s", msg);
		return JMB_STORE_ERROR;
	}
}

static void *sqlite_connect(const struct jmb_store_settings *settings, char **error_r)
{
	struct sqlite_conn *c = jmb_xcalloc(1, sizeof(*c));
	char *err = NULL;
	int rc;

	rc = sqlite3_open_v2(settings->path, &c->db,
	                     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
	                         SQLITE_OPEN_EXRESCODE,
	                     NULL);
	if (rc != SQLITE_OK) {
		*error_r =
		    jmb_xasprintf("sqlite: cannot open %s: %s", settings->path,
		                  c->db != NULL ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_busy_timeout(c->db, (int)settings->busy_timeout);
	/* mmap_size: pages missing from this connection's own cache are read
	 * straight from the kernel's page cache, not with a pread() and a copy
	 * each (bench/run.sh: a personal-link join, 33 to 31 us of CPU). */
	rc = sqlite3_exec(c->db,
	                  "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
	                  "PRAGMA foreign_keys = ON; PRAGMA trusted_schema = OFF; "
	                  "PRAGMA mmap_size = " SQLITE_MMAP_SIZE ";",
	                  NULL, NULL, &err);
	if (rc != SQLITE_OK) {
		*error_r = jmb_xasprintf("sqlite: cannot set up %s: %s", settings->path,
		                         err != NULL ? err : sqlite3_errstr(rc));
		sqlite3_free(err);
		goto fail;
	}
	return c;
fail:
	sqlite3_close(c->db);
	free(c);
	return NULL;
}

static void sqlite_disconnect(void *conn)
{
	struct sqlite_conn *c = conn;

	for (size_t i = 0; i < c->n_cached; i++)
		sqlite3_finalize(c->cached[i].stmt);
	sqlite3_close(c->db);
	free(c);
}

static bool sqlite_is_broken(void *conn)
{
	return ((struct sqlite_conn *)conn)->broken;
}

/* Prepares sql and binds arguments described by types: 't' text (const char *),
 * 'i' int64 (int64_t), 'n' NULL-able text. */
/* Statements are kept per connection, keyed by their SQL text's address (the
   SQL is always a literal): compiling them was most of the cost of a small
   request. A statement in use is not shared; a second user compiles its own. */
static int take_statement(struct sqlite_conn *c, const char *sql, sqlite3_stmt **stmt_r)
{
	int rc;

	for (size_t i = 0; i < c->n_cached; i++) {
		if (c->cached[i].sql == sql && !c->cached[i].busy) {
			c->cached[i].busy = true;
			*stmt_r = c->cached[i].stmt;
			return SQLITE_OK;
		}
	}
	rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt_r, NULL);
	if (rc == SQLITE_OK && c->n_cached < SQLITE_STATEMENT_CACHE)
		c->cached[c->n_cached++] = (struct sqlite_cached_statement){sql, *stmt_r, true};
	return rc;
}

void jmb_sqlite_release(struct sqlite_conn *c, sqlite3_stmt *stmt)
{
	if (stmt == NULL)
		return;
	for (size_t i = 0; i < c->n_cached; i++) {
		if (c->cached[i].stmt == stmt) {
			sqlite3_reset(stmt);
			sqlite3_clear_bindings(stmt);
			c->cached[i].busy = false;
			return;
		}
	}
	sqlite3_finalize(stmt);
}

enum jmb_store_result jmb_sqlite_prepare(struct sqlite_conn *c, sqlite3_stmt **stmt_r,
                                         const char *sql, const char *types, char **error_r, ...)
{
	va_list ap;
	int rc = take_statement(c, sql, stmt_r);

	if (rc != SQLITE_OK)
		return jmb_sqlite_result(c, rc, error_r);
	va_start(ap, error_r);
	for (int i = 0; types[i] != '\0' && rc == SQLITE_OK; i++) {
		if (types[i] == 'i') {
			rc = sqlite3_bind_int64(*stmt_r, i + 1, va_arg(ap, int64_t));
		} else {
			const char *s = va_arg(ap, const char *);
			rc = s != NULL ? sqlite3_bind_text(*stmt_r, i + 1, s, -1, SQLITE_STATIC)
			               : sqlite3_bind_null(*stmt_r, i + 1);
		}
	}
	va_end(ap);
	if (rc != SQLITE_OK) {
		enum jmb_store_result r = jmb_sqlite_result(c, rc, error_r);
		jmb_sqlite_release(c, *stmt_r);
		*stmt_r = NULL;
		return r;
	}
	return JMB_STORE_OK;
}

enum jmb_store_result jmb_sqlite_exec_done(struct sqlite_conn *c, enum jmb_store_result r,
                                           sqlite3_stmt **stmt, char **error_r)
{
	int rc;

	if (r != JMB_STORE_OK)
		return r;
	rc = sqlite3_step(*stmt);
	r = rc == SQLITE_DONE || rc == SQLITE_ROW ? JMB_STORE_OK
	                                          : jmb_sqlite_result(c, rc, error_r);
	jmb_sqlite_release(c, *stmt);
	*stmt = NULL;
	return r;
}

enum jmb_store_result jmb_sqlite_exec_plain(struct sqlite_conn *c, const char *sql, char **error_r)
{
	char *err = NULL;
	int rc = sqlite3_exec(c->db, sql, NULL, NULL, &err);

	if (rc != SQLITE_OK) {
		enum jmb_store_result r = jmb_sqlite_result(c, rc, error_r);
		if (err != NULL) {
			free(*error_r);
			*error_r = jmb_xasprintf("sqlite: %s", err);
			sqlite3_free(err);
		}
		return r;
	}
	return JMB_STORE_OK;
}

enum jmb_store_result jmb_sqlite_begin(struct sqlite_conn *c, char **error_r)
{
	return jmb_sqlite_exec_plain(c, "BEGIN IMMEDIATE", error_r);
}

enum jmb_store_result jmb_sqlite_finish(struct sqlite_conn *c, enum jmb_store_result r,
                                        char **error_r)
{
	if (r == JMB_STORE_OK)
		return jmb_sqlite_exec_plain(c, "COMMIT", error_r);
	char *ignored = NULL;
	jmb_sqlite_exec_plain(c, "ROLLBACK", &ignored);
	free(ignored);
	return r;
}

char *jmb_sqlite_text(struct jmb_pool *pool, sqlite3_stmt *stmt, int col)
{
	const unsigned char *s = sqlite3_column_text(stmt, col);

	return s != NULL ? jmb_pool_strdup(pool, (const char *)s) : NULL;
}

static enum jmb_store_result sqlite_ping(void *conn, char **error_r)
{
	sqlite3_stmt *stmt_ = NULL;

	/* Reading the schema touches the file: a damaged or vanished database
	   fails here, where "SELECT 1" would not. */
	return EXEC(conn, error_r, "SELECT count(*) FROM sqlite_master", "", 0);
}

static enum jmb_store_result sqlite_schema_version(void *conn, int *version_r, char **error_r)
{
	struct sqlite_conn *c = conn;
	sqlite3_stmt *stmt = NULL;
	enum jmb_store_result r;
	int rc;

	r = jmb_sqlite_exec_plain(
	    c,
	    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
	    "name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
	    error_r);
	if (r != JMB_STORE_OK)
		return r;
	r = jmb_sqlite_prepare(c, &stmt, "SELECT coalesce(max(version), 0) FROM schema_version", "",
	                       error_r, 0);
	if (r != JMB_STORE_OK)
		return r;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*version_r = sqlite3_column_int(stmt, 0);
	else
		r = jmb_sqlite_result(c, rc, error_r);
	jmb_sqlite_release(c, stmt);
	return r;
}

static enum jmb_store_result sqlite_apply_migration(void *conn, const struct jmb_migration *m,
                                                    char **error_r)
{
	struct sqlite_conn *c = conn;
	sqlite3_stmt *stmt_ = NULL;
	enum jmb_store_result r = jmb_sqlite_begin(c, error_r);

	if (r != JMB_STORE_OK)
		return r;
	/* Another migrator may have applied this step while we waited for the lock. */
	{
		int current = 0;
		r = sqlite_schema_version(c, &current, error_r);
		if (r == JMB_STORE_OK && current >= m->version)
			return jmb_sqlite_finish(c, r, error_r);
	}
	if (r == JMB_STORE_OK)
		r = jmb_sqlite_exec_plain(c, m->sql, error_r);
	if (r == JMB_STORE_OK)
		r = EXEC(c, error_r,
		         "INSERT INTO schema_version (version, name, applied_at) "
		         "VALUES (?, ?, strftime('%s', 'now'))",
		         "it", (int64_t)m->version, m->name);
	if (r != JMB_STORE_OK && *error_r != NULL) {
		char *msg = jmb_xasprintf("migration %s: %s", m->name, *error_r);
		free(*error_r);
		*error_r = msg;
	}
	return jmb_sqlite_finish(c, r, error_r);
}

static enum jmb_store_result sqlite_lock_migrations(void *conn, bool lock, char **error_r)
{
	/* Each migration runs in a BEGIN IMMEDIATE transaction and re-reads the
	   version first, so two migrators on one file cannot both apply a step. */
	return JMB_STORE_OK;
}

static void read_meeting_row(struct jmb_pool *pool, sqlite3_stmt *stmt, struct jmb_meeting *m)
{
	m->id = sqlite3_column_int64(stmt, 0);
	m->uid = jmb_sqlite_text(pool, stmt, 1);
	m->room = jmb_sqlite_text(pool, stmt, 2);
	m->title = jmb_sqlite_text(pool, stmt, 3);
	m->description = jmb_sqlite_text(pool, stmt, 4);
	m->start = (time_t)sqlite3_column_int64(stmt, 5);
	m->duration = (long)sqlite3_column_int64(stmt, 6);
	m->end = (time_t)sqlite3_column_int64(stmt, 7);
	m->timezone = jmb_sqlite_text(pool, stmt, 8);
	m->owner.login = jmb_sqlite_text(pool, stmt, 9);
	m->owner.mail = jmb_sqlite_text(pool, stmt, 10);
	m->owner.name = jmb_sqlite_text(pool, stmt, 11);
	m->sequence = (long)sqlite3_column_int64(stmt, 12);
	m->created = (time_t)sqlite3_column_int64(stmt, 13);
	m->updated = (time_t)sqlite3_column_int64(stmt, 14);
	m->deleted = (time_t)sqlite3_column_int64(stmt, 15);
}

/* ATTENDEE_COLUMNS from column `first` on. */
static void read_attendee_row(struct jmb_pool *pool, sqlite3_stmt *stmt, int first,
                              struct jmb_attendee *a)
{
	const char *role = (const char *)sqlite3_column_text(stmt, first + 4);
	const char *status = (const char *)sqlite3_column_text(stmt, first + 5);

	a->id = sqlite3_column_int64(stmt, first + 1);
	a->mail = jmb_sqlite_text(pool, stmt, first + 2);
	a->name = jmb_sqlite_text(pool, stmt, first + 3);
	if (role == NULL || jmb_role_parse(role, &a->role) < 0)
		a->role = JMB_ROLE_GUEST;
	if (status == NULL || jmb_partstat_parse(status, &a->status) < 0)
		a->status = JMB_PARTSTAT_NEEDS_ACTION;
	a->token = jmb_sqlite_text(pool, stmt, first + 6);
	a->joins = (long)sqlite3_column_int64(stmt, first + 7);
	a->responded = (time_t)sqlite3_column_int64(stmt, first + 8);
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

/* Loads the attendees of every meeting in list with one query; rows are matched
 * to meetings through an index sorted by id. */
static enum jmb_store_result load_attendees(struct sqlite_conn *c, struct jmb_pool *pool,
                                            struct jmb_meeting_list *list, char **error_r)
{
	struct meeting_index *index;
	struct jmb_strbuf ids = {0};
	sqlite3_stmt *stmt = NULL;
	enum jmb_store_result r;
	int rc;

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
	r = jmb_sqlite_prepare(
	    c, &stmt,
	    "SELECT " ATTENDEE_COLUMNS " FROM attendees a "
	    "WHERE a.meeting_id IN (SELECT value FROM json_each(?))" ATTENDEE_ORDER,
	    "t", error_r, ids.data);
	if (r != JMB_STORE_OK)
		goto out;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct meeting_index key = {.id = sqlite3_column_int64(stmt, 0)};
		struct meeting_index *found =
		    bsearch(&key, index, list->count, sizeof(*index), meeting_index_cmp);

		if (found == NULL)
			continue;
		read_attendee_row(pool, stmt, 0,
		                  jmb_attendee_append(pool, list->items[found->pos], &found->cap));
	}
	r = rc == SQLITE_DONE ? JMB_STORE_OK : jmb_sqlite_result(c, rc, error_r);
	jmb_sqlite_release(c, stmt);
out:
	jmb_strbuf_free(&ids);
	return r;
}

/* Runs a meetings query already prepared in stmt and loads their attendees. */
static enum jmb_store_result collect_meetings(struct sqlite_conn *c, struct jmb_pool *pool,
                                              sqlite3_stmt *stmt, struct jmb_meeting_list *list,
                                              char **error_r)
{
	size_t cap = 0;
	int rc;

	list->items = NULL;
	list->count = 0;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (list->count == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct jmb_meeting **ni = jmb_pool_calloc(pool, ncap, sizeof(*ni));
			if (list->count > 0)
				memcpy(ni, list->items, list->count * sizeof(*ni));
			list->items = ni;
			cap = ncap;
		}
		struct jmb_meeting *m = jmb_pool_alloc(pool, sizeof(*m));
		read_meeting_row(pool, stmt, m);
		list->items[list->count++] = m;
	}
	jmb_sqlite_release(c, stmt);
	if (rc != SQLITE_DONE)
		return jmb_sqlite_result(c, rc, error_r);
	return load_attendees(c, pool, list, error_r);
}

static enum jmb_store_result insert_attendee(struct sqlite_conn *c, int64_t meeting_id,
                                             struct jmb_attendee *a, char **error_r)
{
	sqlite3_stmt *stmt = NULL;
	enum jmb_store_result r;
	int rc;

	/* RETURNING, not sqlite3_last_insert_rowid(): when the upsert updates a
	   kept attendee no row is inserted and the last rowid is someone else's. */
	r = jmb_sqlite_prepare(
	    c, &stmt,
	    "INSERT INTO attendees (meeting_id, mail, name, role, status, token) "
	    "VALUES (?, ?, ?, ?, ?, ?) "
	    "ON CONFLICT (meeting_id, mail) DO UPDATE SET role = excluded.role, "
	    "name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE name END "
	    "RETURNING id",
	    "itttt"
	    "t",
	    error_r, meeting_id, a->mail, a->name != NULL ? a->name : "", jmb_role_name(a->role),
	    jmb_partstat_name(a->status), a->token);
	if (r != JMB_STORE_OK)
		return r;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		a->id = sqlite3_column_int64(stmt, 0);
		rc = sqlite3_step(stmt);
	}
	r = rc == SQLITE_DONE ? JMB_STORE_OK : jmb_sqlite_result(c, rc, error_r);
	jmb_sqlite_release(c, stmt);
	return r;
}

/* The meetings row of m (inside the caller's transaction); sets m->id. */
static enum jmb_store_result insert_meeting_row(struct sqlite_conn *c, struct jmb_meeting *m,
                                                char **error_r)
{
	sqlite3_stmt *stmt_ = NULL;
	enum jmb_store_result r;

	r = EXEC(c, error_r,
	         "INSERT INTO meetings (uid, room, title, description, start_at, duration, end_at, "
	         "timezone, owner_login, owner_mail, owner_name, sequence, created_at, updated_at) "
	         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	         "ttttiiitttt"
	         "iii",
	         m->uid, m->room, m->title, m->description, (int64_t)m->start, (int64_t)m->duration,
	         (int64_t)m->end, m->timezone, m->owner.login, m->owner.mail,
	         m->owner.name != NULL ? m->owner.name : "", (int64_t)m->sequence,
	         (int64_t)m->created, (int64_t)m->updated);
	if (r == JMB_STORE_OK)
		m->id = sqlite3_last_insert_rowid(c->db);
	return r;
}

static enum jmb_store_result sqlite_meeting_insert(void *conn, struct jmb_meeting *m,
                                                   const struct jmb_side_effects *fx,
                                                   char **error_r)
{
	struct sqlite_conn *c = conn;
	enum jmb_store_result r = jmb_sqlite_begin(c, error_r);

	if (r != JMB_STORE_OK)
		return r;
	r = insert_meeting_row(c, m, error_r);
	for (size_t i = 0; r == JMB_STORE_OK && i < m->n_attendees; i++)
		r = insert_attendee(c, m->id, &m->attendees[i], error_r);
	if (r == JMB_STORE_OK)
		r = jmb_sqlite_apply_effects(c, m->id, fx, m->created, error_r);
	return jmb_sqlite_finish(c, r, error_r);
}

static char *attendee_mails_json(const struct jmb_meeting *m)
{
	struct jmb_strbuf sb = {0};

	/* Addresses were validated (no quotes, backslashes or controls) before they
	   reach the store, but escape anyway: this is a JSON literal. */
	jmb_strbuf_putc(&sb, '[');
	for (size_t i = 0; i < m->n_attendees; i++) {
		jmb_strbuf_puts(&sb, i ? ",\"" : "\"");
		for (const char *p = m->attendees[i].mail; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				jmb_strbuf_putc(&sb, '\\');
			if ((unsigned char)*p >= 0x20)
				jmb_strbuf_putc(&sb, *p);
		}
		jmb_strbuf_putc(&sb, '"');
	}
	jmb_strbuf_putc(&sb, ']');
	return jmb_strbuf_steal(&sb, NULL);
}

static enum jmb_store_result sqlite_meeting_update(void *conn, struct jmb_meeting *m,
                                                   const struct jmb_side_effects *fx,
                                                   char **error_r)
{
	struct sqlite_conn *c = conn;
	sqlite3_stmt *stmt_ = NULL;
	enum jmb_store_result r = jmb_sqlite_begin(c, error_r);
	char *mails;

	if (r != JMB_STORE_OK)
		return r;
	r = EXEC(c, error_r,
	         "UPDATE meetings SET title = ?, description = ?, start_at = ?, duration = ?, "
	         "end_at = ?, timezone = ?, sequence = sequence + 1, revision = revision + 1, "
	         "updated_at = ? WHERE id = ? AND deleted_at IS NULL",
	         "ttiiiti"
	         "i",
	         m->title, m->description, (int64_t)m->start, (int64_t)m->duration, (int64_t)m->end,
	         m->timezone, (int64_t)m->updated, m->id);
	if (r == JMB_STORE_OK && sqlite3_changes(c->db) == 0) {
		*error_r = jmb_xasprintf("meeting %lld not found", (long long)m->id);
		r = JMB_STORE_NOT_FOUND;
	}
	mails = attendee_mails_json(m);
	if (r == JMB_STORE_OK)
		r = EXEC(c, error_r,
		         "DELETE FROM attendees WHERE meeting_id = ? "
		         "AND mail NOT IN (SELECT value FROM json_each(?))",
		         "it", m->id, mails);
	free(mails);
	for (size_t i = 0; r == JMB_STORE_OK && i < m->n_attendees; i++)
		r = insert_attendee(c, m->id, &m->attendees[i], error_r);
	if (r == JMB_STORE_OK)
		r = jmb_sqlite_apply_effects(c, m->id, fx, m->updated, error_r);
	return jmb_sqlite_finish(c, r, error_r);
}

static enum jmb_store_result sqlite_meeting_delete(void *conn, int64_t id, time_t now,
                                                   const struct jmb_side_effects *fx,
                                                   char **error_r)
{
	struct sqlite_conn *c = conn;
	sqlite3_stmt *stmt_ = NULL;
	enum jmb_store_result r = jmb_sqlite_begin(c, error_r);

	if (r != JMB_STORE_OK)
		return r;
	r = EXEC(c, error_r,
	         "UPDATE meetings SET deleted_at = ?, updated_at = ?, sequence = sequence + 1, "
	         "revision = revision + 1 "
	         "WHERE id = ? AND deleted_at IS NULL",
	         "iii", (int64_t)now, (int64_t)now, id);
	if (r == JMB_STORE_OK && sqlite3_changes(c->db) == 0) {
		*error_r = jmb_xasprintf("meeting %lld not found", (long long)id);
		r = JMB_STORE_NOT_FOUND;
	}
	if (r == JMB_STORE_OK)
		r = EXEC(c, error_r,
		         "DELETE FROM reminders WHERE meeting_id = ? AND done_at IS NULL", "i", id);
	if (r == JMB_STORE_OK && fx != NULL && fx->n_mails > 0)
		r = jmb_sqlite_outbox_add(c, fx, error_r);
	return jmb_sqlite_finish(c, r, error_r);
}

/* Runs a query expected to return at most one meeting. */
static enum jmb_store_result one_meeting(struct sqlite_conn *c, struct jmb_pool *pool,
                                         sqlite3_stmt *stmt, struct jmb_meeting **m_r,
                                         char **error_r)
{
	struct jmb_meeting_list list;
	enum jmb_store_result r = collect_meetings(c, pool, stmt, &list, error_r);

	if (r != JMB_STORE_OK)
		return r;
	if (list.count == 0) {
		*error_r = jmb_xstrdup("no such meeting");
		return JMB_STORE_NOT_FOUND;
	}
	*m_r = list.items[0];
	return JMB_STORE_OK;
}

static enum jmb_store_result sqlite_meeting_get(void *conn, struct jmb_pool *pool, int64_t id,
                                                struct jmb_meeting **m_r, char **error_r)
{
	sqlite3_stmt *stmt = NULL;
	enum jmb_store_result r;

	r = jmb_sqlite_prepare(conn, &stmt,
	                       "SELECT " MEETING_COLUMNS " FROM meetings m WHERE m.id = ?", "i",
	                       error_r, id);
	if (r != JMB_STORE_OK)
		return r;
	return one_meeting(conn, pool, stmt, m_r, error_r);
}

static enum jmb_store_result
sqlite_meetings_for_user(void *conn, struct jmb_pool *pool, const char *login,
                         const char *mails_json, time_t ends_after, time_t ends_before,
                         bool newest_first, struct jmb_meeting_list *list_r, char **error_r)
{
	sqlite3_stmt *stmt = NULL;
	enum jmb_store_result r;
	const char *sql_asc =
	    "SELECT " MEETING_COLUMNS " FROM meetings m "
	    "WHERE m.deleted_at IS NULL AND m.end_at > ?1 AND m.end_at <= ?2 " OWNED_OR_INVITED
	    " ORDER BY m.start_at, m.id";
	const char *sql_desc =
	    "SELECT " MEETING_COLUMNS " FROM meetings m "
	    "WHERE m.deleted_at IS NULL AND m.end_at > ?1 AND m.end_at <= ?2 " OWNED_OR_INVITED
	    " ORDER BY m.start_at DESC, m.id DESC";

	r = jmb_sqlite_prepare(conn, &stmt, newest_first ? sql_desc : sql_asc, "iitt", error_r,
	                       (int64_t)ends_after, (int64_t)ends_before, login, mails_json);
	if (r != JMB_STORE_OK)
		return r;
	return collect_meetings(conn, pool, stmt, list_r, error_r);
}

static enum jmb_store_result sqlite_meetings_all(void *conn, struct jmb_pool *pool,
                                                 time_t ends_after, bool include_deleted,
                                                 struct jmb_meeting_list *list_r, char **error_r)
{
	sqlite3_stmt *stmt = NULL;
	enum jmb_store_result r;

	r = jmb_sqlite_prepare(conn, &stmt,
	                       "SELECT " MEETING_COLUMNS " FROM meetings m WHERE m.end_at > ? "
	                       "AND (? OR m.deleted_at IS NULL) ORDER BY m.start_at, m.id",
	                       "ii", error_r, (int64_t)ends_after, (int64_t)include_deleted);
	if (r != JMB_STORE_OK)
		return r;
	return collect_meetings(conn, pool, stmt, list_r, error_r);
}

static enum jmb_store_result sqlite_meeting_by_token(void *conn, struct jmb_pool *pool,
                                                     const char *token, struct jmb_meeting **m_r,
                                                     char **error_r)
{
	sqlite3_stmt *stmt = NULL;
	enum jmb_store_result r;

	r = jmb_sqlite_prepare(conn, &stmt,
	                       "SELECT " MEETING_COLUMNS " FROM meetings m JOIN attendees t "
	                       "ON t.meeting_id = m.id WHERE t.token = ?",
	                       "t", error_r, token);
	if (r != JMB_STORE_OK)
		return r;
	return one_meeting(conn, pool, stmt, m_r, error_r);
}

static enum jmb_store_result sqlite_invitee_by_token(void *conn, struct jmb_pool *pool,
                                                     const char *token, struct jmb_meeting **m_r,
                                                     char **error_r)
{
	struct sqlite_conn *c = conn;
	sqlite3_stmt *stmt = NULL;
	enum jmb_store_result r;
	int rc;

	r = jmb_sqlite_prepare(c, &stmt,
	                       "SELECT " MEETING_COLUMNS ", " ATTENDEE_COLUMNS " FROM meetings m "
	                       "JOIN attendees a ON a.meeting_id = m.id WHERE a.token = ?",
	                       "t", error_r, token);
	if (r != JMB_STORE_OK)
		return r;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		struct jmb_meeting *m = jmb_pool_calloc(pool, 1, sizeof(*m));

		read_meeting_row(pool, stmt, m);
		m->attendees = jmb_pool_calloc(pool, 1, sizeof(*m->attendees));
		read_attendee_row(pool, stmt, MEETING_COLUMN_COUNT, &m->attendees[0]);
		m->n_attendees = 1;
		*m_r = m;
	} else if (rc == SQLITE_DONE) {
		*error_r = jmb_xstrdup("no invitee with this token");
		r = JMB_STORE_NOT_FOUND;
	} else {
		r = jmb_sqlite_result(c, rc, error_r);
	}
	jmb_sqlite_release(c, stmt);
	return r;
}

static enum jmb_store_result changed_one(struct sqlite_conn *c, enum jmb_store_result r,
                                         const char *what, char **error_r)
{
	if (r == JMB_STORE_OK && sqlite3_changes(c->db) == 0) {
		*error_r = jmb_xasprintf("%s not found", what);
		return JMB_STORE_NOT_FOUND;
	}
	return r;
}

static enum jmb_store_result sqlite_attendee_set_status(void *conn, const char *token,
                                                        enum jmb_partstat status, time_t now,
                                                        const struct jmb_side_effects *fx,
                                                        char **error_r)
{
	struct sqlite_conn *c = conn;
	sqlite3_stmt *stmt_ = NULL;
	enum jmb_store_result r;

	r = jmb_sqlite_begin(c, error_r);
	if (r != JMB_STORE_OK)
		return r;
	r = EXEC(c, error_r, "UPDATE attendees SET status = ?, responded_at = ? WHERE token = ?",
	         "tit", jmb_partstat_name(status), (int64_t)now, token);
	r = changed_one(c, r, "attendee", error_r);
	/* The organiser's feed shows answers: its fingerprint must change. */
	if (r == JMB_STORE_OK)
		r = EXEC(
		    c, error_r,
		    "UPDATE meetings SET updated_at = max(updated_at, ?), revision = revision + 1 "
		    "WHERE id = "
		    "(SELECT meeting_id FROM attendees WHERE token = ?)",
		    "it", (int64_t)now, token);
	if (r == JMB_STORE_OK && fx != NULL && fx->n_mails > 0)
		r = jmb_sqlite_outbox_add(c, fx, error_r);
	return jmb_sqlite_finish(c, r, error_r);
}

static enum jmb_store_result sqlite_attendees_add_joins(void *conn,
                                                        const struct jmb_join_count *counts,
                                                        size_t n, char **error_r)
{
	struct sqlite_conn *c = conn;
	sqlite3_stmt *stmt_ = NULL;
	enum jmb_store_result r = jmb_sqlite_begin(c, error_r);

	for (size_t i = 0; i < n && r == JMB_STORE_OK; i++)
		r = EXEC(c, error_r, "UPDATE attendees SET joins = joins + ? WHERE token = ?", "it",
		         (int64_t)counts[i].joins, counts[i].token);
	return jmb_sqlite_finish(c, r, error_r);
}

static enum jmb_store_result sqlite_user_touch(void *conn, const struct jmb_person *user,
                                               const char *language, time_t now, char **error_r)
{
	sqlite3_stmt *stmt_ = NULL;

	return EXEC(conn, error_r,
	            "INSERT INTO users (login, mail, name, language, created_at, last_login_at) "
	            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (login) DO UPDATE SET "
	            "mail = excluded.mail, name = excluded.name, "
	            "language = coalesce(excluded.language, language), "
	            "last_login_at = excluded.last_login_at",
	            "tttnii", user->login, user->mail != NULL ? user->mail : "",
	            user->name != NULL ? user->name : "", language, (int64_t)now, (int64_t)now);
}

static enum jmb_store_result sqlite_session_create(void *conn, const char *id_hash,
                                                   const char *identity_json, time_t created,
                                                   time_t expires, char **error_r)
{
	sqlite3_stmt *stmt_ = NULL;

	return EXEC(conn, error_r,
	            "INSERT INTO sessions (id_hash, identity, created_at, expires_at) "
	            "VALUES (?, ?, ?, ?)",
	            "ttii", id_hash, identity_json, (int64_t)created, (int64_t)expires);
}

/* Runs a query whose first row's first column is a text value. */
static enum jmb_store_result first_text(struct sqlite_conn *c, struct jmb_pool *pool,
                                        sqlite3_stmt *stmt, char **value_r, time_t *t1_r,
                                        time_t *t2_r, char **error_r)
{
	enum jmb_store_result r = JMB_STORE_OK;
	int rc = sqlite3_step(stmt);

	if (rc == SQLITE_ROW) {
		*value_r = jmb_sqlite_text(pool, stmt, 0);
		if (t1_r != NULL)
			*t1_r = (time_t)sqlite3_column_int64(stmt, 1);
		if (t2_r != NULL)
			*t2_r = (time_t)sqlite3_column_int64(stmt, 2);
	} else if (rc == SQLITE_DONE) {
		*error_r = jmb_xstrdup("not found");
		r = JMB_STORE_NOT_FOUND;
	} else {
		r = jmb_sqlite_result(c, rc, error_r);
	}
	jmb_sqlite_release(c, stmt);
	return r;
}

static enum jmb_store_result sqlite_session_get(void *conn, struct jmb_pool *pool,
                                                const char *id_hash, time_t now,
                                                struct jmb_session_record *s, char **error_r)
{
	sqlite3_stmt *stmt = NULL;
	enum jmb_store_result r;

	r = jmb_sqlite_prepare(conn, &stmt,
	                       "SELECT identity, created_at, expires_at FROM sessions "
	                       "WHERE id_hash = ? AND expires_at > ?",
	                       "ti", error_r, id_hash, (int64_t)now);
	if (r != JMB_STORE_OK)
		return r;
	return first_text(conn, pool, stmt, &s->identity_json, &s->created, &s->expires, error_r);
}

static enum jmb_store_result sqlite_session_delete(void *conn, const char *id_hash, char **error_r)
{
	sqlite3_stmt *stmt_ = NULL;

	return EXEC(conn, error_r, "DELETE FROM sessions WHERE id_hash = ?", "t", id_hash);
}

static enum jmb_store_result sqlite_sessions_purge(void *conn, time_t now, long *purged_r,
                                                   char **error_r)
{
	struct sqlite_conn *c = conn;
	sqlite3_stmt *stmt_ = NULL;
	enum jmb_store_result r;

	r = EXEC(c, error_r, "DELETE FROM sessions WHERE expires_at <= ?", "i", (int64_t)now);
	*purged_r = r == JMB_STORE_OK ? sqlite3_changes(c->db) : 0;
	return r;
}

static enum jmb_store_result sqlite_api_token_create(void *conn, const char *token_hash,
                                                     const char *identity_json, const char *label,
                                                     time_t now, char **error_r)
{
	sqlite3_stmt *stmt_ = NULL;

	return EXEC(conn, error_r,
	            "INSERT INTO api_tokens (token_hash, identity, label, created_at) "
	            "VALUES (?, ?, ?, ?)",
	            "ttti", token_hash, identity_json, label != NULL ? label : "", (int64_t)now);
}

static enum jmb_store_result sqlite_api_token_lookup(void *conn, struct jmb_pool *pool,
                                                     const char *token_hash, time_t now,
                                                     char **identity_json_r, char **error_r)
{
	sqlite3_stmt *stmt = NULL, *stmt_ = NULL;
	enum jmb_store_result r;

	r = jmb_sqlite_prepare(
	    conn, &stmt,
	    "SELECT identity FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL", "t",
	    error_r, token_hash);
	if (r != JMB_STORE_OK)
		return r;
	r = first_text(conn, pool, stmt, identity_json_r, NULL, NULL, error_r);
	if (r == JMB_STORE_OK) {
		char *ignored = NULL;
		/* Best effort: a busy database must not refuse a valid token. */
		EXEC(conn, &ignored, "UPDATE api_tokens SET last_used_at = ? WHERE token_hash = ?",
		     "it", (int64_t)now, token_hash);
		free(ignored);
	}
	return r;
}

static enum jmb_store_result sqlite_secret_get(void *conn, struct jmb_pool *pool, const char *name,
                                               const char *candidate, char **value_r,
                                               char **error_r)
{
	sqlite3_stmt *stmt = NULL, *stmt_ = NULL;
	enum jmb_store_result r;

	r = EXEC(conn, error_r,
	         "INSERT INTO secrets (name, value, created_at) "
	         "VALUES (?, ?, strftime('%s', 'now')) ON CONFLICT (name) DO NOTHING",
	         "tt", name, candidate);
	if (r != JMB_STORE_OK)
		return r;
	r = jmb_sqlite_prepare(conn, &stmt, "SELECT value FROM secrets WHERE name = ?", "t",
	                       error_r, name);
	if (r != JMB_STORE_OK)
		return r;
	return first_text(conn, pool, stmt, value_r, NULL, NULL, error_r);
}

/* ---- rooms, imports, feeds, private rooms ---- */

static enum jmb_store_result sqlite_meeting_by_room(void *conn, struct jmb_pool *pool,
                                                    const char *room, struct jmb_meeting **m_r,
                                                    char **error_r)
{
	sqlite3_stmt *stmt = NULL;
	enum jmb_store_result r;

	r = jmb_sqlite_prepare(conn, &stmt,
	                       "SELECT " MEETING_COLUMNS " FROM meetings m WHERE m.room = ? "
	                       "AND m.deleted_at IS NULL",
	                       "t", error_r, room);
	if (r != JMB_STORE_OK)
		return r;
	return one_meeting(conn, pool, stmt, m_r, error_r);
}

static enum jmb_store_result sqlite_meeting_import(void *conn, struct jmb_meeting *m,
                                                   char **error_r)
{
	struct sqlite_conn *c = conn;
	sqlite3_stmt *stmt_ = NULL;
	enum jmb_store_result r = jmb_sqlite_begin(c, error_r);

	if (r != JMB_STORE_OK)
		return r;
	r = insert_meeting_row(c, m, error_r);
	for (size_t i = 0; r == JMB_STORE_OK && i < m->n_attendees; i++) {
		const struct jmb_attendee *a = &m->attendees[i];
		r = EXEC(
		    c, error_r,
		    "INSERT INTO attendees (meeting_id, mail, name, role, status, token, joins) "
		    "VALUES (?, ?, ?, ?, ?, ?, ?)",
		    "itttt"
		    "ti",
		    m->id, a->mail, a->name != NULL ? a->name : "", jmb_role_name(a->role),
		    jmb_partstat_name(a->status), a->token, (int64_t)a->joins);
	}
	return jmb_sqlite_finish(c, r, error_r);
}

static enum jmb_store_result sqlite_meetings_for_feed(void *conn, struct jmb_pool *pool,
                                                      const char *login, const char *mails_json,
                                                      time_t ends_after, time_t deleted_after,
                                                      struct jmb_meeting_list *list_r,
                                                      char **error_r)
{
	sqlite3_stmt *stmt = NULL;
	enum jmb_store_result r;

	r = jmb_sqlite_prepare(
	    conn, &stmt, "SELECT " MEETING_COLUMNS FEED_WHERE " ORDER BY m.start_at, m.id", "iitt",
	    error_r, (int64_t)ends_after, (int64_t)deleted_after, login, mails_json);
	if (r != JMB_STORE_OK)
		return r;
	return collect_meetings(conn, pool, stmt, list_r, error_r);
}

/* sql/sqlite/003_feed_changes.sql keeps feed_changes. */
static enum jmb_store_result sqlite_feed_version(void *conn, const char *login,
                                                 const char *mails_json,
                                                 struct jmb_feed_version *version_r, char **error_r)
{
	struct sqlite_conn *c = conn;
	sqlite3_stmt *stmt = NULL;
	enum jmb_store_result r;
	int rc;

	r = jmb_sqlite_prepare(c, &stmt,
	                       "SELECT coalesce(sum(changes), 0), coalesce(max(changed_at), 0) "
	                       "FROM feed_changes WHERE key IN (SELECT 'login:' || ?1 "
	                       "UNION ALL SELECT 'mail:' || value FROM json_each(?2))",
	                       "tt", error_r, login, mails_json);
	if (r != JMB_STORE_OK)
		return r;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		version_r->changes = sqlite3_column_int64(stmt, 0);
		version_r->changed_at = (time_t)sqlite3_column_int64(stmt, 1);
	} else {
		r = jmb_sqlite_result(c, rc, error_r);
	}
	jmb_sqlite_release(c, stmt);
	return r;
}

static enum jmb_store_result sqlite_feed_token(void *conn, struct jmb_pool *pool,
                                               const struct jmb_person *user,
                                               const char *identity_json, const char *candidate,
                                               time_t now, char **token_r, char **error_r)
{
	struct sqlite_conn *c = conn;
	sqlite3_stmt *stmt = NULL, *stmt_ = NULL;
	enum jmb_store_result r;
	int rc;

	/* The common case, every view of the meeting list: nothing to write. */
	r = jmb_sqlite_prepare(c, &stmt,
	                       "SELECT feed_token FROM users WHERE login = ? "
	                       "AND feed_token IS NOT NULL AND identity IS ?",
	                       "tt", error_r, user->login, identity_json);
	if (r != JMB_STORE_OK)
		return r;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*token_r = jmb_sqlite_text(pool, stmt, 0);
	jmb_sqlite_release(c, stmt);
	stmt = NULL;
	if (rc == SQLITE_ROW)
		return JMB_STORE_OK;
	r = jmb_sqlite_begin(c, error_r);
	if (r != JMB_STORE_OK)
		return r;
	r = EXEC(c, error_r,
	         "INSERT INTO users (login, mail, name, identity, feed_token, created_at, "
	         "last_login_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) ON CONFLICT (login) DO UPDATE "
	         "SET identity = excluded.identity, "
	         "feed_token = coalesce(users.feed_token, excluded.feed_token)",
	         "tttt"
	         "ti",
	         user->login, user->mail != NULL ? user->mail : "",
	         user->name != NULL ? user->name : "", identity_json, candidate, (int64_t)now);
	if (r == JMB_STORE_OK)
		r = jmb_sqlite_prepare(c, &stmt, "SELECT feed_token FROM users WHERE login = ?",
		                       "t", error_r, user->login);
	if (r == JMB_STORE_OK)
		r = first_text(c, pool, stmt, token_r, NULL, NULL, error_r);
	return jmb_sqlite_finish(c, r, error_r);
}

static enum jmb_store_result sqlite_feed_token_set(void *conn, const struct jmb_person *user,
                                                   const char *identity_json, const char *token,
                                                   time_t now, char **error_r)
{
	sqlite3_stmt *stmt_ = NULL;

	return EXEC(conn, error_r,
	            "INSERT INTO users (login, mail, name, identity, feed_token, feed_rotated_at, "
	            "created_at, last_login_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?6) "
	            "ON CONFLICT (login) DO UPDATE SET feed_token = excluded.feed_token, "
	            "feed_rotated_at = excluded.feed_rotated_at, "
	            "identity = coalesce(users.identity, excluded.identity)",
	            "tttt"
	            "ti",
	            user->login, user->mail != NULL ? user->mail : "",
	            user->name != NULL ? user->name : "", identity_json, token, (int64_t)now);
}

static enum jmb_store_result sqlite_feed_token_lookup(void *conn, struct jmb_pool *pool,
                                                      const char *token, char **login_r,
                                                      char **identity_json_r, char **error_r)
{
	struct sqlite_conn *c = conn;
	sqlite3_stmt *stmt = NULL;
	enum jmb_store_result r;
	int rc;

	r = jmb_sqlite_prepare(
	    c, &stmt,
	    "SELECT login, coalesce(identity, json_object('login', login, 'mail', mail, "
	    "'name', name)) FROM users WHERE feed_token = ?",
	    "t", error_r, token);
	if (r != JMB_STORE_OK)
		return r;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		*login_r = jmb_sqlite_text(pool, stmt, 0);
		*identity_json_r = jmb_sqlite_text(pool, stmt, 1);
	} else if (rc == SQLITE_DONE) {
		*error_r = jmb_xstrdup("unknown feed token");
		r = JMB_STORE_NOT_FOUND;
	} else {
		r = jmb_sqlite_result(c, rc, error_r);
	}
	jmb_sqlite_release(c, stmt);
	return r;
}

static enum jmb_store_result sqlite_private_room_use(void *conn, const char *login, time_t now,
                                                     long *uses_r, char **error_r)
{
	struct sqlite_conn *c = conn;
	sqlite3_stmt *stmt = NULL;
	enum jmb_store_result r;
	int rc;

	r = jmb_sqlite_prepare(
	    c, &stmt,
	    "INSERT INTO private_rooms (login, uses, last_used_at) VALUES (?, 1, ?) "
	    "ON CONFLICT (login) DO UPDATE SET uses = uses + 1, "
	    "last_used_at = excluded.last_used_at RETURNING uses",
	    "ti", error_r, login, (int64_t)now);
	if (r != JMB_STORE_OK)
		return r;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		*uses_r = (long)sqlite3_column_int64(stmt, 0);
		rc = sqlite3_step(stmt);
	}
	r = rc == SQLITE_DONE ? JMB_STORE_OK : jmb_sqlite_result(c, rc, error_r);
	jmb_sqlite_release(c, stmt);
	return r;
}

const struct jmb_store_driver jmb_store_driver_sqlite = {
    .name = "sqlite",
    .migrations = jmb_migrations_sqlite,
    .connect = sqlite_connect,
    .disconnect = sqlite_disconnect,
    .is_broken = sqlite_is_broken,
    .ping = sqlite_ping,
    .schema_version = sqlite_schema_version,
    .apply_migration = sqlite_apply_migration,
    .lock_migrations = sqlite_lock_migrations,
    .meeting_insert = sqlite_meeting_insert,
    .meeting_update = sqlite_meeting_update,
    .meeting_delete = sqlite_meeting_delete,
    .meeting_get = sqlite_meeting_get,
    .meetings_for_user = sqlite_meetings_for_user,
    .meetings_all = sqlite_meetings_all,
    .meeting_by_token = sqlite_meeting_by_token,
    .invitee_by_token = sqlite_invitee_by_token,
    .attendee_set_status = sqlite_attendee_set_status,
    .attendees_add_joins = sqlite_attendees_add_joins,
    .meeting_by_room = sqlite_meeting_by_room,
    .meeting_import = sqlite_meeting_import,
    .meetings_for_feed = sqlite_meetings_for_feed,
    .feed_version = sqlite_feed_version,
    .feed_token = sqlite_feed_token,
    .feed_token_set = sqlite_feed_token_set,
    .feed_token_lookup = sqlite_feed_token_lookup,
    .private_room_use = sqlite_private_room_use,
    .outbox_add = jmb_sqlite_outbox_add,
    .outbox_claim = jmb_sqlite_outbox_claim,
    .outbox_finish = jmb_sqlite_outbox_finish,
    .outbox_list = jmb_sqlite_outbox_list,
    .outbox_retry = jmb_sqlite_outbox_retry,
    .reminders_claim = jmb_sqlite_reminders_claim,
    .reminder_finish = jmb_sqlite_reminder_finish,
    .reminder_release = jmb_sqlite_reminder_release,
    .user_touch = sqlite_user_touch,
    .session_create = sqlite_session_create,
    .session_get = sqlite_session_get,
    .session_delete = sqlite_session_delete,
    .sessions_purge = sqlite_sessions_purge,
    .api_token_create = sqlite_api_token_create,
    .api_token_lookup = sqlite_api_token_lookup,
    .secret_get = sqlite_secret_get,
};
