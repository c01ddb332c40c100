/* The views engine: parses templates once, clones one per render, fills it
 * through libxml2's tree API and writes HTML5 with libxml2's HTML serialiser. */
#include "config.h"

#include <dirent.h>
#include <libxml/HTMLtree.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>

#include "util/memory.h"
#include "util/strbuf.h"
#include "util/text.h"
#include "web/http.h"
#include "web/views.h"

#define VIEWS_MAX 64
#define SCOPE_MAX 16

struct view_template {
	char *name;
	xmlDocPtr doc;
};

struct jmb_views {
	struct view_template templates[VIEWS_MAX];
	size_t count;
};

/* The chain of objects paths are looked up in, innermost last. */
struct scope {
	json_t *frames[SCOPE_MAX];
	size_t depth;
};

struct render {
	struct scope scope;
	const struct jmb_i18n *i18n;
	const char *lang;
	bool failed;
	struct jmb_error error; /* the first one, when failed */
};

static const int parse_options = XML_PARSE_NONET | XML_PARSE_NOCDATA;

static int add_template(struct jmb_views *v, const char *name, xmlDocPtr doc,
                        struct jmb_error *error)
{
	if (v->count == VIEWS_MAX) {
		jmb_error_set(error, "too many templates");
		xmlFreeDoc(doc);
		return -1;
	}
	v->templates[v->count].name = jmb_xstrdup(name);
	v->templates[v->count].doc = doc;
	v->count++;
	return 0;
}

static int filter_xhtml(const struct dirent *d)
{
	size_t len = strlen(d->d_name);

	return len > 6 && strcmp(d->d_name + len - 6, ".xhtml") == 0;
}

struct jmb_views *jmb_views_load(const char *dir, struct jmb_error *error)
{
	struct jmb_views *v = jmb_xcalloc(1, sizeof(*v));
	struct dirent **names = NULL;
	int n = scandir(dir, &names, filter_xhtml, alphasort);

	if (n < 0) {
		jmb_error_set(error, "%s: cannot read template folder", dir);
		free(v);
		return NULL;
	}
	for (int i = 0; i < n; i++) {
		char *path = jmb_xasprintf("%s/%s", dir, names[i]->d_name);
		xmlDocPtr doc = xmlReadFile(path, "UTF-8", parse_options);
		char *name = jmb_xstrndup(names[i]->d_name, strlen(names[i]->d_name) - 6);

		if (doc == NULL) {
			const xmlError *e = xmlGetLastError();
			jmb_error_set(error, "%s:%d: not well-formed XML: %s", path,
			              e != NULL ? e->line : 0,
			              e != NULL && e->message ? e->message : "?");
		}
		free(path);
		if (doc == NULL || add_template(v, name, doc, error) < 0) {
			free(name);
			goto fail;
		}
		free(name);
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return v;
fail:
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	jmb_views_free(&v);
	return NULL;
}

struct jmb_views *jmb_views_from_memory(const char *const *names, const char *const *texts,
                                        size_t count, struct jmb_error *error)
{
	struct jmb_views *v = jmb_xcalloc(1, sizeof(*v));

	for (size_t i = 0; i < count; i++) {
		xmlDocPtr doc = xmlReadMemory(texts[i], (int)strlen(texts[i]), names[i], "UTF-8",
		                              parse_options);
		if (doc == NULL) {
			jmb_error_set(error, "%s: not well-formed XML", names[i]);
			jmb_views_free(&v);
			return NULL;
		}
		if (add_template(v, names[i], doc, error) < 0) {
			jmb_views_free(&v);
			return NULL;
		}
	}
	return v;
}

void jmb_views_free(struct jmb_views **vp)
{
	struct jmb_views *v = *vp;

	if (v == NULL)
		return;
	for (size_t i = 0; i < v->count; i++) {
		free(v->templates[i].name);
		xmlFreeDoc(v->templates[i].doc);
	}
	free(v);
	*vp = NULL;
}

static xmlDocPtr find_template(const struct jmb_views *v, const char *name)
{
	for (size_t i = 0; i < v->count; i++) {
		if (strcmp(v->templates[i].name, name) == 0)
			return v->templates[i].doc;
	}
	return NULL;
}

/* Looks a dotted path up, innermost scope first. */
static json_t *lookup(const struct scope *s, const char *path)
{
	if (strcmp(path, ".") == 0)
		return s->depth > 0 ? s->frames[s->depth - 1] : NULL;
	for (size_t i = s->depth; i-- > 0;) {
		json_t *v = s->frames[i];
		const char *p = path;

		while (v != NULL) {
			const char *dot = strchr(p, '.');
			size_t len = dot != NULL ? (size_t)(dot - p) : strlen(p);
			v = json_is_object(v) ? json_object_getn(v, p, len) : NULL;
			if (dot == NULL)
				break;
			p = dot + 1;
		}
		if (v != NULL)
			return v;
	}
	return NULL;
}

static bool truthy(json_t *v)
{
	if (v == NULL)
		return false;
	switch (json_typeof(v)) {
	case JSON_STRING:
		return json_string_length(v) > 0;
	case JSON_INTEGER:
		return json_integer_value(v) != 0;
	case JSON_REAL:
		return json_real_value(v) != 0;
	case JSON_TRUE:
		return true;
	case JSON_ARRAY:
		return json_array_size(v) > 0;
	case JSON_OBJECT:
		return true;
	default:
		return false;
	}
}

/* The text form of a scalar; NULL for null, false and containers. */
static char *scalar_text(json_t *v)
{
	if (v == NULL)
		return NULL;
	switch (json_typeof(v)) {
	case JSON_STRING:
		return jmb_xstrdup(json_string_value(v));
	case JSON_INTEGER:
		return jmb_xasprintf("%lld", (long long)json_integer_value(v));
	case JSON_REAL:
		return jmb_xasprintf("%g", json_real_value(v));
	case JSON_TRUE:
		return jmb_xstrdup("true");
	default:
		return NULL;
	}
}

static char *take_attr(xmlNodePtr node, const char *name)
{
	xmlChar *v = xmlGetProp(node, (const xmlChar *)name);
	char *copy;

	if (v == NULL)
		return NULL;
	copy = jmb_xstrdup((const char *)v);
	xmlFree(v);
	xmlUnsetProp(node, (const xmlChar *)name);
	return copy;
}

static void set_text(xmlNodePtr node, const char *text)
{
	xmlNodePtr child = node->children;

	while (child != NULL) {
		xmlNodePtr next = child->next;
		xmlUnlinkNode(child);
		xmlFreeNode(child);
		child = next;
	}
	/* xmlNewText stores the text as is; the serialiser escapes it. Text stored
	   before bidi controls and the like were refused loses them here. */
	if (jmb_text_check(text, true) == JMB_TEXT_OK) {
		xmlAddChild(node, xmlNewText((const xmlChar *)text));
	} else {
		char *clean = jmb_text_clean(text, true);

		xmlAddChild(node, xmlNewText((const xmlChar *)clean));
		free(clean);
	}
}

static bool is_raw_text_element(xmlNodePtr node)
{
	/* HTML serialisers do not escape inside these: never put data there. */
	return xmlStrcasecmp(node->name, (const xmlChar *)"script") == 0 ||
	       xmlStrcasecmp(node->name, (const xmlChar *)"style") == 0;
}

/* True when an ancestor of node is a script or style: a browser reads all
 * their content, markup included, as raw script or CSS. */
static bool inside_raw_text_element(xmlNodePtr node)
{
	for (xmlNodePtr p = node->parent; p != NULL && p->type == XML_ELEMENT_NODE; p = p->parent) {
		if (is_raw_text_element(p))
			return true;
	}
	return false;
}

/* Keeps the first error of a render. */
static void render_error(struct render *r, const char *msg)
{
	if (!r->failed) {
		r->failed = true;
		jmb_error_set(&r->error, "%s", msg);
	}
}

static bool is_url_attribute(const char *name)
{
	return strcasecmp(name, "href") == 0 || strcasecmp(name, "src") == 0 ||
	       strcasecmp(name, "action") == 0 || strcasecmp(name, "formaction") == 0;
}

/* A reference to this site, or an absolute one with a scheme people follow
   safely: never javascript:, data: or vbscript:. Without a scheme, a path
   starting with two slashes is another host's ("//host/x"), and so is one
   with a backslash after the first slash, which browsers read as a slash
   ("/\\host"); browsers also drop leading spaces and controls and every tab
   or newline ("/\t/host"), so none of these passes as local either. */
static bool url_is_safe(const char *url)
{
	static const char *const schemes[] = {"http:", "https:", "mailto:", "webcal:", NULL};
	size_t scheme_len = strcspn(url, ":/?#");

	if (strpbrk(url, "\t\r\n") != NULL || (url[0] != '\0' && (unsigned char)url[0] <= ' '))
		return false;
	if (url[scheme_len] != ':') {
		/* no scheme: a path, query or fragment of this site */
		if (url[0] == '/')
			return jmb_is_local_path(url);
		return url[0] != '\\';
	}
	for (size_t i = 0; schemes[i] != NULL; i++) {
		if (strncasecmp(url, schemes[i], strlen(schemes[i])) == 0)
			return true;
	}
	return false;
}

static void apply_attrs(struct render *r, xmlNodePtr node, const char *spec)
{
	char *copy = jmb_xstrdup(spec), *save = NULL;

	for (char *item = strtok_r(copy, ";", &save); item != NULL;
	     item = strtok_r(NULL, ";", &save)) {
		char *colon = strchr(item, ':');
		char *name = item, *path;
		json_t *v;

		if (colon == NULL)
			continue;
		*colon = '\0';
		path = colon + 1;
		while (*name == ' ')
			name++;
		while (*path == ' ')
			path++;
		for (char *e = name + strlen(name); e > name && e[-1] == ' ';)
			*--e = '\0';
		for (char *e = path + strlen(path); e > path && e[-1] == ' ';)
			*--e = '\0';
		if (strncasecmp(name, "on", 2) == 0 || strcasecmp(name, "style") == 0) {
			char *msg = jmb_xasprintf("data-attr may not set %s", name);
			render_error(r, msg);
			free(msg);
			continue;
		}
		v = lookup(&r->scope, path);
		if (json_is_true(v)) {
			xmlSetProp(node, (const xmlChar *)name, (const xmlChar *)name);
		} else {
			char *text = scalar_text(v);
			if (text != NULL && is_url_attribute(name) && !url_is_safe(text)) {
				render_error(r, "data-attr refused a URL with an unsafe scheme");
				free(text);
				text = NULL;
			}
			if (text != NULL)
				xmlSetProp(node, (const xmlChar *)name, (const xmlChar *)text);
			else
				xmlUnsetProp(node, (const xmlChar *)name);
			free(text);
		}
	}
	free(copy);
}

/* Collapses white space so msgids do not depend on template indentation. */
static char *normalized_text(xmlNodePtr node)
{
	xmlChar *raw = xmlNodeGetContent(node);
	struct jmb_strbuf sb = {0};
	bool space = false;

	for (const xmlChar *p = raw; p != NULL && *p != '\0'; p++) {
		if (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') {
			space = sb.len > 0;
			continue;
		}
		if (space)
			jmb_strbuf_putc(&sb, ' ');
		space = false;
		jmb_strbuf_putc(&sb, (char)*p);
	}
	xmlFree(raw);
	if (sb.data == NULL)
		jmb_strbuf_puts(&sb, "");
	return jmb_strbuf_steal(&sb, NULL);
}

static void translate_attrs(struct render *r, xmlNodePtr node, const char *list)
{
	char *copy = jmb_xstrdup(list), *save = NULL;

	for (char *name = strtok_r(copy, " ", &save); name != NULL;
	     name = strtok_r(NULL, " ", &save)) {
		xmlChar *v = xmlGetProp(node, (const xmlChar *)name);
		if (v != NULL) {
			xmlSetProp(node, (const xmlChar *)name,
			           (const xmlChar *)jmb_tr(r->i18n, r->lang, (const char *)v));
			xmlFree(v);
		}
	}
	free(copy);
}

static void fill_node(struct render *r, xmlNodePtr node);

static void fill_children(struct render *r, xmlNodePtr node)
{
	xmlNodePtr child = node->children;

	while (child != NULL) {
		xmlNodePtr next = child->next;
		if (child->type == XML_ELEMENT_NODE)
			fill_node(r, child);
		child = next;
	}
}

/* data-each: clones node once per array item, each filled with the item in scope. */
static void repeat_node(struct render *r, xmlNodePtr node, const char *path)
{
	json_t *list = lookup(&r->scope, path);
	xmlNodePtr anchor = node;

	if (json_is_array(list) && r->scope.depth < SCOPE_MAX) {
		size_t i;
		json_t *item;

		json_array_foreach(list, i, item)
		{
			xmlNodePtr copy = xmlCopyNode(node, 1);
			anchor = xmlAddNextSibling(anchor, copy);
			r->scope.frames[r->scope.depth++] = item;
			fill_node(r, copy);
			r->scope.depth--;
		}
	}
	xmlUnlinkNode(node);
	xmlFreeNode(node);
}

static void fill_node(struct render *r, xmlNodePtr node)
{
	char *v;

	if ((v = take_attr(node, "data-each")) != NULL) {
		repeat_node(r, node, v);
		free(v);
		return;
	}
	if ((v = take_attr(node, "data-if")) != NULL) {
		bool keep = truthy(lookup(&r->scope, v));
		free(v);
		if (!keep) {
			xmlUnlinkNode(node);
			xmlFreeNode(node);
			return;
		}
	}
	if ((v = take_attr(node, "data-unless")) != NULL) {
		bool drop = truthy(lookup(&r->scope, v));
		free(v);
		if (drop) {
			xmlUnlinkNode(node);
			xmlFreeNode(node);
			return;
		}
	}
	if ((v = take_attr(node, "data-i18n")) != NULL) {
		char *msgid = normalized_text(node);
		set_text(node, jmb_tr(r->i18n, r->lang, msgid));
		free(msgid);
		free(v);
	}
	if ((v = take_attr(node, "data-i18n-attr")) != NULL) {
		translate_attrs(r, node, v);
		free(v);
	}
	if ((v = take_attr(node, "data-attr")) != NULL) {
		if (inside_raw_text_element(node))
			render_error(r, "data-attr is not allowed in script or style");
		else
			apply_attrs(r, node, v);
		free(v);
	}
	if ((v = take_attr(node, "data-text")) != NULL) {
		if (is_raw_text_element(node) || inside_raw_text_element(node)) {
			render_error(r, "data-text is not allowed in script or style");
		} else {
			char *text = scalar_text(lookup(&r->scope, v));
			set_text(node, text != NULL ? text : "");
			free(text);
		}
		free(v);
		return;
	}
	fill_children(r, node);
}

static xmlNodePtr find_slot(xmlNodePtr node)
{
	for (; node != NULL; node = node->next) {
		if (node->type != XML_ELEMENT_NODE)
			continue;
		if (xmlHasProp(node, (const xmlChar *)"data-slot"))
			return node;
		xmlNodePtr found = find_slot(node->children);
		if (found != NULL)
			return found;
	}
	return NULL;
}

static char *serialize_html(xmlDocPtr doc, xmlNodePtr root, bool with_doctype, size_t *len_r)
{
	xmlBufferPtr buf = xmlBufferCreate();
	xmlOutputBufferPtr out = xmlOutputBufferCreateBuffer(buf, NULL);
	struct jmb_strbuf sb = {0};

	htmlNodeDumpFormatOutput(out, doc, root, "UTF-8", 0);
	xmlOutputBufferClose(out);
	if (with_doctype)
		jmb_strbuf_puts(&sb, "<!DOCTYPE html>\n");
	jmb_strbuf_append(&sb, xmlBufferContent(buf), (size_t)xmlBufferLength(buf));
	jmb_strbuf_putc(&sb, '\n');
	xmlBufferFree(buf);
	return jmb_strbuf_steal(&sb, len_r);
}

static char *render(const struct jmb_views *v, const char *layout, const char *page, json_t *model,
                    const struct jmb_i18n *i18n, const char *lang, size_t *len_r,
                    struct jmb_error *error)
{
	xmlDocPtr page_tpl = find_template(v, page), layout_tpl = NULL, doc = NULL;
	struct render r = {.scope = {.frames = {model}, .depth = 1}, .i18n = i18n, .lang = lang};
	char *html = NULL;

	if (page_tpl == NULL ||
	    (layout != NULL && (layout_tpl = find_template(v, layout)) == NULL)) {
		jmb_error_set(error, "no template named %s", page_tpl == NULL ? page : layout);
		return NULL;
	}
	doc = xmlCopyDoc(layout_tpl != NULL ? layout_tpl : page_tpl, 1);
	if (layout_tpl != NULL) {
		xmlNodePtr slot = find_slot(xmlDocGetRootElement(doc));
		if (slot == NULL) {
			jmb_error_set(error, "template %s has no data-slot", layout);
			goto out;
		}
		xmlUnsetProp(slot, (const xmlChar *)"data-slot");
		xmlNodePtr content = xmlDocCopyNode(xmlDocGetRootElement(page_tpl), doc, 1);
		xmlAddChild(slot, content);
	}
	fill_node(&r, xmlDocGetRootElement(doc));
	if (r.failed) {
		jmb_error_set(error, "%s", r.error.text);
		goto out;
	}
	html = serialize_html(doc, xmlDocGetRootElement(doc), layout_tpl != NULL, len_r);
out:
	xmlFreeDoc(doc);
	return html;
}

char *jmb_views_render(const struct jmb_views *v, const char *page, json_t *model,
                       const struct jmb_i18n *i18n, const char *lang, size_t *len_r,
                       struct jmb_error *error)
{
	return render(v, "layout", page, model, i18n, lang, len_r, error);
}

char *jmb_views_render_bare(const struct jmb_views *v, const char *name, json_t *model,
                            const struct jmb_i18n *i18n, const char *lang, size_t *len_r,
                            struct jmb_error *error)
{
	return render(v, NULL, name, model, i18n, lang, len_r, error);
}
