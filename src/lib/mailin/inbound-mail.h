/* A received mail, read with GMime: what jmb needs to know of it to handle
 * it as an answer (an iTIP REPLY), a bounce (an RFC 3464 delivery status
 * notification), an automatic mail to drop, or a person's mail to forward.
 * Everything here comes from outside and is treated as hostile: every text is
 * valid UTF-8 (converted from its declared charset, or cleaned) and bounded. */
#ifndef JMB_INBOUND_MAIL_H
#define JMB_INBOUND_MAIL_H

#include <stdbool.h>
#include <stddef.h>

#include "jmb/error.h"
#include "util/memory.h"

#define JMB_INBOUND_TEXT_MAX (64 * 1024)      /* a forwarded text part */
#define JMB_INBOUND_CALENDAR_MAX (256 * 1024) /* a calendar part */

struct jmb_inbound_dsn {
	const char *action;          /* "failed", "delayed", ... lower case */
	const char *final_recipient; /* the address only ("rfc822;" dropped) */
	const char *status;          /* "5.1.1" */
	const char *diagnostic;      /* Diagnostic-Code without its type, else "" */
};

struct jmb_inbound_mail {
	const char *message_id; /* without the angle brackets; NULL: none */
	const char *from;       /* the first From address, lower case; NULL: none */
	const char *from_name;  /* its display name, "" when none */
	const char *subject;    /* decoded; "" when none */
	/* Sent by a program, not a person (Auto-Submitted other than "no",
	   X-Autoreply, X-Autorespond, Precedence bulk/junk/list, a vacation
	   subject): never answered nor forwarded. */
	bool automatic;
	const char *automatic_reason;
	/* The first calendar part (text/calendar, application/ics) outside any
	   attached message, as UTF-8; NULL: none. */
	const char *calendar;
	const char *calendar_method; /* its Content-Type method parameter; NULL: none */
	/* A delivery status notification: multipart/report with
	   report-type=delivery-status; dsn is its first failed recipient (else its
	   first recipient). */
	bool is_dsn;
	struct jmb_inbound_dsn dsn;
	const char *text; /* the first text/plain part, for forwarding; NULL: none */
	/* Where the message was delivered to, most telling first: Delivered-To,
	   X-Original-To, Envelope-To, then To and Cc (lower case; NULL-ended).
	   A message fetched from a mailbox has no envelope: its reply address is
	   the first of these that is one. */
	const char **recipients;
};

#define JMB_MAIL_IN_KEY_LEN 64

/* The key under which the store recognises a message delivered again:
 * SHA-256 of the recipient with the Message-ID, or with a digest of the whole
 * message when it has none (hex, in pool). */
const char *jmb_inbound_mail_key(struct jmb_pool *pool, const char *recipient,
                                 const char *message_id, const char *data, size_t len);

/* Initialises GMime once per process (safe to call again). */
void jmb_inbound_mail_init(void);

/* Reads the len bytes of an RFC 5322 message into *mail (allocated in pool).
 * -1 with error set when it is no message at all (no header can be read). */
int jmb_inbound_mail_parse(const char *data, size_t len, struct jmb_pool *pool,
                           struct jmb_inbound_mail *mail, struct jmb_error *error);

/* The fields of a message/delivery-status body: its per-message block, then
 * one block per recipient. Exposed for tests. */
void jmb_inbound_dsn_parse(const char *body, size_t len, struct jmb_pool *pool,
                           struct jmb_inbound_dsn *dsn);

#endif
