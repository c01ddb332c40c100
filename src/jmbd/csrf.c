/* Cross-site request forgery defences: form tokens bound to the session (or,
 * before a login, to the browser's own cookie). */
#include "config.h"

#include <string.h>

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
