/* How a request says where its body ends (RFC 9112 §6): Content-Length and
 * Transfer-Encoding fields, judged before any of the body is read, so that a
 * request whose length two parsers could read differently is refused. */
#ifndef JMB_FRAMING_H
#define JMB_FRAMING_H

#include <stdbool.h>

enum jmb_framing {
	JMB_FRAMING_OK,          /* one length, or chunked alone, or no body */
	JMB_FRAMING_BAD,         /* ambiguous or faulty: 400, then close */
	JMB_FRAMING_UNSUPPORTED, /* a transfer coding other than chunked: 501 */
};

/* What the framing fields of one request say, filled field by field. */
struct jmb_framing_fields {
	unsigned content_lengths;    /* Content-Length fields */
	unsigned transfer_encodings; /* Transfer-Encoding fields */
	unsigned codings;            /* transfer codings listed in all of them */
	unsigned chunked;            /* how many of those are chunked */
	bool chunked_last;           /* the last coding listed is chunked */
};

/* Takes one header field into account; other fields are ignored. */
void jmb_framing_add(struct jmb_framing_fields *f, const char *name, const char *value);
/* The verdict once every field is in; http_1_0: the request is HTTP/1.0,
 * which has no transfer codings (RFC 9112 §6.1). */
enum jmb_framing jmb_framing_verdict(const struct jmb_framing_fields *f, bool http_1_0);

#endif
