/* The client a request comes from, behind a trusted proxy or not (see
 * client-address.h). */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "web/client-address.h"
#include "util/memory.h"

/* The last entry of an X-Forwarded-For list, as a binary address. */
static int last_forwarded(const char *header, int *family_r, unsigned char addr[16])
{
	const char *start = strrchr(header, ',');
	char text[INET6_ADDRSTRLEN];
	size_t len;

	start = start != NULL ? start + 1 : header;
	start += strspn(start, " \t");
	len = strcspn(start, " \t");
	if (len == 0 || len >= sizeof(text))
		return -1;
	memcpy(text, start, len);
	text[len] = '\0';
	if (inet_pton(AF_INET, text, addr) == 1)
		*family_r = AF_INET;
	else if (inet_pton(AF_INET6, text, addr) == 1)
		*family_r = AF_INET6;
	else
		return -1;
	return 0;
}

static const char *address_text(struct jmb_pool *pool, int family, const unsigned char *addr)
{
	char text[INET6_ADDRSTRLEN];
	unsigned char block[16];

	if (family == AF_INET6 && memcmp(addr, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0) {
		family = AF_INET;
		addr += 12;
	}
	if (family == AF_INET) {
		inet_ntop(AF_INET, addr, text, sizeof(text));
		return jmb_pool_strdup(pool, text);
	}
	/* One subscriber holds a whole /64: counting its addresses one by one
	   would give it 2^64 fresh starts. */
	memcpy(block, addr, 8);
	memset(block + 8, 0, 8);
	inet_ntop(AF_INET6, block, text, sizeof(text));
	return jmb_pool_printf(pool, "%s/64", text);
}

const char *jmb_client_address(struct jmb_request *req, const struct jmb_cidr *proxies, size_t n)
{
	const char *forwarded = jmb_request_header(req, "X-Forwarded-For");
	const unsigned char *peer;
	unsigned char addr[16];
	int family;

	if (forwarded != NULL && jmb_cidr_list_has_peer(proxies, n, req) &&
	    last_forwarded(forwarded, &family, addr) == 0)
		return address_text(req->pool, family, addr);
	if (jmb_request_peer_addr(req, &family, &peer) < 0)
		return "-";
	return address_text(req->pool, family, peer);
}
