/* The router: a linear table (a few dozen routes) matched segment by segment. */
#include "config.h"

#include <string.h>

#include "util/memory.h"
#include "router.h"

bool router_pattern_match(const char *pattern, const char *path, struct jmb_pool *pool,
                          const char **params)
{
	size_t n = 0;

	while (*pattern != '\0' && *path != '\0') {
		if (pattern[0] == '{' && pattern[1] == '}') {
			size_t len = strcspn(path, "/");
			if (len == 0 || n == JMB_MAX_PATH_PARAMS)
				return false;
			params[n++] = jmb_pool_strndup(pool, path, len);
			pattern += 2;
			path += len;
		} else if (*pattern == *path) {
			pattern++;
			path++;
		} else {
			return false;
		}
	}
	return *pattern == '\0' && *path == '\0';
}

enum route_match router_find(const struct route *routes, struct jmb_request *req,
                             const struct route **route_r)
{
	const char *method = strcmp(req->method, "HEAD") == 0 ? "GET" : req->method;
	enum route_match result = ROUTE_NOT_FOUND;

	for (const struct route *r = routes; r->pattern != NULL; r++) {
		const char *params[JMB_MAX_PATH_PARAMS] = {0};

		if (!router_pattern_match(r->pattern, req->path, req->pool, params))
			continue;
		if (strcmp(r->method, method) != 0) {
			result = ROUTE_WRONG_METHOD;
			continue;
		}
		memcpy(req->params, params, sizeof(params));
		*route_r = r;
		return ROUTE_FOUND;
	}
	return result;
}
