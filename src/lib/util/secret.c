/* Random tokens, hashes and MACs. Randomness comes from getrandom(2) only. */
#include "config.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "util/secret.h"

void jmb_random_bytes(void *buf, size_t len)
{
	unsigned char *p = buf;

	while (len > 0) {
		ssize_t n = getrandom(p, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "jmb: getrandom failed: %s\n", strerror(errno));
			abort();
		}
		p += n;
		len -= (size_t)n;
	}
}

void jmb_base64url_encode(const unsigned char *in, size_t len, char *out)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t o = 0, i = 0;

	for (; i + 2 < len; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = alphabet[v >> 6 & 63];
		out[o++] = alphabet[v & 63];
	}
	if (i < len) {
		unsigned v = (unsigned)in[i] << 16 | (i + 1 < len ? (unsigned)in[i + 1] << 8 : 0);
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		if (i + 1 < len)
			out[o++] = alphabet[v >> 6 & 63];
	}
	out[o] = '\0';
}

void jmb_random_token(char *out)
{
	unsigned char raw[JMB_TOKEN_BYTES];

	jmb_random_bytes(raw, sizeof(raw));
	jmb_base64url_encode(raw, sizeof(raw), out);
}

void jmb_random_reply_token(char *out)
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
	unsigned char raw[JMB_REPLY_TOKEN_LEN * 5 / 8];

	jmb_random_bytes(raw, sizeof(raw));
	for (size_t i = 0; i < JMB_REPLY_TOKEN_LEN; i++) {
		size_t bit = i * 5;
		unsigned v = (unsigned)raw[bit / 8] << 8 |
		             (bit / 8 + 1 < sizeof(raw) ? raw[bit / 8 + 1] : 0);
		out[i] = alphabet[v >> (11 - bit % 8) & 31];
	}
	out[JMB_REPLY_TOKEN_LEN] = '\0';
}

bool jmb_reply_token_is_wellformed(const char *s)
{
	size_t len = 0;

	for (; s[len] != '\0'; len++) {
		char c = s[len];
		if (len >= JMB_REPLY_TOKEN_LEN ||
		    !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7')))
			return false;
	}
	return len == JMB_REPLY_TOKEN_LEN;
}

void jmb_random_room_name(char *out)
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char raw[JMB_ROOM_NAME_LEN];
	size_t i = 0;

	/* Rejection sampling keeps every character equally likely. */
	while (i < JMB_ROOM_NAME_LEN) {
		jmb_random_bytes(raw, sizeof(raw));
		for (size_t j = 0; j < sizeof(raw) && i < JMB_ROOM_NAME_LEN; j++) {
			if (raw[j] < 252)
				out[i++] = alphabet[raw[j] % 36];
		}
	}
	out[i] = '\0';
}

void jmb_sha256_hex(const char *s, char *out)
{
	jmb_sha256_hex_bytes(s, strlen(s), out);
}

void jmb_sha256_hex_bytes(const void *data, size_t len, char *out)
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256(data, len, md);
	for (size_t i = 0; i < sizeof(md); i++)
		sprintf(out + 2 * i, "%02x", md[i]);
}

void jmb_hmac_sha256_b64(const char *key, const char *msg, char *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)msg, strlen(msg), md,
	     &len);
	jmb_base64url_encode(md, len, out);
}

bool jmb_secure_streq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la != lb)
		return false;
	return CRYPTO_memcmp(a, b, la) == 0;
}

bool jmb_token_is_wellformed(const char *s)
{
	size_t len = 0;

	for (; s[len] != '\0'; len++) {
		char c = s[len];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return false;
		if (len > 128)
			return false;
	}
	return len >= 16;
}
