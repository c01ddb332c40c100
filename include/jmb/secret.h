/* Randomness, hashes and MACs for tokens and signed values (getrandom(2) and
 * OpenSSL's libcrypto). Ownership: every output goes to a caller's buffer of
 * the size given with each function; nothing is allocated. */
#ifndef JMB_PUBLIC_SECRET_H
#define JMB_PUBLIC_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#include "jmb/export.h"

#define JMB_SHA256_HEX_LEN 64

/* Fills buf with cryptographically secure random bytes; aborts if the kernel cannot. */
JMB_EXPORT void jmb_random_bytes(void *buf, size_t len);
/* URL-safe base64 of len bytes, without padding, NUL-terminated
 * (out >= 4 * ((len + 2) / 3) + 1 bytes). */
JMB_EXPORT void jmb_base64url_encode(const unsigned char *in, size_t len, char *out);
/* SHA-256 of s as lower-case hex (out >= JMB_SHA256_HEX_LEN + 1 bytes). */
JMB_EXPORT void jmb_sha256_hex(const char *s, char *out);
/* HMAC-SHA-256(key, msg) as base64url (out >= 44 bytes). */
JMB_EXPORT void jmb_hmac_sha256_b64(const char *key, const char *msg, char *out);
/* Compares in a time that does not depend on where the strings differ. */
JMB_EXPORT bool jmb_secure_streq(const char *a, const char *b);

#endif
