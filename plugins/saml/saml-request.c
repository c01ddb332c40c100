/* AuthnRequests for the HTTP-Redirect binding (SAML bindings §3.4) and the
 * HMAC-signed request IDs that let ACS know a response answers our request. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>
#include <openssl/evp.h>
#include <xmlsec/base64.h>
#include <zlib.h>

#include "jmb/form.h"
#include "jmb/memory.h"
#include "saml-request.h"
#include "saml-xml.h"
#include "jmb/secret.h"

#define SIG_ALG_RSA_SHA256 "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"

static void request_mac(const char *secret, const char *stamp, char *mac)
{
	char *msg = jmb_xasprintf("jmb-saml-request:%s", stamp);

	jmb_hmac_sha256_b64(secret, msg, mac);
	free(msg);
}

const char *saml_request_id_new(struct jmb_pool *pool, const char *secret, time_t now)
{
	unsigned char nonce[16];
	char nonce_text[32], stamp[64], mac[48];

	jmb_random_bytes(nonce, sizeof(nonce));
	jmb_base64url_encode(nonce, sizeof(nonce), nonce_text);
	snprintf(stamp, sizeof(stamp), "%llx.%s", (unsigned long long)now, nonce_text);
	request_mac(secret, stamp, mac);
	/* xs:ID is an NCName: "_" then base64url characters and dots are fine. */
	return jmb_pool_printf(pool, "_%s.%s", stamp, mac);
}

int saml_request_id_check(const char *id, const char *secret, time_t now, long lifetime, long skew,
                          time_t *expires_r)
{
	char stamp[64], mac[48], *end;
	const char *last_dot;
	unsigned long long issued;
	size_t len;

	if (id == NULL || id[0] != '_' || (last_dot = strrchr(id, '.')) == NULL)
		return -1;
	len = (size_t)(last_dot - (id + 1));
	if (len == 0 || len >= sizeof(stamp))
		return -1;
	memcpy(stamp, id + 1, len);
	stamp[len] = '\0';
	request_mac(secret, stamp, mac);
	if (!jmb_secure_streq(mac, last_dot + 1))
		return -1;
	issued = strtoull(stamp, &end, 16);
	if (*end != '.' || (time_t)issued > now + skew || now - (time_t)issued > lifetime)
		return -1;
	*expires_r = (time_t)issued + lifetime + skew;
	return 0;
}

static char *authn_request_xml(const struct saml_authn_request *r)
{
	xmlDoc *doc = xmlNewDoc((const xmlChar *)"1.0");
	xmlNode *root = xmlNewDocNode(doc, NULL, (const xmlChar *)"AuthnRequest", NULL);
	xmlNs *samlp = xmlNewNs(root, (const xmlChar *)SAML_NS_PROTOCOL, (const xmlChar *)"samlp");
	xmlNs *saml = xmlNewNs(root, (const xmlChar *)SAML_NS_ASSERTION, (const xmlChar *)"saml");
	xmlNode *policy;
	xmlBuffer *buf = xmlBufferCreate();
	char instant[32], *out;

	xmlSetNs(root, samlp);
	xmlDocSetRootElement(doc, root);
	saml_xml_format_time(r->now, instant, sizeof(instant));
	xmlNewProp(root, (const xmlChar *)"ID", (const xmlChar *)r->id);
	xmlNewProp(root, (const xmlChar *)"Version", (const xmlChar *)"2.0");
	xmlNewProp(root, (const xmlChar *)"IssueInstant", (const xmlChar *)instant);
	xmlNewProp(root, (const xmlChar *)"Destination", (const xmlChar *)r->destination);
	xmlNewProp(root, (const xmlChar *)"AssertionConsumerServiceURL",
	           (const xmlChar *)r->acs_url);
	xmlNewProp(root, (const xmlChar *)"ProtocolBinding",
	           (const xmlChar *)"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST");
	xmlNewTextChild(root, saml, (const xmlChar *)"Issuer", (const xmlChar *)r->sp_entity_id);
	policy = xmlNewChild(root, samlp, (const xmlChar *)"NameIDPolicy", NULL);
	xmlNewProp(policy, (const xmlChar *)"AllowCreate", (const xmlChar *)"true");
	xmlNodeDump(buf, doc, root, 0, 0);
	out = jmb_xstrdup((const char *)xmlBufferContent(buf));
	xmlBufferFree(buf);
	xmlFreeDoc(doc);
	return out;
}

/* Raw DEFLATE (RFC 1951, no zlib header) then base64, as §3.4.4.1 wants. */
static char *deflate_base64(const char *text)
{
	uLong bound = compressBound((uLong)strlen(text)) + 64;
	unsigned char *out = jmb_xmalloc(bound);
	z_stream z = {0};
	xmlChar *b64;
	char *ret = NULL;

	if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		goto out;
	z.next_in = (Bytef *)text;
	z.avail_in = (uInt)strlen(text);
	z.next_out = out;
	z.avail_out = (uInt)bound;
	if (deflate(&z, Z_FINISH) == Z_STREAM_END) {
		b64 = xmlSecBase64Encode(out, (xmlSecSize)z.total_out, 0);
		if (b64 != NULL) {
			ret = jmb_xstrdup((const char *)b64);
			xmlFree(b64);
		}
	}
	deflateEnd(&z);
out:
	free(out);
	return ret;
}

/* §3.4.4.1: RSA-SHA256 over "SAMLRequest=..&RelayState=..&SigAlg=..", URL-encoded. */
static const char *sign_query(struct jmb_pool *pool, EVP_PKEY *key, const char *query)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char *sig = NULL;
	size_t sig_len = 0;
	const char *ret = NULL;
	xmlChar *b64;

	if (md == NULL || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestSign(md, NULL, &sig_len, (const unsigned char *)query, strlen(query)) != 1)
		goto out;
	sig = jmb_xmalloc(sig_len);
	if (EVP_DigestSign(md, sig, &sig_len, (const unsigned char *)query, strlen(query)) != 1)
		goto out;
	b64 = xmlSecBase64Encode(sig, (xmlSecSize)sig_len, 0);
	if (b64 != NULL) {
		ret = jmb_url_encode(pool, (const char *)b64);
		xmlFree(b64);
	}
out:
	free(sig);
	EVP_MD_CTX_free(md);
	return ret;
}

const char *saml_authn_request_url(struct jmb_pool *pool, const struct saml_authn_request *r)
{
	char *xml = authn_request_xml(r);
	char *encoded = deflate_base64(xml);
	const char *query, *signature;

	free(xml);
	if (encoded == NULL)
		return NULL;
	query = jmb_pool_printf(pool, "SAMLRequest=%s", jmb_url_encode(pool, encoded));
	free(encoded);
	if (r->relay_state != NULL)
		query = jmb_pool_printf(pool, "%s&RelayState=%s", query,
		                        jmb_url_encode(pool, r->relay_state));
	if (r->sign_key != NULL) {
		query = jmb_pool_printf(pool, "%s&SigAlg=%s", query,
		                        jmb_url_encode(pool, SIG_ALG_RSA_SHA256));
		signature = sign_query(pool, r->sign_key, query);
		if (signature == NULL)
			return NULL;
		query = jmb_pool_printf(pool, "%s&Signature=%s", query, signature);
	}
	return jmb_pool_printf(pool, "%s%c%s", r->destination,
	                       strchr(r->destination, '?') != NULL ? '&' : '?', query);
}
