/* Outgoing side of the SAML plugin: self-validating request IDs and the
 * AuthnRequest sent with the HTTP-Redirect binding (deflate, base64, URL). */
#ifndef JMB_SAML_REQUEST_H
#define JMB_SAML_REQUEST_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <time.h>

#include "jmb/pool.h"

/* A request ID: "_" time "." nonce "." HMAC-SHA-256(secret, time "." nonce).
 * Any jmbd instance holding the same secret can tell it issued the ID and when,
 * without shared state. */
const char *saml_request_id_new(struct jmb_pool *pool, const char *secret, time_t now);
/* 0 when id was made with secret and is not older than lifetime seconds (nor
 * from the future beyond skew); its expiry in *expires_r. -1 otherwise. */
int saml_request_id_check(const char *id, const char *secret, time_t now, long lifetime, long skew,
                          time_t *expires_r);

struct saml_authn_request {
	const char *id;
	const char *sp_entity_id;
	const char *acs_url;
	const char *destination; /* the IdP's SSO URL for the Redirect binding */
	const char *relay_state; /* may be NULL */
	EVP_PKEY *sign_key;      /* may be NULL: unsigned request */
	time_t now;
};

/* The full redirect URL, or NULL (out of memory, signing failure). */
const char *saml_authn_request_url(struct jmb_pool *pool, const struct saml_authn_request *r);

#endif
