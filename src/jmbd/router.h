/* The router: method + path pattern → handler. Patterns are literal segments
 * and "{}" placeholders, whose values land in req->params in order. */
#ifndef JMBD_ROUTER_H
#define JMBD_ROUTER_H

#include <stdbool.h>

#include "web/http.h"

struct jmbd;

enum route_flags {
	ROUTE_PUBLIC = 0,
	ROUTE_LOGIN = 1 << 0,  /* needs an identity */
	ROUTE_API = 1 << 1,    /* JSON errors, bearer tokens accepted, CSRF by content type */
	ROUTE_FORM = 1 << 2,   /* a state-changing form POST: CSRF token checked */
	ROUTE_BARE = 1 << 3,   /* no identity, no cookies: static files, health, feeds, links */
	ROUTE_EDITOR = 1 << 4, /* creates a meeting: [booking] editor_filter/editor_groups */
};

typedef void route_handler(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp);

struct route {
	const char *method;
	const char *pattern;
	unsigned flags;
	route_handler *handler;
};

enum route_match { ROUTE_FOUND, ROUTE_NOT_FOUND, ROUTE_WRONG_METHOD };

/* Finds the route for req's method and path; fills req->params. "HEAD" matches GET routes. */
enum route_match router_find(const struct route *routes, struct jmb_request *req,
                             const struct route **route_r);
/* Matches one pattern against a path; exposed for tests. */
bool router_pattern_match(const char *pattern, const char *path, struct jmb_pool *pool,
                          const char **params);

#endif
