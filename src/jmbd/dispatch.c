/* The request pipeline. Every request, whatever its fate, leaves through
 * render_finish and one log line. */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "auth.h"
#include "daemon.h"
#include "util/log.h"
#include "dispatch.h"
#include "web/i18n.h"
#include "util/memory.h"
#include "people.h"
#include "render.h"

/* The language preference of a browser: not a secret, kept a year. */
#define LANGUAGE_COOKIE "jmb_lang"

/* ?lang= (remembered in a cookie), else the cookie, else Accept-Language,
 * else the server's. Bare routes (personal links, feeds) neither read nor
 * set cookies: only ?lang= and Accept-Language count there. */
static void choose_language(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp,
                            bool bare)
{
	const char *chosen = jmb_i18n_known_language(jmb_request_query(req, "lang"));

	if (chosen != NULL) {
		req->language = chosen;
		if (!bare)
			jmb_response_set_cookie(resp, LANGUAGE_COOKIE, chosen, 365L * 86400,
			                        d->rt->settings.server.secure_cookies);
		return;
	}
	if (!bare &&
	    (chosen = jmb_i18n_known_language(jmb_request_cookie(req, LANGUAGE_COOKIE))) != NULL) {
		req->language = chosen;
		return;
	}
	req->language =
	    jmb_accept_language_pick(jmb_request_header(req, "Accept-Language"), jmb_languages,
	                             d->rt->settings.server.default_language);
}

/* API writes with cookie credentials must be JSON: browsers cannot send that
 * cross-site without a CORS preflight, which we never grant. */
static bool api_write_is_safe(const struct jmb_request *req)
{
	const char *type = jmb_request_header(req, "Content-Type");

	if (req->via_bearer || strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0)
		return true;
	if (strcmp(req->method, "DELETE") == 0 && req->body_len == 0)
		return jmb_request_header(req, "Origin") == NULL;
	return type != NULL && strncasecmp(type, "application/json", 16) == 0;
}

static bool identify(struct jmbd *d, const struct route *route, struct jmb_request *req,
                     struct jmb_response *resp)
{
	bool api = route != NULL && (route->flags & ROUTE_API) != 0;

	switch (auth_identify(d, req, resp, api)) {
	case JMB_AUTH_OK:
	case JMB_AUTH_NOT_MINE:
		return true;
	case JMB_AUTH_RESPOND:
		return false;
	case JMB_AUTH_REJECT:
		render_error(d, req, resp, 401, N_("Your credentials were not accepted."));
		return false;
	case JMB_AUTH_UNAVAILABLE:
		render_error(d, req, resp, 503,
		             N_("Authentication is temporarily unavailable. "
		                "Please try again in a few minutes."));
		return false;
	}
	return false;
}

/* Who may book ([booking] editor_filter / editor_groups): 403, or 503 when
 * the directory cannot say. */
static bool may_book(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	switch (people_may_book(d, req)) {
	case PEOPLE_YES:
		return true;
	case PEOPLE_NO:
		render_error(d, req, resp, 403,
		             N_("You may not book meetings. You can still see "
		                "and join the meetings you are invited to."));
		return false;
	case PEOPLE_UNAVAILABLE:
		break;
	}
	render_error(d, req, resp, 503,
	             N_("The directory is unavailable, so booking rights cannot "
	                "be checked. Please try again in a few minutes."));
	return false;
}

static void run_route(struct jmbd *d, const struct route *route, struct jmb_request *req,
                      struct jmb_response *resp)
{
	if (req->form_invalid) {
		render_error(d, req, resp, 400, N_("The request could not be read."));
		return;
	}
	/* A second line behind the tokens, for every cookie-authenticated
	   change; bearer tokens are not sent by browsers on their own. */
	if (csrf_state_changing(req) && !req->via_bearer && !csrf_origin_ok(req)) {
		render_error(d, req, resp, 403,
		             N_("This request came from another site and was refused. "
		                "Please go back to this site, reload the page and try again."));
		return;
	}
	if ((route->flags & ROUTE_LOGIN) != 0 && req->identity == NULL) {
		if ((route->flags & ROUTE_API) != 0)
			render_json_error(resp, 401, tr(d, req, N_("Please log in.")), NULL);
		else if (!auth_challenge(d, req, resp))
			render_error(d, req, resp, 401, N_("Please log in."));
		return;
	}
	if ((route->flags & ROUTE_FORM) != 0 && !csrf_check(req)) {
		render_error(d, req, resp, 403,
		             N_("This form has expired or did not come from this site. "
		                "Please go back, reload the page and try again."));
		return;
	}
	if ((route->flags & ROUTE_EDITOR) != 0 && !may_book(d, req, resp))
		return;
	if ((route->flags & ROUTE_API) != 0 && !api_write_is_safe(req)) {
		render_json_error(
		    resp, 415, tr(d, req, N_("Send JSON (Content-Type: application/json).")), NULL);
		return;
	}
	route->handler(d, req, resp);
}

/* log_request passes the handler's fields as two pairs. */
_Static_assert(JMB_LOG_FIELDS == 2, "log_request passes JMB_LOG_FIELDS pairs");

static void log_request(const struct jmb_request *req, const struct jmb_response *resp)
{
	char status[8];

	snprintf(status, sizeof(status), "%u", resp->status);
	/* Paths hold personal tokens (/j/..., /feed/...): log only their family. */
	const char *path = req->path;
	if (strncmp(path, "/j/", 3) == 0 || strncmp(path, "/r/", 3) == 0 ||
	    strncmp(path, "/feed/", 6) == 0)
		path = jmb_pool_printf(req->pool, "%.*s<token>",
		                       (int)(strchr(path + 1, '/') - path + 1), path);
	jmb_log(resp->status >= 500 ? JMB_LOG_WARNING : JMB_LOG_INFO, "request", "method",
	        req->method, "path", path, "status", status, "peer", req->peer, "user",
	        req->identity != NULL ? req->identity->login : "-", resp->log_fields[0],
	        resp->log_fields[1], resp->log_fields[2], resp->log_fields[3], NULL);
}

/* A logged-in user who picks a language (?lang=) gets their mails in it. */
static void remember_choice(struct jmbd *d, struct jmb_request *req)
{
	struct jmb_error error;

	if (req->identity == NULL ||
	    jmb_i18n_known_language(jmb_request_query(req, "lang")) == NULL)
		return;
	if (jmb_store_user_set_language(d->store, req->identity->login, req->language, &error) !=
	    JMB_STORE_OK)
		jmb_log(JMB_LOG_WARNING, "user_language", "error", error.text, NULL);
}

void dispatch(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	const struct route *route = NULL;
	enum route_match match;

	req->daemon = d;
	match = router_find(jmbd_routes, req, &route);
	choose_language(d, req, resp, match == ROUTE_FOUND && (route->flags & ROUTE_BARE) != 0);
	/* Some routes serve anyone the same way: no session lookup, no cookie. */
	if (match == ROUTE_FOUND && (route->flags & ROUTE_BARE) != 0) {
		route->handler(d, req, resp);
		goto out;
	}
	if (!identify(d, route, req, resp))
		goto out;
	/* After identification: the token is bound to the session. */
	csrf_prepare(d, req, resp);
	remember_choice(d, req);
	if (match == ROUTE_FOUND)
		run_route(d, route, req, resp);
	else if (strncmp(req->path, "/auth/", 6) == 0 && req->form_invalid)
		render_error(d, req, resp, 400, N_("The request could not be read."));
	else if (strncmp(req->path, "/auth/", 6) == 0 && auth_plugin_route(d, req, resp))
		;
	else if (match == ROUTE_WRONG_METHOD)
		render_error(d, req, resp, 405, N_("This address does not accept that method."));
	else
		render_error(d, req, resp, 404, N_("This page does not exist."));
out:
	render_finish(d, req, resp);
	log_request(req, resp);
}
