/* SAML metadata (SAML metadata spec §2.4): the IdP's read from a document, ours
 * built with libxml2 node APIs for GET /auth/saml/metadata. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jmb/memory.h"
#include "saml-metadata.h"
#include "saml-xml.h"

#define BINDING_REDIRECT "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
#define BINDING_POST "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
#define PROTOCOL_SAML2 "urn:oasis:names:tc:SAML:2.0:protocol"

static char *node_text(const xmlNode *node)
{
	xmlChar *text = xmlNodeGetContent(node);
	char *copy = jmb_xstrdup(text != NULL ? (const char *)text : "");

	xmlFree(text);
	return copy;
}

static xmlNode *find_idp_entity(xmlNode *node, const char *entity_id)
{
	if (saml_xml_is(node, SAML_NS_METADATA, "EntityDescriptor")) {
		xmlChar *id = xmlGetNoNsProp(node, (const xmlChar *)"entityID");
		bool match =
		    saml_xml_child(node, SAML_NS_METADATA, "IDPSSODescriptor") != NULL &&
		    (entity_id == NULL || (id != NULL && strcmp((char *)id, entity_id) == 0));
		xmlFree(id);
		return match ? node : NULL;
	}
	if (!saml_xml_is(node, SAML_NS_METADATA, "EntitiesDescriptor"))
		return NULL;
	for (xmlNode *c = node->children; c != NULL; c = c->next) {
		xmlNode *found = find_idp_entity(c, entity_id);
		if (found != NULL)
			return found;
	}
	return NULL;
}

/* Signing keys: KeyDescriptors with use="signing" or no use. */
static int read_keys(const xmlNode *sso, struct saml_idp *idp, struct jmb_error *error)
{
	for (const xmlNode *kd = sso->children; kd != NULL; kd = kd->next) {
		xmlChar *use;
		bool signing;
		const xmlNode *cert;
		if (!saml_xml_is(kd, SAML_NS_METADATA, "KeyDescriptor"))
			continue;
		use = xmlGetNoNsProp(kd, (const xmlChar *)"use");
		signing = use == NULL || strcmp((char *)use, "signing") == 0;
		xmlFree(use);
		cert = saml_xml_child(saml_xml_child(saml_xml_child(kd, SAML_NS_DSIG, "KeyInfo"),
		                                     SAML_NS_DSIG, "X509Data"),
		                      SAML_NS_DSIG, "X509Certificate");
		if (!signing || cert == NULL || idp->keys.count == SAML_MAX_IDP_KEYS)
			continue;
		char *b64 = node_text(cert);
		size_t der_len;
		unsigned char *der = saml_base64_decode(b64, &der_len);
		free(b64);
		xmlSecKeyPtr key = der != NULL ? saml_key_from_cert_der(der, der_len) : NULL;
		free(der);
		if (key == NULL) {
			jmb_error_set(error, "IdP metadata: a signing certificate cannot be read");
			return -1;
		}
		idp->keys.items[idp->keys.count++] = key;
	}
	if (idp->keys.count == 0) {
		jmb_error_set(error, "IdP metadata: no signing certificate");
		return -1;
	}
	return 0;
}

static int read_sso_url(const xmlNode *sso, struct saml_idp *idp, struct jmb_error *error)
{
	for (const xmlNode *s = sso->children; s != NULL; s = s->next) {
		xmlChar *binding, *location;
		if (!saml_xml_is(s, SAML_NS_METADATA, "SingleSignOnService"))
			continue;
		binding = xmlGetNoNsProp(s, (const xmlChar *)"Binding");
		location = xmlGetNoNsProp(s, (const xmlChar *)"Location");
		if (binding != NULL && location != NULL &&
		    strcmp((char *)binding, BINDING_REDIRECT) == 0)
			idp->sso_url = jmb_xstrdup((char *)location);
		xmlFree(binding);
		xmlFree(location);
		if (idp->sso_url != NULL)
			break;
	}
	if (idp->sso_url == NULL ||
	    (strncmp(idp->sso_url, "https://", 8) != 0 &&
	     strncmp(idp->sso_url, "http://", 7) != 0) ||
	    strpbrk(idp->sso_url, "\r\n") != NULL) {
		jmb_error_set(error, "IdP metadata: no HTTP-Redirect SingleSignOnService URL");
		return -1;
	}
	return 0;
}

int saml_idp_metadata_read(const char *xml, size_t len, const char *entity_id,
                           struct saml_idp *idp_r, struct jmb_error *error)
{
	const char *why;
	xmlDoc *doc = saml_xml_parse_max(xml, len, SAML_METADATA_MAX_SIZE, &why);
	xmlNode *entity, *sso;
	xmlChar *id;
	int ret = -1;

	memset(idp_r, 0, sizeof(*idp_r));
	if (doc == NULL) {
		jmb_error_set(error, "IdP metadata: %s", why);
		return -1;
	}
	entity = find_idp_entity(xmlDocGetRootElement(doc), entity_id);
	if (entity == NULL) {
		jmb_error_set(error, "IdP metadata: no IdP EntityDescriptor%s%s",
		              entity_id != NULL ? " for " : "", entity_id != NULL ? entity_id : "");
		goto out;
	}
	id = xmlGetNoNsProp(entity, (const xmlChar *)"entityID");
	idp_r->entity_id = jmb_xstrdup(id != NULL ? (char *)id : "");
	xmlFree(id);
	sso = saml_xml_child(entity, SAML_NS_METADATA, "IDPSSODescriptor");
	if (*idp_r->entity_id == '\0') {
		jmb_error_set(error, "IdP metadata: no entityID");
		goto out;
	}
	if (read_sso_url(sso, idp_r, error) < 0 || read_keys(sso, idp_r, error) < 0)
		goto out;
	ret = 0;
out:
	if (ret < 0)
		saml_idp_clear(idp_r);
	xmlFreeDoc(doc);
	return ret;
}

void saml_idp_clear(struct saml_idp *idp)
{
	free(idp->entity_id);
	free(idp->sso_url);
	saml_keys_clear(&idp->keys);
	memset(idp, 0, sizeof(*idp));
}

static void add_key_descriptor(xmlNode *sso, xmlNs *md, const char *use, const char *cert_b64)
{
	xmlNode *kd = xmlNewChild(sso, md, (const xmlChar *)"KeyDescriptor", NULL);
	xmlNs *ds = xmlNewNs(kd, (const xmlChar *)SAML_NS_DSIG, (const xmlChar *)"ds");
	xmlNode *info = xmlNewChild(kd, ds, (const xmlChar *)"KeyInfo", NULL);
	xmlNode *data = xmlNewChild(info, ds, (const xmlChar *)"X509Data", NULL);

	xmlNewProp(kd, (const xmlChar *)"use", (const xmlChar *)use);
	xmlNewTextChild(data, ds, (const xmlChar *)"X509Certificate", (const xmlChar *)cert_b64);
}

char *saml_sp_metadata(const char *entity_id, const char *acs_url, const char *cert_b64,
                       bool requests_signed)
{
	xmlDoc *doc = xmlNewDoc((const xmlChar *)"1.0");
	xmlNode *root = xmlNewDocNode(doc, NULL, (const xmlChar *)"EntityDescriptor", NULL);
	xmlNs *md = xmlNewNs(root, (const xmlChar *)SAML_NS_METADATA, (const xmlChar *)"md");
	xmlNode *sso, *acs;
	xmlChar *text = NULL;
	int len = 0;
	char *out;

	xmlSetNs(root, md);
	xmlDocSetRootElement(doc, root);
	xmlNewProp(root, (const xmlChar *)"entityID", (const xmlChar *)entity_id);
	sso = xmlNewChild(root, md, (const xmlChar *)"SPSSODescriptor", NULL);
	xmlNewProp(sso, (const xmlChar *)"AuthnRequestsSigned",
	           (const xmlChar *)(requests_signed ? "true" : "false"));
	xmlNewProp(sso, (const xmlChar *)"WantAssertionsSigned", (const xmlChar *)"false");
	xmlNewProp(sso, (const xmlChar *)"protocolSupportEnumeration",
	           (const xmlChar *)PROTOCOL_SAML2);
	if (cert_b64 != NULL) {
		add_key_descriptor(sso, md, "signing", cert_b64);
		add_key_descriptor(sso, md, "encryption", cert_b64);
	}
	acs = xmlNewChild(sso, md, (const xmlChar *)"AssertionConsumerService", NULL);
	xmlNewProp(acs, (const xmlChar *)"Binding", (const xmlChar *)BINDING_POST);
	xmlNewProp(acs, (const xmlChar *)"Location", (const xmlChar *)acs_url);
	xmlNewProp(acs, (const xmlChar *)"index", (const xmlChar *)"0");
	xmlNewProp(acs, (const xmlChar *)"isDefault", (const xmlChar *)"true");
	xmlDocDumpFormatMemoryEnc(doc, &text, &len, "UTF-8", 1);
	out = jmb_xstrdup(text != NULL ? (const char *)text : "");
	xmlFree(text);
	xmlFreeDoc(doc);
	return out;
}

char *saml_pem_cert_base64(const char *path, struct jmb_error *error)
{
	FILE *f = fopen(path, "r");
	char line[256], *out = NULL;
	size_t len = 0;
	bool inside = false, done = false;

	if (f == NULL) {
		jmb_error_set(error, "%s: cannot open", path);
		return NULL;
	}
	out = jmb_xstrdup("");
	while (!done && fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (strcmp(line, "-----BEGIN CERTIFICATE-----") == 0)
			inside = true;
		else if (strcmp(line, "-----END CERTIFICATE-----") == 0)
			done = inside;
		else if (inside) {
			size_t n = strlen(line);
			out = jmb_xrealloc(out, len + n + 1);
			memcpy(out + len, line, n + 1);
			len += n;
		}
	}
	fclose(f);
	if (!done || len == 0) {
		free(out);
		jmb_error_set(error, "%s: no PEM certificate", path);
		return NULL;
	}
	return out;
}
