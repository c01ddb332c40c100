/* The `header-trust` auth plugin: takes the identity from headers set by a
 * front proxy (Apache mod_auth_cas, Shibboleth, mellon; nginx), but only when
 * the TCP peer is one of the configured proxies. From anyone else the headers
 * are ignored and a warning is logged: they are trivially forged. */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jmb/form.h"
#include "jmb/auth-plugin.h"
#include "jmb/cidr.h"

#define MAX_PROXIES 32
#define MAX_HEADER_VALUE 256

struct trust_config {
	char **trusted_proxies;
	char *user_header;
	char *mail_header;
	char *name_header;
};

struct trust_state {
	const struct jmb_auth_host *host;
	struct jmb_cidr proxies[MAX_PROXIES];
	size_t n_proxies;
	char *user_header, *mail_header, *name_header;
};

static const struct jmb_config_key trust_keys[] = {
    {"trusted_proxies", JMB_CONF_LIST, offsetof(struct trust_config, trusted_proxies),
     "127.0.0.1/32, ::1/128", 0, 0, 0, NULL},
    {"user_header", JMB_CONF_STRING, offsetof(struct trust_config, user_header), "X-Remote-User", 0,
     0, 0, NULL},
    {"mail_header", JMB_CONF_STRING, offsetof(struct trust_config, mail_header), "X-Remote-Mail", 0,
     0, 0, NULL},
    {"name_header", JMB_CONF_STRING, offsetof(struct trust_config, name_header), "X-Remote-Name", 0,
     0, 0, NULL},
    JMB_CONF_END,
};

static int trust_init(const struct jmb_auth_host *host, const void *config, void **state_r,
                      struct jmb_error *error)
{
	const struct trust_config *cfg = config;
	struct trust_state *st = calloc(1, sizeof(*st));

	if (st == NULL)
		return -1;
	st->host = host;
	for (size_t i = 0; cfg->trusted_proxies[i] != NULL; i++) {
		if (st->n_proxies == MAX_PROXIES) {
			jmb_error_set(error, "trusted_proxies: at most %d entries", MAX_PROXIES);
			goto fail;
		}
		if (jmb_cidr_parse(cfg->trusted_proxies[i], &st->proxies[st->n_proxies]) < 0) {
			jmb_error_set(error,
			              "trusted_proxies: '%s' is not an address or CIDR block",
			              cfg->trusted_proxies[i]);
			goto fail;
		}
		st->n_proxies++;
	}
	st->user_header = strdup(cfg->user_header);
	st->mail_header = strdup(cfg->mail_header);
	st->name_header = strdup(cfg->name_header);
	*state_r = st;
	return 0;
fail:
	free(st);
	return -1;
}

static void trust_fini(void *state)
{
	struct trust_state *st = state;

	free(st->user_header);
	free(st->mail_header);
	free(st->name_header);
	free(st);
}

/* Header values become identities: bounded, printable UTF-8 only. */
static bool value_is_acceptable(const char *v)
{
	size_t len = strlen(v);

	if (len == 0 || len > MAX_HEADER_VALUE || !jmb_utf8_is_valid(v, len))
		return false;
	for (const unsigned char *p = (const unsigned char *)v; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return false;
	}
	return true;
}

static enum jmb_auth_result trust_authenticate(void *state, struct jmb_request *req,
                                               struct jmb_identity **identity_r)
{
	struct trust_state *st = state;
	const char *user = jmb_request_header(req, st->user_header);
	const char *mail = jmb_request_header(req, st->mail_header);
	const char *name = jmb_request_header(req, st->name_header);

	if (user == NULL || *user == '\0')
		return JMB_AUTH_NOT_MINE;
	if (!jmb_cidr_list_has_peer(st->proxies, st->n_proxies, req)) {
		jmb_log(JMB_LOG_WARNING, "untrusted_identity_header", "peer", jmb_request_peer(req),
		        "header", st->user_header, "note",
		        "ignored: peer is not in trusted_proxies", NULL);
		return JMB_AUTH_NOT_MINE;
	}
	if (!value_is_acceptable(user)) {
		jmb_log(JMB_LOG_WARNING, "bad_identity_header", "peer", jmb_request_peer(req),
		        "header", st->user_header, NULL);
		return JMB_AUTH_REJECT;
	}
	if (mail != NULL && !value_is_acceptable(mail))
		mail = NULL;
	if (name != NULL && !value_is_acceptable(name))
		name = NULL;
	*identity_r = st->host->new_identity(req, user, name, mail);
	return JMB_AUTH_OK;
}

JMB_EXPORT const struct jmb_auth_plugin jmb_auth_plugin = {
    .abi_version = JMB_AUTH_ABI_VERSION,
    .name = "header-trust",
    .description = "identity from headers set by a trusted front proxy",
    .config_keys = trust_keys,
    .config_size = sizeof(struct trust_config),
    .init = trust_init,
    .authenticate = trust_authenticate,
    .challenge = NULL,
    .routes = NULL,
    .fini = trust_fini,
};
