/* The xmlsec side of the SAML plugin: signature verification on exactly one
 * element, decryption of an EncryptedAssertion, keys. */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <xmlsec/base64.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/keysmngr.h>
#include <xmlsec/transforms.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlenc.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>

#include "jmb/memory.h"
#include "saml-crypto.h"
#include "saml-xml.h"

static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned init_count;

/* xmlsec prints every error to stderr by default: the plugin logs its own. */
static void quiet_errors(const char *file, int line, const char *func, const char *object,
                         const char *subject, int reason, const char *msg)
{
}

int saml_crypto_init(struct jmb_error *error)
{
	int ret = 0;

	pthread_mutex_lock(&init_lock);
	if (init_count == 0) {
		if (xmlSecInit() < 0 || xmlSecCheckVersion() != 1 ||
		    xmlSecCryptoAppInit(NULL) < 0 || xmlSecCryptoInit() < 0) {
			jmb_error_set(error, "cannot initialise xmlsec (OpenSSL back end)");
			ret = -1;
		} else {
			xmlSecErrorsSetCallback(quiet_errors);
		}
	}
	if (ret == 0)
		init_count++;
	pthread_mutex_unlock(&init_lock);
	return ret;
}

void saml_crypto_deinit(void)
{
	pthread_mutex_lock(&init_lock);
	if (init_count > 0 && --init_count == 0) {
		xmlSecCryptoShutdown();
		xmlSecCryptoAppShutdown();
		xmlSecShutdown();
	}
	pthread_mutex_unlock(&init_lock);
}

xmlSecKeyPtr saml_key_from_cert_der(const unsigned char *der, size_t len)
{
	return xmlSecCryptoAppKeyLoadMemory(der, (xmlSecSize)len, xmlSecKeyDataFormatCertDer, NULL,
	                                    NULL, NULL);
}

xmlSecKeyPtr saml_key_from_pem_file(const char *path)
{
	return xmlSecCryptoAppKeyLoad(path, xmlSecKeyDataFormatPem, NULL, NULL, NULL);
}

void saml_keys_clear(struct saml_keys *keys)
{
	for (size_t i = 0; i < keys->count; i++)
		xmlSecKeyDestroy(keys->items[i]);
	keys->count = 0;
}

/* The transforms a SAML signature needs, and nothing else (no XSLT, no XPath,
 * no base64, no SHA-1, no C14N with comments). */
static int restrict_transforms(xmlSecDSigCtxPtr ctx)
{
	const xmlSecTransformId refs[] = {
	    xmlSecTransformEnvelopedId, xmlSecTransformExclC14NId, xmlSecTransformInclC14NId,
	    xmlSecTransformSha256Id,    xmlSecTransformSha384Id,   xmlSecTransformSha512Id,
	};
	const xmlSecTransformId sig[] = {
	    xmlSecTransformExclC14NId,    xmlSecTransformInclC14NId,
	    xmlSecTransformRsaSha256Id,   xmlSecTransformRsaSha384Id,
	    xmlSecTransformRsaSha512Id,   xmlSecTransformEcdsaSha256Id,
	    xmlSecTransformEcdsaSha384Id, xmlSecTransformEcdsaSha512Id,
	};

	for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		if (xmlSecDSigCtxEnableReferenceTransform(ctx, refs[i]) < 0)
			return -1;
	}
	for (size_t i = 0; i < sizeof(sig) / sizeof(sig[0]); i++) {
		if (xmlSecDSigCtxEnableSignatureTransform(ctx, sig[i]) < 0)
			return -1;
	}
	return 0;
}

/* Makes "#<ID>" resolve to element and nothing else. */
static int register_id(xmlNode *element, const char **error_r)
{
	xmlAttr *attr = xmlHasNsProp(element, (const xmlChar *)"ID", NULL);
	xmlAttr *known;

	if (attr == NULL || attr->children == NULL || attr->children->content == NULL ||
	    attr->children->content[0] == '\0') {
		*error_r = "signed element has no ID";
		return -1;
	}
	known = xmlGetID(element->doc, attr->children->content);
	if (known == attr)
		return 0;
	if (known != NULL || xmlAddID(NULL, element->doc, attr->children->content, attr) == NULL) {
		*error_r = "ID used twice";
		return -1;
	}
	return 0;
}

static bool references_only(xmlSecDSigCtxPtr ctx, const xmlNode *element)
{
	xmlSecDSigReferenceCtxPtr ref;
	xmlChar *id;
	bool ok;

	if (xmlSecPtrListGetSize(&ctx->signedInfoReferences) != 1)
		return false;
	ref = xmlSecPtrListGetItem(&ctx->signedInfoReferences, 0);
	id = xmlGetNoNsProp(element, (const xmlChar *)"ID");
	ok = ref != NULL && ref->uri != NULL && id != NULL && ref->uri[0] == '#' &&
	     strcmp((const char *)ref->uri + 1, (const char *)id) == 0 &&
	     ref->status == xmlSecDSigStatusSucceeded;
	xmlFree(id);
	return ok;
}

static int verify_with_key(xmlNode *signature, const xmlNode *element, xmlSecKeyPtr key)
{
	xmlSecDSigCtxPtr ctx = xmlSecDSigCtxCreate(NULL);
	int ret = -1;

	if (ctx == NULL)
		return -1;
	ctx->flags =
	    XMLSEC_DSIG_FLAGS_IGNORE_MANIFESTS | XMLSEC_DSIG_FLAGS_STORE_SIGNEDINFO_REFERENCES;
	ctx->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
	/* The key comes from metadata only: KeyInfo in the message is never read. */
	ctx->signKey = xmlSecKeyDuplicate(key);
	if (ctx->signKey == NULL || restrict_transforms(ctx) < 0)
		goto out;
	if (xmlSecDSigCtxVerify(ctx, signature) == 0 && ctx->status == xmlSecDSigStatusSucceeded &&
	    references_only(ctx, element))
		ret = 0;
out:
	xmlSecDSigCtxDestroy(ctx);
	return ret;
}

int saml_signature_verify(xmlNode *element, xmlNode *signature, const struct saml_keys *keys,
                          const char **error_r)
{
	if (signature->parent != element) {
		*error_r = "signature is not a child of the signed element";
		return -1;
	}
	if (register_id(element, error_r) < 0)
		return -1;
	for (size_t i = 0; i < keys->count; i++) {
		if (verify_with_key(signature, element, keys->items[i]) == 0)
			return 0;
	}
	*error_r = "signature does not verify with the IdP's key";
	return -1;
}

xmlNode *saml_decrypt_assertion(xmlNode *encrypted, xmlSecKeyPtr sp_key, const char **error_r)
{
	xmlNode *data = saml_xml_child(encrypted, SAML_NS_XENC, "EncryptedData");
	xmlSecKeysMngrPtr mngr = NULL;
	xmlSecEncCtxPtr ctx = NULL;
	xmlSecKeyPtr key = NULL;
	xmlNode *assertion = NULL;

	*error_r = "cannot decrypt the assertion";
	if (data == NULL ||
	    saml_xml_count_children(encrypted, SAML_NS_XENC, "EncryptedData") != 1) {
		*error_r = "EncryptedAssertion without one EncryptedData";
		return NULL;
	}
	mngr = xmlSecKeysMngrCreate();
	if (mngr == NULL || xmlSecCryptoAppDefaultKeysMngrInit(mngr) < 0)
		goto out;
	key = xmlSecKeyDuplicate(sp_key);
	if (key == NULL || xmlSecCryptoAppDefaultKeysMngrAdoptKey(mngr, key) < 0) {
		xmlSecKeyDestroy(key);
		goto out;
	}
	ctx = xmlSecEncCtxCreate(mngr);
	if (ctx == NULL)
		goto out;
	/* Cipher data inline only: a CipherReference or RetrievalMethod must
	   never make us fetch anything. */
	ctx->transformCtx.enabledUris = xmlSecTransformUriTypeNone;
	ctx->keyInfoReadCtx.retrievalMethodCtx.enabledUris = xmlSecTransformUriTypeNone;
	if (xmlSecEncCtxDecrypt(ctx, data) < 0 || ctx->result == NULL)
		goto out;
	if (saml_xml_count_descendants(encrypted, SAML_NS_ASSERTION, "Assertion") != 1 ||
	    (assertion = saml_xml_child(encrypted, SAML_NS_ASSERTION, "Assertion")) == NULL) {
		*error_r = "the decrypted data is not one Assertion";
		goto out;
	}
	for (xmlNode *c = encrypted->children; c != NULL; c = c->next) {
		if (c != assertion && c->type == XML_ELEMENT_NODE) {
			*error_r = "the EncryptedAssertion holds more than the Assertion";
			assertion = NULL;
			goto out;
		}
	}
	xmlUnlinkNode(assertion);
	xmlReplaceNode(encrypted, assertion);
	xmlFreeNode(encrypted);
	*error_r = NULL;
out:
	if (ctx != NULL)
		xmlSecEncCtxDestroy(ctx);
	if (mngr != NULL)
		xmlSecKeysMngrDestroy(mngr);
	return assertion;
}

unsigned char *saml_base64_decode(const char *text, size_t *len_r)
{
	size_t size = strlen(text) / 4 * 3 + 4;
	xmlSecByte *out = jmb_xmalloc(size);
	xmlSecSize written = 0;

	if (xmlSecBase64Decode_ex((const xmlChar *)text, out, (xmlSecSize)(size - 1), &written) <
	    0) {
		free(out);
		return NULL;
	}
	out[written] = '\0';
	*len_r = (size_t)written;
	return out;
}
