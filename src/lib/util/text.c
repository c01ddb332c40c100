/* Unicode checks and clean-up with utf8proc's tables. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "util/strbuf.h"
#include "util/text.h"

static bool is_bidi_control(int32_t cp)
{
	switch (utf8proc_get_property(cp)->bidi_class) {
	case UTF8PROC_BIDI_CLASS_LRE:
	case UTF8PROC_BIDI_CLASS_LRO:
	case UTF8PROC_BIDI_CLASS_RLE:
	case UTF8PROC_BIDI_CLASS_RLO:
	case UTF8PROC_BIDI_CLASS_PDF:
	case UTF8PROC_BIDI_CLASS_LRI:
	case UTF8PROC_BIDI_CLASS_RLI:
	case UTF8PROC_BIDI_CLASS_FSI:
	case UTF8PROC_BIDI_CLASS_PDI:
		return true;
	default:
		return false;
	}
}

bool jmb_text_forbidden(int32_t cp, bool multiline)
{
	if (!utf8proc_codepoint_valid(cp))
		return true;
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_CC:
		return !(multiline && (cp == '\t' || cp == '\n' || cp == '\r'));
	case UTF8PROC_CATEGORY_CN: /* unassigned, and the noncharacters U+FDD0.., U+xFFFE.. */
	case UTF8PROC_CATEGORY_CS:
	case UTF8PROC_CATEGORY_ZL:
	case UTF8PROC_CATEGORY_ZP:
		return true;
	default:
		return is_bidi_control(cp);
	}
}

size_t jmb_text_char(const char *p, size_t left, int32_t *cp)
{
	utf8proc_ssize_t n =
	    utf8proc_iterate((const utf8proc_uint8_t *)p, (utf8proc_ssize_t)left, cp);

	return n > 0 ? (size_t)n : 0;
}

enum jmb_text_verdict jmb_text_check(const char *s, bool multiline)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_ssize_t left = (utf8proc_ssize_t)strlen(s), n;
	enum jmb_text_verdict verdict = JMB_TEXT_OK;
	utf8proc_int32_t cp;

	while (left > 0) {
		n = utf8proc_iterate(p, left, &cp);
		if (n < 0)
			return JMB_TEXT_NOT_UTF8;
		if (jmb_text_forbidden(cp, multiline))
			verdict = JMB_TEXT_FORBIDDEN;
		p += n;
		left -= n;
	}
	return verdict;
}

char *jmb_text_nfc(struct jmb_pool *pool, const char *s)
{
	utf8proc_uint8_t *nfc;
	char *copy;

	if (jmb_text_check(s, true) == JMB_TEXT_NOT_UTF8)
		return NULL;
	nfc = utf8proc_NFC((const utf8proc_uint8_t *)s);
	if (nfc == NULL)
		return NULL;
	copy = jmb_pool_strdup(pool, (const char *)nfc);
	free(nfc);
	return copy;
}

void jmb_text_sanitize(const char *s, bool multiline,
                       void (*emit)(void *data, const char *bytes, size_t len), void *data)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s, *run = p;
	utf8proc_ssize_t left = (utf8proc_ssize_t)strlen(s), n;
	utf8proc_int32_t cp;

	while (left > 0) {
		n = utf8proc_iterate(p, left, &cp);
		if (n > 0 && !jmb_text_forbidden(cp, multiline)) {
			p += n;
			left -= n;
			continue;
		}
		emit(data, (const char *)run, (size_t)(p - run));
		if (n < 0) {
			emit(data, "\xef\xbf\xbd", 3);
			n = 1; /* resynchronise on the next byte */
		}
		p += n;
		left -= n;
		run = p;
	}
	emit(data, (const char *)run, (size_t)(p - run));
}

static void append_to_strbuf(void *data, const char *bytes, size_t len)
{
	jmb_strbuf_append(data, bytes, len);
}

char *jmb_text_clean(const char *s, bool multiline)
{
	struct jmb_strbuf sb = {0};

	jmb_strbuf_append(&sb, "", 0);
	jmb_text_sanitize(s, multiline, append_to_strbuf, &sb);
	return jmb_strbuf_steal(&sb, NULL);
}

char *jmb_text_clean_in(struct jmb_pool *pool, const char *s, size_t len, size_t max,
                        bool multiline)
{
	char *raw, *clean, *copy;

	if (len > max) {
		len = max;
		while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
			len--;
	}
	raw = jmb_pool_strndup(pool, s, len);
	clean = jmb_text_clean(raw, multiline);
	copy = jmb_pool_strndup(pool, clean, strlen(clean));
	free(clean);
	return copy;
}
