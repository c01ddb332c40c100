/* Reservations granted to Prosody's mod_reservations, and the question a
 * reservation asks first about a room that is no meeting's: whose private
 * room it is. */
#include "config.h"

#include "store/store-private.h"
#include "store/store-sql.h"

static const struct jmb_sql sql_reservation_put =
    JMB_SQL_ANY("INSERT INTO reservations (name, meeting_id, mail_owner, start_at, expires_at, "
                "created_at, max_occupants, lobby) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
                "ON CONFLICT (name) DO UPDATE SET meeting_id = excluded.meeting_id, "
                "mail_owner = excluded.mail_owner, start_at = excluded.start_at, "
                "expires_at = excluded.expires_at, max_occupants = excluded.max_occupants, "
                "lobby = excluded.lobby RETURNING id");
static const struct jmb_sql sql_reservation_get =
    JMB_SQL_ANY("SELECT id, name, meeting_id, mail_owner, start_at, expires_at, max_occupants, "
                "lobby FROM reservations WHERE id = $1");
static const struct jmb_sql sql_reservation_delete =
    JMB_SQL_ANY("DELETE FROM reservations WHERE id = $1");
static const struct jmb_sql sql_reservations_purge =
    JMB_SQL_ANY("DELETE FROM reservations WHERE expires_at <= $1");
static const struct jmb_sql sql_user_exists =
    JMB_SQL_ANY("SELECT count(*) FROM users WHERE login = $1");

static void read_id(struct jmb_sql_stmt *stmt, void *ctx)
{
	*(long long *)ctx = (long long)jmb_sql_int(stmt, 0);
}

enum jmb_store_result jmb_store_reservation_put(struct jmb_store *store,
                                                struct jmb_reservation *res, time_t now,
                                                struct jmb_error *error)
{
	return jmb_store_first_row(
	    store, &sql_reservation_put,
	    SQL_ARGS(sql_text(res->name),
	             res->meeting_id != 0 ? sql_int(res->meeting_id) : sql_text(NULL),
	             sql_text_or_empty(res->mail_owner), sql_int(res->start), sql_int(res->expires),
	             sql_int(now), sql_int(res->max_occupants), sql_int(res->lobby)),
	    read_id, &res->id, "reservation", error);
}

struct reservation_read {
	struct jmb_pool *pool;
	struct jmb_reservation *res;
};

static void read_reservation(struct jmb_sql_stmt *stmt, void *ctx)
{
	struct reservation_read *rd = ctx;

	rd->res->id = (long long)jmb_sql_int(stmt, 0);
	rd->res->name = jmb_sql_text(rd->pool, stmt, 1);
	rd->res->meeting_id = (long long)jmb_sql_int(stmt, 2);
	rd->res->mail_owner = jmb_sql_text(rd->pool, stmt, 3);
	rd->res->start = (time_t)jmb_sql_int(stmt, 4);
	rd->res->expires = (time_t)jmb_sql_int(stmt, 5);
	rd->res->max_occupants = (long)jmb_sql_int(stmt, 6);
	rd->res->lobby = jmb_sql_int(stmt, 7) != 0;
}

enum jmb_store_result jmb_store_reservation_get(struct jmb_store *store, struct jmb_pool *pool,
                                                long long id, struct jmb_reservation *res_r,
                                                struct jmb_error *error)
{
	struct reservation_read rd = {.pool = pool, .res = res_r};

	return jmb_store_first_row(store, &sql_reservation_get, SQL_ARGS(sql_int(id)),
	                           read_reservation, &rd, "reservation", error);
}

enum jmb_store_result jmb_store_reservation_delete(struct jmb_store *store, long long id,
                                                   struct jmb_error *error)
{
	return jmb_store_exec(store, &sql_reservation_delete, SQL_ARGS(sql_int(id)), NULL, error);
}

enum jmb_store_result jmb_store_reservations_purge(struct jmb_store *store, time_t now,
                                                   long *purged_r, struct jmb_error *error)
{
	return jmb_store_exec(store, &sql_reservations_purge, SQL_ARGS(sql_int(now)), purged_r,
	                      error);
}

enum jmb_store_result jmb_store_user_exists(struct jmb_store *store, const char *login,
                                            bool *exists_r, struct jmb_error *error)
{
	long long count = 0;
	enum jmb_store_result r = jmb_store_first_row(
	    store, &sql_user_exists, SQL_ARGS(sql_text(login)), read_id, &count, "user", error);

	*exists_r = r == JMB_STORE_OK && count > 0;
	return r;
}
