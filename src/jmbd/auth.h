/* Authentication in jmbd: auth plugins (loaded with dlopen), jmbd's own
 * sessions, API bearer tokens, and CSRF tokens. */
#ifndef JMBD_AUTH_H
#define JMBD_AUTH_H

#include "config/config-file.h"
#include "web/http.h"
#include "auth/auth-plugins.h"
#include "config/settings.h"

struct jmbd;

/* The cookie names: __Host-jmb_session and __Host-jmb_csrf when public_url
 * is https, jmb_session and jmb_csrf otherwise. */
const char *session_cookie_name(const struct jmbd *d);
const char *csrf_cookie_name(const struct jmbd *d);

/* The host interface handed to plugins (auth-host.c). */
extern const struct jmb_auth_host jmbd_auth_host;

/* Sets req->identity from the session cookie, a bearer token (API routes) or
 * the plugins. Returns JMB_AUTH_OK (identity or anonymous), JMB_AUTH_RESPOND
 * (a plugin answered), JMB_AUTH_REJECT or JMB_AUTH_UNAVAILABLE. */
enum jmb_auth_result auth_identify(struct jmbd *d, struct jmb_request *req,
                                   struct jmb_response *resp, bool api);
/* For an anonymous request to a page that needs a login: lets a plugin answer
 * (login form, IdP redirect). Returns false when none did. */
bool auth_challenge(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp);
/* Runs a plugin route under /auth/<name>/...; false when there is none. A
 * password login goes through the login throttle (login-throttle.h) first. */
bool auth_plugin_route(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp);

/* csrf.c. After identification: ensures the browser's CSRF cookie and sets
 * req->csrf_token, bound to the session (or, without one, to that cookie and
 * the identity). */
void csrf_prepare(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp);
/* True when the form field "csrf" is req->csrf_token. */
bool csrf_check(const struct jmb_request *req);
/* False when the browser says the request comes from another origin: an
 * Origin other than public_url's, or Sec-Fetch-Site cross-site or same-site. */
bool csrf_origin_ok(const struct jmb_request *req);
/* POST, PUT, PATCH, DELETE...: anything but GET, HEAD and OPTIONS. */
bool csrf_state_changing(const struct jmb_request *req);

/* The login form of plugin (posting to /auth/<plugin>/login) with an error
 * text already translated (may be NULL) and the login typed so far. */
void auth_render_login_form(struct jmb_request *req, struct jmb_response *resp, unsigned status,
                            const char *plugin, const char *error_text, const char *login);

/* Ends the session of req (if any) and clears its cookie. */
void auth_logout(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp);
/* Host function for plugins and for tests: opens a session and redirects to next. */
int auth_start_session(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp,
                       const struct jmb_identity *identity, const char *next);

#endif
