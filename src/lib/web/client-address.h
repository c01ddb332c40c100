/* The client a request comes from, as the login throttle counts it. */
#ifndef JMB_CLIENT_ADDRESS_H
#define JMB_CLIENT_ADDRESS_H

#include <stddef.h>

#include "jmb/cidr.h"
#include "web/http.h"

/* The TCP peer or, when the peer is one of the n proxies, the last address of
 * the X-Forwarded-For it sent (the one the proxy itself appended; those
 * before it are the client's word). An IPv6 client is its /64, the block one
 * subscriber gets; an IPv4 client on a dual-stack socket is its IPv4 address.
 * The text lives in req's pool; "-" when no address is known. */
const char *jmb_client_address(struct jmb_request *req, const struct jmb_cidr *proxies, size_t n);

#endif
