/* The replay cache: SHA-256 of each consumed ID with its expiry, in a fixed
 * table scanned under a mutex (logins are rare; a scan of a few thousand
 * entries costs microseconds). */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "jmb/memory.h"
#include "saml-replay.h"
#include "jmb/secret.h"

struct replay_entry {
	char hash[JMB_SHA256_HEX_LEN + 1];
	time_t expires; /* 0: free */
};

struct saml_replay {
	pthread_mutex_t lock;
	size_t capacity;
	struct replay_entry *entries;
};

struct saml_replay *saml_replay_new(size_t capacity)
{
	struct saml_replay *r = jmb_xcalloc(1, sizeof(*r));

	pthread_mutex_init(&r->lock, NULL);
	r->capacity = capacity;
	r->entries = jmb_xcalloc(capacity, sizeof(*r->entries));
	return r;
}

void saml_replay_free(struct saml_replay **pr)
{
	struct saml_replay *r = *pr;

	if (r == NULL)
		return;
	pthread_mutex_destroy(&r->lock);
	free(r->entries);
	free(r);
	*pr = NULL;
}

static bool is_live(const struct replay_entry *e, time_t now)
{
	return e->expires != 0 && e->expires > now;
}

int saml_replay_claim(struct saml_replay *r, const char *const *keys, size_t count, time_t expires,
                      time_t now)
{
	char hashes[8][JMB_SHA256_HEX_LEN + 1];
	size_t free_slots[8], found = 0;
	int ret = 1;

	if (count > 8)
		return -1;
	for (size_t k = 0; k < count; k++)
		jmb_sha256_hex(keys[k], hashes[k]);
	pthread_mutex_lock(&r->lock);
	for (size_t i = 0; i < r->capacity; i++) {
		struct replay_entry *e = &r->entries[i];
		if (!is_live(e, now)) {
			if (found < count)
				free_slots[found++] = i;
			continue;
		}
		for (size_t k = 0; k < count; k++) {
			if (strcmp(e->hash, hashes[k]) == 0) {
				ret = 0;
				goto out;
			}
		}
	}
	if (found < count) {
		ret = -1;
		goto out;
	}
	for (size_t k = 0; k < count; k++) {
		struct replay_entry *e = &r->entries[free_slots[k]];
		memcpy(e->hash, hashes[k], sizeof(e->hash));
		e->expires = expires > now ? expires : now + 1;
	}
out:
	pthread_mutex_unlock(&r->lock);
	return ret;
}
