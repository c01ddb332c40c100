/* The rules of the password-guessing throttle: how long a client waits after
 * a refused password, and the key an account is counted under. The counts
 * live in the store (jmb_store_login_attempt), so every instance sees them. */
#ifndef JMB_LOGIN_THROTTLE_H
#define JMB_LOGIN_THROTTLE_H

#include <stdbool.h>
#include <time.h>

#include "jmb/secret.h"

/* [auth] login_* (doc/jmb.conf.5 gives the defaults and why). */
struct jmb_login_policy {
	long free_tries;      /* per account and address: tries in a row without a wait */
	long lock_after;      /* per account and address: the failure that starts a lock */
	long lock_time;       /* seconds a lock lasts */
	long account_ceiling; /* per account, all addresses: beyond it no failure is free */
	long memory;          /* seconds a failure is remembered */
};

/* When a client may try again after a failure that brought its count for the
 * account to pair_failures, and the account's count from every address to
 * account_failures: at once until free_tries failures, then after 1, 2, 4...
 * seconds, and lock_time from lock_after on. Past account_ceiling only a
 * client's first try is free, but a lock still needs lock_after failures from
 * that client: many addresses slow an account down, they never lock it. */
time_t jmb_login_next_try(const struct jmb_login_policy *policy, long pair_failures,
                          long account_failures, time_t now);
/* True when a failure bringing a client's count to pair_failures starts a lock. */
bool jmb_login_locks(const struct jmb_login_policy *policy, long pair_failures);
/* True when a failure bringing the account's count to account_failures is the
 * one that crosses account_ceiling (so it is reported once). */
bool jmb_login_crosses_ceiling(const struct jmb_login_policy *policy, long account_failures);
/* The key an account is counted under: SHA-256 (hex) of the login as typed,
 * ASCII letters lower-cased, as directories compare logins. Hashed so that a
 * password typed in the login field is never kept. */
void jmb_login_account_key(const char *login, char out[JMB_SHA256_HEX_LEN + 1]);

#endif
