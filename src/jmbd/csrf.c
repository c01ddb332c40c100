/* Cross-site request forgery defences: form tokens bound to the session (or,
 * before a login, to the browser's own cookie), and the browser's word on
 * where a state-changing request comes from (Origin, Sec-Fetch-Site). */
#include "config.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "daemon.h"
#include "util/memory.h"
#include "util/secret.h"

/* Gives req a fresh pre-login cookie, seen first by later lookups in this
   request, ahead of a malformed one; the other cookies (the session!) stay. */
static const char *new_browser_cookie(struct jmbd *d, struct jmb_request *req,
                                      struct jmb_response *resp)
{
	char fresh[JMB_TOKEN_LEN + 1];
	const char *cookie;
	struct jmb_pair *items;

	jmb_random_token(fresh);
	cookie = jmb_pool_strdup(req->pool, fresh);
	jmb_response_set_cookie(resp, csrf_cookie_name(d), cookie, -1,
	                        d->rt->settings.server.secure_cookies);
	items = jmb_pool_calloc(req->pool, req->cookies.count + 1, sizeof(*items));
	items[0].name = csrf_cookie_name(d);
	items[0].value = cookie;
	if (req->cookies.count > 0)
		memcpy(items + 1, req->cookies.items, req->cookies.count * sizeof(*items));
	req->cookies.items = items;
	req->cookies.count++;
	return cookie;
}

void csrf_prepare(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	const char *cookie = jmb_request_cookie(req, csrf_cookie_name(d));
	const char *bound;
	char *token = jmb_pool_alloc(req->pool, 64);

	if (cookie == NULL || !jmb_token_is_wellformed(cookie))
		cookie = new_browser_cookie(d, req, resp);
	/* The token is an HMAC over what the attacker cannot choose: the
	   session's id once logged in (whoever plants a cookie of their own
	   cannot pair it with the victim's session), else the browser's cookie
	   and the identity a proxy vouches for. */
	if (req->session_hash != NULL)
		bound = jmb_pool_printf(req->pool, "session:%s", req->session_hash);
	else
		bound = jmb_pool_printf(req->pool, "browser:%s:%s", cookie,
		                        req->identity != NULL ? req->identity->login : "");
	jmb_hmac_sha256_b64(d->csrf_key, bound, token);
	req->csrf_token = token;
}

bool csrf_check(const struct jmb_request *req)
{
	const char *sent = jmb_request_form(req, "csrf");

	return sent != NULL && req->csrf_token != NULL && jmb_secure_streq(sent, req->csrf_token);
}

/* The origin of public_url ("https://host[:port]", lower-case, without a
   default port), as browsers write it in Origin. */
static char *public_origin(const struct jmbd *d, struct jmb_pool *pool)
{
	const char *url = d->rt->settings.server.public_url;
	const char *host = strstr(url, "://");
	size_t len = host != NULL ? (size_t)(host + 3 - url) + strcspn(host + 3, "/?#") : 0;
	char *origin = jmb_pool_printf(pool, "%.*s", (int)len, url);
	size_t n = strlen(origin);

	for (char *p = origin; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	if (strncmp(origin, "https://", 8) == 0 && n > 4 && strcmp(origin + n - 4, ":443") == 0)
		origin[n - 4] = '\0';
	else if (strncmp(origin, "http://", 7) == 0 && n > 3 && strcmp(origin + n - 3, ":80") == 0)
		origin[n - 3] = '\0';
	return origin;
}

bool csrf_origin_ok(const struct jmb_request *req)
{
	const struct jmbd *d = req->daemon;
	const char *origin = jmb_request_header(req, "Origin");
	const char *site = jmb_request_header(req, "Sec-Fetch-Site");

	/* A sibling subdomain is "same-site" for browsers, and is just who can
	   plant cookies: only our own origin may change state. */
	if (site != NULL &&
	    (strcasecmp(site, "cross-site") == 0 || strcasecmp(site, "same-site") == 0))
		return false;
	/* Our own forms are posted with "Origin: null": browsers hide the origin
	   under Referrer-Policy: no-referrer, which keeps personal links out of
	   Referer. Such a request, and one from a browser that sends neither
	   header, is judged by Sec-Fetch-Site above and by the token. */
	return origin == NULL || strcmp(origin, "null") == 0 ||
	       strcasecmp(origin, public_origin(d, req->pool)) == 0;
}

bool csrf_state_changing(const struct jmb_request *req)
{
	return strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0 &&
	       strcmp(req->method, "OPTIONS") != 0;
}
