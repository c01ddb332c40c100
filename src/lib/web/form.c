/* Parsers for urlencoded forms, cookies and Accept-Language.
 * They only read within the given length and never trust a byte of input. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "web/form.h"
#include "util/memory.h"

bool jmb_utf8_is_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n;
		unsigned cp;

		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			n = 1;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (i + n >= len)
			return false;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		/* overlong forms, surrogates, beyond Unicode */
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return false;
		i += n + 1;
	}
	return true;
}

int jmb_hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes one urlencoded component; '+' is a space. NUL bytes are refused. */
static char *form_decode(struct jmb_pool *pool, const char *s, size_t len, bool *ok)
{
	char *out = jmb_pool_alloc(pool, len + 1);
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%' && i + 2 < len) {
			int hi = jmb_hex_value(s[i + 1]), lo = jmb_hex_value(s[i + 2]);
			if (hi >= 0 && lo >= 0) {
				c = (char)(hi << 4 | lo);
				i += 2;
			}
		}
		if (c == '\0')
			*ok = false;
		out[o++] = c;
	}
	out[o] = '\0';
	if (!jmb_utf8_is_valid(out, o))
		*ok = false;
	return out;
}

static void pairs_add(struct jmb_pool *pool, struct jmb_pairs *out, size_t *cap, const char *name,
                      const char *value)
{
	if (out->count == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		struct jmb_pair *items = jmb_pool_calloc(pool, ncap, sizeof(*items));
		if (out->count > 0)
			memcpy(items, out->items, out->count * sizeof(*items));
		out->items = items;
		*cap = ncap;
	}
	out->items[out->count].name = name;
	out->items[out->count].value = value;
	out->count++;
}

int jmb_form_parse(struct jmb_pool *pool, const char *data, size_t len, struct jmb_pairs *out)
{
	size_t cap = 0, i = 0;
	bool ok = true;

	out->items = NULL;
	out->count = 0;
	while (i < len) {
		size_t start = i, eq = (size_t)-1;

		while (i < len && data[i] != '&') {
			if (data[i] == '=' && eq == (size_t)-1)
				eq = i;
			i++;
		}
		if (i > start) {
			size_t name_end = eq != (size_t)-1 ? eq : i;
			const char *name = form_decode(pool, data + start, name_end - start, &ok);
			const char *value = eq != (size_t)-1
			                        ? form_decode(pool, data + eq + 1, i - eq - 1, &ok)
			                        : "";
			pairs_add(pool, out, &cap, name, value);
		}
		i++; /* skip '&' */
	}
	return ok ? 0 : -1;
}

void jmb_cookie_parse(struct jmb_pool *pool, const char *header, struct jmb_pairs *out)
{
	size_t cap = 0;
	const char *p = header;

	out->items = NULL;
	out->count = 0;
	while (*p != '\0') {
		const char *end = strchr(p, ';'), *eq;
		size_t len;

		while (*p == ' ' || *p == '\t')
			p++;
		len = end != NULL ? (size_t)(end - p) : strlen(p);
		eq = memchr(p, '=', len);
		if (eq != NULL && eq > p) {
			const char *v = eq + 1;
			size_t vlen = len - (size_t)(v - p);
			while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
				vlen--;
			if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
				v++;
				vlen -= 2;
			}
			pairs_add(pool, out, &cap, jmb_pool_strndup(pool, p, (size_t)(eq - p)),
			          jmb_pool_strndup(pool, v, vlen));
		}
		if (end == NULL)
			break;
		p = end + 1;
	}
}

const char *jmb_pairs_get(const struct jmb_pairs *pairs, const char *name)
{
	for (size_t i = 0; i < pairs->count; i++) {
		if (strcmp(pairs->items[i].name, name) == 0)
			return pairs->items[i].value;
	}
	return NULL;
}

const char **jmb_pairs_get_all(struct jmb_pool *pool, const struct jmb_pairs *pairs,
                               const char *name)
{
	const char **all = jmb_pool_calloc(pool, pairs->count + 1, sizeof(char *));
	size_t n = 0;

	for (size_t i = 0; i < pairs->count; i++) {
		if (strcmp(pairs->items[i].name, name) == 0)
			all[n++] = pairs->items[i].value;
	}
	all[n] = NULL;
	return all;
}

/* Reads the q parameter of one Accept-Language item; 1.0 when absent, -1 when malformed. */
static double parse_quality(const char *params, size_t len)
{
	const char *q = NULL;

	for (size_t i = 0; i + 1 < len; i++) {
		if ((params[i] == 'q' || params[i] == 'Q') && params[i + 1] == '=') {
			q = params + i + 2;
			break;
		}
	}
	if (q == NULL)
		return 1.0;
	char buf[8];
	size_t n = 0;
	while (q < params + len && n < sizeof(buf) - 1 && (isdigit((unsigned char)*q) || *q == '.'))
		buf[n++] = *q++;
	buf[n] = '\0';
	if (n == 0)
		return -1;
	double v = strtod(buf, NULL);
	return v < 0 || v > 1 ? -1 : v;
}

const char *jmb_accept_language_pick(const char *header, const char *const *supported,
                                     const char *fallback)
{
	const char *best = fallback;
	double best_q = 0;
	const char *p = header;

	if (header == NULL)
		return fallback;
	while (*p != '\0') {
		const char *end = strchr(p, ','), *semi;
		size_t len, tag_len;

		while (*p == ' ' || *p == '\t')
			p++;
		len = end != NULL ? (size_t)(end - p) : strlen(p);
		semi = memchr(p, ';', len);
		tag_len = semi != NULL ? (size_t)(semi - p) : len;
		while (tag_len > 0 && (p[tag_len - 1] == ' ' || p[tag_len - 1] == '\t'))
			tag_len--;
		double q = semi != NULL ? parse_quality(semi, len - (size_t)(semi - p)) : 1.0;
		for (size_t i = 0; supported[i] != NULL && q > best_q; i++) {
			size_t sl = strlen(supported[i]);
			/* "fr" matches "fr", "fr-FR", "fr_CA"... */
			if (tag_len >= sl && strncasecmp(p, supported[i], sl) == 0 &&
			    (tag_len == sl || p[sl] == '-' || p[sl] == '_')) {
				best = supported[i];
				best_q = q;
			}
		}
		if (end == NULL)
			break;
		p = end + 1;
	}
	return best;
}

char *jmb_url_encode(struct jmb_pool *pool, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = jmb_pool_alloc(pool, strlen(s) * 3 + 1);
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (isalnum(*p) || strchr("-._~", *p) != NULL) {
			out[o++] = (char)*p;
		} else {
			out[o++] = '%';
			out[o++] = hex[*p >> 4];
			out[o++] = hex[*p & 15];
		}
	}
	out[o] = '\0';
	return out;
}
