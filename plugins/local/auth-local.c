/* The `local` auth plugin: a login form checked against a users file of
 * crypt(3) hashes (managed with `jmbctl user add`). */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "jmb/form.h"
#include "jmb/i18n.h"
#include "jmb/auth-plugin.h"
#include "jmb/password.h"
#include "jmb/users-file.h"

struct local_config {
	char *users_file;
};

struct local_state {
	const struct jmb_auth_host *host;
	char *users_file;
	char *dummy_hash; /* checked for unknown users, so both cases take as long */
};

static const struct jmb_config_key local_keys[] = {
    {"users_file", JMB_CONF_STRING, offsetof(struct local_config, users_file), "/etc/jmb/users",
     JMB_CONF_PATH, 0, 0, NULL},
    JMB_CONF_END,
};

static int local_init(const struct jmb_auth_host *host, const void *config, void **state_r,
                      struct jmb_error *error)
{
	const struct local_config *cfg = config;
	struct jmb_users_file users;
	struct local_state *st;

	/* Fail at start-up on a malformed file rather than at the first login. */
	if (jmb_users_file_read(cfg->users_file, true, &users, error) < 0)
		return -1;
	if (users.count == 0)
		jmb_log(JMB_LOG_WARNING, "auth_local", "users_file", cfg->users_file, "note",
		        "no users yet: add one with 'jmbctl user add'", NULL);
	jmb_users_file_free(&users);
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return -1;
	st->host = host;
	st->users_file = strdup(cfg->users_file);
	st->dummy_hash = jmb_password_hash("jmb-timing-equaliser");
	if (st->users_file == NULL || st->dummy_hash == NULL) {
		jmb_error_set(error, "cannot initialise (out of memory or crypt failure)");
		free(st->users_file);
		free(st->dummy_hash);
		free(st);
		return -1;
	}
	*state_r = st;
	return 0;
}

static void local_fini(void *state)
{
	struct local_state *st = state;

	free(st->users_file);
	free(st->dummy_hash);
	free(st);
}

static enum jmb_auth_result local_challenge(void *state, struct jmb_request *req,
                                            struct jmb_response *resp)
{
	struct jmb_pool *pool = jmb_request_pool(req);
	const char *path = jmb_request_path(req);

	if (strcmp(jmb_request_method(req), "GET") != 0)
		path = "/meetings";
	jmb_response_redirect(
	    resp, 302,
	    jmb_pool_printf(pool, "/auth/local/login?next=%s", jmb_url_encode(pool, path)));
	return JMB_AUTH_RESPOND;
}

static enum jmb_auth_result local_form(void *state, struct jmb_request *req,
                                       struct jmb_response *resp)
{
	struct local_state *st = state;

	st->host->render_login_form(req, resp, 200, "local", NULL, NULL);
	return JMB_AUTH_RESPOND;
}

static enum jmb_auth_result local_login(void *state, struct jmb_request *req,
                                        struct jmb_response *resp)
{
	static const char wrong[] = N_("Wrong user name or password.");
	struct local_state *st = state;
	const char *login = jmb_request_form(req, "login");
	const char *password = jmb_request_form(req, "password");
	const struct jmb_local_user *user = NULL;
	struct jmb_users_file users = {0};
	struct jmb_error error;
	bool ok;

	if (!st->host->csrf_ok(req)) {
		st->host->render_login_form(req, resp, 403, "local",
		                            N_("This form has expired. Please try again."), login);
		return JMB_AUTH_RESPOND;
	}
	if (login == NULL || password == NULL || *login == '\0' || *password == '\0') {
		st->host->render_login_form(req, resp, 401, "local", wrong, login);
		return JMB_AUTH_RESPOND;
	}
	/* Re-read each time: users added by jmbctl count at once. */
	if (jmb_users_file_read(st->users_file, true, &users, &error) < 0) {
		jmb_log(JMB_LOG_ERROR, "auth_local", "error", error.text, NULL);
		st->host->render_login_form(req, resp, 503, "local",
		                            N_("Login is temporarily unavailable."), login);
		return JMB_AUTH_RESPOND;
	}
	user = jmb_users_file_find(&users, login);
	ok = jmb_password_verify(password, user != NULL ? user->hash : st->dummy_hash) &&
	     user != NULL;
	if (!ok) {
		jmb_log(JMB_LOG_WARNING, "login_failed", "plugin", "local", "peer",
		        jmb_request_peer(req), NULL);
		jmb_users_file_free(&users);
		st->host->render_login_form(req, resp, 401, "local", wrong, login);
		return JMB_AUTH_RESPOND;
	}
	struct jmb_identity *id = st->host->new_identity(req, user->login, user->name, user->mail);
	id->source = "local";
	jmb_users_file_free(&users);
	st->host->start_session(req, resp, id, jmb_request_form(req, "next"));
	return JMB_AUTH_RESPOND;
}

static const struct jmb_auth_route local_routes[] = {
    {"GET", "/login", local_form},
    {"POST", "/login", local_login},
    {NULL, NULL, NULL},
};

JMB_EXPORT const struct jmb_auth_plugin jmb_auth_plugin = {
    .abi_version = JMB_AUTH_ABI_VERSION,
    .name = "local",
    .description = "login form against a users file of crypt(3) hashes",
    .config_keys = local_keys,
    .config_size = sizeof(struct local_config),
    .init = local_init,
    .authenticate = NULL,
    .challenge = local_challenge,
    .routes = local_routes,
    .fini = local_fini,
};
