/* Address blocks ("192.0.2.0/24", "2001:db8::/32", "::1") and the question
 * "is this request's TCP peer in one of them?", for every allow-list. */
#ifndef JMB_PUBLIC_CIDR_H
#define JMB_PUBLIC_CIDR_H

#include <stdbool.h>
#include <stddef.h>

#include "jmb/http.h"

struct jmb_cidr {
	int family; /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	unsigned prefix;
};

/* Parses a block, or a bare address (full prefix). -1 when text is neither. */
JMB_EXPORT int jmb_cidr_parse(const char *text, struct jmb_cidr *out);
/* True when req's peer lies in one of the n blocks. An IPv4 client on a
 * dual-stack socket (::ffff:a.b.c.d) matches IPv4 blocks. */
JMB_EXPORT bool jmb_cidr_list_has_peer(const struct jmb_cidr *blocks, size_t n,
                                       const struct jmb_request *req);

#endif
