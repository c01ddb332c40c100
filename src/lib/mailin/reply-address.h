/* Reply addresses: rsvp+<reply token>@domain, made from [mail] reply_address
 * and recipient_delimiter, so that what an invitee's mail client sends back
 * (an iTIP REPLY, a bounce) names the invitee it is about. */
#ifndef JMB_REPLY_ADDRESS_H
#define JMB_REPLY_ADDRESS_H

#include "util/memory.h"

/* The reply address of token (in pool), or NULL when base is "" or has no '@'. */
const char *jmb_reply_address(struct jmb_pool *pool, const char *base, const char *delimiter,
                              const char *token);

enum jmb_reply_address_match {
	JMB_REPLY_TOKEN,     /* *token_r is a well-formed reply token, lower-cased */
	JMB_REPLY_BAD_TOKEN, /* ours, but what follows the delimiter is no token */
	JMB_REPLY_NOT_OURS,  /* another local part or domain */
};

/* Which reply token recipient (an envelope recipient) carries; the local part
 * and the domain are compared without case, as mail systems may change it. */
enum jmb_reply_address_match jmb_reply_address_parse(struct jmb_pool *pool, const char *base,
                                                     const char *delimiter, const char *recipient,
                                                     const char **token_r);

#endif
