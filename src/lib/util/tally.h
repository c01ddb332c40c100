/* Counts by string key, kept in memory until they are written to the store in
 * one batch (jmbd's join counters). Not thread-safe: the caller locks. */
#ifndef JMB_TALLY_H
#define JMB_TALLY_H

#include <stddef.h>
#include <stdint.h>

struct jmb_tally_item {
	char *key;
	long count;
};

struct jmb_tally {
	struct jmb_tally_item *slots; /* open addressing, capacity a power of two */
	size_t capacity;
	size_t used;
};

void jmb_tally_init(struct jmb_tally *tally);
/* Adds n to key's count (the key is copied on its first use). */
void jmb_tally_add(struct jmb_tally *tally, const char *key, long n);
/* The number of distinct keys. */
size_t jmb_tally_size(const struct jmb_tally *tally);
/* Moves every item out, sorted by key, and leaves the tally empty. The items
 * (NULL when there are none) are freed with jmb_tally_items_free(). */
struct jmb_tally_item *jmb_tally_take(struct jmb_tally *tally, size_t *n_r);
void jmb_tally_items_free(struct jmb_tally_item *items, size_t n);
void jmb_tally_clear(struct jmb_tally *tally);

/* FNV-1a of key: the hash of the string-keyed tables here and in ttl-cache.c. */
uint64_t jmb_string_hash(const char *key);

#endif
