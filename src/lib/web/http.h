/* The inside of requests and responses, for the daemon and the tests.
 * Plugins see only the accessors of jmb/http.h. */
#ifndef JMB_HTTP_H
#define JMB_HTTP_H

#include <netinet/in.h>
#include <sys/socket.h>

#include "web/form.h"
#include "jmb/http.h"
#include "jmb/identity.h"

#define JMB_MAX_PATH_PARAMS 4

struct jmb_request {
	struct jmb_pool *pool;
	const char *method;
	const char *path;
	struct jmb_pairs headers;
	struct jmb_pairs query;
	struct jmb_pairs form;
	struct jmb_pairs cookies;
	const char *body;
	size_t body_len;
	bool form_invalid; /* the body was not valid urlencoded UTF-8 */
	char peer[64];
	struct sockaddr_storage peer_addr;
	const char *language;
	/* Filled by the daemon as the request goes through. */
	const struct jmb_identity *identity;
	const char *session_hash; /* SHA-256 of the session cookie, when a session is in use */
	bool via_bearer;          /* authenticated by an API token */
	bool session_started;     /* a login opened a session in this request */
	const char *csrf_token;   /* what forms must send back */
	int may_book;             /* jmbd's answer to "may this user book?", 0 until asked */
	const char *viewer_zone;  /* the zone times are shown in, looked up once (NULL: not yet) */
	const char *params[JMB_MAX_PATH_PARAMS];
	void *daemon; /* the daemon's context */
};

#define JMB_LOG_FIELDS 2

struct jmb_response {
	struct jmb_pool *pool;
	unsigned status;
	struct jmb_pair *headers;
	size_t n_headers;
	size_t cap_headers;
	const char *content_type;
	const char *body;
	size_t body_len;
	/* Key, value pairs the handler adds to the request's log line (NULL-ended). */
	const char *log_fields[JMB_LOG_FIELDS * 2 + 1];
};

void jmb_request_init(struct jmb_request *req, struct jmb_pool *pool);
/* Adds key=value to the request's log line (values must outlive the response);
 * beyond JMB_LOG_FIELDS pairs, the rest is dropped. */
void jmb_response_log(struct jmb_response *resp, const char *key, const char *value);
void jmb_response_init(struct jmb_response *resp, struct jmb_pool *pool);
const char *jmb_response_header(const struct jmb_response *resp, const char *name);
/* Sets a cookie with our fixed attributes (Path=/; HttpOnly; SameSite=Lax; Secure if asked).
 * max_age < 0: session cookie; 0: delete. */
void jmb_response_set_cookie(struct jmb_response *resp, const char *name, const char *value,
                             long max_age, bool secure);
/* Entity tags of an If-None-Match header (RFC 9110 §8.8.3), one per call:
 * returns the next opaque tag without its quotes or W/ prefix (its length in
 * *len_r) and advances *cursor, or NULL at the end or on anything else than a
 * well-formed list ("*" included: callers test for it first). */
const char *jmb_etag_next(const char **cursor, size_t *len_r);
/* The fields of a feed's entity tag "<changes>-<expiry>-<context>" (tag of
 * len bytes, not NUL-terminated): two decimal numbers from 0 to INT64_MAX in
 * their shortest form (digits only: no sign, space or leading zero) and a
 * context of 1 to 16 lowercase hexadecimal digits, copied NUL-terminated.
 * Returns 0, or -1 (nothing set) on anything else. */
int jmb_feed_etag_parse(const char *tag, size_t len, long long *changes_r, long long *expiry_r,
                        char context[17]);

#endif
