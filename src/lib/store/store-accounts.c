/* Accounts: users who logged in, their feed tokens, sessions, API tokens,
 * private rooms, and the server-wide secrets every instance shares. */
#include "config.h"

#include <time.h>

#include "util/memory.h"
#include "store-private.h"

static const struct jmb_sql sql_user_touch =
    JMB_SQL_ANY("INSERT INTO users (login, mail, name, language, created_at, last_login_at) "
                "VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (login) DO UPDATE SET "
                "mail = excluded.mail, name = excluded.name, "
                "language = coalesce(excluded.language, users.language), "
                "last_login_at = excluded.last_login_at");
static const struct jmb_sql sql_user_language =
    JMB_SQL_ANY("UPDATE users SET language = $1 WHERE login = $2 "
                "AND coalesce(language, '') <> $1");
static const struct jmb_sql sql_user_zone =
    JMB_SQL_ANY("SELECT timezone FROM users WHERE login = $1");
/* Only a user who logged in has a row: the page that sets it needs a login. */
static const struct jmb_sql sql_user_zone_set =
    JMB_SQL_ANY("UPDATE users SET timezone = $1 WHERE login = $2");
static const struct jmb_sql sql_user_languages = {
    .sqlite = "SELECT login, mail, language FROM users WHERE coalesce(language, '') <> '' "
              "AND (login = $1 OR mail IN (SELECT value FROM json_each($2)))",
    .pg = "SELECT login, mail, language FROM users WHERE coalesce(language, '') <> '' "
          "AND (login = $1 OR mail IN (SELECT json_array_elements_text($2::json)))",
};
/* The common case, every view of the meeting list: nothing to write. */
static const struct jmb_sql sql_feed_token_current =
    JMB_SQL_ANY("SELECT feed_token FROM users WHERE login = $1 "
                "AND feed_token IS NOT NULL AND identity = $2");
static const struct jmb_sql sql_feed_token_of =
    JMB_SQL_ANY("SELECT feed_token FROM users WHERE login = $1 AND feed_token IS NOT NULL");
static const struct jmb_sql sql_feed_token_upsert = JMB_SQL_ANY(
    "INSERT INTO users (login, mail, name, identity, feed_token, created_at, last_login_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (login) DO UPDATE "
    "SET identity = excluded.identity, "
    "feed_token = coalesce(users.feed_token, excluded.feed_token)");
static const struct jmb_sql sql_feed_token_set = JMB_SQL_ANY(
    "INSERT INTO users (login, mail, name, identity, feed_token, feed_rotated_at, created_at, "
    "last_login_at) VALUES ($1, $2, $3, $4, $5, $6, $6, $6) "
    "ON CONFLICT (login) DO UPDATE SET feed_token = excluded.feed_token, "
    "feed_rotated_at = excluded.feed_rotated_at, "
    "identity = coalesce(users.identity, excluded.identity)");
/* Users stored before identities were kept get one built from their row. */
static const struct jmb_sql sql_feed_token_lookup = {
    .sqlite = "SELECT login, coalesce(identity, json_object('login', login, 'mail', mail, "
              "'name', name)) FROM users WHERE feed_token = $1",
    .pg = "SELECT login, coalesce(identity, json_build_object('login', login, 'mail', mail, "
          "'name', name)::text) FROM users WHERE feed_token = $1",
};
static const struct jmb_sql sql_private_room_use =
    JMB_SQL_ANY("INSERT INTO private_rooms (login, uses, last_used_at) VALUES ($1, 1, $2) "
                "ON CONFLICT (login) DO UPDATE SET uses = private_rooms.uses + 1, "
                "last_used_at = excluded.last_used_at RETURNING uses");
static const struct jmb_sql sql_session_create =
    JMB_SQL_ANY("INSERT INTO sessions (id_hash, identity, created_at, expires_at) "
                "VALUES ($1, $2, $3, $4)");
static const struct jmb_sql sql_session_get =
    JMB_SQL_ANY("SELECT identity, created_at, expires_at FROM sessions "
                "WHERE id_hash = $1 AND expires_at > $2");
static const struct jmb_sql sql_session_delete =
    JMB_SQL_ANY("DELETE FROM sessions WHERE id_hash = $1");
static const struct jmb_sql sql_sessions_end_for = {
    .sqlite = "DELETE FROM sessions WHERE json_extract(identity, '$.login') = $1",
    .pg = "DELETE FROM sessions WHERE (identity::jsonb)->>'login' = $1",
};
static const struct jmb_sql sql_sessions_purge =
    JMB_SQL_ANY("DELETE FROM sessions WHERE expires_at <= $1");
static const struct jmb_sql sql_api_token_create =
    JMB_SQL_ANY("INSERT INTO api_tokens (token_hash, identity, label, created_at) "
                "VALUES ($1, $2, $3, $4)");
static const struct jmb_sql sql_api_token_lookup =
    JMB_SQL_ANY("SELECT identity FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL");
static const struct jmb_sql sql_api_tokens_list =
    JMB_SQL_ANY("SELECT id, identity, label, created_at, last_used_at, revoked_at "
                "FROM api_tokens ORDER BY id DESC");
static const struct jmb_sql sql_api_token_revoke =
    JMB_SQL_ANY("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL");
static const struct jmb_sql sql_api_token_used =
    JMB_SQL_ANY("UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2");
static const struct jmb_sql sql_secret_insert =
    JMB_SQL_ANY("INSERT INTO secrets (name, value, created_at) VALUES ($1, $2, $3) "
                "ON CONFLICT (name) DO NOTHING");
static const struct jmb_sql sql_secret_get =
    JMB_SQL_ANY("SELECT value FROM secrets WHERE name = $1");

/* Reads column 0 as text into ctx's pool. */
struct text_read {
	struct jmb_pool *pool;
	char *text;
};

static void read_text(struct jmb_sql_stmt *stmt, void *ctx)
{
	struct text_read *rd = ctx;

	rd->text = jmb_sql_text(rd->pool, stmt, 0);
}

enum jmb_store_result jmb_store_user_touch(struct jmb_store *store, const struct jmb_person *user,
                                           const char *language, time_t now,
                                           struct jmb_error *error)
{
	return jmb_store_exec(store, &sql_user_touch,
	                      SQL_ARGS(sql_text(user->login), sql_text_or_empty(user->mail),
	                               sql_text_or_empty(user->name), sql_text(language),
	                               sql_int(now)),
	                      NULL, error);
}

/* ---- feed tokens ---- */

struct feed_token {
	const struct jmb_person *user;
	const char *identity_json;
	const char *token; /* the candidate, or the token to set */
	time_t now;
	struct text_read read;
};

static enum jmb_store_result store_feed_token(struct jmb_sql_conn *conn, void *ctx,
                                              struct jmb_error *error)
{
	struct feed_token *ft = ctx;
	enum jmb_store_result r =
	    jmb_sql_exec(conn, &sql_feed_token_upsert,
	                 SQL_ARGS(sql_text(ft->user->login), sql_text_or_empty(ft->user->mail),
	                          sql_text_or_empty(ft->user->name), sql_text(ft->identity_json),
	                          sql_text(ft->token), sql_int(ft->now)),
	                 NULL, error);

	if (r == JMB_STORE_OK)
		r = jmb_sql_first_row(conn, &sql_feed_token_of, SQL_ARGS(sql_text(ft->user->login)),
		                      read_text, &ft->read, "feed token", error);
	return r;
}

enum jmb_store_result jmb_store_feed_token(struct jmb_store *store, struct jmb_pool *pool,
                                           const struct jmb_person *user, const char *identity_json,
                                           const char *candidate, time_t now, char **token_r,
                                           struct jmb_error *error)
{
	struct feed_token ft = {user, identity_json, candidate, now, {pool, NULL}};
	enum jmb_store_result r =
	    jmb_store_first_row(store, &sql_feed_token_current,
	                        SQL_ARGS(sql_text(user->login), sql_text(identity_json)), read_text,
	                        &ft.read, "feed token", error);

	/* Only a token not there yet is written: a failed read is returned as it is. */
	if (r == JMB_STORE_NOT_FOUND)
		r = jmb_store_run(store, JMB_SQL_TX_WRITE, store_feed_token, &ft, error);
	if (r == JMB_STORE_OK)
		*token_r = ft.read.text;
	return r;
}

enum jmb_store_result jmb_store_feed_token_set(struct jmb_store *store,
                                               const struct jmb_person *user,
                                               const char *identity_json, const char *token,
                                               time_t now, struct jmb_error *error)
{
	return jmb_store_exec(store, &sql_feed_token_set,
	                      SQL_ARGS(sql_text(user->login), sql_text_or_empty(user->mail),
	                               sql_text_or_empty(user->name), sql_text(identity_json),
	                               sql_text(token), sql_int(now)),
	                      NULL, error);
}

struct owner_read {
	struct jmb_pool *pool;
	char *login;
	char *identity_json;
};

static void read_owner(struct jmb_sql_stmt *stmt, void *ctx)
{
	struct owner_read *rd = ctx;

	rd->login = jmb_sql_text(rd->pool, stmt, 0);
	rd->identity_json = jmb_sql_text(rd->pool, stmt, 1);
}

enum jmb_store_result jmb_store_feed_token_lookup(struct jmb_store *store, struct jmb_pool *pool,
                                                  const char *token, char **login_r,
                                                  char **identity_json_r, struct jmb_error *error)
{
	struct owner_read rd = {pool, NULL, NULL};
	enum jmb_store_result r =
	    jmb_store_first_row(store, &sql_feed_token_lookup, SQL_ARGS(sql_text(token)),
	                        read_owner, &rd, "feed token", error);

	if (r == JMB_STORE_OK) {
		*login_r = rd.login;
		*identity_json_r = rd.identity_json;
	}
	return r;
}

/* ---- private rooms ---- */

static void read_long(struct jmb_sql_stmt *stmt, void *ctx)
{
	*(long *)ctx = (long)jmb_sql_int(stmt, 0);
}

enum jmb_store_result jmb_store_private_room_use(struct jmb_store *store, const char *login,
                                                 time_t now, long *uses_r, struct jmb_error *error)
{
	return jmb_store_first_row(store, &sql_private_room_use,
	                           SQL_ARGS(sql_text(login), sql_int(now)), read_long, uses_r,
	                           "private room", error);
}

/* ---- sessions ---- */

enum jmb_store_result jmb_store_session_create(struct jmb_store *store, const char *id_hash,
                                               const char *identity_json, time_t created,
                                               time_t expires, struct jmb_error *error)
{
	return jmb_store_exec(store, &sql_session_create,
	                      SQL_ARGS(sql_text(id_hash), sql_text(identity_json), sql_int(created),
	                               sql_int(expires)),
	                      NULL, error);
}

struct session_read {
	struct jmb_pool *pool;
	struct jmb_session_record *session;
};

static void read_session(struct jmb_sql_stmt *stmt, void *ctx)
{
	struct session_read *rd = ctx;

	rd->session->identity_json = jmb_sql_text(rd->pool, stmt, 0);
	rd->session->created = (time_t)jmb_sql_int(stmt, 1);
	rd->session->expires = (time_t)jmb_sql_int(stmt, 2);
}

enum jmb_store_result jmb_store_session_get(struct jmb_store *store, struct jmb_pool *pool,
                                            const char *id_hash, time_t now,
                                            struct jmb_session_record *session_r,
                                            struct jmb_error *error)
{
	struct session_read rd = {pool, session_r};

	return jmb_store_first_row(store, &sql_session_get,
	                           SQL_ARGS(sql_text(id_hash), sql_int(now)), read_session, &rd,
	                           "session", error);
}

enum jmb_store_result jmb_store_session_delete(struct jmb_store *store, const char *id_hash,
                                               struct jmb_error *error)
{
	return jmb_store_exec(store, &sql_session_delete, SQL_ARGS(sql_text(id_hash)), NULL, error);
}

enum jmb_store_result jmb_store_sessions_end_for(struct jmb_store *store, const char *login,
                                                 long *ended_r, struct jmb_error *error)
{
	return jmb_store_exec(store, &sql_sessions_end_for, SQL_ARGS(sql_text(login)), ended_r,
	                      error);
}

enum jmb_store_result jmb_store_sessions_purge(struct jmb_store *store, time_t now, long *purged_r,
                                               struct jmb_error *error)
{
	return jmb_store_exec(store, &sql_sessions_purge, SQL_ARGS(sql_int(now)), purged_r, error);
}

/* ---- API tokens ---- */

enum jmb_store_result jmb_store_api_token_create(struct jmb_store *store, const char *token_hash,
                                                 const char *identity_json, const char *label,
                                                 time_t now, struct jmb_error *error)
{
	return jmb_store_exec(store, &sql_api_token_create,
	                      SQL_ARGS(sql_text(token_hash), sql_text(identity_json),
	                               sql_text_or_empty(label), sql_int(now)),
	                      NULL, error);
}

enum jmb_store_result jmb_store_api_token_lookup(struct jmb_store *store, struct jmb_pool *pool,
                                                 const char *token_hash, time_t now,
                                                 char **identity_json_r, struct jmb_error *error)
{
	struct text_read rd = {pool, NULL};
	enum jmb_store_result r =
	    jmb_store_first_row(store, &sql_api_token_lookup, SQL_ARGS(sql_text(token_hash)),
	                        read_text, &rd, "API token", error);

	if (r != JMB_STORE_OK)
		return r;
	*identity_json_r = rd.text;
	/* Best effort: a busy database must not refuse a valid token. */
	jmb_store_exec(store, &sql_api_token_used, SQL_ARGS(sql_int(now), sql_text(token_hash)),
	               NULL, NULL);
	return r;
}

static void read_api_token(struct jmb_sql_stmt *stmt, void *item, void *pool)
{
	struct jmb_api_token_info *t = item;

	t->id = jmb_sql_int(stmt, 0);
	t->identity_json = jmb_sql_text(pool, stmt, 1);
	t->label = jmb_sql_text(pool, stmt, 2);
	t->created_at = (time_t)jmb_sql_int(stmt, 3);
	t->last_used_at = (time_t)jmb_sql_int(stmt, 4);
	t->revoked_at = (time_t)jmb_sql_int(stmt, 5);
}

enum jmb_store_result jmb_store_api_tokens_list(struct jmb_store *store, struct jmb_pool *pool,
                                                struct jmb_api_token_list *list_r,
                                                struct jmb_error *error)
{
	struct jmb_row_collector rc = {.sql = &sql_api_tokens_list,
	                               .pool = pool,
	                               .item_size = sizeof(*list_r->items),
	                               .read = read_api_token};
	enum jmb_store_result r = jmb_store_collect(store, JMB_SQL_TX_NONE, &rc, error);

	list_r->items = rc.items;
	list_r->count = rc.count;
	return r;
}

enum jmb_store_result jmb_store_api_token_revoke(struct jmb_store *store, int64_t id, time_t now,
                                                 struct jmb_error *error)
{
	long changed = 0;
	enum jmb_store_result r = jmb_store_exec(
	    store, &sql_api_token_revoke, SQL_ARGS(sql_int(now), sql_int(id)), &changed, error);

	if (r == JMB_STORE_OK && changed == 0)
		return JMB_STORE_NOT_FOUND;
	return r;
}

/* ---- secrets ---- */

struct secret {
	const char *name;
	const char *candidate;
	struct text_read read;
};

/* The candidate is stored unless a value is there already (another instance's,
   maybe written a moment ago): everyone ends up with the same value. */
static enum jmb_store_result get_or_create_secret(struct jmb_sql_conn *conn, void *ctx,
                                                  struct jmb_error *error)
{
	struct secret *s = ctx;
	enum jmb_store_result r = jmb_sql_exec(
	    conn, &sql_secret_insert,
	    SQL_ARGS(sql_text(s->name), sql_text(s->candidate), sql_int(time(NULL))), NULL, error);

	if (r == JMB_STORE_OK)
		r = jmb_sql_first_row(conn, &sql_secret_get, SQL_ARGS(sql_text(s->name)), read_text,
		                      &s->read, "secret", error);
	return r;
}

enum jmb_store_result jmb_store_secret_get(struct jmb_store *store, struct jmb_pool *pool,
                                           const char *name, const char *candidate, char **value_r,
                                           struct jmb_error *error)
{
	struct secret s = {name, candidate, {pool, NULL}};
	enum jmb_store_result r =
	    jmb_store_run(store, JMB_SQL_TX_NONE, get_or_create_secret, &s, error);

	if (r == JMB_STORE_OK)
		*value_r = s.read.text;
	return r;
}

enum jmb_store_result jmb_store_user_set_language(struct jmb_store *store, const char *login,
                                                  const char *language, struct jmb_error *error)
{
	return jmb_store_exec(store, &sql_user_language,
	                      SQL_ARGS(sql_text(language), sql_text(login)), NULL, error);
}

static void read_user_language(struct jmb_sql_stmt *stmt, void *item, void *pool)
{
	struct jmb_user_language *u = item;

	u->login = jmb_sql_text(pool, stmt, 0);
	u->mail = jmb_sql_text(pool, stmt, 1);
	u->language = jmb_sql_text(pool, stmt, 2);
}

enum jmb_store_result jmb_store_user_languages(struct jmb_store *store, struct jmb_pool *pool,
                                               const char *login, const char *const *mails,
                                               size_t n_mails,
                                               struct jmb_user_language_list *list_r,
                                               struct jmb_error *error)
{
	const struct jmb_sql_value args[] = {sql_text_or_empty(login),
	                                     sql_text(jmb_sql_json_array(pool, mails, n_mails))};
	struct jmb_row_collector rc = {.sql = &sql_user_languages,
	                               .args = args,
	                               .n_args = 2,
	                               .pool = pool,
	                               .item_size = sizeof(*list_r->items),
	                               .read = read_user_language};
	enum jmb_store_result r = jmb_store_collect(store, JMB_SQL_TX_NONE, &rc, error);

	list_r->items = rc.items;
	list_r->count = rc.count;
	return r;
}

enum jmb_store_result jmb_store_user_timezone(struct jmb_store *store, struct jmb_pool *pool,
                                              const char *login, const char **zone_r,
                                              struct jmb_error *error)
{
	struct text_read rd = {.pool = pool};
	enum jmb_store_result r = jmb_store_first_row(
	    store, &sql_user_zone, SQL_ARGS(sql_text(login)), read_text, &rd, "user", error);

	*zone_r = r == JMB_STORE_OK && rd.text != NULL ? rd.text : "";
	return r;
}

enum jmb_store_result jmb_store_user_set_timezone(struct jmb_store *store, const char *login,
                                                  const char *zone, struct jmb_error *error)
{
	return jmb_store_exec(store, &sql_user_zone_set, SQL_ARGS(sql_text(zone), sql_text(login)),
	                      NULL, error);
}
