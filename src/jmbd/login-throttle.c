/* The password-guessing throttle around the plugins' login forms (see
 * login-throttle.h; the rules are src/lib/auth/login-throttle.c, the counts
 * src/lib/store/store-logins.c). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "auth/login-throttle.h"
#include "daemon.h"
#include "login-throttle.h"
#include "render.h"
#include "util/memory.h"
#include "web/client-address.h"

/* The plugin of a password login, "/auth/<plugin>/login" posted, or NULL. */
static const char *password_login_plugin(const struct jmb_request *req)
{
	const char *name = req->path + strlen("/auth/");
	size_t len = strcspn(name, "/");

	if (strcmp(req->method, "POST") != 0 || strncmp(req->path, "/auth/", 6) != 0 || len == 0 ||
	    strcmp(name + len, "/login") != 0)
		return NULL;
	return jmb_pool_printf(req->pool, "%.*s", (int)len, name);
}

static void answer_wait(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp,
                        const struct login_attempt *attempt)
{
	long wait = (long)(attempt->counts.blocked_until - jmbd_now());
	const char *message;

	if (wait < 1)
		wait = 1;
	/* Seconds while the wait is short, minutes for a lock; the units are
	   abbreviations, so no plural forms are needed. */
	if (wait < 120)
		message = jmb_pool_printf(
		    req->pool,
		    tr(d, req,
		       N_("Too many failed logins. Please wait %ld s before trying again.")),
		    wait);
	else
		message = jmb_pool_printf(
		    req->pool,
		    tr(d, req,
		       N_("Too many failed logins. Please wait %ld min before trying again.")),
		    (wait + 59) / 60);
	auth_render_login_form(req, resp, 429, attempt->plugin, message, attempt->login);
	jmb_response_add_header(resp, "Retry-After", jmb_pool_printf(req->pool, "%ld", wait));
	metrics_count(METRICS_LOGIN_THROTTLED);
}

bool login_throttle_begin(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp,
                          struct login_attempt *attempt)
{
	const struct jmb_auth_settings *auth = &d->rt->settings.auth;
	char *account = jmb_pool_alloc(req->pool, JMB_SHA256_HEX_LEN + 1);
	struct jmb_error error;

	*attempt = (struct login_attempt){.plugin = password_login_plugin(req)};
	if (attempt->plugin == NULL)
		return true;
	attempt->login = jmb_request_form(req, "login");
	if (attempt->login == NULL)
		attempt->login = "";
	jmb_login_account_key(attempt->login, account);
	attempt->account = account;
	attempt->address =
	    jmb_client_address(req, auth->login_proxy_blocks, auth->n_login_proxy_blocks);
	if (jmb_store_login_attempt(d->store, attempt->account, attempt->address, jmbd_now(),
	                            &auth->login, &attempt->counts, &error) != JMB_STORE_OK) {
		jmb_log(JMB_LOG_ERROR, "login_throttle", "error", error.text, NULL);
		metrics_count(METRICS_STORE_ERROR);
		auth_render_login_form(req, resp, 503, attempt->plugin,
		                       tr(d, req, N_("Login is temporarily unavailable.")),
		                       attempt->login);
		return false;
	}
	if (!attempt->counts.allowed) {
		answer_wait(d, req, resp, attempt);
		return false;
	}
	attempt->counted = true;
	return true;
}

/* One alert per lock, from the failure that starts it: a locked client's
   later tries are refused before they count. */
static void report_failure(struct jmbd *d, const struct login_attempt *attempt)
{
	const struct jmb_login_policy *policy = &d->rt->settings.auth.login;
	char failures[24], seconds[24];

	if (jmb_login_locks(policy, attempt->counts.pair_failures)) {
		snprintf(failures, sizeof(failures), "%ld", attempt->counts.pair_failures);
		snprintf(seconds, sizeof(seconds), "%ld", policy->lock_time);
		jmb_log(JMB_LOG_WARNING, "login_locked", "plugin", attempt->plugin, "login",
		        attempt->login, "client", attempt->address, "failures", failures, "seconds",
		        seconds, NULL);
		metrics_count(METRICS_LOGIN_LOCK);
	}
	if (jmb_login_crosses_ceiling(policy, attempt->counts.account_failures)) {
		snprintf(failures, sizeof(failures), "%ld", attempt->counts.account_failures);
		jmb_log(JMB_LOG_WARNING, "login_account_slowed", "plugin", attempt->plugin, "login",
		        attempt->login, "failures", failures, NULL);
	}
}

void login_throttle_end(struct jmbd *d, struct jmb_request *req, const struct jmb_response *resp,
                        const struct login_attempt *attempt)
{
	struct jmb_error error;
	enum jmb_store_result r = JMB_STORE_OK;

	if (!attempt->counted)
		return;
	if (req->session_started)
		r = jmb_store_login_clear(d->store, attempt->account, attempt->address, &error);
	else if (resp->status == 401)
		report_failure(d, attempt);
	else
		r = jmb_store_login_uncount(d->store, attempt->account, attempt->address,
		                            &attempt->counts, &error);
	if (r != JMB_STORE_OK) {
		jmb_log(JMB_LOG_ERROR, "login_throttle", "error", error.text, NULL);
		metrics_count(METRICS_STORE_ERROR);
	}
}
