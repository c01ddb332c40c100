/* Text that people type and that jmb writes into iCalendar, mails and pages:
 * Unicode NFC, and no code point that hides or reorders what a reader sees.
 * The Unicode tables are utf8proc's, never hand-written. */
#ifndef JMB_TEXT_H
#define JMB_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/memory.h"

enum jmb_text_verdict {
	JMB_TEXT_OK,
	JMB_TEXT_NOT_UTF8,  /* invalid UTF-8: overlong, surrogate, past U+10FFFF, cut short */
	JMB_TEXT_FORBIDDEN, /* a code point jmb_text_forbidden() refuses */
};

/* True for the code points titles, names and descriptions must not hold:
 * control characters (C0, DEL, C1 such as U+0085 NEL; multiline text may hold
 * TAB, LF and CR), the line and paragraph separators U+2028 / U+2029, the bidi
 * embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069: they can
 * disguise a link or a file name), and unassigned code points and
 * noncharacters (nobody types them; they can become anything later). */
bool jmb_text_forbidden(int32_t cp, bool multiline);

/* Length in bytes of the valid UTF-8 character at p (at most left bytes),
 * its code point in *cp; 0 when the bytes there are not valid UTF-8. */
size_t jmb_text_char(const char *p, size_t left, int32_t *cp);

/* Checks s (NUL-terminated): JMB_TEXT_NOT_UTF8 when any of it is not UTF-8,
 * else JMB_TEXT_FORBIDDEN when it holds a forbidden code point. */
enum jmb_text_verdict jmb_text_check(const char *s, bool multiline);

/* s in Unicode Normalisation Form C, in pool; NULL when s is not UTF-8. */
char *jmb_text_nfc(struct jmb_pool *pool, const char *s);

/* Writes s as valid UTF-8 without forbidden code points, for output of text
 * stored before these rules existed or taken from a directory: bad bytes
 * become U+FFFD, forbidden code points are dropped. Calls emit(data, bytes,
 * len) for each kept run; line breaks and TABs are passed as they are when
 * multiline, dropped otherwise (the caller may treat them first). */
void jmb_text_sanitize(const char *s, bool multiline,
                       void (*emit)(void *data, const char *bytes, size_t len), void *data);

/* jmb_text_sanitize() into a new malloc'd string. */
char *jmb_text_clean(const char *s, bool multiline);
/* At most max of the len bytes of s (cut before a UTF-8 continuation byte),
 * cleaned as jmb_text_clean() does, in pool: for text received from outside. */
char *jmb_text_clean_in(struct jmb_pool *pool, const char *s, size_t len, size_t max,
                        bool multiline);

#endif
