/* Every client connection is tracked from accept to close with the phase of
 * its request and a deadline that trickling bytes cannot push back (unlike
 * libmicrohttpd's idle timeout). A reaper thread closes connections past their
 * deadline; when the connections near the cap, the ones whose request head has
 * been incomplete the longest are closed at once, so a new client always finds
 * a free slot. Closing is a shutdown() of the socket from outside the
 * connection's thread: libmicrohttpd then sees end of input and closes it in
 * its own time. The fd stays valid until then, as libmicrohttpd notifies
 * CLOSED (under our lock) before it closes the descriptor. */
#include "config.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "http-guard.h"
#include "metrics.h"
#include "util/memory.h"

enum phase {
	PHASE_HEAD,     /* waiting for the request line and headers */
	PHASE_BODY,     /* head read, waiting for the body */
	PHASE_HANDLING, /* in our handler or sending the answer: no deadline */
	PHASE_IDLE,     /* keep-alive, between requests */
};

struct guarded_conn {
	struct http_guard *guard;
	struct guarded_conn *prev, *next;
	int fd;
	enum phase phase;
	uint64_t since;    /* ms, when the phase began */
	uint64_t deadline; /* ms, 0: none */
	bool closing;      /* shut down by us, not yet closed by MHD */
};

struct http_guard {
	struct http_guard_limits limits;
	unsigned shed_above; /* live connections beyond this: shed the slowest */
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct guarded_conn *first, *last;
	unsigned live; /* tracked and not closing */
	bool stopping;
	pthread_t reaper;
};

/* How often the reaper looks: deadlines are kept to this precision. */
#define REAPER_PERIOD_MS 250

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void enter_phase(struct guarded_conn *c, enum phase phase, unsigned timeout_s)
{
	c->phase = phase;
	c->since = now_ms();
	c->deadline = timeout_s > 0 ? c->since + (uint64_t)timeout_s * 1000 : 0;
}

static void close_conn(struct http_guard *g, struct guarded_conn *c, enum metrics_event why)
{
	shutdown(c->fd, SHUT_RDWR);
	c->closing = true;
	g->live--;
	metrics_count(why);
}

/* The connection to shed first: the oldest incomplete head, else the
   longest idle keep-alive connection. Never one in a handler or body. */
static struct guarded_conn *slowest(const struct http_guard *g, const struct guarded_conn *spare)
{
	struct guarded_conn *best = NULL;

	for (struct guarded_conn *c = g->first; c != NULL; c = c->next) {
		if (c == spare || c->closing || (c->phase != PHASE_HEAD && c->phase != PHASE_IDLE))
			continue;
		if (best == NULL || (c->phase == PHASE_HEAD && best->phase == PHASE_IDLE) ||
		    (c->phase == best->phase && c->since < best->since))
			best = c;
	}
	return best;
}

static void track(struct http_guard *g, struct MHD_Connection *conn, void **socket_context)
{
	const union MHD_ConnectionInfo *info =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	struct guarded_conn *c = jmb_xcalloc(1, sizeof(*c));

	c->guard = g;
	c->fd = info != NULL ? info->connect_fd : -1;
	enter_phase(c, PHASE_HEAD, g->limits.head_timeout);
	*socket_context = c;
	pthread_mutex_lock(&g->lock);
	c->prev = g->last;
	if (g->last != NULL)
		g->last->next = c;
	else
		g->first = c;
	g->last = c;
	g->live++;
	while (g->live > g->shed_above) {
		struct guarded_conn *victim = slowest(g, c);
		if (victim == NULL)
			break;
		close_conn(g, victim, METRICS_CONN_SHED);
	}
	pthread_mutex_unlock(&g->lock);
}

static void untrack(struct http_guard *g, void **socket_context)
{
	struct guarded_conn *c = *socket_context;

	if (c == NULL)
		return;
	pthread_mutex_lock(&g->lock);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		g->first = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else
		g->last = c->prev;
	if (!c->closing)
		g->live--;
	pthread_mutex_unlock(&g->lock);
	free(c);
	*socket_context = NULL;
}

void http_guard_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                       enum MHD_ConnectionNotificationCode code)
{
	if (code == MHD_CONNECTION_NOTIFY_STARTED)
		track(cls, conn, socket_context);
	else
		untrack(cls, socket_context);
}

/* Moves the connection's request to a phase; from_phase: only when it is
   in that phase (-1: any), so a keep-alive head starts its own clock. */
static void advance(struct MHD_Connection *conn, int from_phase, enum phase phase)
{
	const union MHD_ConnectionInfo *info =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct guarded_conn *c = info != NULL ? info->socket_context : NULL;
	const struct http_guard_limits *limits;
	unsigned timeout = 0;

	if (c == NULL)
		return;
	limits = &c->guard->limits;
	if (phase == PHASE_HEAD)
		timeout = limits->head_timeout;
	else if (phase == PHASE_BODY)
		timeout = limits->body_timeout;
	else if (phase == PHASE_IDLE)
		/* MHD closes a silent connection after idle_timeout; this bounds
		   one that trickles its next request line instead. */
		timeout = limits->idle_timeout + limits->head_timeout;
	pthread_mutex_lock(&c->guard->lock);
	if (from_phase < 0 || c->phase == (enum phase)from_phase)
		enter_phase(c, phase, timeout);
	pthread_mutex_unlock(&c->guard->lock);
}

void http_guard_request_line(struct MHD_Connection *conn)
{
	/* The first request's head counts from the accept. */
	advance(conn, PHASE_IDLE, PHASE_HEAD);
}

void http_guard_head_complete(struct MHD_Connection *conn)
{
	advance(conn, -1, PHASE_BODY);
}

void http_guard_body_complete(struct MHD_Connection *conn)
{
	advance(conn, -1, PHASE_HANDLING);
}

void http_guard_request_done(struct MHD_Connection *conn)
{
	advance(conn, -1, PHASE_IDLE);
}

static void reap(struct http_guard *g, uint64_t now)
{
	for (struct guarded_conn *c = g->first; c != NULL; c = c->next) {
		if (c->closing || c->deadline == 0 || now < c->deadline)
			continue;
		close_conn(g, c,
		           c->phase == PHASE_BODY ? METRICS_CONN_BODY_DEADLINE
		                                  : METRICS_CONN_HEAD_DEADLINE);
	}
}

static void *reaper_main(void *arg)
{
	struct http_guard *g = arg;

	pthread_mutex_lock(&g->lock);
	while (!g->stopping) {
		struct timespec until;

		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += REAPER_PERIOD_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&g->wake, &g->lock, &until);
		reap(g, now_ms());
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

struct http_guard *http_guard_new(const struct http_guard_limits *limits)
{
	struct http_guard *g = jmb_xcalloc(1, sizeof(*g));
	pthread_condattr_t attr;
	/* Room kept free for new clients: an eighth of the cap. */
	unsigned headroom = limits->max_connections / 8;

	g->limits = *limits;
	g->shed_above = limits->max_connections - (headroom > 0 ? headroom : 1);
	pthread_mutex_init(&g->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&g->wake, &attr);
	pthread_condattr_destroy(&attr);
	if (pthread_create(&g->reaper, NULL, reaper_main, g) != 0) {
		pthread_cond_destroy(&g->wake);
		pthread_mutex_destroy(&g->lock);
		free(g);
		return NULL;
	}
	return g;
}

void http_guard_free(struct http_guard **gp)
{
	struct http_guard *g = *gp;

	if (g == NULL)
		return;
	pthread_mutex_lock(&g->lock);
	g->stopping = true;
	pthread_cond_signal(&g->wake);
	pthread_mutex_unlock(&g->lock);
	pthread_join(g->reaper, NULL);
	pthread_cond_destroy(&g->wake);
	pthread_mutex_destroy(&g->lock);
	free(g);
	*gp = NULL;
}
