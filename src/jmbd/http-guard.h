/* Deadlines and shedding for client connections, which libmicrohttpd lacks:
 * its timeout counts idle time only, so a client sending a header line every
 * few seconds would hold a connection for ever. */
#ifndef JMBD_HTTP_GUARD_H
#define JMBD_HTTP_GUARD_H

#include <microhttpd.h>

struct http_guard;

struct http_guard_limits {
	unsigned max_connections; /* the cap libmicrohttpd is given */
	unsigned head_timeout;    /* seconds for request line and headers */
	unsigned body_timeout;    /* seconds for the whole body */
	unsigned idle_timeout;    /* seconds between requests ([server] connection_timeout) */
};

/* Starts the reaper thread that enforces the deadlines (NULL if it cannot). */
struct http_guard *http_guard_new(const struct http_guard_limits *limits);
/* Stops the reaper; call after MHD_stop_daemon (every connection closed). */
void http_guard_free(struct http_guard **guard);

/* MHD_OPTION_NOTIFY_CONNECTION callback, with the guard as cls: tracks each
 * connection from accept to close, and sheds slow ones near the cap. */
void http_guard_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                       enum MHD_ConnectionNotificationCode code);

/* Where a connection's request stands, told from the connection's own thread. */
void http_guard_request_line(struct MHD_Connection *conn);  /* URI log callback */
void http_guard_head_complete(struct MHD_Connection *conn); /* first access call */
void http_guard_body_complete(struct MHD_Connection *conn); /* the handler runs */
void http_guard_request_done(struct MHD_Connection *conn);  /* completion callback */

#endif
