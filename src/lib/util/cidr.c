/* Address blocks for allow-lists: the header-trust plugin's trusted_proxies
 * and [metrics] allow share this one parser and matcher. */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "jmb/cidr.h"

JMB_EXPORT int jmb_cidr_parse(const char *text, struct jmb_cidr *out)
{
	char buf[64];
	char *slash, *end;
	unsigned max;
	long prefix;

	if (strlen(text) >= sizeof(buf))
		return -1;
	strcpy(buf, text);
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, out->addr) == 1) {
		out->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, out->addr) == 1) {
		out->family = AF_INET6;
		max = 128;
	} else {
		return -1;
	}
	prefix = max;
	if (slash != NULL) {
		prefix = strtol(slash + 1, &end, 10);
		if (*end != '\0' || end == slash + 1 || prefix < 0 || prefix > (long)max)
			return -1;
	}
	out->prefix = (unsigned)prefix;
	return 0;
}

static bool cidr_contains(const struct jmb_cidr *c, int family, const unsigned char *addr)
{
	unsigned full = c->prefix / 8, rest = c->prefix % 8;

	if (family != c->family)
		return false;
	if (memcmp(c->addr, addr, full) != 0)
		return false;
	if (rest == 0)
		return true;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));
	return (c->addr[full] & mask) == (addr[full] & mask);
}

static bool list_contains(const struct jmb_cidr *blocks, size_t n, int family,
                          const unsigned char *addr)
{
	for (size_t i = 0; i < n; i++) {
		if (cidr_contains(&blocks[i], family, addr))
			return true;
	}
	return false;
}

JMB_EXPORT bool jmb_cidr_list_has_peer(const struct jmb_cidr *blocks, size_t n,
                                       const struct jmb_request *req)
{
	const unsigned char *addr;
	int family;

	if (jmb_request_peer_addr(req, &family, &addr) < 0)
		return false;
	if (family == AF_INET6 && memcmp(addr, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0 &&
	    list_contains(blocks, n, AF_INET, addr + 12))
		return true;
	return list_contains(blocks, n, family, addr);
}
