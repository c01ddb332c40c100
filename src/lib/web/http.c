/* Request accessors and response builders shared by the daemon and the plugins.
 * Header values are checked for CR/LF here, once, for every caller. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "web/http.h"
#include "util/memory.h"

void jmb_request_init(struct jmb_request *req, struct jmb_pool *pool)
{
	memset(req, 0, sizeof(*req));
	req->pool = pool;
	req->method = "GET";
	req->path = "/";
	req->language = "en";
}

void jmb_response_init(struct jmb_response *resp, struct jmb_pool *pool)
{
	memset(resp, 0, sizeof(*resp));
	resp->pool = pool;
	resp->status = 200;
}

void jmb_response_log(struct jmb_response *resp, const char *key, const char *value)
{
	for (size_t i = 0; i < JMB_LOG_FIELDS * 2; i += 2) {
		if (resp->log_fields[i] == NULL) {
			resp->log_fields[i] = key;
			resp->log_fields[i + 1] = value;
			return;
		}
	}
}

JMB_EXPORT const char *jmb_request_method(const struct jmb_request *req)
{
	return req->method;
}

JMB_EXPORT const char *jmb_request_path(const struct jmb_request *req)
{
	return req->path;
}

JMB_EXPORT const char *jmb_request_header(const struct jmb_request *req, const char *name)
{
	for (size_t i = 0; i < req->headers.count; i++) {
		if (strcasecmp(req->headers.items[i].name, name) == 0)
			return req->headers.items[i].value;
	}
	return NULL;
}

JMB_EXPORT const char *jmb_request_query(const struct jmb_request *req, const char *name)
{
	return jmb_pairs_get(&req->query, name);
}

JMB_EXPORT const char *jmb_request_form(const struct jmb_request *req, const char *name)
{
	return jmb_pairs_get(&req->form, name);
}

JMB_EXPORT const char *jmb_request_cookie(const struct jmb_request *req, const char *name)
{
	return jmb_pairs_get(&req->cookies, name);
}

JMB_EXPORT const char *jmb_request_peer(const struct jmb_request *req)
{
	return req->peer;
}

JMB_EXPORT int jmb_request_peer_addr(const struct jmb_request *req, int *family_r,
                                     const unsigned char **addr_r)
{
	const struct sockaddr_storage *ss = &req->peer_addr;

	*family_r = ss->ss_family;
	if (ss->ss_family == AF_INET)
		*addr_r = (const unsigned char *)&((const struct sockaddr_in *)ss)->sin_addr;
	else if (ss->ss_family == AF_INET6)
		*addr_r = (const unsigned char *)&((const struct sockaddr_in6 *)ss)->sin6_addr;
	else
		return -1;
	return 0;
}

JMB_EXPORT struct jmb_pool *jmb_request_pool(const struct jmb_request *req)
{
	return req->pool;
}

JMB_EXPORT const char *jmb_request_language(const struct jmb_request *req)
{
	return req->language;
}

JMB_EXPORT void jmb_response_set_status(struct jmb_response *resp, unsigned status)
{
	resp->status = status;
}

static bool has_crlf(const char *s)
{
	return strpbrk(s, "\r\n") != NULL;
}

JMB_EXPORT int jmb_response_add_header(struct jmb_response *resp, const char *name,
                                       const char *value)
{
	if (has_crlf(name) || has_crlf(value) || *name == '\0')
		return -1;
	if (resp->n_headers == resp->cap_headers) {
		size_t ncap = resp->cap_headers ? resp->cap_headers * 2 : 16;
		struct jmb_pair *h = jmb_pool_calloc(resp->pool, ncap, sizeof(*h));
		if (resp->n_headers > 0)
			memcpy(h, resp->headers, resp->n_headers * sizeof(*h));
		resp->headers = h;
		resp->cap_headers = ncap;
	}
	resp->headers[resp->n_headers].name = jmb_pool_strdup(resp->pool, name);
	resp->headers[resp->n_headers].value = jmb_pool_strdup(resp->pool, value);
	resp->n_headers++;
	return 0;
}

const char *jmb_response_header(const struct jmb_response *resp, const char *name)
{
	for (size_t i = 0; i < resp->n_headers; i++) {
		if (strcasecmp(resp->headers[i].name, name) == 0)
			return resp->headers[i].value;
	}
	return NULL;
}

JMB_EXPORT void jmb_response_set_body(struct jmb_response *resp, const char *content_type,
                                      const char *body, size_t len)
{
	resp->content_type = jmb_pool_strdup(resp->pool, content_type);
	resp->body = jmb_pool_strndup(resp->pool, body, len);
	resp->body_len = len;
}

bool jmb_is_local_path(const char *path)
{
	return path != NULL && path[0] == '/' && path[1] != '/' && path[1] != '\\' &&
	       !has_crlf(path) && strchr(path, '\t') == NULL;
}

JMB_EXPORT int jmb_response_redirect(struct jmb_response *resp, unsigned status,
                                     const char *location)
{
	if (has_crlf(location))
		return -1;
	resp->status = status;
	resp->body = NULL;
	resp->body_len = 0;
	resp->content_type = NULL;
	return jmb_response_add_header(resp, "Location", location);
}

void jmb_response_set_cookie(struct jmb_response *resp, const char *name, const char *value,
                             long max_age, bool secure)
{
	char *cookie;

	if (max_age < 0)
		cookie = jmb_pool_printf(resp->pool, "%s=%s; Path=/; HttpOnly; SameSite=Lax%s",
		                         name, value, secure ? "; Secure" : "");
	else
		cookie = jmb_pool_printf(resp->pool,
		                         "%s=%s; Path=/; Max-Age=%ld; HttpOnly; SameSite=Lax%s",
		                         name, value, max_age, secure ? "; Secure" : "");
	jmb_response_add_header(resp, "Set-Cookie", cookie);
}

const char *jmb_etag_next(const char **cursor, size_t *len_r)
{
	const char *p = *cursor, *tag, *end;

	while (*p == ' ' || *p == '\t' || *p == ',')
		p++;
	if (strncmp(p, "W/", 2) == 0)
		p += 2;
	if (*p != '"')
		return NULL;
	tag = ++p;
	/* etagc: "!" and "#" to "~" but '"', and obs-text */
	while (*p != '"' && (*p == 0x21 || (unsigned char)*p >= 0x23) && *p != 0x7f)
		p++;
	if (*p != '"')
		return NULL;
	end = p++;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != ',' && *p != '\0')
		return NULL;
	*cursor = p;
	*len_r = (size_t)(end - tag);
	return tag;
}

/* A count of a feed tag at *p: strtoll, refusing what it would take besides
 * digits (leading space, a sign), leading zeros and overflow (ERANGE). */
static int feed_tag_number(const char **p, long long *r)
{
	const char *s = *p;
	char *end;
	long long v;

	if (*s < '0' || *s > '9' || (s[0] == '0' && s[1] >= '0' && s[1] <= '9'))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || v < 0 || end == s)
		return -1;
	*p = end;
	*r = v;
	return 0;
}

int jmb_feed_etag_parse(const char *tag, size_t len, long long *changes_r, long long *expiry_r,
                        char context[17])
{
	char copy[64]; /* 19 + 1 + 19 + 1 + 16 fit */
	const char *p = copy;
	long long changes, expiry;
	size_t ctx_len;

	if (len >= sizeof(copy) || memchr(tag, '\0', len) != NULL)
		return -1;
	memcpy(copy, tag, len);
	copy[len] = '\0';
	if (feed_tag_number(&p, &changes) < 0 || *p++ != '-' || feed_tag_number(&p, &expiry) < 0 ||
	    *p++ != '-')
		return -1;
	ctx_len = strspn(p, "0123456789abcdef");
	if (ctx_len == 0 || ctx_len > 16 || p[ctx_len] != '\0')
		return -1;
	memcpy(context, p, ctx_len + 1);
	*changes_r = changes;
	*expiry_r = expiry;
	return 0;
}
