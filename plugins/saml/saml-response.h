/* Parsing and checking a SAML 2.0 Response (Web SSO profile, HTTP-POST
 * binding) against what this SP expects. Nothing is read from the document
 * before its signature has been verified on the element it comes from. */
#ifndef JMB_SAML_RESPONSE_H
#define JMB_SAML_RESPONSE_H

#include <stddef.h>
#include <time.h>

#include "jmb/pool.h"
#include "saml-crypto.h"

struct saml_expect {
	const char *acs_url;       /* Destination and Recipient */
	const char *sp_entity_id;  /* Audience */
	const char *idp_entity_id; /* Issuer */
	const struct saml_keys *idp_keys;
	xmlSecKeyPtr sp_key; /* NULL: encrypted assertions are refused */
	time_t now;
	long clock_skew;
};

struct saml_attribute {
	const char *name;
	const char *const *values; /* NULL-terminated */
};

struct saml_assertion {
	const char *response_id;
	const char *assertion_id;
	const char *in_response_to;
	const char *name_id; /* may be NULL */
	const struct saml_attribute *attributes;
	size_t attribute_count;
	bool response_signed, assertion_signed, was_encrypted;
};

/* The check that refused a response: logged as check=<name>. */
struct saml_failure {
	const char *check;  /* "xml", "signature", "destination", ... */
	const char *detail; /* static or in the pool */
};

/* Checks a decoded SAMLResponse; 0 and *out filled (strings in pool) when every
 * check passes, -1 and *failure_r otherwise. InResponseTo is returned, not
 * judged: the caller knows which requests it issued. */
int saml_response_check(const char *xml, size_t len, const struct saml_expect *expect,
                        struct jmb_pool *pool, struct saml_assertion *out,
                        struct saml_failure *failure_r);

/* The first value of attribute name, or NULL. */
const char *saml_assertion_value(const struct saml_assertion *a, const char *name);

#endif
