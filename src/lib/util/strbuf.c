/* A growable, always NUL-terminated byte buffer. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "util/memory.h"
#include "util/strbuf.h"

static void strbuf_reserve(struct jmb_strbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1;

	if (need < sb->len)
		jmb_fatal_oom();
	if (need <= sb->cap)
		return;
	size_t cap = sb->cap ? sb->cap : 64;
	while (cap < need)
		cap *= 2;
	sb->data = jmb_xrealloc(sb->data, cap);
	sb->cap = cap;
}

void jmb_strbuf_append(struct jmb_strbuf *sb, const void *data, size_t len)
{
	strbuf_reserve(sb, len);
	if (len > 0)
		memcpy(sb->data + sb->len, data, len);
	sb->len += len;
	sb->data[sb->len] = '\0';
}

void jmb_strbuf_puts(struct jmb_strbuf *sb, const char *s)
{
	jmb_strbuf_append(sb, s, strlen(s));
}

void jmb_strbuf_putc(struct jmb_strbuf *sb, char c)
{
	jmb_strbuf_append(sb, &c, 1);
}

void jmb_strbuf_printf(struct jmb_strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	strbuf_reserve(sb, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

char *jmb_strbuf_steal(struct jmb_strbuf *sb, size_t *len_r)
{
	char *data;

	strbuf_reserve(sb, 0);
	sb->data[sb->len] = '\0'; /* a buffer never appended to was never terminated */
	data = sb->data;
	if (len_r != NULL)
		*len_r = sb->len;
	sb->data = NULL;
	sb->len = sb->cap = 0;
	return data;
}

void jmb_strbuf_free(struct jmb_strbuf *sb)
{
	jmb_xfree(&sb->data);
	sb->len = sb->cap = 0;
}
