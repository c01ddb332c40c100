/* The auth plugin ABI. A plugin is a shared object in [auth] plugin_dir that
 * exports one `const struct jmb_auth_plugin jmb_auth_plugin`. jmbd checks
 * abi_version right after dlsym and refuses to start on a mismatch. */
#ifndef JMB_PUBLIC_AUTH_PLUGIN_H
#define JMB_PUBLIC_AUTH_PLUGIN_H

#include "jmb/config.h"
#include "jmb/directory.h"
#include "jmb/error.h"
#include "jmb/http.h"
#include "jmb/identity.h"
#include "jmb/log.h"
#include "jmb/pool.h"

#define JMB_AUTH_ABI_VERSION 3
#define JMB_AUTH_PLUGIN_SYMBOL "jmb_auth_plugin"

enum jmb_auth_result {
	JMB_AUTH_OK,          /* identity filled */
	JMB_AUTH_NOT_MINE,    /* no credentials for this plugin: ask the next one */
	JMB_AUTH_RESPOND,     /* the plugin filled the response (form, redirect): send it */
	JMB_AUTH_REJECT,      /* credentials given and wrong */
	JMB_AUTH_UNAVAILABLE, /* a back end (directory, IdP) cannot be reached */
};

/* What jmbd offers plugins. Every function is safe to call from any request thread.
 * A host that serves no requests (jmbctl check-config) leaves the request-time
 * functions NULL: plugins keep the host at init and call them only for requests. */
struct jmb_auth_host {
	unsigned abi_version;
	/* The configured [server] public_url, without a trailing slash. */
	const char *(*public_url)(const struct jmb_request *req);
	/* Renders the login form of plugin `plugin` (posting to /auth/<plugin>/login)
	 * with an optional error message id and the login typed so far. jmbd throttles
	 * password guessing on that POST before the plugin's route runs: the route
	 * answers 401 exactly when it refuses the credentials (counted as a failure),
	 * calls start_session on success (which clears the count), and anything
	 * else (403, 503) when it checked no password. */
	void (*render_login_form)(struct jmb_request *req, struct jmb_response *resp,
	                          unsigned status, const char *plugin, const char *error_msgid,
	                          const char *login);
	/* True when the request carries a valid CSRF token (form field "csrf"). */
	bool (*csrf_ok)(const struct jmb_request *req);
	/* Opens a jmbd session for identity and redirects to next (a local path, else "/"). */
	int (*start_session)(struct jmb_request *req, struct jmb_response *resp,
	                     const struct jmb_identity *identity, const char *next);
	/* Builds an identity in the request's pool; mail may be NULL. */
	struct jmb_identity *(*new_identity)(struct jmb_request *req, const char *login,
	                                     const char *name, const char *mail);
	const char *(*translate)(const struct jmb_request *req, const char *msgid);
	/* Since ABI 2: an HTML error page with status and a message id (translated). */
	void (*render_error)(struct jmb_request *req, struct jmb_response *resp, unsigned status,
	                     const char *msgid);
	/* Since ABI 2: the [ldap] directory of the running config, or NULL when none is set.
	 * This member itself is NULL in hosts that lend no directory (jmbctl). */
	struct jmb_directory *(*directory)(const struct jmb_request *req);
};

struct jmb_auth_route {
	const char *method; /* "GET", "POST" */
	const char *path;   /* below /auth/<name>, e.g. "/login" */
	enum jmb_auth_result (*handle)(void *state, struct jmb_request *req,
	                               struct jmb_response *resp);
};

struct jmb_auth_plugin {
	unsigned abi_version; /* JMB_AUTH_ABI_VERSION */
	const char *name;     /* as in [auth] plugins and [auth.<name>] */
	const char *description;

	/* The plugin's [auth.<name>] keys; jmbd fills a zeroed block of config_size
	 * bytes with them and hands it to init. */
	const struct jmb_config_key *config_keys;
	size_t config_size;

	/* Called once at start-up (and on reload); state is read-only afterwards.
	 * On failure returns -1 and sets the message in error (never NULL here; the
	 * host owns it, jmb/error.h); a message about one key starts with its name
	 * and a colon ("trusted_proxies: ..."), so jmbd can name the file and line
	 * that set it. Since ABI 3 (before: a malloc'd char **). */
	int (*init)(const struct jmb_auth_host *host, const void *config, void **state_r,
	            struct jmb_error *error);
	/* Looks at one request that has no jmbd session. May be NULL. */
	enum jmb_auth_result (*authenticate)(void *state, struct jmb_request *req,
	                                     struct jmb_identity **identity_r);
	/* Answers an anonymous request for a page that needs a login (a redirect to a
	 * form or an IdP). May be NULL: the next plugin is asked. */
	enum jmb_auth_result (*challenge)(void *state, struct jmb_request *req,
	                                  struct jmb_response *resp);
	/* Routes under /auth/<name>, ending with a {NULL} entry. May be NULL. */
	const struct jmb_auth_route *routes;
	void (*fini)(void *state);
};

#endif
