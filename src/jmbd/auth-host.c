/* The host side of the auth plugin ABI: what jmbd lends plugins (login form
 * rendering, CSRF checks, sessions, identities, translations). */
#include "config.h"

#include "auth.h"
#include "daemon.h"
#include "domain/identity.h"
#include "util/memory.h"
#include "render.h"

void auth_render_login_form(struct jmb_request *req, struct jmb_response *resp, unsigned status,
                            const char *plugin, const char *error_text, const char *login)
{
	struct jmbd *d = req->daemon;
	const char *next = jmb_request_query(req, "next");

	if (next == NULL)
		next = jmb_request_form(req, "next");
	json_t *model = json_pack("{s:s, s:s, s:s}", "action",
	                          jmb_pool_printf(req->pool, "/auth/%s/login", plugin), "login",
	                          login != NULL ? login : "", "next",
	                          jmb_is_local_path(next) ? next : "/meetings");
	if (error_text != NULL)
		json_object_set_new(model, "error", json_string(error_text));
	render_page(d, req, resp, status, "login", model);
}

static void host_render_login_form(struct jmb_request *req, struct jmb_response *resp,
                                   unsigned status, const char *plugin, const char *error_msgid,
                                   const char *login)
{
	/* The form plugins answer 401 exactly when they refuse credentials
	   (403: expired form, 503: directory or users file unavailable). */
	if (status == 401)
		metrics_count(METRICS_LOGIN_FAILURE);
	auth_render_login_form(req, resp, status, plugin,
	                       error_msgid != NULL ? tr(req->daemon, req, error_msgid) : NULL,
	                       login);
}

/* Plugins' forms (the login forms) get both lines of defence. */
static bool host_csrf_ok(const struct jmb_request *req)
{
	return csrf_origin_ok(req) && csrf_check(req);
}

static int host_start_session(struct jmb_request *req, struct jmb_response *resp,
                              const struct jmb_identity *identity, const char *next)
{
	return auth_start_session(req->daemon, req, resp, identity, next);
}

static struct jmb_identity *host_new_identity(struct jmb_request *req, const char *login,
                                              const char *name, const char *mail)
{
	return jmb_identity_new(req->pool, login, name, mail, NULL);
}

static const char *host_translate(const struct jmb_request *req, const char *msgid)
{
	return tr(req->daemon, req, msgid);
}

static void host_render_error(struct jmb_request *req, struct jmb_response *resp, unsigned status,
                              const char *msgid)
{
	render_error(req->daemon, req, resp, status, msgid);
}

static const char *host_public_url(const struct jmb_request *req)
{
	const struct jmbd *d = req->daemon;

	return d->rt->settings.server.public_url;
}

static struct jmb_directory *host_directory(const struct jmb_request *req)
{
	const struct jmbd *d = req->daemon;

	return d->rt->directory;
}

const struct jmb_auth_host jmbd_auth_host = {
    .abi_version = JMB_AUTH_ABI_VERSION,
    .public_url = host_public_url,
    .render_login_form = host_render_login_form,
    .csrf_ok = host_csrf_ok,
    .start_session = host_start_session,
    .new_identity = host_new_identity,
    .translate = host_translate,
    .directory = host_directory,
    .render_error = host_render_error,
};
