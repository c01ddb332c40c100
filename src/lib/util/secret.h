/* Random tokens, hashes and MACs (getrandom(2) and OpenSSL libcrypto).
 * Tokens are URL-safe base64 of at least 128 random bits. */
#ifndef JMB_SECRET_H
#define JMB_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#define JMB_TOKEN_BYTES 24   /* 192 bits */
#define JMB_TOKEN_LEN 32     /* base64url of 24 bytes, no padding */
#define JMB_ROOM_NAME_LEN 20 /* [a-z0-9]{20}: about 103 bits */
#define JMB_SHA256_HEX_LEN 64

/* Fills buf with cryptographically secure random bytes; aborts if the kernel cannot. */
void jmb_random_bytes(void *buf, size_t len);
/* A fresh token: JMB_TOKEN_LEN URL-safe characters plus NUL (out >= JMB_TOKEN_LEN + 1). */
void jmb_random_token(char *out);
/* A fresh room name: JMB_ROOM_NAME_LEN characters of [a-z0-9] plus NUL. */
void jmb_random_room_name(char *out);

void jmb_base64url_encode(const unsigned char *in, size_t len, char *out);
/* SHA-256 of s as lower-case hex (out >= 65 bytes). */
void jmb_sha256_hex(const char *s, char *out);
/* HMAC-SHA-256(key, msg) as base64url (out >= 44 bytes). */
void jmb_hmac_sha256_b64(const char *key, const char *msg, char *out);
/* Constant-time string comparison. */
bool jmb_secure_streq(const char *a, const char *b);
/* True when s looks like one of our tokens (length and alphabet); cheap filter before lookups. */
bool jmb_token_is_wellformed(const char *s);

#endif
