/* Authentication in jmbd: sessions and bearer tokens. The host side of the
 * auth plugin ABI is auth-host.c, CSRF defences csrf.c, plugin loading
 * src/lib/auth/auth-plugins.c. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "daemon.h"
#include "domain/identity.h"
#include "login-throttle.h"
#include "util/memory.h"
#include "people.h"
#include "render.h"
#include "util/secret.h"

/* Cookies named __Host- can only be set by this host over https, for the
   whole site and without a Domain: a sibling subdomain or a plain-http page
   cannot plant them. Browsers refuse the prefix without Secure, so plain
   http keeps the bare names. */
const char *session_cookie_name(const struct jmbd *d)
{
	return d->rt->settings.server.secure_cookies ? "__Host-jmb_session" : "jmb_session";
}

const char *csrf_cookie_name(const struct jmbd *d)
{
	return d->rt->settings.server.secure_cookies ? "__Host-jmb_csrf" : "jmb_csrf";
}

static const char *cookie_hash(struct jmb_pool *pool, const char *value)
{
	char *hash = jmb_pool_alloc(pool, JMB_SHA256_HEX_LEN + 1);

	jmb_sha256_hex(value, hash);
	return hash;
}

static enum jmb_auth_result identify_by_session(struct jmbd *d, struct jmb_request *req)
{
	const char *cookie = jmb_request_cookie(req, session_cookie_name(d));
	struct jmb_session_record session;
	struct jmb_error error;
	enum jmb_store_result r;

	if (cookie == NULL || !jmb_token_is_wellformed(cookie))
		return JMB_AUTH_NOT_MINE;
	req->session_hash = cookie_hash(req->pool, cookie);
	r = jmb_store_session_get(d->store, req->pool, req->session_hash, jmbd_now(), &session,
	                          &error);
	if (r == JMB_STORE_NOT_FOUND) {
		req->session_hash = NULL;
		return JMB_AUTH_NOT_MINE;
	}
	if (r != JMB_STORE_OK) {
		jmb_log(JMB_LOG_ERROR, "session_lookup", "error", error.text, NULL);
		metrics_count(METRICS_STORE_ERROR);
		return JMB_AUTH_UNAVAILABLE;
	}
	req->identity = jmb_identity_from_json(req->pool, session.identity_json);
	return req->identity != NULL ? JMB_AUTH_OK : JMB_AUTH_NOT_MINE;
}

static enum jmb_auth_result identify_by_bearer(struct jmbd *d, struct jmb_request *req)
{
	const char *header = jmb_request_header(req, "Authorization");
	char *json = NULL;
	struct jmb_error error;
	enum jmb_store_result r;

	if (header == NULL || strncasecmp(header, "Bearer ", 7) != 0)
		return JMB_AUTH_NOT_MINE;
	header += 7;
	while (*header == ' ')
		header++;
	if (!jmb_token_is_wellformed(header))
		return JMB_AUTH_REJECT;
	r = jmb_store_api_token_lookup(d->store, req->pool, cookie_hash(req->pool, header),
	                               jmbd_now(), &json, &error);
	if (r == JMB_STORE_NOT_FOUND) {
		return JMB_AUTH_REJECT;
	}
	if (r != JMB_STORE_OK) {
		jmb_log(JMB_LOG_ERROR, "api_token_lookup", "error", error.text, NULL);
		metrics_count(METRICS_STORE_ERROR);
		return JMB_AUTH_UNAVAILABLE;
	}
	req->identity = jmb_identity_from_json(req->pool, json);
	req->via_bearer = req->identity != NULL;
	return req->identity != NULL ? JMB_AUTH_OK : JMB_AUTH_REJECT;
}

enum jmb_auth_result auth_identify(struct jmbd *d, struct jmb_request *req,
                                   struct jmb_response *resp, bool api)
{
	enum jmb_auth_result r;

	if (api && jmb_request_header(req, "Authorization") != NULL)
		return identify_by_bearer(d, req);
	r = identify_by_session(d, req);
	if (r != JMB_AUTH_NOT_MINE)
		return r;
	r = jmb_auth_plugins_authenticate(d->rt->plugins, req);
	/* Per-request identities (header-trust) are completed from the directory
	   each time (kept for [ldap] cache_ttl); session identities were completed
	   when the session began. */
	if (r == JMB_AUTH_OK && req->identity != NULL)
		people_enrich(d, req, (struct jmb_identity *)req->identity);
	return r == JMB_AUTH_NOT_MINE ? JMB_AUTH_OK : r;
}

bool auth_challenge(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	return jmb_auth_plugins_challenge(d->rt->plugins, req, resp);
}

bool auth_plugin_route(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	struct login_attempt attempt;
	bool found;

	/* The throttle answers before the plugin sees a password: no hash is
	   computed and no directory asked for a client that must wait. */
	if (!login_throttle_begin(d, req, resp, &attempt))
		return true;
	found = jmb_auth_plugins_route(d->rt->plugins, req, resp);
	login_throttle_end(d, req, resp, &attempt);
	return found;
}

/* Host function for plugins: opens a session and redirects. */
int auth_start_session(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp,
                       const struct jmb_identity *identity, const char *next)
{
	char token[JMB_TOKEN_LEN + 1], *json;
	struct jmb_error error;
	const struct jmb_server_settings *server = &d->rt->settings.server;
	time_t now = jmbd_now();
	struct jmb_person person = {.login = (char *)identity->login,
	                            .mail = (char *)identity->mail,
	                            .name = (char *)identity->name};
	enum jmb_store_result r;

	if (identity->source == NULL || strcmp(identity->source, "ldap-bind") != 0) {
		/* Completed from the directory once, for the whole session. */
		struct jmb_identity *full = jmb_pool_alloc(req->pool, sizeof(*full));
		*full = *identity;
		people_enrich(d, req, full);
		identity = full;
	}
	jmb_random_token(token);
	json = jmb_identity_to_json(identity);
	r = jmb_store_session_create(d->store, cookie_hash(req->pool, token), json, now,
	                             now + server->session_lifetime, &error);
	free(json);
	if (r == JMB_STORE_OK)
		r = jmb_store_user_touch(d->store, &person, req->language, now, &error);
	if (r != JMB_STORE_OK) {
		jmb_log(JMB_LOG_ERROR, "session_create", "error", error.text, NULL);
		metrics_count(METRICS_STORE_ERROR);
		render_error(d, req, resp, 503, N_("The service is temporarily unavailable."));
		return -1;
	}
	if (req->session_hash != NULL) {
		/* A new login replaces any older session of this browser. */
		jmb_store_session_delete(d->store, req->session_hash, &error);
	}
	jmb_response_set_cookie(resp, session_cookie_name(d), token, server->session_lifetime,
	                        server->secure_cookies);
	explicit_bzero(token, sizeof(token));
	req->session_started = true;
	jmb_log(JMB_LOG_INFO, "login", "user", identity->login, "via", identity->source, NULL);
	metrics_count(METRICS_LOGIN_SUCCESS);
	jmb_response_redirect(resp, 303, jmb_is_local_path(next) ? next : "/meetings");
	return 0;
}

void auth_logout(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	struct jmb_error error;

	if (req->session_hash != NULL &&
	    jmb_store_session_delete(d->store, req->session_hash, &error) != JMB_STORE_OK) {
		jmb_log(JMB_LOG_ERROR, "logout", "error", error.text, NULL);
		metrics_count(METRICS_STORE_ERROR);
	}
	jmb_response_set_cookie(resp, session_cookie_name(d), "", 0,
	                        d->rt->settings.server.secure_cookies);
	if (req->identity != NULL)
		jmb_log(JMB_LOG_INFO, "logout", "user", req->identity->login, NULL);
}
