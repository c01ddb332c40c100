/* Jitsi tokens with libjwt. Claims follow doc/architecture.md (The Jitsi contract), read by
 * Prosody's token verification and token_affiliation modules. */
#include "config.h"

#include <jansson.h>
#include <jwt.h>
#include <stdlib.h>
#include <string.h>

#include "publish/jitsi-token.h"
#include "util/memory.h"

/* Jitsi reads features only when a token has a "features" object; without
 * one, what the deployment allows stays as it is. Values are the strings
 * "true" and "false", as Jitsi's token parser expects. */
static void add_grants(json_t *context, const struct jmb_token_grants *g)
{
	json_t *features = json_object();

	for (int f = 0; f < JMB_FEATURE_COUNT; f++) {
		if (g->features[f] >= 0)
			json_object_set_new(features, jmb_feature_name((enum jmb_feature)f),
			                    json_string(g->features[f] ? "true" : "false"));
	}
	if (json_object_size(features) > 0)
		json_object_set_new(context, "features", features);
	else
		json_decref(features);
	if (g->lobby_bypass)
		json_object_set_new(json_object_get(context, "user"), "lobby_bypass", json_true());
}

static char *claims_json(const struct jmb_jitsi_settings *j, const char *room,
                         const struct jmb_jitsi_user *u, time_t now)
{
	const char *sub = *j->tenant != '\0' ? j->tenant : j->domain;
	json_t *claims =
	    json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:{s:{s:s, s:s, s:s, s:b, s:s}}}", "iss",
	              j->app_id, "aud", j->audience, "sub", sub, "room", room, "iat",
	              (json_int_t)now, "nbf", (json_int_t)(now - j->token_skew), "exp",
	              (json_int_t)(now + u->lifetime), "context", "user", "id", u->id, "name",
	              u->name != NULL ? u->name : "", "email", u->email != NULL ? u->email : "",
	              "moderator", u->moderator, "affiliation", u->moderator ? "owner" : "member");
	char *text;

	if (claims == NULL)
		return NULL;
	if (u->grants != NULL)
		add_grants(json_object_get(claims, "context"), u->grants);
	text = json_dumps(claims, JSON_COMPACT);
	json_decref(claims);
	return text;
}

char *jmb_jitsi_token(const struct jmb_jitsi_settings *j, const char *room,
                      const struct jmb_jitsi_user *u, time_t now, struct jmb_error *error)
{
	bool rs256 = j->private_key_pem != NULL;
	char *claims = claims_json(j, room, u, now), *token = NULL, *out = NULL;
	jwt_t *jwt = NULL;
	const char *key = rs256 ? j->private_key_pem : j->app_secret;

	if (claims == NULL || key == NULL || jwt_new(&jwt) != 0) {
		jmb_error_set(error, "cannot build the token claims");
		goto out;
	}
	if (jwt_add_grants_json(jwt, claims) != 0 ||
	    jwt_set_alg(jwt, rs256 ? JWT_ALG_RS256 : JWT_ALG_HS256, (const unsigned char *)key,
	                (int)strlen(key)) != 0 ||
	    (rs256 && jwt_add_header(jwt, "kid", j->key_id) != 0)) {
		jmb_error_set(error, "%s",
		              rs256 ? "cannot sign with the RS256 private key"
		                    : "cannot sign with the HS256 secret");
		goto out;
	}
	token = jwt_encode_str(jwt);
	if (token == NULL) {
		jmb_error_set(error, "cannot encode the token");
		goto out;
	}
	out = jmb_xstrdup(token);
out:
	free(token);
	free(claims);
	jwt_free(jwt);
	return out;
}

char *jmb_jitsi_room_url(const struct jmb_jitsi_settings *j, const char *room, const char *token)
{
	if (token == NULL)
		return jmb_xasprintf("%s/%s", j->base_url, room);
	return jmb_xasprintf("%s/%s?jwt=%s", j->base_url, room, token);
}
