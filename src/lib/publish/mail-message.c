/* Mail messages as bytes. Bodies are base64 (any UTF-8, any line length, safe
 * through every MTA); header texts are RFC 2047 B-encoded when not plain ASCII,
 * so no value can ever add a header line. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "publish/mail-message.h"
#include "domain/mailaddr.h"
#include "util/memory.h"
#include "util/secret.h"
#include "util/strbuf.h"
#include "util/text.h"
#include "util/timeutil.h"

#define B64_LINE 76
#define ENCODED_WORD_BYTES 45 /* 60 base64 characters: words stay under 75 */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void base64_append(struct jmb_strbuf *sb, const unsigned char *in, size_t len)
{
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)in[i] << 16;
		if (i + 1 < len)
			v |= (unsigned)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		jmb_strbuf_putc(sb, b64[v >> 18 & 63]);
		jmb_strbuf_putc(sb, b64[v >> 12 & 63]);
		jmb_strbuf_putc(sb, i + 1 < len ? b64[v >> 6 & 63] : '=');
		jmb_strbuf_putc(sb, i + 2 < len ? b64[v & 63] : '=');
	}
}

/* A body in base64, folded at 76 characters. */
static void base64_body(struct jmb_strbuf *sb, const char *text)
{
	size_t len = strlen(text);

	for (size_t i = 0; i < len; i += B64_LINE / 4 * 3) {
		size_t n = len - i < B64_LINE / 4 * 3 ? len - i : B64_LINE / 4 * 3;
		base64_append(sb, (const unsigned char *)text + i, n);
		jmb_strbuf_puts(sb, "\r\n");
	}
}

static bool is_plain_header_text(const char *s)
{
	size_t len = 0;

	for (; *s != '\0'; s++, len++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c >= 0x7f)
			return false;
		if (s[0] == '=' && s[1] == '?')
			return false; /* would read as an encoded word */
	}
	return len < 70;
}

/* Length of the UTF-8 character at s (1 for stray bytes, so nothing loops). */
static size_t utf8_char_length(const unsigned char *s)
{
	if (*s >= 0xf0 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80 && (s[3] & 0xc0) == 0x80)
		return 4;
	if (*s >= 0xe0 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80)
		return 3;
	if (*s >= 0xc0 && (s[1] & 0xc0) == 0x80)
		return 2;
	return 1;
}

char *jmb_mail_header_text(const char *text)
{
	struct jmb_strbuf sb = {0};
	const unsigned char *p = (const unsigned char *)text;

	if (is_plain_header_text(text))
		return jmb_xstrdup(text);
	/* Encoded words of whole characters, folded onto continuation lines. */
	while (*p != '\0') {
		size_t n = 0;
		while (p[n] != '\0' && n + utf8_char_length(p + n) <= ENCODED_WORD_BYTES)
			n += utf8_char_length(p + n);
		if (n == 0)
			n = 1;
		if (sb.len > 0)
			jmb_strbuf_puts(&sb, "\r\n ");
		jmb_strbuf_puts(&sb, "=?UTF-8?B?");
		base64_append(&sb, p, n);
		jmb_strbuf_puts(&sb, "?=");
		p += n;
	}
	if (sb.data == NULL)
		jmb_strbuf_puts(&sb, "");
	return jmb_strbuf_steal(&sb, NULL);
}

static void address_header(struct jmb_strbuf *sb, const char *field, const char *name,
                           const char *addr)
{
	if (name != NULL && *name != '\0') {
		char *encoded = jmb_mail_header_text(name);
		bool quote = is_plain_header_text(name) && strpbrk(name, "()<>[]:;@\\,.\"") != NULL;

		if (quote) {
			jmb_strbuf_printf(sb, "%s: \"", field);
			for (const char *c = name; *c != '\0'; c++) {
				if (*c == '"' || *c == '\\')
					jmb_strbuf_putc(sb, '\\');
				jmb_strbuf_putc(sb, *c);
			}
			jmb_strbuf_printf(sb, "\" <%s>\r\n", addr);
		} else {
			jmb_strbuf_printf(sb, "%s: %s <%s>\r\n", field, encoded, addr);
		}
		free(encoded);
	} else {
		jmb_strbuf_printf(sb, "%s: %s\r\n", field, addr);
	}
}

static void part(struct jmb_strbuf *sb, const char *boundary, const char *type, const char *body)
{
	jmb_strbuf_printf(sb,
	                  "--%s\r\nContent-Type: %s\r\nContent-Transfer-Encoding: base64\r\n\r\n",
	                  boundary, type);
	base64_body(sb, body);
}

static bool calendar_method_is_valid(const char *m)
{
	return m != NULL && (strcmp(m, "REQUEST") == 0 || strcmp(m, "CANCEL") == 0 ||
	                     strcmp(m, "REPLY") == 0 || strcmp(m, "PUBLISH") == 0);
}

char *jmb_mail_message_render(const struct jmb_mail_message *m, struct jmb_error *error)
{
	struct jmb_strbuf sb = {0};
	char token[JMB_TOKEN_LEN + 1], boundary[64], date[64], *subject;
	struct tm tm;
	time_t stamp;
	char *clean;

	if (!jmb_mail_is_valid(m->from) || !jmb_mail_is_valid(m->to) ||
	    (m->reply_to != NULL && !jmb_mail_is_valid(m->reply_to)) ||
	    (m->calendar != NULL && !calendar_method_is_valid(m->calendar_method))) {
		jmb_error_set(error, "invalid address or calendar method in a mail");
		return NULL;
	}
	jmb_random_token(token);
	snprintf(boundary, sizeof(boundary), "=_jmb_%s", token);
	stamp = jmb_time_clamp(m->date);
	gmtime_r(&stamp, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	jmb_random_token(token);
	address_header(&sb, "From", m->from_name, m->from);
	address_header(&sb, "To", m->to_name, m->to);
	if (m->reply_to != NULL)
		jmb_strbuf_printf(&sb, "Reply-To: %s\r\n", m->reply_to);
	clean = jmb_text_clean(m->subject, false);
	subject = jmb_mail_header_text(clean);
	free(clean);
	jmb_strbuf_printf(&sb, "Subject: %s\r\nDate: %s\r\nMessage-ID: <%s@%s>\r\n", subject, date,
	                  token, m->id_domain);
	free(subject);
	jmb_strbuf_printf(&sb,
	                  "MIME-Version: 1.0\r\nAuto-Submitted: %s\r\n"
	                  "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n",
	                  m->auto_replied ? "auto-replied" : "auto-generated", boundary);
	clean = jmb_text_clean(m->text, true);
	part(&sb, boundary, "text/plain; charset=utf-8", clean);
	free(clean);
	if (m->html != NULL)
		part(&sb, boundary, "text/html; charset=utf-8", m->html);
	if (m->calendar != NULL) {
		char type[96];
		snprintf(type, sizeof(type), "text/calendar; charset=utf-8; method=%s",
		         m->calendar_method);
		part(&sb, boundary, type, m->calendar);
	}
	jmb_strbuf_printf(&sb, "--%s--\r\n", boundary);
	return jmb_strbuf_steal(&sb, NULL);
}
