/* A growable, always NUL-terminated byte buffer.
 * Used for bodies and texts built piece by piece (never for HTML or SQL). */
#ifndef JMB_STRBUF_H
#define JMB_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct jmb_strbuf {
	char *data;
	size_t len;
	size_t cap;
};

void jmb_strbuf_append(struct jmb_strbuf *sb, const void *data, size_t len);
void jmb_strbuf_puts(struct jmb_strbuf *sb, const char *s);
void jmb_strbuf_putc(struct jmb_strbuf *sb, char c);
void jmb_strbuf_printf(struct jmb_strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Returns the data (caller frees) and resets the buffer. */
char *jmb_strbuf_steal(struct jmb_strbuf *sb, size_t *len_r);
void jmb_strbuf_free(struct jmb_strbuf *sb);

#endif
