/* The libmicrohttpd glue: listens, reads requests into struct jmb_request
 * (with body size limits) and sends struct jmb_response back. */
#ifndef JMBD_HTTP_SERVER_H
#define JMBD_HTTP_SERVER_H

#include "jmb/error.h"

struct jmbd;
struct http_server;

struct http_server *http_server_start(struct jmbd *d, struct jmb_error *error);
/* Stops accepting, lets requests in progress finish (up to grace_seconds), stops. */
void http_server_stop(struct http_server **server, int grace_seconds);
/* The port actually bound (useful with listen = 127.0.0.1:0). */
unsigned http_server_port(const struct http_server *server);

#endif
