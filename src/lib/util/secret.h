/* Random tokens, hashes and MACs (getrandom(2) and OpenSSL libcrypto).
 * Tokens are URL-safe base64 of at least 128 random bits. */
#ifndef JMB_SECRET_H
#define JMB_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#include "jmb/secret.h"

#define JMB_TOKEN_BYTES 24   /* 192 bits */
#define JMB_TOKEN_LEN 32     /* base64url of 24 bytes, no padding */
#define JMB_ROOM_NAME_LEN 20 /* [a-z0-9]{20}: about 103 bits */

/* A fresh token: JMB_TOKEN_LEN URL-safe characters plus NUL (out >= JMB_TOKEN_LEN + 1). */
void jmb_random_token(char *out);
/* A fresh room name: JMB_ROOM_NAME_LEN characters of [a-z0-9] plus NUL. */
void jmb_random_room_name(char *out);

/* True when s looks like one of our tokens (length and alphabet); cheap filter before lookups. */
bool jmb_token_is_wellformed(const char *s);

#endif
