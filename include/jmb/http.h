/* The request and response seen by handlers and plugins. Handlers never touch
 * libmicrohttpd: the daemon's glue fills a request and sends the response. */
#ifndef JMB_PUBLIC_HTTP_H
#define JMB_PUBLIC_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "jmb/pool.h"

struct jmb_request;
struct jmb_response;

JMB_EXPORT const char *jmb_request_method(const struct jmb_request *req);
/* The decoded path, without the query string. */
JMB_EXPORT const char *jmb_request_path(const struct jmb_request *req);
/* Header by case-insensitive name, or NULL. */
JMB_EXPORT const char *jmb_request_header(const struct jmb_request *req, const char *name);
JMB_EXPORT const char *jmb_request_query(const struct jmb_request *req, const char *name);
/* Field of an application/x-www-form-urlencoded body, or NULL. */
JMB_EXPORT const char *jmb_request_form(const struct jmb_request *req, const char *name);
JMB_EXPORT const char *jmb_request_cookie(const struct jmb_request *req, const char *name);
/* The TCP peer's address as text ("127.0.0.1", "::1"). */
JMB_EXPORT const char *jmb_request_peer(const struct jmb_request *req);
/* Binary peer address: family AF_INET or AF_INET6, addr 4 or 16 bytes. */
JMB_EXPORT int jmb_request_peer_addr(const struct jmb_request *req, int *family_r,
                                     const unsigned char **addr_r);
JMB_EXPORT struct jmb_pool *jmb_request_pool(const struct jmb_request *req);
/* The language chosen for this request ("fr", "en"). */
JMB_EXPORT const char *jmb_request_language(const struct jmb_request *req);

JMB_EXPORT void jmb_response_set_status(struct jmb_response *resp, unsigned status);
/* Adds a header; a name or value holding CR or LF is refused (returns -1). */
JMB_EXPORT int jmb_response_add_header(struct jmb_response *resp, const char *name,
                                       const char *value);
/* Sets the body (copied into the request pool). */
JMB_EXPORT void jmb_response_set_body(struct jmb_response *resp, const char *content_type,
                                      const char *body, size_t len);
/* A redirect (303 after a POST, 302 otherwise) to a local path or an absolute URL. */
JMB_EXPORT int jmb_response_redirect(struct jmb_response *resp, unsigned status,
                                     const char *location);

/* True for a local path safe to redirect to ("/x", not "//host" or "/\host"),
 * e.g. a "next" field a login form carries. */
JMB_EXPORT bool jmb_is_local_path(const char *path);

#endif
