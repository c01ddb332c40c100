/* jmbd's counters, served as Prometheus text at /metrics. Each hook is one
 * call that adds to an atomic counter: no lock, no allocation. */
#ifndef JMBD_METRICS_H
#define JMBD_METRICS_H

#include <stdint.h>

/* Counted events. Events of one metric family (same name, other label value)
 * are listed next to each other: the serialiser writes HELP/TYPE once per run. */
enum metrics_event {
	METRICS_JOIN,
	METRICS_MAIL_SENT,
	METRICS_MAIL_DEFERRED,
	METRICS_MAIL_FAILED,
	METRICS_REMINDER_MAIL,
	METRICS_REMINDER_XMPP,
	METRICS_MAIL_IN_ANSWER,
	METRICS_MAIL_IN_BOUNCE,
	METRICS_MAIL_IN_FORWARDED,
	METRICS_MAIL_IN_IGNORED,
	METRICS_LOGIN_SUCCESS,
	METRICS_LOGIN_FAILURE,
	METRICS_LOGIN_THROTTLED,
	METRICS_LOGIN_LOCK,
	METRICS_STORE_ERROR,
	METRICS_CONN_HEAD_DEADLINE,
	METRICS_CONN_BODY_DEADLINE,
	METRICS_CONN_SHED,
	METRICS_EVENT_COUNT,
};

/* Remembers the process start time; called once, first thing in main. */
void metrics_init(void);
void metrics_count(enum metrics_event event);
/* A monotonic timestamp in nanoseconds, to pass to metrics_http_request. */
uint64_t metrics_clock(void);
/* One answered request: counted by route class (from path) and status, and
 * its duration since started (a metrics_clock value) observed. */
void metrics_http_request(const char *path, unsigned status, uint64_t started);

#endif
