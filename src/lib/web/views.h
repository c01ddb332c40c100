/* The views engine: XHTML templates filled from a JSON view model through
 * libxml2 node APIs (which escape by construction), serialised as HTML5.
 *
 * Template attributes (removed from the output):
 *   data-text="path"       element content := value
 *   data-attr="a:path; b:path"  attribute a := value (true: a="a"; false/null: removed)
 *   data-if="path" / data-unless="path"   keep the element only if (not) truthy
 *   data-each="path"       repeat the element for each item of an array; inside,
 *                          paths look in the item first, then outwards; "." is the item
 *   data-i18n              translate the element's text (its msgid)
 *   data-i18n-attr="a b"   translate the listed attributes
 *   data-slot="main"       (layout only) where the page goes
 * Paths are dotted keys: "meeting.owner.name". */
#ifndef JMB_VIEWS_H
#define JMB_VIEWS_H

#include <jansson.h>
#include <stddef.h>

#include "jmb/error.h"
#include "web/i18n.h"

struct jmb_views;

/* Parses every *.xhtml file of dir once. layout.xhtml must be among them. */
struct jmb_views *jmb_views_load(const char *dir, struct jmb_error *error);
void jmb_views_free(struct jmb_views **views);
/* Renders page inside the layout. Returns malloc'd HTML, or NULL with error set. */
char *jmb_views_render(const struct jmb_views *views, const char *page, json_t *model,
                       const struct jmb_i18n *i18n, const char *lang, size_t *len_r,
                       struct jmb_error *error);
/* Renders a template alone (no layout), e.g. the HTML part of a mail. */
char *jmb_views_render_bare(const struct jmb_views *views, const char *name, json_t *model,
                            const struct jmb_i18n *i18n, const char *lang, size_t *len_r,
                            struct jmb_error *error);
/* Parses one template from memory (tests, fuzzing). */
struct jmb_views *jmb_views_from_memory(const char *const *names, const char *const *texts,
                                        size_t count, struct jmb_error *error);

#endif
