/* The `saml` auth plugin: jmbd as a SAML 2.0 service provider. Sends anonymous
 * users to the IdP (AuthnRequest, HTTP-Redirect), serves SP metadata, and
 * opens a jmbd session from a Response posted to the ACS once every check of
 * saml-response.c passed and the response answers a live request of ours.
 *
 * Request IDs are self-validating (saml-request.c: time-stamped, HMAC-signed
 * with request_secret) rather than kept in a table: plugins have no store
 * access, and any jmbd instance sharing the secret accepts the answer to a
 * request another instance issued, so no sticky sessions are needed. What
 * stays per instance is the replay cache of consumed request, Response and
 * Assertion IDs (bounded, until the request's lifetime ends): a Response
 * replayed to a *different* instance within request_lifetime is not caught.
 * Keep request_lifetime short; the bearer response is only ever posted by the
 * user's browser over TLS. */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/pem.h>

#include "jmb/form.h"
#include "jmb/http.h"
#include "jmb/i18n.h"
#include "jmb/auth-plugin.h"
#include "jmb/memory.h"
#include "saml-crypto.h"
#include "saml-idp-source.h"
#include "saml-metadata.h"
#include "saml-replay.h"
#include "saml-request.h"
#include "saml-response.h"
#include "jmb/secret.h"

#define ACS_PATH "/auth/saml/acs"
#define MAX_RELAY_STATE 80 /* bindings §3.4.3 */

struct saml_config {
	char *sp_entity_id;
	char *idp_metadata_file;
	char *idp_metadata_url;
	char *idp_metadata_cache;
	long idp_metadata_refresh;
	char *idp_entity_id;
	char *sp_key_file;
	char *sp_cert_file;
	char *attribute_uid;
	char *attribute_mail;
	char *attribute_name;
	char *attribute_affiliation;
	long clock_skew;
	char *request_secret;
	long request_lifetime;
	long replay_cache_size;
};

struct saml_state {
	const struct jmb_auth_host *host;
	struct saml_config cfg;      /* strings owned by the config pool, read-only */
	struct saml_idp_source *idp; /* borrow with saml_idp_source_get per request */
	xmlSecKeyPtr sp_key;         /* decryption; NULL without sp_key_file */
	EVP_PKEY *sign_key;          /* AuthnRequest signing; NULL without sp_key_file */
	char *sp_cert_b64;           /* for our metadata; NULL without sp_cert_file */
	char *secret;                /* request ID MAC key */
	struct saml_replay *replay;
};

#define K(f) offsetof(struct saml_config, f)
static const struct jmb_config_key saml_keys[] = {
    {"sp_entity_id", JMB_CONF_STRING, K(sp_entity_id), NULL, JMB_CONF_REQUIRED, 0, 0, NULL},
    {"idp_metadata_file", JMB_CONF_STRING, K(idp_metadata_file), NULL, JMB_CONF_PATH, 0, 0, NULL},
    {"idp_metadata_url", JMB_CONF_STRING, K(idp_metadata_url), NULL, 0, 0, 0, NULL},
    {"idp_metadata_cache", JMB_CONF_STRING, K(idp_metadata_cache),
     "/var/lib/jmb/saml-idp-metadata.xml", JMB_CONF_PATH, 0, 0, NULL},
    {"idp_metadata_refresh", JMB_CONF_INT, K(idp_metadata_refresh), "86400", 0, 0, 2592000, NULL},
    {"idp_entity_id", JMB_CONF_STRING, K(idp_entity_id), NULL, 0, 0, 0, NULL},
    {"sp_key_file", JMB_CONF_STRING, K(sp_key_file), NULL, JMB_CONF_PATH, 0, 0, NULL},
    {"sp_cert_file", JMB_CONF_STRING, K(sp_cert_file), NULL, JMB_CONF_PATH, 0, 0, NULL},
    {"attribute_uid", JMB_CONF_STRING, K(attribute_uid), "urn:oid:0.9.2342.19200300.100.1.1", 0, 0,
     0, NULL},
    {"attribute_mail", JMB_CONF_STRING, K(attribute_mail), "urn:oid:0.9.2342.19200300.100.1.3", 0,
     0, 0, NULL},
    {"attribute_name", JMB_CONF_STRING, K(attribute_name), "urn:oid:2.16.840.1.113730.3.1.241", 0,
     0, 0, NULL},
    {"attribute_affiliation", JMB_CONF_STRING, K(attribute_affiliation), NULL, 0, 0, 0, NULL},
    {"clock_skew", JMB_CONF_INT, K(clock_skew), "180", 0, 0, 3600, NULL},
    {"request_secret", JMB_CONF_SECRET, K(request_secret), NULL, 0, 0, 0, NULL},
    {"request_lifetime", JMB_CONF_INT, K(request_lifetime), "600", 0, 30, 86400, NULL},
    {"replay_cache_size", JMB_CONF_INT, K(replay_cache_size), "10000", 0, 16, 1000000, NULL},
    JMB_CONF_END,
};
#undef K

static int load_sp_key(struct saml_state *st, struct jmb_error *error)
{
	FILE *f;

	if (st->cfg.sp_key_file == NULL)
		return 0;
	st->sp_key = saml_key_from_pem_file(st->cfg.sp_key_file);
	f = fopen(st->cfg.sp_key_file, "r");
	if (f != NULL) {
		st->sign_key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
		fclose(f);
	}
	if (st->sp_key == NULL || st->sign_key == NULL) {
		jmb_error_set(error, "sp_key_file %s: not a PEM private key", st->cfg.sp_key_file);
		return -1;
	}
	return 0;
}

static void saml_fini(void *state)
{
	struct saml_state *st = state;

	if (st == NULL)
		return;
	saml_idp_source_free(&st->idp);
	if (st->sp_key != NULL)
		xmlSecKeyDestroy(st->sp_key);
	EVP_PKEY_free(st->sign_key);
	free(st->sp_cert_b64);
	if (st->secret != NULL)
		explicit_bzero(st->secret, strlen(st->secret));
	free(st->secret);
	saml_replay_free(&st->replay);
	free(st);
	saml_crypto_deinit();
}

static int setup_secret(struct saml_state *st, struct jmb_error *error)
{
	unsigned char raw[32];
	char text[48];

	if (st->cfg.request_secret != NULL) {
		if (strlen(st->cfg.request_secret) < 16) {
			jmb_error_set(error, "request_secret: at least 16 characters");
			return -1;
		}
		st->secret = jmb_xstrdup(st->cfg.request_secret);
		return 0;
	}
	jmb_random_bytes(raw, sizeof(raw));
	jmb_base64url_encode(raw, sizeof(raw), text);
	st->secret = jmb_xstrdup(text);
	jmb_log(JMB_LOG_WARNING, "auth_saml", "note",
	        "no request_secret: a random one is used, so a login started on one jmbd instance "
	        "cannot end on another; set request_secret(_file) when running several",
	        NULL);
	return 0;
}

static int saml_init(const struct jmb_auth_host *host, const void *config, void **state_r,
                     struct jmb_error *error)
{
	struct saml_state *st;
	const struct saml_idp *idp;
	int ret = -1;

	if (host->abi_version < 2) {
		jmb_error_set(error, "this jmbd lends no render_error (plugin ABI 2 needed)");
		return -1;
	}
	if (saml_crypto_init(error) < 0)
		return -1;
	st = jmb_xcalloc(1, sizeof(*st));
	st->host = host;
	st->cfg = *(const struct saml_config *)config;
	const struct saml_idp_source_settings source = {
	    .file = st->cfg.idp_metadata_file,
	    .url = st->cfg.idp_metadata_url,
	    .cache = st->cfg.idp_metadata_cache,
	    .entity_id = st->cfg.idp_entity_id,
	    .refresh = st->cfg.idp_metadata_refresh,
	};
	st->idp = saml_idp_source_new(&source, error);
	if (st->idp == NULL || load_sp_key(st, error) < 0 || setup_secret(st, error) < 0)
		goto out;
	if (st->cfg.sp_cert_file != NULL &&
	    (st->sp_cert_b64 = saml_pem_cert_base64(st->cfg.sp_cert_file, error)) == NULL)
		goto out;
	st->replay = saml_replay_new((size_t)st->cfg.replay_cache_size);
	idp = saml_idp_source_get(st->idp);
	jmb_log(JMB_LOG_INFO, "auth_saml", "idp", idp->entity_id, "sso_url", idp->sso_url, "sp",
	        st->cfg.sp_entity_id, NULL);
	saml_idp_source_release(st->idp, idp);
	*state_r = st;
	ret = 0;
out:
	if (ret < 0)
		saml_fini(st);
	return ret;
}

static const char *acs_url(const struct saml_state *st, const struct jmb_request *req)
{
	return jmb_pool_printf(jmb_request_pool(req), "%s%s", st->host->public_url(req), ACS_PATH);
}

static enum jmb_auth_result redirect_to_idp(struct saml_state *st, struct jmb_request *req,
                                            struct jmb_response *resp, const char *next)
{
	struct jmb_pool *pool = jmb_request_pool(req);
	const struct saml_idp *idp = saml_idp_source_get(st->idp);
	time_t now = time(NULL);
	struct saml_authn_request r = {
	    .id = saml_request_id_new(pool, st->secret, now),
	    .sp_entity_id = st->cfg.sp_entity_id,
	    .acs_url = acs_url(st, req),
	    .destination = jmb_pool_printf(pool, "%s", idp->sso_url),
	    .relay_state =
	        next != NULL && strlen(next) <= MAX_RELAY_STATE && jmb_is_local_path(next)
	            ? next
	            : "/meetings",
	    .sign_key = st->sign_key,
	    .now = now,
	};
	const char *url;

	saml_idp_source_release(st->idp, idp);
	url = saml_authn_request_url(pool, &r);
	if (url == NULL || jmb_response_redirect(resp, 302, url) < 0) {
		st->host->render_error(req, resp, 500, N_("Login is temporarily unavailable."));
		return JMB_AUTH_RESPOND;
	}
	jmb_response_add_header(resp, "Cache-Control", "no-store");
	return JMB_AUTH_RESPOND;
}

static enum jmb_auth_result saml_challenge(void *state, struct jmb_request *req,
                                           struct jmb_response *resp)
{
	const char *path = jmb_request_path(req);

	if (strcmp(jmb_request_method(req), "GET") != 0)
		path = "/meetings";
	return redirect_to_idp(state, req, resp, path);
}

/* GET /auth/saml/login?next=/path: starts a login on purpose (a "Log in" link). */
static enum jmb_auth_result saml_login(void *state, struct jmb_request *req,
                                       struct jmb_response *resp)
{
	return redirect_to_idp(state, req, resp, jmb_request_query(req, "next"));
}

static enum jmb_auth_result saml_metadata(void *state, struct jmb_request *req,
                                          struct jmb_response *resp)
{
	struct saml_state *st = state;
	char *xml = saml_sp_metadata(st->cfg.sp_entity_id, acs_url(st, req), st->sp_cert_b64,
	                             st->sign_key != NULL);

	jmb_response_set_status(resp, 200);
	jmb_response_set_body(resp, "application/samlmetadata+xml", xml, strlen(xml));
	free(xml);
	return JMB_AUTH_RESPOND;
}

static enum jmb_auth_result refuse(struct saml_state *st, struct jmb_request *req,
                                   struct jmb_response *resp, const char *check, const char *detail)
{
	jmb_log(JMB_LOG_WARNING, "saml_refused", "check", check, "detail",
	        detail != NULL ? detail : "", "peer", jmb_request_peer(req), NULL);
	st->host->render_error(
	    req, resp, 403,
	    N_("The answer of your identity provider was refused, so you are not "
	       "logged in. Please try again from the start page."));
	return JMB_AUTH_RESPOND;
}

/* The attribute (or, for the uid, the NameID) with control characters refused. */
static const char *clean_value(const char *value)
{
	if (value == NULL)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)value; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return NULL;
	}
	return value;
}

static struct jmb_identity *map_identity(struct saml_state *st, struct jmb_request *req,
                                         const struct saml_assertion *a)
{
	const char *uid = saml_assertion_value(a, st->cfg.attribute_uid);
	const char *mail = clean_value(saml_assertion_value(a, st->cfg.attribute_mail));
	const char *name = clean_value(saml_assertion_value(a, st->cfg.attribute_name));
	struct jmb_identity *id;

	uid = clean_value(uid != NULL ? uid : a->name_id);
	if (uid == NULL || *uid == '\0' || strlen(uid) > 256)
		return NULL;
	id = st->host->new_identity(req, uid, name != NULL ? name : "", mail);
	if (id == NULL)
		return NULL;
	id->source = "saml";
	if (st->cfg.attribute_affiliation != NULL) {
		for (size_t i = 0; i < a->attribute_count; i++) {
			if (strcmp(a->attributes[i].name, st->cfg.attribute_affiliation) == 0)
				id->groups = a->attributes[i].values;
		}
	}
	return id;
}

static enum jmb_auth_result saml_acs(void *state, struct jmb_request *req,
                                     struct jmb_response *resp)
{
	struct saml_state *st = state;
	struct jmb_pool *pool = jmb_request_pool(req);
	const char *encoded = jmb_request_form(req, "SAMLResponse");
	const char *relay = jmb_request_form(req, "RelayState");
	const struct saml_idp *idp;
	struct saml_expect expect = {
	    .acs_url = acs_url(st, req),
	    .sp_entity_id = st->cfg.sp_entity_id,
	    .sp_key = st->sp_key,
	    .now = time(NULL),
	    .clock_skew = st->cfg.clock_skew,
	};
	struct saml_failure failure = {0};
	struct saml_assertion a;
	struct jmb_identity *id;
	unsigned char *xml;
	time_t expires;
	size_t len;
	int r;

	if (encoded == NULL)
		return refuse(st, req, resp, "binding", "no SAMLResponse form field");
	xml = saml_base64_decode(encoded, &len);
	if (xml == NULL)
		return refuse(st, req, resp, "binding", "SAMLResponse is not base64");
	/* The metadata in use now, kept for this check even if a refresh swaps it. */
	idp = saml_idp_source_get(st->idp);
	expect.idp_entity_id = idp->entity_id;
	expect.idp_keys = &idp->keys;
	r = saml_response_check((const char *)xml, len, &expect, pool, &a, &failure);
	saml_idp_source_release(st->idp, idp);
	free(xml);
	if (r < 0)
		return refuse(st, req, resp, failure.check, failure.detail);
	if (saml_request_id_check(a.in_response_to, st->secret, expect.now,
	                          st->cfg.request_lifetime, st->cfg.clock_skew, &expires) < 0)
		return refuse(st, req, resp, "in_response_to", "not a live request of this SP");
	const char *keys[] = {
	    jmb_pool_printf(pool, "request:%s", a.in_response_to),
	    jmb_pool_printf(pool, "response:%s", a.response_id),
	    jmb_pool_printf(pool, "assertion:%s", a.assertion_id),
	};
	r = saml_replay_claim(st->replay, keys, 3, expires, expect.now);
	if (r == 0)
		return refuse(st, req, resp, "replay",
		              "request, Response or Assertion ID already used");
	if (r < 0)
		return refuse(st, req, resp, "replay",
		              "replay cache full (raise replay_cache_size)");
	id = map_identity(st, req, &a);
	if (id == NULL)
		return refuse(st, req, resp, "attribute_uid", "no usable uid attribute or NameID");
	jmb_log(JMB_LOG_INFO, "saml_login", "user", id->login, "response_signed",
	        a.response_signed ? "yes" : "no", "assertion_signed",
	        a.assertion_signed ? "yes" : "no", "encrypted", a.was_encrypted ? "yes" : "no",
	        NULL);
	st->host->start_session(req, resp, id,
	                        relay != NULL && jmb_is_local_path(relay) ? relay : "/meetings");
	return JMB_AUTH_RESPOND;
}

static const struct jmb_auth_route saml_routes[] = {
    {"GET", "/metadata", saml_metadata},
    {"GET", "/login", saml_login},
    {"POST", "/acs", saml_acs},
    {NULL, NULL, NULL},
};

JMB_EXPORT const struct jmb_auth_plugin jmb_auth_plugin = {
    .abi_version = JMB_AUTH_ABI_VERSION,
    .name = "saml",
    .description = "SAML 2.0 service provider (HTTP-Redirect AuthnRequest, HTTP-POST ACS)",
    .config_keys = saml_keys,
    .config_size = sizeof(struct saml_config),
    .init = saml_init,
    .authenticate = NULL,
    .challenge = saml_challenge,
    .routes = saml_routes,
    .fini = saml_fini,
};
