/* The `ldap-bind` auth plugin: a login form; the entry is found with the
 * service account and [ldap] user_filter, then the password is checked by a
 * simple bind as that entry. The directory work is in src/lib/directory/directory.c. */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jmb/directory.h"
#include "jmb/form.h"
#include "jmb/i18n.h"
#include "jmb/auth-plugin.h"

struct bind_config {
	long failure_time;
};

struct bind_state {
	const struct jmb_auth_host *host;
	long failure_time; /* ms */
};

static const struct jmb_config_key bind_keys[] = {
    {"failure_time", JMB_CONF_INT, offsetof(struct bind_config, failure_time), "400", 0, 0, 10000,
     NULL},
    JMB_CONF_END,
};

static int bind_init(const struct jmb_auth_host *host, const void *config, void **state_r,
                     struct jmb_error *error)
{
	const struct bind_config *cfg = config;
	struct bind_state *st = calloc(1, sizeof(*st));

	if (st == NULL)
		return -1;
	st->host = host;
	st->failure_time = cfg->failure_time;
	*state_r = st;
	return 0;
}

static void bind_fini(void *state)
{
	free(state);
}

static enum jmb_auth_result bind_challenge(void *state, struct jmb_request *req,
                                           struct jmb_response *resp)
{
	struct jmb_pool *pool = jmb_request_pool(req);
	const char *path = jmb_request_path(req);

	if (strcmp(jmb_request_method(req), "GET") != 0)
		path = "/meetings";
	jmb_response_redirect(
	    resp, 302,
	    jmb_pool_printf(pool, "/auth/ldap-bind/login?next=%s", jmb_url_encode(pool, path)));
	return JMB_AUTH_RESPOND;
}

static enum jmb_auth_result bind_form(void *state, struct jmb_request *req,
                                      struct jmb_response *resp)
{
	struct bind_state *st = state;

	st->host->render_login_form(req, resp, 200, "ldap-bind", NULL, NULL);
	return JMB_AUTH_RESPOND;
}

static long elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - since->tv_sec) * 1000 + (now.tv_nsec - since->tv_nsec) / 1000000;
}

/* Every refused login answers after the same time, whatever made it fail. */
static void pad_failure(const struct bind_state *st, const struct timespec *started)
{
	long left = st->failure_time - elapsed_ms(started);

	if (left > 0) {
		struct timespec wait = {.tv_sec = left / 1000, .tv_nsec = (left % 1000) * 1000000};
		while (nanosleep(&wait, &wait) != 0)
			;
	}
}

static struct jmb_identity *identity_of(struct bind_state *st, struct jmb_request *req,
                                        struct jmb_directory *dir,
                                        const struct jmb_directory_person *person,
                                        const char *login)
{
	struct jmb_pool *pool = jmb_request_pool(req);
	struct jmb_identity *id = st->host->new_identity(
	    req, *person->login != '\0' ? person->login : login, person->name, person->mail);
	const char *const *groups = NULL;
	struct jmb_error error = {.text = ""};

	if (person->mails[0] != NULL)
		id->mails = person->mails;
	if (jmb_directory_user_groups(dir, pool, person, &groups, &error) == JMB_DIRECTORY_OK)
		id->groups = groups;
	else
		jmb_log(JMB_LOG_WARNING, "ldap_groups", "user", id->login, "error", error.text,
		        NULL);
	id->source = "ldap-bind";
	return id;
}

static enum jmb_auth_result bind_login(void *state, struct jmb_request *req,
                                       struct jmb_response *resp)
{
	static const char wrong[] = N_("Wrong user name or password.");
	static const char down[] = N_("The directory is unavailable, so you cannot log in right "
	                              "now. Please try again in a few minutes.");
	struct bind_state *st = state;
	const char *login = jmb_request_form(req, "login");
	const char *password = jmb_request_form(req, "password");
	struct jmb_directory *dir = st->host->directory != NULL ? st->host->directory(req) : NULL;
	struct jmb_directory_person *person = NULL;
	enum jmb_directory_result r;
	struct timespec started;
	struct jmb_error error = {.text = ""};

	clock_gettime(CLOCK_MONOTONIC, &started);
	if (!st->host->csrf_ok(req)) {
		st->host->render_login_form(req, resp, 403, "ldap-bind",
		                            N_("This form has expired. Please try again."), login);
		return JMB_AUTH_RESPOND;
	}
	/* No bind at all with an empty password: it would be an anonymous bind. */
	if (login == NULL || password == NULL || *login == '\0' || *password == '\0') {
		pad_failure(st, &started);
		st->host->render_login_form(req, resp, 401, "ldap-bind", wrong, login);
		return JMB_AUTH_RESPOND;
	}
	if (dir == NULL) {
		jmb_log(JMB_LOG_ERROR, "auth_ldap_bind", "error", "no [ldap] directory configured",
		        NULL);
		st->host->render_login_form(req, resp, 503, "ldap-bind", down, login);
		return JMB_AUTH_RESPOND;
	}
	r = jmb_directory_check_password(dir, jmb_request_pool(req), login, password, &person,
	                                 &error);
	if (r == JMB_DIRECTORY_UNAVAILABLE) {
		jmb_log(jmb_directory_held_down(dir) ? JMB_LOG_DEBUG : JMB_LOG_ERROR,
		        "directory_unavailable", "plugin", "ldap-bind", "error", error.text, NULL);
		st->host->render_login_form(req, resp, 503, "ldap-bind", down, login);
		return JMB_AUTH_RESPOND;
	}
	if (r != JMB_DIRECTORY_OK) {
		jmb_log(JMB_LOG_WARNING, "login_failed", "plugin", "ldap-bind", "peer",
		        jmb_request_peer(req), "note", error.text, NULL);
		pad_failure(st, &started);
		st->host->render_login_form(req, resp, 401, "ldap-bind", wrong, login);
		return JMB_AUTH_RESPOND;
	}
	st->host->start_session(req, resp, identity_of(st, req, dir, person, login),
	                        jmb_request_form(req, "next"));
	return JMB_AUTH_RESPOND;
}

static const struct jmb_auth_route bind_routes[] = {
    {"GET", "/login", bind_form},
    {"POST", "/login", bind_login},
    {NULL, NULL, NULL},
};

JMB_EXPORT const struct jmb_auth_plugin jmb_auth_plugin = {
    .abi_version = JMB_AUTH_ABI_VERSION,
    .name = "ldap-bind",
    .description = "login form checked by a simple bind as the user's directory entry",
    .config_keys = bind_keys,
    .config_size = sizeof(struct bind_config),
    .init = bind_init,
    .authenticate = NULL,
    .challenge = bind_challenge,
    .routes = bind_routes,
    .fini = bind_fini,
};
