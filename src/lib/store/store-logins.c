/* The password-guessing throttle's counts: refused passwords per account and
 * client address, shared by every instance through the store. The rules
 * that turn counts into waits are in auth/login-throttle.c. */
#include "config.h"

#include "auth/login-throttle.h"
#include "store/store-private.h"
#include "store/store-sql.h"

/* PostgreSQL locks the pair's row, so that parallel attempts of one client
   are counted one after the other (SQLite's write transactions are already
   exclusive). A pair with no row yet is safe: its first tries are free. */
static const struct jmb_sql sql_pair_get = {
    .sqlite = "SELECT failures, blocked_until FROM login_failures "
              "WHERE account = $1 AND address = $2 AND expires_at > $3",
    .pg = "SELECT failures, blocked_until FROM login_failures "
          "WHERE account = $1 AND address = $2 AND expires_at > $3 FOR UPDATE",
};
static const struct jmb_sql sql_pair_peek =
    JMB_SQL_ANY("SELECT failures, blocked_until FROM login_failures "
                "WHERE account = $1 AND address = $2 AND expires_at > $3");
static const struct jmb_sql sql_account_sum =
    JMB_SQL_ANY("SELECT coalesce(sum(failures), 0) FROM login_failures "
                "WHERE account = $1 AND expires_at > $2");
static const struct jmb_sql sql_pair_put =
    JMB_SQL_ANY("INSERT INTO login_failures (account, address, failures, blocked_until, "
                "expires_at) VALUES ($1, $2, $3, $4, $5) "
                "ON CONFLICT (account, address) DO UPDATE SET failures = excluded.failures, "
                "blocked_until = excluded.blocked_until, expires_at = excluded.expires_at");
static const struct jmb_sql sql_pair_uncount =
    JMB_SQL_ANY("UPDATE login_failures SET failures = failures - 1, blocked_until = $3 "
                "WHERE account = $1 AND address = $2 AND failures > 0");
static const struct jmb_sql sql_pair_clear =
    JMB_SQL_ANY("DELETE FROM login_failures WHERE account = $1 AND address = $2");
static const struct jmb_sql sql_logins_purge =
    JMB_SQL_ANY("DELETE FROM login_failures WHERE expires_at <= $1");

struct attempt {
	const char *account, *address;
	time_t now;
	const struct jmb_login_policy *policy;
	struct jmb_login_attempt *out;
};

static void read_pair(struct jmb_sql_stmt *stmt, void *ctx)
{
	struct jmb_login_attempt *out = ctx;

	out->pair_failures = (long)jmb_sql_int(stmt, 0);
	out->blocked_until = (time_t)jmb_sql_int(stmt, 1);
}

static void read_sum(struct jmb_sql_stmt *stmt, void *ctx)
{
	*(long *)ctx = (long)jmb_sql_int(stmt, 0);
}

static enum jmb_store_result count_attempt(struct jmb_sql_conn *conn, void *ctx,
                                           struct jmb_error *error)
{
	struct attempt *a = ctx;
	struct jmb_login_attempt *out = a->out;
	time_t expires;
	enum jmb_store_result r;

	r = jmb_sql_first_row(conn, &sql_pair_get,
	                      SQL_ARGS(sql_text(a->account), sql_text(a->address), sql_int(a->now)),
	                      read_pair, out, "login failures", error);
	if (r != JMB_STORE_OK && r != JMB_STORE_NOT_FOUND)
		return r;
	out->previous_blocked_until = out->blocked_until;
	if (out->blocked_until > a->now) {
		out->allowed = false;
		return JMB_STORE_OK;
	}
	r = jmb_sql_first_row(conn, &sql_account_sum,
	                      SQL_ARGS(sql_text(a->account), sql_int(a->now)), read_sum,
	                      &out->account_failures, "login failures", error);
	if (r != JMB_STORE_OK)
		return r;
	/* Counted before the password is checked: parallel attempts of one
	   client see each other; jmb_store_login_uncount takes it back. */
	out->allowed = true;
	out->pair_failures++;
	out->account_failures++;
	out->blocked_until =
	    jmb_login_next_try(a->policy, out->pair_failures, out->account_failures, a->now);
	expires = a->now + a->policy->memory;
	if (expires < out->blocked_until)
		expires = out->blocked_until;
	return jmb_sql_exec(conn, &sql_pair_put,
	                    SQL_ARGS(sql_text(a->account), sql_text(a->address),
	                             sql_int(out->pair_failures), sql_int(out->blocked_until),
	                             sql_int(expires)),
	                    NULL, error);
}

enum jmb_store_result jmb_store_login_attempt(struct jmb_store *store, const char *account,
                                              const char *address, time_t now,
                                              const struct jmb_login_policy *policy,
                                              struct jmb_login_attempt *attempt_r,
                                              struct jmb_error *error)
{
	struct attempt a = {account, address, now, policy, attempt_r};
	enum jmb_store_result r;

	/* A client that must wait is answered from a plain read: hammering the
	   form then takes no write lock, which bookings would queue behind. */
	*attempt_r = (struct jmb_login_attempt){0};
	r = jmb_store_first_row(store, &sql_pair_peek,
	                        SQL_ARGS(sql_text(account), sql_text(address), sql_int(now)),
	                        read_pair, attempt_r, "login failures", error);
	if (r == JMB_STORE_OK && attempt_r->blocked_until > now)
		return JMB_STORE_OK;
	if (r != JMB_STORE_OK && r != JMB_STORE_NOT_FOUND)
		return r;
	*attempt_r = (struct jmb_login_attempt){0};
	return jmb_store_run(store, JMB_SQL_TX_WRITE, count_attempt, &a, error);
}

enum jmb_store_result jmb_store_login_uncount(struct jmb_store *store, const char *account,
                                              const char *address,
                                              const struct jmb_login_attempt *attempt,
                                              struct jmb_error *error)
{
	return jmb_store_exec(store, &sql_pair_uncount,
	                      SQL_ARGS(sql_text(account), sql_text(address),
	                               sql_int(attempt->previous_blocked_until)),
	                      NULL, error);
}

enum jmb_store_result jmb_store_login_clear(struct jmb_store *store, const char *account,
                                            const char *address, struct jmb_error *error)
{
	return jmb_store_exec(store, &sql_pair_clear,
	                      SQL_ARGS(sql_text(account), sql_text(address)), NULL, error);
}

enum jmb_store_result jmb_store_login_failures_purge(struct jmb_store *store, time_t now,
                                                     long *purged_r, struct jmb_error *error)
{
	return jmb_store_exec(store, &sql_logins_purge, SQL_ARGS(sql_int(now)), purged_r, error);
}
