/* Safe XML input for the SAML plugin and namespace-aware tree helpers.
 * Every document from outside (responses, metadata) goes through saml_xml_parse. */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>

#include "saml-xml.h"

/* Only "<!--" and "<![CDATA[" may start with "<!". Anything else is a markup
 * declaration (DOCTYPE, ENTITY, ...): refusing it before the parser sees the
 * document rules out entity expansion and external fetches whatever the
 * libxml2 defaults are. A comment or CDATA holding "<!DOCTYPE" is refused
 * too, which costs nothing: no IdP sends that. */
static bool has_markup_declaration(const char *buf, size_t len)
{
	for (const char *p = buf; (p = memchr(p, '<', len - (size_t)(p - buf))) != NULL; p++) {
		size_t left = len - (size_t)(p - buf);
		if (left < 2 || p[1] != '!')
			continue;
		if (left >= 4 && memcmp(p, "<!--", 4) == 0)
			continue;
		if (left >= 9 && memcmp(p, "<![CDATA[", 9) == 0)
			continue;
		return true;
	}
	return false;
}

xmlDoc *saml_xml_parse(const char *buf, size_t len, const char **error_r)
{
	return saml_xml_parse_max(buf, len, SAML_XML_MAX_SIZE, error_r);
}

xmlDoc *saml_xml_parse_max(const char *buf, size_t len, size_t max, const char **error_r)
{
	xmlDoc *doc;

	if (len == 0 || len > max || len > INT_MAX) {
		*error_r = "empty or too large";
		return NULL;
	}
	/* Also rules out UTF-16 and UCS-4, whose ASCII characters hold NUL bytes. */
	if (memchr(buf, '\0', len) != NULL) {
		*error_r = "NUL byte (only UTF-8 is accepted)";
		return NULL;
	}
	if (has_markup_declaration(buf, len)) {
		*error_r = "DOCTYPE or other markup declaration";
		return NULL;
	}
	doc = xmlReadMemory(buf, (int)len, "saml.xml", "UTF-8",
	                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL) {
		*error_r = "not well-formed XML";
		return NULL;
	}
	if (doc->intSubset != NULL || doc->extSubset != NULL || xmlDocGetRootElement(doc) == NULL) {
		xmlFreeDoc(doc);
		*error_r = "DOCTYPE or no root element";
		return NULL;
	}
	return doc;
}

bool saml_xml_is(const xmlNode *node, const char *ns, const char *name)
{
	return node != NULL && node->type == XML_ELEMENT_NODE && node->ns != NULL &&
	       node->ns->href != NULL && strcmp((const char *)node->ns->href, ns) == 0 &&
	       strcmp((const char *)node->name, name) == 0;
}

xmlNode *saml_xml_child(const xmlNode *parent, const char *ns, const char *name)
{
	for (xmlNode *c = parent != NULL ? parent->children : NULL; c != NULL; c = c->next) {
		if (saml_xml_is(c, ns, name))
			return c;
	}
	return NULL;
}

size_t saml_xml_count_children(const xmlNode *parent, const char *ns, const char *name)
{
	size_t n = 0;

	for (const xmlNode *c = parent != NULL ? parent->children : NULL; c != NULL; c = c->next)
		n += saml_xml_is(c, ns, name);
	return n;
}

size_t saml_xml_count_descendants(const xmlNode *root, const char *ns, const char *name)
{
	size_t n;

	if (root == NULL || root->type != XML_ELEMENT_NODE)
		return 0;
	n = saml_xml_is(root, ns, name);
	for (const xmlNode *c = root->children; c != NULL; c = c->next)
		n += saml_xml_count_descendants(c, ns, name);
	return n;
}

const char *saml_xml_attr(struct jmb_pool *pool, const xmlNode *node, const char *name)
{
	xmlChar *value = xmlGetNoNsProp(node, (const xmlChar *)name);
	char *copy;

	if (value == NULL)
		return NULL;
	copy = jmb_pool_strdup(pool, (const char *)value);
	xmlFree(value);
	return copy;
}

const char *saml_xml_text(struct jmb_pool *pool, const xmlNode *node)
{
	size_t len = 0, o = 0;
	char *text;

	for (const xmlNode *c = node->children; c != NULL; c = c->next) {
		if (c->type == XML_ELEMENT_NODE || c->type == XML_ENTITY_REF_NODE)
			return NULL;
		if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE)
			len += strlen((const char *)c->content);
	}
	text = jmb_pool_alloc(pool, len + 1);
	for (const xmlNode *c = node->children; c != NULL; c = c->next) {
		if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
			size_t n = strlen((const char *)c->content);
			memcpy(text + o, c->content, n);
			o += n;
		}
	}
	text[o] = '\0';
	return text;
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int saml_xml_parse_time(const char *text, time_t *t_r)
{
	struct tm tm = {0};
	int year, month, day, hour, minute, second;
	const char *p;

	if (text == NULL || strlen(text) < 20 || text[4] != '-' || text[7] != '-' ||
	    text[10] != 'T' || text[13] != ':' || text[16] != ':')
		return -1;
	if (digits(text, 4, &year) < 0 || digits(text + 5, 2, &month) < 0 ||
	    digits(text + 8, 2, &day) < 0 || digits(text + 11, 2, &hour) < 0 ||
	    digits(text + 14, 2, &minute) < 0 || digits(text + 17, 2, &second) < 0)
		return -1;
	p = text + 19;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	/* SAML times are UTC (core §1.3.3); refuse offsets rather than guess. */
	if (strcmp(p, "Z") != 0)
		return -1;
	if (year < 1970 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 ||
	    minute > 59 || second > 60)
		return -1;
	tm.tm_year = year - 1900;
	tm.tm_mon = month - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = minute;
	tm.tm_sec = second;
	*t_r = timegm(&tm);
	return 0;
}

void saml_xml_format_time(time_t t, char *out, size_t size)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
