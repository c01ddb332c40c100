/* Parsers for outside input that arrives as text: urlencoded forms and query
 * strings, Cookie headers, Accept-Language. All are fuzzed (tests/fuzz). */
#ifndef JMB_FORM_H
#define JMB_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include "jmb/form.h"
#include "jmb/pool.h"

struct jmb_pair {
	const char *name;
	const char *value;
};

struct jmb_pairs {
	struct jmb_pair *items;
	size_t count;
};

/* Parses application/x-www-form-urlencoded data (len bytes, need not be NUL-terminated).
 * Returns 0, or -1 when a name or value is not valid UTF-8 or holds a NUL. */
int jmb_form_parse(struct jmb_pool *pool, const char *data, size_t len, struct jmb_pairs *out);
/* The value of a hexadecimal digit of either case, or -1. */
int jmb_hex_value(char c);
/* Parses a Cookie header ("a=b; c=d"). Malformed pieces are skipped. */
void jmb_cookie_parse(struct jmb_pool *pool, const char *header, struct jmb_pairs *out);
/* First value of name, or NULL. */
const char *jmb_pairs_get(const struct jmb_pairs *pairs, const char *name);
/* Every value of name (for repeated fields), NULL-terminated. */
const char **jmb_pairs_get_all(struct jmb_pool *pool, const struct jmb_pairs *pairs,
                               const char *name);

/* Picks the best of the supported languages (e.g. {"fr", "en", NULL}) from an
 * Accept-Language header, or fallback when none matches. */
const char *jmb_accept_language_pick(const char *header, const char *const *supported,
                                     const char *fallback);

#endif
