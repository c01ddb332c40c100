/* Safe XML input for the SAML plugin (no DTD, no entities, no network) and
 * the few namespace-aware tree helpers the checks need. */
#ifndef JMB_SAML_XML_H
#define JMB_SAML_XML_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <libxml/tree.h>

#include "jmb/pool.h"

#define SAML_NS_PROTOCOL "urn:oasis:names:tc:SAML:2.0:protocol"
#define SAML_NS_ASSERTION "urn:oasis:names:tc:SAML:2.0:assertion"
#define SAML_NS_METADATA "urn:oasis:names:tc:SAML:2.0:metadata"
#define SAML_NS_DSIG "http://www.w3.org/2000/09/xmldsig#"
#define SAML_NS_XENC "http://www.w3.org/2001/04/xmlenc#"

/* Largest document accepted (a decoded SAMLResponse). */
#define SAML_XML_MAX_SIZE (1024 * 1024)
/* Largest IdP metadata accepted (a file, a download, its cache). */
#define SAML_METADATA_MAX_SIZE (10 * 1024 * 1024)

/* Parses buf as UTF-8 XML. Refused before parsing: NUL bytes, any markup
 * declaration (<!DOCTYPE, <!ENTITY...: only comments and CDATA may start with
 * "<!"), so no DTD, entity or external resource is ever read. Parsed with
 * XML_PARSE_NONET and without DTD loading or entity substitution. NULL on
 * refusal, with a static reason in *error_r. */
xmlDoc *saml_xml_parse(const char *buf, size_t len, const char **error_r);
/* The same with another size limit than SAML_XML_MAX_SIZE. */
xmlDoc *saml_xml_parse_max(const char *buf, size_t len, size_t max, const char **error_r);

/* True when node is an element named name in namespace ns. */
bool saml_xml_is(const xmlNode *node, const char *ns, const char *name);
/* The first element child of parent named ns:name, or NULL. */
xmlNode *saml_xml_child(const xmlNode *parent, const char *ns, const char *name);
/* How many element children of parent are named ns:name. */
size_t saml_xml_count_children(const xmlNode *parent, const char *ns, const char *name);
/* How many elements named ns:name are in the subtree of root (root included). */
size_t saml_xml_count_descendants(const xmlNode *root, const char *ns, const char *name);
/* The value of an attribute without namespace, copied into pool, or NULL. */
const char *saml_xml_attr(struct jmb_pool *pool, const xmlNode *node, const char *name);
/* The element's text: every text and CDATA child concatenated, comments
 * skipped (so "a<!---->b" reads "ab", exactly what a signature over the
 * canonical form covers). NULL when the element has element children. */
const char *saml_xml_text(struct jmb_pool *pool, const xmlNode *node);
/* Parses an xs:dateTime in UTC ("2026-01-02T03:04:05Z", fractions allowed). */
int saml_xml_parse_time(const char *text, time_t *t_r);
/* Formats t as an xs:dateTime in UTC (out >= 21 bytes). */
void saml_xml_format_time(time_t t, char *out, size_t size);

#endif
