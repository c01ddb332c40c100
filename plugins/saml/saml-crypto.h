/* The xmlsec side of the SAML plugin: library set-up, keys, XML signature
 * verification of one element, and decryption of an EncryptedAssertion. */
#ifndef JMB_SAML_CRYPTO_H
#define JMB_SAML_CRYPTO_H

#include <stddef.h>

#include <libxml/tree.h>
#include <xmlsec/keys.h>

#include "jmb/error.h"

#define SAML_MAX_IDP_KEYS 4

struct saml_keys {
	xmlSecKeyPtr items[SAML_MAX_IDP_KEYS];
	size_t count;
};

/* Initialises libxmlsec and its OpenSSL back end once per process (counted). */
int saml_crypto_init(struct jmb_error *error);
void saml_crypto_deinit(void);

/* A public key from a DER certificate (an IdP metadata X509Certificate). */
xmlSecKeyPtr saml_key_from_cert_der(const unsigned char *der, size_t len);
/* A private key from a PEM file (the SP key, for decryption). */
xmlSecKeyPtr saml_key_from_pem_file(const char *path);
void saml_keys_clear(struct saml_keys *keys);

/* Verifies signature, a ds:Signature child of element, with one of keys. It must
 * hold exactly one Reference, whose URI is "#" + element's ID; only that
 * attribute is registered as an ID, so the reference cannot resolve to any
 * other element. Only same-document references, enveloped-signature and
 * (exclusive) C14N transforms, SHA-2 digests and RSA/ECDSA-SHA-2 are accepted.
 * 0 when it verifies, -1 with a static reason in *error_r. */
int saml_signature_verify(xmlNode *element, xmlNode *signature, const struct saml_keys *keys,
                          const char **error_r);

/* Replaces encrypted (a saml:EncryptedAssertion) by the saml:Assertion it holds,
 * decrypted with sp_key. Returns the new Assertion node, or NULL with a reason. */
xmlNode *saml_decrypt_assertion(xmlNode *encrypted, xmlSecKeyPtr sp_key, const char **error_r);

/* Standard base64 (whitespace ignored) into a malloc'd buffer, NUL-terminated. */
unsigned char *saml_base64_decode(const char *text, size_t *len_r);

#endif
