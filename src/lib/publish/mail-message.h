/* Mail messages as bytes: RFC 5322 headers (RFC 2047 for non-ASCII text) and a
 * MIME multipart/alternative body (text, HTML, and an iMIP calendar part).
 * The outbox stores these bytes before any SMTP attempt, which is why jmb
 * serialises messages itself: libcurl's MIME API only produces them while
 * transferring. */
#ifndef JMB_MAIL_MESSAGE_H
#define JMB_MAIL_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "jmb/error.h"

struct jmb_mail_message {
	const char *from_name; /* display names may be empty; any UTF-8 */
	const char *from;      /* addresses must pass jmb_mail_is_valid */
	const char *to_name;
	const char *to;
	const char *reply_to; /* NULL: none */
	const char *subject;
	const char *id_domain; /* right side of the Message-ID */
	time_t date;
	const char *text;            /* text/plain, required */
	const char *html;            /* text/html, optional */
	const char *calendar;        /* text/calendar, optional */
	const char *calendar_method; /* "REQUEST", "CANCEL", "REPLY" */
	/* Auto-Submitted: auto-replied (RFC 3834: sent in answer to a mail)
	   instead of auto-generated. */
	bool auto_replied;
};

/* The whole message with CRLF line ends (caller frees), or NULL with error set
 * when an address is not valid. */
char *jmb_mail_message_render(const struct jmb_mail_message *m, struct jmb_error *error);
/* RFC 2047 "encoded-word" form of a header text when it needs one (caller frees). */
char *jmb_mail_header_text(const char *text);

#endif
