/* API bearer tokens: a random token given to the user once, its hash kept. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "auth/api-token.h"
#include "domain/identity.h"
#include "util/memory.h"
#include "util/secret.h"

char *jmb_api_token_create(struct jmb_store *store, const struct jmb_identity *identity,
                           const char *label, time_t now, struct jmb_error *error)
{
	char token[JMB_TOKEN_LEN + 1], hash[JMB_SHA256_HEX_LEN + 1];
	char *json = jmb_identity_to_json(identity);
	enum jmb_store_result r;

	jmb_random_token(token);
	jmb_sha256_hex(token, hash);
	r = jmb_store_api_token_create(store, hash, json, label, now, error);
	free(json);
	return r == JMB_STORE_OK ? jmb_xstrdup(token) : NULL;
}
