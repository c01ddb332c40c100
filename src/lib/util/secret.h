/* Random tokens, hashes and MACs (getrandom(2) and OpenSSL libcrypto).
 * Tokens are URL-safe base64 of at least 128 random bits. */
#ifndef JMB_SECRET_H
#define JMB_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#include "jmb/secret.h"

#define JMB_TOKEN_BYTES 24     /* 192 bits */
#define JMB_TOKEN_LEN 32       /* base64url of 24 bytes, no padding */
#define JMB_ROOM_NAME_LEN 20   /* [a-z0-9]{20}: about 103 bits */
#define JMB_REPLY_TOKEN_LEN 32 /* base32 [a-z2-7] of 20 bytes: 160 bits */

/* A fresh token: JMB_TOKEN_LEN URL-safe characters plus NUL (out >= JMB_TOKEN_LEN + 1). */
void jmb_random_token(char *out);
/* A fresh room name: JMB_ROOM_NAME_LEN characters of [a-z0-9] plus NUL. */
void jmb_random_room_name(char *out);

/* SHA-256 of len bytes (any bytes) as lower-case hex, like jmb_sha256_hex. */
void jmb_sha256_hex_bytes(const void *data, size_t len, char *out);

/* A fresh reply-address token: JMB_REPLY_TOKEN_LEN characters of [a-z2-7]
 * plus NUL. Lower case only: mail systems may fold an address's local part. */
void jmb_random_reply_token(char *out);
/* True when s has a reply token's length and alphabet (either case). */
bool jmb_reply_token_is_wellformed(const char *s);

/* True when s looks like one of our tokens (length and alphabet); cheap filter before lookups. */
bool jmb_token_is_wellformed(const char *s);

#endif
