/* [server] listen = ADDRESS:PORT, a numeric IPv4 or [IPv6] address (no host
 * names: what a name resolves to can change between the check and the bind). */
#ifndef JMB_LISTEN_H
#define JMB_LISTEN_H

#include <sys/socket.h>

#include "jmb/error.h"

/* Fills ss (port in network order); -1 with a message naming the setting. */
int jmb_listen_parse(const char *listen, struct sockaddr_storage *ss, struct jmb_error *error);

#endif
