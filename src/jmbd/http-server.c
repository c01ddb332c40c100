/* The libmicrohttpd glue. MHD hands us the raw request line through the URI
 * log callback; path and query are parsed by our own (fuzzed) code. */
#include "config.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "daemon.h"
#include "dispatch.h"
#include "fd-budget.h"
#include "http-guard.h"
#include "http-server.h"
#include "jmb/log.h"
#include "util/memory.h"
#include "render.h"
#include "util/listen.h"
#include "util/strbuf.h"
#include "web/form.h"
#include "web/framing.h"

struct http_server {
	struct jmbd *d;
	struct MHD_Daemon *mhd;
	struct http_guard *guard;
	size_t max_body;
	atomic_int active; /* requests in progress; idle keep-alive connections do not count */
	unsigned port;
};

/* One request in flight, from the URI callback to the completion callback. */
struct http_exchange {
	struct jmb_pool *pool;
	const char *raw_uri;
	struct jmb_strbuf body;
	bool started;
	bool too_large;
	enum jmb_framing framing; /* judged when the head is complete */
};

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct http_server *s = cls;
	struct http_exchange *x = jmb_xcalloc(1, sizeof(*x));

	atomic_fetch_add(&s->active, 1);
	http_guard_request_line(conn);
	x->pool = jmb_pool_new();
	x->raw_uri = jmb_pool_strdup(x->pool, uri != NULL ? uri : "/");
	return x;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct http_server *s = cls;
	struct http_exchange *x = *con_cls;

	if (x == NULL)
		return;
	http_guard_request_done(conn);
	jmb_strbuf_free(&x->body);
	jmb_pool_free(&x->pool);
	free(x);
	*con_cls = NULL;
	atomic_fetch_sub(&s->active, 1);
}

/* More header fields than this and a request is refused with 431, never
 * processed with some of them missing. */
#define MAX_HEADERS 100

struct header_collector {
	struct jmb_request *req;
	size_t cap;
	bool overflow;
};

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
	struct header_collector *c = cls;
	struct jmb_pairs *h = &c->req->headers;

	if (h->count == c->cap) {
		c->overflow = true;
		return MHD_NO;
	}
	h->items[h->count].name = jmb_pool_strdup(c->req->pool, key);
	h->items[h->count].value = jmb_pool_strdup(c->req->pool, value != NULL ? value : "");
	h->count++;
	return MHD_YES;
}

/* All the header fields, or false (none kept) when there are too many. */
static bool collect_headers(struct jmb_request *req, struct MHD_Connection *conn)
{
	int count = MHD_get_connection_values(conn, MHD_HEADER_KIND, NULL, NULL);
	struct header_collector c = {.req = req, .cap = MAX_HEADERS};

	if (count < 0 || count > MAX_HEADERS)
		return false;
	c.cap = (size_t)count;
	req->headers.items = jmb_pool_calloc(req->pool, c.cap + 1, sizeof(*req->headers.items));
	req->headers.count = 0;
	MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_header, &c);
	if (c.overflow) {
		req->headers.count = 0;
		return false;
	}
	return true;
}

/* True when every '%' starts a two-hex-digit escape (RFC 3986 §2.1). The
 * form parser keeps a stray '%' as it is; we refuse it instead, as no
 * browser sends one. */
static bool percent_escapes_are_valid(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '%' &&
		    (i + 2 >= len || jmb_hex_value(s[i + 1]) < 0 || jmb_hex_value(s[i + 2]) < 0))
			return false;
	}
	return true;
}

/* Splits the raw URI into a percent-decoded path and parsed query. The path
 * must decode to UTF-8 without control characters or dot-dot segments. */
static int parse_uri(struct jmb_request *req, const char *uri)
{
	const char *q = strchr(uri, '?');
	size_t path_len = q != NULL ? (size_t)(q - uri) : strlen(uri);
	char *path = jmb_pool_alloc(req->pool, path_len + 1);
	size_t o = 0;

	if (!percent_escapes_are_valid(uri, strlen(uri)))
		return -1;
	for (size_t i = 0; i < path_len; i++) {
		unsigned char c = (unsigned char)uri[i];
		if (c == '%') {
			c = (unsigned char)(jmb_hex_value(uri[i + 1]) << 4 |
			                    jmb_hex_value(uri[i + 2]));
			i += 2;
		}
		if (c < 0x20 || c == 0x7f)
			return -1;
		path[o++] = (char)c;
	}
	path[o] = '\0';
	if (path[0] != '/' || !jmb_utf8_is_valid(path, o) || strstr(path, "/..") != NULL)
		return -1;
	req->path = path;
	if (q != NULL && jmb_form_parse(req->pool, q + 1, strlen(q + 1), &req->query) < 0)
		return -1;
	return 0;
}

static void fill_peer(struct jmb_request *req, struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *info =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = info != NULL ? info->client_addr : NULL;

	strcpy(req->peer, "-");
	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET) {
		memcpy(&req->peer_addr, sa, sizeof(struct sockaddr_in));
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, req->peer,
		          sizeof(req->peer));
	} else if (sa->sa_family == AF_INET6) {
		memcpy(&req->peer_addr, sa, sizeof(struct sockaddr_in6));
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, req->peer,
		          sizeof(req->peer));
	}
}

static enum MHD_Result send_response(struct MHD_Connection *conn, const struct jmb_request *req,
                                     const struct jmb_response *resp)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	bool head = strcmp(req->method, "HEAD") == 0;

	r = MHD_create_response_from_buffer(head ? 0 : resp->body_len, (void *)resp->body,
	                                    MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	for (size_t i = 0; i < resp->n_headers; i++)
		MHD_add_response_header(r, resp->headers[i].name, resp->headers[i].value);
	if (resp->content_type != NULL)
		MHD_add_response_header(r, "Content-Type", resp->content_type);
	ret = MHD_queue_response(conn, resp->status, r);
	MHD_destroy_response(r);
	return ret;
}

static bool is_form(const struct jmb_request *req)
{
	const char *type = jmb_request_header(req, "Content-Type");

	return type != NULL && strncasecmp(type, "application/x-www-form-urlencoded", 33) == 0;
}

/* Why a request is refused before it is routed: 0 when it is not. */
static unsigned refusal_status(const struct http_exchange *x, bool too_many_headers)
{
	if (x->framing == JMB_FRAMING_BAD)
		return 400;
	if (x->framing == JMB_FRAMING_UNSUPPORTED)
		return 501;
	if (x->too_large)
		return 413;
	if (too_many_headers)
		return 431;
	return 0;
}

static void render_refusal(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp,
                           unsigned status)
{
	const char *message = N_("The request could not be read.");

	if (status == 501)
		message = N_("The request uses a transfer coding that is not supported.");
	else if (status == 413)
		message = N_("The request is too large.");
	else if (status == 431)
		message = N_("The request has too many header fields.");
	render_error(d, req, resp, status, message);
	render_finish(d, req, resp);
	/* The rest of the connection may hold a body we did not read (or read
	   otherwise than the client meant): never parse it as a next request. */
	jmb_response_add_header(resp, "Connection", "close");
}

static enum MHD_Result handle(struct http_server *s, struct http_exchange *x,
                              struct MHD_Connection *conn, const char *method)
{
	struct jmbd *d = s->d;
	uint64_t started = metrics_clock();
	struct jmb_request req;
	struct jmb_response resp;
	enum MHD_Result ret;

	jmb_request_init(&req, x->pool);
	jmb_response_init(&resp, x->pool);
	req.method = jmb_pool_strdup(x->pool, method);
	fill_peer(&req, conn);
	bool too_many_headers = !collect_headers(&req, conn);
	const char *cookie = jmb_request_header(&req, "Cookie");
	if (cookie != NULL)
		jmb_cookie_parse(req.pool, cookie, &req.cookies);
	req.body = x->body.data != NULL ? x->body.data : "";
	req.body_len = x->body.len;
	if (req.body_len > 0 && is_form(&req) &&
	    (!percent_escapes_are_valid(req.body, req.body_len) ||
	     jmb_form_parse(req.pool, req.body, req.body_len, &req.form) < 0))
		req.form_invalid = true;

	pthread_rwlock_rdlock(&d->lock);
	req.daemon = d;
	unsigned status = refusal_status(x, too_many_headers);
	if (status == 0 && parse_uri(&req, x->raw_uri) == 0) {
		dispatch(d, &req, &resp);
	} else {
		/* Refused before routing: API clients still get their errors as JSON. */
		req.path = strncmp(x->raw_uri, "/api/", 5) == 0 ? "/api/" : "/";
		render_refusal(d, &req, &resp, status != 0 ? status : 400);
	}
	ret = send_response(conn, &req, &resp);
	pthread_rwlock_unlock(&d->lock);
	metrics_http_request(req.path, resp.status, started);
	return ret;
}

static enum MHD_Result add_framing_field(void *cls, enum MHD_ValueKind kind, const char *key,
                                         const char *value)
{
	jmb_framing_add(cls, key, value);
	return MHD_YES;
}

/* Before any of the body is read: MHD takes the first Content-Length and
   waits for the end of a body in a coding it does not know. */
static enum jmb_framing judge_framing(struct MHD_Connection *conn, const char *version)
{
	struct jmb_framing_fields fields = {0};

	MHD_get_connection_values(conn, MHD_HEADER_KIND, add_framing_field, &fields);
	return jmb_framing_verdict(&fields, strcmp(version, MHD_HTTP_VERSION_1_0) == 0);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
	struct http_server *s = cls;
	struct http_exchange *x = *con_cls;

	if (x == NULL)
		return MHD_NO;
	if (*upload_data_size > 0) {
		if (x->body.len + *upload_data_size > s->max_body)
			x->too_large = true; /* keep reading, answer 413 at the end */
		else
			jmb_strbuf_append(&x->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (!x->started) {
		const char *length = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		                                                 MHD_HTTP_HEADER_CONTENT_LENGTH);

		x->started = true;
		http_guard_head_complete(conn);
		x->framing = judge_framing(conn, version);
		if (length != NULL && strtoull(length, NULL, 10) > s->max_body)
			x->too_large = true;
		/* A refused request is answered at once, its body never read;
		   otherwise answer when the request is complete (even without a
		   body). Queued early, MHD closes the connection after the response. */
		if (x->framing == JMB_FRAMING_OK && !x->too_large)
			return MHD_YES;
	}
	http_guard_body_complete(conn);
	return handle(s, x, conn, method);
}

/* Descriptors kept for everything but client connections: the store and
   LDAP pools, SMTP, logs, templates, plugins, and MHD's own per thread. */
static long fd_reserve(const struct jmb_server_settings *cfg)
{
	return 64 + 4 * cfg->threads;
}

/* The connection cap: [server] max_connections, lowered to what RLIMIT_NOFILE
   allows (said in the log, as the operator asked for more). */
static long connection_cap(const struct jmb_server_settings *cfg, struct jmb_error *error)
{
	long cap = fd_budget_connections(cfg->max_connections, fd_reserve(cfg), error);
	char wanted[24], got[24];

	if (cap >= 0 && cap < cfg->max_connections) {
		snprintf(wanted, sizeof(wanted), "%ld", cfg->max_connections);
		snprintf(got, sizeof(got), "%ld", cap);
		jmb_log(JMB_LOG_WARNING, "max_connections_lowered", "max_connections", wanted,
		        "cap", got, "reason", "RLIMIT_NOFILE", NULL);
	}
	return cap;
}

static struct MHD_Daemon *start_mhd(struct http_server *s, const struct jmb_server_settings *cfg,
                                    const struct sockaddr_storage *ss, long cap)
{
	/* MHD_USE_ITC: without it MHD_quiesce_daemon fails and a draining
	   daemon keeps accepting connections. */
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
	                 MHD_USE_TURBO | MHD_USE_ITC;

	if (ss->ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/* STRICT_FOR_CLIENT 1: HTTP/1.1 without Host and spaces in the
	   request target are refused with 400 (RFC 9112 §3.2). */
	return MHD_start_daemon(
	    flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)ss,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned)cfg->connection_timeout, MHD_OPTION_CONNECTION_LIMIT, (unsigned)cap,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->max_connections_per_address,
	    MHD_OPTION_NOTIFY_CONNECTION, http_guard_notify, s->guard, MHD_OPTION_URI_LOG_CALLBACK,
	    on_uri, s, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024, MHD_OPTION_LISTEN_BACKLOG_SIZE,
	    511u, MHD_OPTION_STRICT_FOR_CLIENT, 1, MHD_OPTION_END);
}

struct http_server *http_server_start(struct jmbd *d, struct jmb_error *error)
{
	const struct jmb_server_settings *cfg = &d->rt->settings.server;
	struct http_server *s = jmb_xcalloc(1, sizeof(*s));
	struct sockaddr_storage ss;
	long cap;

	if (jmb_listen_parse(cfg->listen, &ss, error) < 0 || (cap = connection_cap(cfg, error)) < 0)
		goto fail;
	s->d = d;
	s->max_body = (size_t)cfg->max_body_size;
	s->guard = http_guard_new(&(struct http_guard_limits){
	    .max_connections = (unsigned)cap,
	    .head_timeout = (unsigned)cfg->request_head_timeout,
	    .body_timeout = (unsigned)cfg->request_body_timeout,
	    .idle_timeout = (unsigned)cfg->connection_timeout,
	});
	if (s->guard == NULL) {
		jmb_error_set(error, "cannot start the connection reaper thread");
		goto fail;
	}
	s->mhd = start_mhd(s, cfg, &ss, cap);
	if (s->mhd == NULL) {
		jmb_error_set(error, "cannot listen on %s (address in use or not permitted?)",
		              cfg->listen);
		goto fail;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info != NULL ? info->port : 0;
	return s;
fail:
	http_guard_free(&s->guard);
	free(s);
	return NULL;
}

unsigned http_server_port(const struct http_server *s)
{
	return s->port;
}

void http_server_stop(struct http_server **sp, int grace_seconds)
{
	struct http_server *s = *sp;

	if (s == NULL)
		return;
	/* Stop accepting, then give requests in progress (not idle keep-alive
	   connections, which MHD_stop_daemon closes) time to finish. */
	MHD_socket listen_fd = MHD_quiesce_daemon(s->mhd);
	/* MHD hands the listening socket back; closed, new clients are refused
	   at once instead of waiting in the backlog until we exit. */
	if (listen_fd != MHD_INVALID_SOCKET)
		close(listen_fd);
	for (int i = 0; i < grace_seconds * 10 && atomic_load(&s->active) > 0; i++)
		usleep(100 * 1000);
	MHD_stop_daemon(s->mhd);
	http_guard_free(&s->guard);
	free(s);
	*sp = NULL;
}
