/* Sizes the connection cap from RLIMIT_NOFILE at start. Past the limit,
 * accept() fails with EMFILE while the listening socket stays readable, and
 * every other descriptor jmbd needs (store, LDAP, SMTP, files) fails too:
 * the cap must leave room below it. */
#include "config.h"

#include <sys/resource.h>

#include "fd-budget.h"

#define MIN_CONNECTIONS 16

long fd_budget_connections(long wanted, long reserve, struct jmb_error *error)
{
	struct rlimit lim;
	rlim_t need = (rlim_t)wanted + (rlim_t)reserve;

	if (getrlimit(RLIMIT_NOFILE, &lim) < 0) {
		jmb_error_set(error, "cannot read RLIMIT_NOFILE");
		return -1;
	}
	/* Only the soft limit is ours to raise, up to the hard one. */
	if (lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur < need) {
		struct rlimit raised = lim;

		raised.rlim_cur =
		    lim.rlim_max == RLIM_INFINITY || lim.rlim_max > need ? need : lim.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
			lim = raised;
	}
	if (lim.rlim_cur == RLIM_INFINITY || lim.rlim_cur >= need)
		return wanted;
	if (lim.rlim_cur < (rlim_t)reserve + MIN_CONNECTIONS) {
		jmb_error_set(error,
		              "RLIMIT_NOFILE is %llu: too low for %d connections and %ld other "
		              "descriptors (raise LimitNOFILE or ulimit -n)",
		              (unsigned long long)lim.rlim_cur, MIN_CONNECTIONS, reserve);
		return -1;
	}
	return (long)(lim.rlim_cur - (rlim_t)reserve);
}
