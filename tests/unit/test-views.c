/* Unit tests of src/lib/web/views.c: templates from memory filled from JSON view
 * models, escaping by construction, the data-* attributes, layout and HTML5. */
#include "config.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "locale-fixture.h"

#include "web/i18n.h"
#include "util/memory.h"
#include "web/views.h"

static const char layout_xhtml[] =
    "<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">"
    "<head><meta charset=\"utf-8\"/><title data-text=\"page_title\">t</title></head>"
    "<body><header>Site</header><main id=\"main\" data-slot=\"main\">old</main>"
    "<footer>end</footer></body></html>";

/* Renders one page template (inside the layout) from a JSON model text. */
static char *render_with(const char *page_xhtml, const char *model_json,
                         const struct jmb_i18n *i18n, const char *lang,
                         struct jmb_error *render_error)
{
	const char *names[] = {"layout", "page"};
	const char *texts[] = {layout_xhtml, page_xhtml};
	struct jmb_error error;
	char *html;
	struct jmb_views *views = jmb_views_from_memory(names, texts, 2, &error);
	json_t *model = json_loads(model_json, 0, NULL);
	size_t len = 0;

	if (views == NULL)
		fail_msg("template: %s", error.text);
	assert_non_null(model);
	html = jmb_views_render(views, "page", model, i18n, lang, &len, render_error);
	if (html != NULL)
		assert_int_equal(strlen(html), len);
	json_decref(model);
	jmb_views_free(&views);
	assert_null(views);
	return html;
}

static char *render_ok(const char *page_xhtml, const char *model_json)
{
	struct jmb_error error;
	char *html = render_with(page_xhtml, model_json, NULL, NULL, &error);

	if (html == NULL)
		fail_msg("render failed: %s", error.text);
	return html;
}

static void render_fails(const char *page_xhtml, const char *model_json, const char *expected)
{
	struct jmb_error error;
	char *html = render_with(page_xhtml, model_json, NULL, NULL, &error);

	if (html != NULL)
		fail_msg("rendered, expected error '%s': %s", expected, html);
	if (strstr(error.text, expected) == NULL)
		fail_msg("error '%s' lacks '%s'", error.text, expected);
}

static void assert_contains(const char *html, const char *needle)
{
	if (strstr(html, needle) == NULL)
		fail_msg("'%s' not in:\n%s", needle, html);
}

static void assert_lacks(const char *html, const char *needle)
{
	if (strstr(html, needle) != NULL)
		fail_msg("'%s' found in:\n%s", needle, html);
}

static void test_html5_document_with_layout(void **state)
{
	char *html = render_ok("<section><p>Body<br/>text</p><div class=\"empty\"/></section>",
	                       "{\"page_title\": \"My meetings\"}");

	assert_memory_equal(html, "<!DOCTYPE html>\n<html", 21);
	assert_lacks(html, "<?xml");
	assert_contains(html, "<title>My meetings</title>");
	/* The page replaces nothing but goes inside the slot, which loses its marker. */
	assert_contains(html, "<main id=\"main\">old<section>");
	assert_lacks(html, "data-slot");
	assert_contains(html, "<footer>end</footer>");
	/* HTML, not XML, serialisation of void and empty elements. */
	assert_contains(html, "<br>text");
	assert_lacks(html, "<br/>");
	assert_lacks(html, "</br>");
	assert_contains(html, "<div class=\"empty\"></div>");
	assert_int_equal(html[strlen(html) - 1], '\n');
	free(html);
}

static void test_render_bare_has_no_doctype(void **state)
{
	const char *names[] = {"mail"};
	const char *texts[] = {"<div><p data-text=\"who\">x</p></div>"};
	struct jmb_error error;
	struct jmb_views *views = jmb_views_from_memory(names, texts, 1, &error);
	json_t *model = json_pack("{s:s}", "who", "Zo\xc3\xa9");
	size_t len;
	char *html = jmb_views_render_bare(views, "mail", model, NULL, NULL, &len, &error);

	assert_non_null(html);
	assert_string_equal(html, "<div><p>Zo\xc3\xa9</p></div>\n");
	free(html);
	/* No layout needed for bare renders, but the page must exist. */
	assert_null(jmb_views_render_bare(views, "nope", model, NULL, NULL, &len, &error));
	assert_string_equal(error.text, "no template named nope");
	assert_null(jmb_views_render(views, "mail", model, NULL, NULL, &len, &error));
	assert_string_equal(error.text, "no template named layout");
	assert_null(jmb_views_render(views, "mail", model, NULL, NULL, &len, NULL));
	json_decref(model);
	jmb_views_free(&views);
}

static void test_data_text_escapes(void **state)
{
	char *html = render_ok(
	    "<section><h1 data-text=\"title\">placeholder <b>bold</b></h1>"
	    "<textarea data-text=\"title\"/><p title=\"static\" data-text=\"amp\"/></section>",
	    "{\"title\": \"<script>alert(\\\"x\\\")</script>&'\","
	    " \"amp\": \"AT&T &amp; co\"}");

	assert_contains(html, "<h1>&lt;script&gt;alert(\"x\")&lt;/script&gt;&amp;'</h1>");
	assert_contains(html, "<textarea>&lt;script&gt;");
	assert_contains(html, "<p title=\"static\">AT&amp;T &amp;amp; co</p>");
	assert_lacks(html, "<script>");
	assert_lacks(html, "placeholder");
	assert_lacks(html, "<b>");
	assert_lacks(html, "data-text");
	free(html);
}

static void test_data_text_scalars(void **state)
{
	char *html = render_ok("<ul><li data-text=\"i\"/><li data-text=\"r\"/><li data-text=\"t\"/>"
	                       "<li data-text=\"f\">x</li><li data-text=\"n\">x</li>"
	                       "<li data-text=\"missing\">x</li><li data-text=\"obj\">x</li>"
	                       "<li data-text=\"a.b.c\"/></ul>",
	                       "{\"i\": -42, \"r\": 1.5, \"t\": true, \"f\": false, \"n\": null,"
	                       " \"obj\": {\"k\": 1}, \"a\": {\"b\": {\"c\": \"deep\"}}}");

	assert_contains(html, "<ul><li>-42</li><li>1.5</li><li>true</li><li></li><li></li><li></li>"
	                      "<li></li><li>deep</li></ul>");
	free(html);
}

static void test_data_attr(void **state)
{
	char *html = render_ok(
	    "<form><a class=\"link\" data-attr=\"href: url ; title:tip\">go</a>"
	    "<input type=\"checkbox\" checked=\"checked\" data-attr=\"checked:on;disabled:off\"/>"
	    "<input data-attr=\"disabled:yes; value:count; name:none\"/>"
	    "<input name=\"kept\" data-attr=\"name:absent\"/></form>",
	    "{\"url\": \"/m?a=1&b=\\\"2\\\"\", \"tip\": \"it's <ok>\", \"on\": false,"
	    " \"off\": false, \"yes\": true, \"count\": 3, \"none\": null}");

	assert_contains(
	    html,
	    "<a class=\"link\" href=\"/m?a=1&amp;b=%222%22\" title=\"it's &lt;ok&gt;\">go</a>");
	/* false removes an attribute even when the template had it. */
	assert_contains(html, "<input type=\"checkbox\">");
	/* true sets a boolean attribute. */
	assert_contains(html, "disabled");
	assert_contains(html, "value=\"3\"");
	assert_lacks(html, "name=\"kept\"");
	assert_lacks(html, "data-attr");
	assert_lacks(html, "checked");
	free(html);
}

static void test_data_attr_refuses_event_handlers_and_style(void **state)
{
	render_fails("<div><a data-attr=\"onclick:x\">a</a></div>", "{\"x\": \"alert(1)\"}",
	             "data-attr may not set onclick");
	render_fails("<div><a data-attr=\"href:x; ONMOUSEOVER:x\">a</a></div>", "{\"x\": \"y\"}",
	             "data-attr may not set ONMOUSEOVER");
	render_fails("<div><a data-attr=\" style :x\">a</a></div>", "{\"x\": \"color:red\"}",
	             "data-attr may not set style");
	render_fails("<div><img data-attr=\"onerror:x\"/></div>", "{}",
	             "data-attr may not set onerror");
	/* The first problem is the one reported. */
	render_fails("<div><a data-attr=\"onclick:x; style:x\"/><b data-attr=\"onload:x\"/></div>",
	             "{}", "data-attr may not set onclick");
}

/* URL attributes take this site's paths and safe schemes, never another
   host through a scheme-relative "//host" (an open redirect in a link). */
static void test_data_attr_urls(void **state)
{
	static const char *const local[] = {"/meetings",
	                                    "/m?a=1",
	                                    "/",
	                                    "?q=1",
	                                    "#top",
	                                    "m/1",
	                                    "",
	                                    "https://x.example/",
	                                    "webcal://x.example/f",
	                                    "mailto:a@example.org",
	                                    "/a//b",
	                                    "/a\\\\b"};
	static const char *const foreign[] = {
	    "//evil.example/x",      "///evil.example",     "/\\\\evil.example",
	    "\\\\\\\\evil.example",  "\\\\/evil.example",   " //evil.example",
	    "/\\t/evil.example",     "\\t//evil.example",   "/\\n/evil.example",
	    "\\u0001//evil.example", "javascript:alert(1)", "data:text/html,x"};
	char model[256];

	(void)state;
	for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++) {
		snprintf(model, sizeof(model), "{\"u\": \"%s\"}", local[i]);
		free(render_ok("<div><a data-attr=\"href:u\">a</a></div>", model));
	}
	for (size_t i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++) {
		snprintf(model, sizeof(model), "{\"u\": \"%s\"}", foreign[i]);
		render_fails("<div><a data-attr=\"href:u\">a</a></div>", model,
		             "data-attr refused a URL");
		render_fails("<div><form data-attr=\"action:u\"/></div>", model,
		             "data-attr refused a URL");
	}
}

static void test_data_if_and_unless(void **state)
{
	static const char *const falsy[] = {"\"\"", "0", "0.0", "false", "null", "[]"};
	static const char *const truthy[] = {"\"x\"", "1", "-1", "0.5", "true", "[0]", "{}"};
	const char *page =
	    "<div><p data-if=\"v\">IF</p><p data-unless=\"v\">UNLESS</p>"
	    "<p data-if=\"missing\">MISSING</p><p data-unless=\"missing\">NOT-MISSING</p></div>";

	for (size_t i = 0; i < sizeof(falsy) / sizeof(falsy[0]); i++) {
		char *model = jmb_xasprintf("{\"v\": %s}", falsy[i]);
		char *html = render_ok(page, model);
		assert_lacks(html, "IF<");
		assert_contains(html, "UNLESS");
		assert_lacks(html, ">MISSING<");
		assert_contains(html, "NOT-MISSING");
		assert_lacks(html, "data-if");
		free(html);
		free(model);
	}
	for (size_t i = 0; i < sizeof(truthy) / sizeof(truthy[0]); i++) {
		char *model = jmb_xasprintf("{\"v\": %s}", truthy[i]);
		char *html = render_ok(page, model);
		assert_contains(html, ">IF<");
		assert_lacks(html, "UNLESS");
		free(html);
		free(model);
	}
}

static void test_data_each_nesting_and_scope(void **state)
{
	char *html = render_ok(
	    "<div>"
	    "<section data-each=\"meetings\" data-attr=\"id:room\">"
	    "<h2 data-text=\"title\"/>"
	    "<p data-text=\"owner\"/>" /* not in the item: the model's */
	    "<ul><li data-each=\"guests\" data-text=\".\"/></ul>"
	    "<em data-if=\"cancelled\">cancelled</em>"
	    "</section>"
	    "<p data-each=\"empty\">never</p><p data-each=\"notalist\">never</p>"
	    "<i data-each=\"tags\"><b data-text=\"owner\"/>:<b data-text=\".\"/></i>"
	    "</div>",
	    "{\"owner\": \"Zo\xc3\xa9\", \"tags\": [\"a\", \"b\"], \"empty\": [], \"notalist\": "
	    "\"x\","
	    " \"meetings\": ["
	    "  {\"room\": \"r1\", \"title\": \"One\", \"guests\": [\"a@x.org\", \"<b@x.org>\"]},"
	    "  {\"room\": \"r2\", \"title\": \"Two\", \"guests\": [], \"cancelled\": true,"
	    "   \"owner\": \"Shadow\"}]}");

	assert_contains(html, "<section id=\"r1\"><h2>One</h2><p>Zo\xc3\xa9</p>"
	                      "<ul><li>a@x.org</li><li>&lt;b@x.org&gt;</li></ul></section>");
	/* An item's own key hides the outer one. */
	assert_contains(html, "<section id=\"r2\"><h2>Two</h2><p>Shadow</p><ul></ul>"
	                      "<em>cancelled</em></section>");
	assert_lacks(html, "never");
	assert_contains(html, "<i><b>Zo\xc3\xa9</b>:<b>a</b></i><i><b>Zo\xc3\xa9</b>:<b>b</b></i>");
	assert_lacks(html, "data-each");
	free(html);
}

static void test_data_each_deep_nesting_is_bounded(void **state)
{
	/* Deeper than the scope stack: rendering stays defined (inner levels dropped). */
	char page[4096] = "<div>", model[4096] = "{\"l\": ";
	for (int i = 0; i < 24; i++) {
		strcat(page, "<span data-each=\"l\">");
		strcat(model, "[{\"l\": ");
	}
	strcat(model, "[]");
	for (int i = 0; i < 24; i++) {
		strcat(page, "</span>");
		strcat(model, "}]");
	}
	strcat(page, "</div>");
	strcat(model, "}");
	char *html = render_ok(page, model);
	assert_contains(html, "<span><span>");
	free(html);
}

static void test_i18n_normalises_whitespace(void **state)
{
	char *html = render_ok(
	    "<div><p data-i18n=\"\">\n   Hello,\n\t  wide   world  \n</p>"
	    "<label data-i18n=\"\" data-text=\"x\">ignored</label>"
	    "<input placeholder=\"Your name\" data-i18n-attr=\"placeholder title\"/></div>",
	    "{\"x\": \"X\"}");

	assert_contains(html, "<p>Hello, wide world</p>");
	assert_contains(html, "<label>X</label>");
	assert_contains(html, "placeholder=\"Your name\"");
	assert_lacks(html, "data-i18n");
	free(html);
}

/* --- translation through a real catalogue --- */

static void put_u32le(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* Writes <dir>/fr/LC_MESSAGES/jmb.mo holding the sorted pairs. */
static void write_catalogue(const char *dir, const char *const (*pairs)[2], uint32_t n)
{
	unsigned char img[4096] = {0};
	size_t off = 28 + 16 * (size_t)n;
	char *path;
	FILE *fp;

	put_u32le(img, 0x950412de);
	put_u32le(img + 8, n);
	put_u32le(img + 12, 28);
	put_u32le(img + 16, 28 + 8 * n);
	for (uint32_t i = 0; i < n; i++) {
		for (int k = 0; k < 2; k++) {
			size_t len = strlen(pairs[i][k]);
			put_u32le(img + 28 + 8 * n * (uint32_t)k + 8 * i, (uint32_t)len);
			put_u32le(img + 28 + 8 * n * (uint32_t)k + 8 * i + 4, (uint32_t)off);
			memcpy(img + off, pairs[i][k], len + 1);
			off += len + 1;
		}
	}
	path = jmb_xasprintf("%s/fr", dir);
	mkdir(path, 0755);
	free(path);
	path = jmb_xasprintf("%s/fr/LC_MESSAGES", dir);
	mkdir(path, 0755);
	free(path);
	path = jmb_xasprintf("%s/fr/LC_MESSAGES/jmb.mo", dir);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	fwrite(img, 1, off, fp);
	fclose(fp);
	free(path);
}

static void test_i18n_translates(void **state)
{
	static const char *const pairs[][2] = {
	    {"Hello, wide world", "Bonjour, vaste <monde>"},
	    {"Your name", "Votre nom & \"pr\xc3\xa9nom\""},
	};
	char dir[] = "/tmp/jmb-test-views-XXXXXX";
	struct jmb_error render_error, i18n_error;
	struct jmb_i18n *i18n;
	const char *page = "<div><p data-i18n=\"\">\n   Hello,\n\t  wide   world  \n</p>"
	                   "<input placeholder=\"Your name\" title=\"Untranslated\""
	                   " data-i18n-attr=\"placeholder title\"/></div>";

	assert_non_null(mkdtemp(dir));
	write_catalogue(dir, pairs, 2);
	locale_copy_french(dir);
	i18n = jmb_i18n_load(dir, &i18n_error);
	if (i18n == NULL)
		fail_msg("%s", i18n_error.text);
	char *html = render_with(page, "{}", i18n, "fr", &render_error);
	assert_non_null(html);
	/* Translations are text too: escaped like everything else. */
	assert_contains(html, "<p>Bonjour, vaste &lt;monde&gt;</p>");
	/* (libxml2 switches to single quotes for a value holding '"'.) */
	assert_contains(html, "placeholder='Votre nom &amp; \"pr\xc3\xa9nom\"'");
	assert_contains(html, "title=\"Untranslated\"");
	free(html);
	html = render_with(page, "{}", i18n, "en", &render_error);
	assert_contains(html, "<p>Hello, wide world</p>");
	free(html);
	jmb_i18n_free(&i18n);
	locale_clear(dir);
	rmdir(dir);
}

static void test_data_text_refused_in_script_and_style(void **state)
{
	render_fails("<div><script data-text=\"x\"/></div>", "{\"x\": \"alert(1)\"}",
	             "data-text is not allowed in script or style");
	render_fails("<div><STYLE data-text=\"x\"/></div>", "{\"x\": \"*{}\"}",
	             "data-text is not allowed in script or style");
	/* Nor in an element inside them: the HTML parser sees it all as raw text. */
	render_fails("<div><script><span data-text=\"x\"/></script></div>",
	             "{\"x\": \"1;alert(1)//\"}", "not allowed in script or style");
	render_fails("<div><style><b data-attr=\"title:x\"/></style></div>",
	             "{\"x\": \"}body{display:none}\"}", "not allowed in script or style");
	/* Static scripts are fine. */
	char *html = render_ok("<div><script src=\"/static/app.js\"></script></div>", "{}");
	assert_contains(html, "<script src=\"/static/app.js\"></script>");
	free(html);
}

static void test_template_errors(void **state)
{
	const char *names[] = {"good", "bad"};
	const char *bad_texts[] = {"<div/>", "<div><p></div>"};
	const char *no_slot_names[] = {"layout", "page"};
	const char *no_slot_texts[] = {"<html><body/></html>", "<p>x</p>"};
	struct jmb_error error;
	struct jmb_views *views = jmb_views_from_memory(names, bad_texts, 2, &error);
	json_t *model = json_object();
	size_t len;

	assert_null(views);
	assert_string_equal(error.text, "bad: not well-formed XML");
	views = jmb_views_from_memory(no_slot_names, no_slot_texts, 2, &error);
	assert_non_null(views);
	assert_null(jmb_views_render(views, "page", model, NULL, NULL, &len, &error));
	assert_string_equal(error.text, "template layout has no data-slot");
	jmb_views_free(&views);
	json_decref(model);
}

static void test_templates_are_reused_unchanged(void **state)
{
	const char *names[] = {"layout", "page"};
	const char *texts[] = {layout_xhtml, "<p data-each=\"l\" data-text=\".\"/>"};
	struct jmb_error error;
	struct jmb_views *views = jmb_views_from_memory(names, texts, 2, &error);
	json_t *one = json_pack("{s:[s,s], s:s}", "l", "a", "b", "page_title", "T1");
	json_t *two = json_pack("{s:[s], s:s}", "l", "c", "page_title", "T2");
	size_t len;
	char *a = jmb_views_render(views, "page", one, NULL, NULL, &len, &error);
	char *b = jmb_views_render(views, "page", two, NULL, NULL, &len, &error);
	char *c = jmb_views_render(views, "page", one, NULL, NULL, &len, &error);

	assert_contains(a, "<p>a</p><p>b</p>");
	assert_contains(b, "<title>T2</title>");
	assert_contains(b, "<p>c</p>");
	assert_lacks(b, "<p>a</p>");
	assert_string_equal(a, c);
	free(a);
	free(b);
	free(c);
	json_decref(one);
	json_decref(two);
	jmb_views_free(&views);
}

static void test_load_from_folder(void **state)
{
	char dir[] = "/tmp/jmb-test-views-XXXXXX";
	struct jmb_error error;
	struct jmb_views *views;
	FILE *fp;
	char *path;
	json_t *model = json_pack("{s:s}", "page_title", "From disk");
	size_t len;

	assert_non_null(mkdtemp(dir));
	path = jmb_xasprintf("%s/layout.xhtml", dir);
	fp = fopen(path, "w");
	fputs(layout_xhtml, fp);
	fclose(fp);
	free(path);
	path = jmb_xasprintf("%s/home.xhtml", dir);
	fp = fopen(path, "w");
	fputs("<p>home</p>", fp);
	fclose(fp);
	free(path);
	path = jmb_xasprintf("%s/notes.txt", dir); /* not a template */
	fp = fopen(path, "w");
	fputs("<<<", fp);
	fclose(fp);
	free(path);
	views = jmb_views_load(dir, &error);
	assert_non_null(views);
	char *html = jmb_views_render(views, "home", model, NULL, NULL, &len, &error);
	assert_contains(html, "<title>From disk</title>");
	assert_contains(html, "<p>home</p>");
	free(html);
	jmb_views_free(&views);

	path = jmb_xasprintf("%s/broken.xhtml", dir);
	fp = fopen(path, "w");
	fputs("<p>\n<b></p>", fp);
	fclose(fp);
	assert_null(jmb_views_load(dir, &error));
	assert_non_null(strstr(error.text, "broken.xhtml:"));
	assert_non_null(strstr(error.text, "not well-formed XML"));
	unlink(path);
	free(path);
	static const char *const files[] = {"layout.xhtml", "home.xhtml", "notes.txt"};
	for (size_t i = 0; i < 3; i++) {
		path = jmb_xasprintf("%s/%s", dir, files[i]);
		unlink(path);
		free(path);
	}
	rmdir(dir);
	assert_null(jmb_views_load(dir, &error));
	assert_non_null(strstr(error.text, "cannot read template folder"));
	json_decref(model);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_html5_document_with_layout),
	    cmocka_unit_test(test_render_bare_has_no_doctype),
	    cmocka_unit_test(test_data_text_escapes),
	    cmocka_unit_test(test_data_text_scalars),
	    cmocka_unit_test(test_data_attr),
	    cmocka_unit_test(test_data_attr_refuses_event_handlers_and_style),
	    cmocka_unit_test(test_data_attr_urls),
	    cmocka_unit_test(test_data_if_and_unless),
	    cmocka_unit_test(test_data_each_nesting_and_scope),
	    cmocka_unit_test(test_data_each_deep_nesting_is_bounded),
	    cmocka_unit_test(test_i18n_normalises_whitespace),
	    cmocka_unit_test(test_i18n_translates),
	    cmocka_unit_test(test_data_text_refused_in_script_and_style),
	    cmocka_unit_test(test_template_errors),
	    cmocka_unit_test(test_templates_are_reused_unchanged),
	    cmocka_unit_test(test_load_from_folder),
	};

	return cmocka_run_group_tests_name("views", tests, NULL, NULL);
}
