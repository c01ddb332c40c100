/* A hold-down (circuit breaker) for a remote service shared by threads: after
 * an outage, calls fail fast for a while, then one caller at a time probes. */
#ifndef JMB_HOLDDOWN_H
#define JMB_HOLDDOWN_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

enum jmb_holddown_pass {
	JMB_HOLDDOWN_GO,     /* the service is up (or holding down is off): call it */
	JMB_HOLDDOWN_PROBE,  /* down, the period is over: call it, as the only prober */
	JMB_HOLDDOWN_REFUSE, /* down: fail at once, without calling */
};

enum jmb_holddown_change {
	JMB_HOLDDOWN_SAME,
	JMB_HOLDDOWN_WENT_DOWN, /* the first outage after the service worked */
	JMB_HOLDDOWN_CAME_BACK, /* the first success after an outage */
};

/* Times are the caller's clock in milliseconds (monotonic in real use, fake in
 * tests). The lock is held only inside these functions, never during a call. */
struct jmb_holddown {
	pthread_mutex_t lock;
	int64_t period_ms; /* 0: never refuse (outages are still tracked) */
	bool down;
	bool probing;        /* a PROBE is under way */
	int64_t retry_at_ms; /* while down: when the next probe may go */
};

void jmb_holddown_init(struct jmb_holddown *h, int64_t period_ms);
void jmb_holddown_destroy(struct jmb_holddown *h);
/* Before each call to the service. */
enum jmb_holddown_pass jmb_holddown_enter(struct jmb_holddown *h, int64_t now_ms);
/* After each call that enter() let through (pass is what it said): outage
 * when the call found the service down. Says whether that changed its state. */
enum jmb_holddown_change jmb_holddown_leave(struct jmb_holddown *h, enum jmb_holddown_pass pass,
                                            bool outage, int64_t now_ms);
/* True while calls are refused (but for a probe now and then). */
bool jmb_holddown_active(struct jmb_holddown *h);

#endif
