/* Parsing and checking a SAML 2.0 Response: structure, signatures (xmlsec, on
 * exactly the element used), then every Web SSO profile rule, each failure
 * naming its check. */
#include "config.h"

#include <string.h>

#include <libxml/tree.h>

#include "saml-crypto.h"
#include "saml-response.h"
#include "saml-xml.h"

#define STATUS_SUCCESS "urn:oasis:names:tc:SAML:2.0:status:Success"
#define CM_BEARER "urn:oasis:names:tc:SAML:2.0:cm:bearer"
#define MAX_ATTRIBUTES 64
#define MAX_VALUES 32

struct check {
	const struct saml_expect *expect;
	struct jmb_pool *pool;
	struct saml_assertion *out;
	struct saml_failure *failure;
};

static int fail(struct check *c, const char *check, const char *detail)
{
	c->failure->check = check;
	c->failure->detail = detail;
	return -1;
}

static const char *child_text(struct check *c, const xmlNode *parent, const char *ns,
                              const char *name)
{
	const xmlNode *node = saml_xml_child(parent, ns, name);

	return node != NULL ? saml_xml_text(c->pool, node) : NULL;
}

/* Response-level rules: version, Destination, Issuer (optional here), Status. */
static int check_envelope(struct check *c, const xmlNode *root)
{
	const char *version = saml_xml_attr(c->pool, root, "Version");
	const char *destination = saml_xml_attr(c->pool, root, "Destination");
	const xmlNode *status = saml_xml_child(root, SAML_NS_PROTOCOL, "Status");
	const xmlNode *code = saml_xml_child(status, SAML_NS_PROTOCOL, "StatusCode");
	const char *value = code != NULL ? saml_xml_attr(c->pool, code, "Value") : NULL;

	if (version == NULL || strcmp(version, "2.0") != 0)
		return fail(c, "version", "not a SAML 2.0 Response");
	c->out->response_id = saml_xml_attr(c->pool, root, "ID");
	if (c->out->response_id == NULL || *c->out->response_id == '\0')
		return fail(c, "response_id", "Response without ID");
	if (destination == NULL || strcmp(destination, c->expect->acs_url) != 0)
		return fail(c, "destination",
		            jmb_pool_printf(c->pool, "Destination is '%s', not our ACS URL",
		                            destination != NULL ? destination : ""));
	if (saml_xml_count_children(root, SAML_NS_ASSERTION, "Issuer") > 1)
		return fail(c, "issuer", "several Issuers");
	if (saml_xml_child(root, SAML_NS_ASSERTION, "Issuer") != NULL) {
		const char *issuer = child_text(c, root, SAML_NS_ASSERTION, "Issuer");
		if (issuer == NULL || strcmp(issuer, c->expect->idp_entity_id) != 0)
			return fail(c, "issuer", "Response Issuer is not the IdP");
	}
	if (value == NULL || strcmp(value, STATUS_SUCCESS) != 0)
		return fail(
		    c, "status",
		    jmb_pool_printf(c->pool, "status is '%s'", value != NULL ? value : "missing"));
	c->out->in_response_to = saml_xml_attr(c->pool, root, "InResponseTo");
	return 0;
}

/* Every ID attribute value must be unique in the document, so that no
 * reference can be made ambiguous by a copy. */
static bool ids_are_unique(const xmlNode *node, xmlHashTablePtr seen)
{
	for (; node != NULL; node = node->next) {
		if (node->type != XML_ELEMENT_NODE)
			continue;
		for (const xmlAttr *a = node->properties; a != NULL; a = a->next) {
			if (strcmp((const char *)a->name, "ID") != 0 || a->children == NULL ||
			    a->children->content == NULL)
				continue;
			if (xmlHashAddEntry(seen, a->children->content, (void *)a) != 0)
				return false;
		}
		if (!ids_are_unique(node->children, seen))
			return false;
	}
	return true;
}

/* Exactly one assertion, plain or encrypted, anywhere in the document, and it
 * is a child of the Response. Wrapping attacks (XSW) all need a second one. */
static int find_assertion(struct check *c, xmlNode *root, xmlNode **assertion_r)
{
	size_t plain = saml_xml_count_descendants(root, SAML_NS_ASSERTION, "Assertion");
	size_t encrypted =
	    saml_xml_count_descendants(root, SAML_NS_ASSERTION, "EncryptedAssertion");
	xmlHashTablePtr seen = xmlHashCreate(16);
	bool unique = ids_are_unique(root, seen);

	xmlHashFree(seen, NULL);
	if (!unique)
		return fail(c, "duplicate_id", "an ID value is used twice");
	if (plain + encrypted != 1)
		return fail(c, "assertion_count",
		            jmb_pool_printf(c->pool, "%zu assertions, expected exactly one",
		                            plain + encrypted));
	*assertion_r = plain == 1 ? saml_xml_child(root, SAML_NS_ASSERTION, "Assertion")
	                          : saml_xml_child(root, SAML_NS_ASSERTION, "EncryptedAssertion");
	if (*assertion_r == NULL)
		return fail(c, "assertion_count", "the assertion is not a child of the Response");
	return 0;
}

/* Verifies the ds:Signature child of element, if any: 1 signed and valid,
 * 0 unsigned, -1 a signature that does not verify (or several). */
static int verify_element(struct check *c, xmlNode *element)
{
	size_t n = saml_xml_count_children(element, SAML_NS_DSIG, "Signature");
	const char *why;

	if (n == 0)
		return 0;
	if (n > 1)
		return fail(c, "signature", "several signatures on one element");
	if (saml_signature_verify(element, saml_xml_child(element, SAML_NS_DSIG, "Signature"),
	                          c->expect->idp_keys, &why) < 0)
		return fail(c, "signature", why);
	return 1;
}

static int verify_signatures(struct check *c, xmlNode *root, xmlNode **assertion)
{
	int r = verify_element(c, root);
	const char *why;

	if (r < 0)
		return -1;
	c->out->response_signed = r == 1;
	/* A Response signature covers the EncryptedAssertion as sent; decrypt after. */
	if (saml_xml_is(*assertion, SAML_NS_ASSERTION, "EncryptedAssertion")) {
		if (c->expect->sp_key == NULL)
			return fail(c, "encrypted_assertion",
			            "encrypted assertion and no sp_key_file");
		*assertion = saml_decrypt_assertion(*assertion, c->expect->sp_key, &why);
		if (*assertion == NULL)
			return fail(c, "encrypted_assertion", why);
		c->out->was_encrypted = true;
		if (saml_xml_count_descendants(root, SAML_NS_ASSERTION, "Assertion") != 1)
			return fail(c, "assertion_count",
			            "the decrypted assertion holds another one");
	}
	r = verify_element(c, *assertion);
	if (r < 0)
		return -1;
	c->out->assertion_signed = r == 1;
	if (!c->out->response_signed && !c->out->assertion_signed)
		return fail(c, "signature", "neither the Response nor the Assertion is signed");
	return 0;
}

/* NotBefore / NotOnOrAfter of node, within the clock skew. */
static int check_times(struct check *c, const xmlNode *node, bool need_end)
{
	const char *before = saml_xml_attr(c->pool, node, "NotBefore");
	const char *after = saml_xml_attr(c->pool, node, "NotOnOrAfter");
	time_t t;

	if (before != NULL) {
		if (saml_xml_parse_time(before, &t) < 0)
			return fail(c, "not_before", "NotBefore is not a UTC time");
		if (c->expect->now + c->expect->clock_skew < t)
			return fail(c, "not_before",
			            jmb_pool_printf(c->pool, "%s: not valid before %s",
			                            (const char *)node->name, before));
	}
	if (after == NULL)
		return need_end ? fail(c, "not_on_or_after",
		                       jmb_pool_printf(c->pool, "%s without NotOnOrAfter",
		                                       (const char *)node->name))
		                : 0;
	if (saml_xml_parse_time(after, &t) < 0)
		return fail(c, "not_on_or_after", "NotOnOrAfter is not a UTC time");
	if (c->expect->now - c->expect->clock_skew >= t)
		return fail(
		    c, "not_on_or_after",
		    jmb_pool_printf(c->pool, "%s: expired at %s", (const char *)node->name, after));
	return 0;
}

/* Exactly one bearer SubjectConfirmation, for our ACS, in response to a request. */
static int check_subject(struct check *c, const xmlNode *assertion)
{
	const xmlNode *subject = saml_xml_child(assertion, SAML_NS_ASSERTION, "Subject");
	const xmlNode *confirmation = NULL, *data;
	const char *recipient, *in_response_to;
	size_t bearers = 0;

	if (subject == NULL ||
	    saml_xml_count_children(assertion, SAML_NS_ASSERTION, "Subject") != 1)
		return fail(c, "subject", "no single Subject");
	for (const xmlNode *n = subject->children; n != NULL; n = n->next) {
		const char *method;
		if (!saml_xml_is(n, SAML_NS_ASSERTION, "SubjectConfirmation"))
			continue;
		method = saml_xml_attr(c->pool, n, "Method");
		if (method != NULL && strcmp(method, CM_BEARER) == 0) {
			confirmation = n;
			bearers++;
		}
	}
	if (bearers != 1)
		return fail(c, "subject_confirmation", "no single bearer SubjectConfirmation");
	data = saml_xml_child(confirmation, SAML_NS_ASSERTION, "SubjectConfirmationData");
	if (data == NULL)
		return fail(c, "subject_confirmation", "no SubjectConfirmationData");
	recipient = saml_xml_attr(c->pool, data, "Recipient");
	if (recipient == NULL || strcmp(recipient, c->expect->acs_url) != 0)
		return fail(c, "recipient",
		            jmb_pool_printf(c->pool, "Recipient is '%s', not our ACS URL",
		                            recipient != NULL ? recipient : ""));
	if (check_times(c, data, true) < 0)
		return -1;
	in_response_to = saml_xml_attr(c->pool, data, "InResponseTo");
	if (in_response_to == NULL)
		return fail(c, "in_response_to", "unsolicited response (no InResponseTo)");
	if (c->out->in_response_to != NULL && strcmp(c->out->in_response_to, in_response_to) != 0)
		return fail(c, "in_response_to", "Response and Assertion InResponseTo differ");
	c->out->in_response_to = in_response_to;
	if (saml_xml_child(subject, SAML_NS_ASSERTION, "NameID") != NULL) {
		c->out->name_id = child_text(c, subject, SAML_NS_ASSERTION, "NameID");
		if (c->out->name_id == NULL)
			return fail(c, "name_id", "NameID holds elements");
	}
	return 0;
}

static int check_conditions(struct check *c, const xmlNode *assertion)
{
	const xmlNode *conditions = saml_xml_child(assertion, SAML_NS_ASSERTION, "Conditions");
	size_t restrictions = 0;

	if (conditions == NULL ||
	    saml_xml_count_children(assertion, SAML_NS_ASSERTION, "Conditions") != 1)
		return fail(c, "conditions", "no single Conditions");
	if (check_times(c, conditions, false) < 0)
		return -1;
	/* Each AudienceRestriction must name us (core §2.5.1.4). */
	for (const xmlNode *r = conditions->children; r != NULL; r = r->next) {
		bool ours = false;
		if (!saml_xml_is(r, SAML_NS_ASSERTION, "AudienceRestriction"))
			continue;
		restrictions++;
		for (const xmlNode *a = r->children; a != NULL; a = a->next) {
			const char *audience = saml_xml_is(a, SAML_NS_ASSERTION, "Audience")
			                           ? saml_xml_text(c->pool, a)
			                           : NULL;
			ours = ours ||
			       (audience != NULL && strcmp(audience, c->expect->sp_entity_id) == 0);
		}
		if (!ours)
			return fail(c, "audience", "an AudienceRestriction does not name this SP");
	}
	if (restrictions == 0)
		return fail(c, "audience", "no AudienceRestriction");
	return 0;
}

static const char *const *attribute_values(struct check *c, const xmlNode *attribute)
{
	const char **values = jmb_pool_alloc(c->pool, (MAX_VALUES + 1) * sizeof(*values));
	size_t n = 0;

	for (const xmlNode *v = attribute->children; v != NULL && n < MAX_VALUES; v = v->next) {
		const char *text;
		/* Complex values (a NameID inside eduPersonTargetedID) are skipped. */
		if (saml_xml_is(v, SAML_NS_ASSERTION, "AttributeValue") &&
		    (text = saml_xml_text(c->pool, v)) != NULL)
			values[n++] = text;
	}
	values[n] = NULL;
	return values;
}

static void read_attributes(struct check *c, const xmlNode *assertion)
{
	struct saml_attribute *attrs = jmb_pool_alloc(c->pool, MAX_ATTRIBUTES * sizeof(*attrs));
	size_t n = 0;

	for (const xmlNode *s = assertion->children; s != NULL; s = s->next) {
		if (!saml_xml_is(s, SAML_NS_ASSERTION, "AttributeStatement"))
			continue;
		for (const xmlNode *a = s->children; a != NULL && n < MAX_ATTRIBUTES; a = a->next) {
			const char *name = saml_xml_is(a, SAML_NS_ASSERTION, "Attribute")
			                       ? saml_xml_attr(c->pool, a, "Name")
			                       : NULL;
			if (name == NULL)
				continue;
			attrs[n].name = name;
			attrs[n].values = attribute_values(c, a);
			n++;
		}
	}
	c->out->attributes = attrs;
	c->out->attribute_count = n;
}

/* Rules on the (verified) assertion; everything read here is covered by a signature. */
static int check_assertion(struct check *c, const xmlNode *assertion)
{
	const char *version = saml_xml_attr(c->pool, assertion, "Version");
	const char *issuer = child_text(c, assertion, SAML_NS_ASSERTION, "Issuer");

	if (version == NULL || strcmp(version, "2.0") != 0)
		return fail(c, "version", "not a SAML 2.0 Assertion");
	c->out->assertion_id = saml_xml_attr(c->pool, assertion, "ID");
	if (c->out->assertion_id == NULL || *c->out->assertion_id == '\0')
		return fail(c, "assertion_id", "Assertion without ID");
	if (issuer == NULL || strcmp(issuer, c->expect->idp_entity_id) != 0)
		return fail(c, "issuer",
		            jmb_pool_printf(c->pool, "Assertion Issuer is '%s', not the IdP",
		                            issuer != NULL ? issuer : ""));
	if (check_subject(c, assertion) < 0 || check_conditions(c, assertion) < 0)
		return -1;
	if (saml_xml_child(assertion, SAML_NS_ASSERTION, "AuthnStatement") == NULL)
		return fail(c, "authn_statement", "no AuthnStatement");
	read_attributes(c, assertion);
	return 0;
}

int saml_response_check(const char *xml, size_t len, const struct saml_expect *expect,
                        struct jmb_pool *pool, struct saml_assertion *out,
                        struct saml_failure *failure_r)
{
	struct check c = {.expect = expect, .pool = pool, .out = out, .failure = failure_r};
	const char *why = NULL;
	xmlNode *root, *assertion = NULL;
	xmlDoc *doc;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	doc = saml_xml_parse(xml, len, &why);
	if (doc == NULL)
		return fail(&c, "xml", why);
	root = xmlDocGetRootElement(doc);
	if (!saml_xml_is(root, SAML_NS_PROTOCOL, "Response")) {
		fail(&c, "root", "the document is not a samlp:Response");
		goto out;
	}
	if (find_assertion(&c, root, &assertion) < 0 ||
	    verify_signatures(&c, root, &assertion) < 0 || check_envelope(&c, root) < 0 ||
	    check_assertion(&c, assertion) < 0)
		goto out;
	ret = 0;
out:
	xmlFreeDoc(doc);
	return ret;
}

const char *saml_assertion_value(const struct saml_assertion *a, const char *name)
{
	for (size_t i = 0; i < a->attribute_count; i++) {
		if (strcmp(a->attributes[i].name, name) == 0)
			return a->attributes[i].values[0];
	}
	return NULL;
}
