/* Judges a request's Content-Length and Transfer-Encoding fields (RFC 9112
 * §6.1, §6.3). libmicrohttpd reads the first Content-Length and any chunked
 * coding as it sees fit; a proxy in front may read them otherwise, which is
 * how requests are smuggled. Here every doubt is refused. */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "web/framing.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* One element of a Transfer-Encoding list: its coding name without
 * parameters or surrounding spaces. Empty elements are allowed and skipped
 * (RFC 9110 §5.6.1). */
static void add_coding(struct jmb_framing_fields *f, const char *s, size_t len)
{
	const char *semicolon = memchr(s, ';', len);

	if (semicolon != NULL)
		len = (size_t)(semicolon - s);
	while (len > 0 && is_space(*s)) {
		s++;
		len--;
	}
	while (len > 0 && is_space(s[len - 1]))
		len--;
	if (len == 0 && semicolon == NULL)
		return;
	f->codings++;
	f->chunked_last = len == 7 && strncasecmp(s, "chunked", 7) == 0;
	if (f->chunked_last)
		f->chunked++;
}

void jmb_framing_add(struct jmb_framing_fields *f, const char *name, const char *value)
{
	if (strcasecmp(name, "Content-Length") == 0) {
		f->content_lengths++;
		return;
	}
	if (strcasecmp(name, "Transfer-Encoding") != 0)
		return;
	f->transfer_encodings++;
	for (const char *s = value != NULL ? value : "";;) {
		const char *comma = strchr(s, ',');
		size_t len = comma != NULL ? (size_t)(comma - s) : strlen(s);

		add_coding(f, s, len);
		if (comma == NULL)
			break;
		s = comma + 1;
	}
}

enum jmb_framing jmb_framing_verdict(const struct jmb_framing_fields *f, bool http_1_0)
{
	/* Two lengths, even equal ones: which one a proxy used is unknown. */
	if (f->content_lengths > 1)
		return JMB_FRAMING_BAD;
	if (f->transfer_encodings == 0)
		return JMB_FRAMING_OK;
	/* A length beside a coding, a coding in HTTP/1.0, or chunked not last:
	   the body's end cannot be known for sure (RFC 9112 §6.1, §6.3). */
	if (http_1_0 || f->content_lengths > 0 || !f->chunked_last || f->chunked > 1)
		return JMB_FRAMING_BAD;
	/* gzip, chunked and the like: well framed, but we decode none of them. */
	if (f->codings > 1)
		return JMB_FRAMING_UNSUPPORTED;
	return JMB_FRAMING_OK;
}
