/* SAML metadata: reading the IdP's (entity ID, Redirect SSO URL, signing
 * certificates) and writing ours (entity ID, ACS URL, certificate). */
#ifndef JMB_SAML_METADATA_H
#define JMB_SAML_METADATA_H

#include <stddef.h>

#include "saml-crypto.h"

struct saml_idp {
	char *entity_id;
	char *sso_url; /* SingleSignOnService, HTTP-Redirect binding */
	struct saml_keys keys;
};

/* Reads IdP metadata from xml. entity_id may be NULL when the document holds
 * one IdP only; with an aggregate (EntitiesDescriptor), it picks the entity.
 * -1 with the message in error on failure. */
int saml_idp_metadata_read(const char *xml, size_t len, const char *entity_id,
                           struct saml_idp *idp_r, struct jmb_error *error);
void saml_idp_clear(struct saml_idp *idp);

/* Our metadata as XML text (malloc'd). cert_b64 (base64 DER, may be NULL) is
 * offered for signing and encryption. */
char *saml_sp_metadata(const char *entity_id, const char *acs_url, const char *cert_b64,
                       bool requests_signed);

/* The base64 body of the first certificate of a PEM file (malloc'd), or NULL. */
char *saml_pem_cert_base64(const char *path, struct jmb_error *error);

#endif
