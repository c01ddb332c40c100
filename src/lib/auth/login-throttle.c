/* The rules of the password-guessing throttle (see login-throttle.h). */
#include "config.h"

#include "auth/login-throttle.h"
#include "util/memory.h"

/* Doubling stops here: 2^20 s is far beyond any configurable lock_time. */
#define MAX_DOUBLINGS 20

bool jmb_login_locks(const struct jmb_login_policy *policy, long pair_failures)
{
	return pair_failures >= policy->lock_after;
}

bool jmb_login_crosses_ceiling(const struct jmb_login_policy *policy, long account_failures)
{
	return account_failures == policy->account_ceiling + 1;
}

time_t jmb_login_next_try(const struct jmb_login_policy *policy, long pair_failures,
                          long account_failures, time_t now)
{
	long free_tries = account_failures > policy->account_ceiling ? 1 : policy->free_tries;
	long doublings = pair_failures - free_tries;
	long wait;

	if (jmb_login_locks(policy, pair_failures))
		return now + policy->lock_time;
	if (doublings < 0)
		return now;
	wait = 1L << (doublings < MAX_DOUBLINGS ? doublings : MAX_DOUBLINGS);
	/* A wait never outlasts a lock: a small lock_time bounds it too. */
	return now + (wait < policy->lock_time ? wait : policy->lock_time);
}

void jmb_login_account_key(const char *login, char out[JMB_SHA256_HEX_LEN + 1])
{
	char *folded = jmb_xstrdup(login);

	for (char *p = folded; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	jmb_sha256_hex(folded, out);
	jmb_xfree(&folded);
}
