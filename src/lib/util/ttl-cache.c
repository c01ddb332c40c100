/* The TTL cache: a chained hash table (as many buckets as entries at most)
 * whose entries are also on a list from the most to the least recently used. */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/memory.h"
#include "util/tally.h"
#include "util/ttl-cache.h"

struct entry {
	struct entry *next_in_bucket;
	struct entry *newer, *older; /* the recently-used list */
	int64_t expires_ms;
	char *value; /* NULL: a "there is none" answer */
	char key[];
};

struct jmb_ttl_cache {
	pthread_mutex_t lock;
	struct entry **buckets;
	size_t n_buckets; /* a power of two */
	size_t count, max_entries;
	struct entry *newest, *oldest;
};

struct jmb_ttl_cache *jmb_ttl_cache_new(size_t max_entries)
{
	struct jmb_ttl_cache *cache = jmb_xcalloc(1, sizeof(*cache));

	cache->max_entries = max_entries;
	cache->n_buckets = 16;
	while (cache->n_buckets < max_entries)
		cache->n_buckets *= 2;
	cache->buckets = jmb_xcalloc(cache->n_buckets, sizeof(*cache->buckets));
	pthread_mutex_init(&cache->lock, NULL);
	return cache;
}

static void entry_free(struct entry *e)
{
	free(e->value);
	free(e);
}

void jmb_ttl_cache_free(struct jmb_ttl_cache **cachep)
{
	struct jmb_ttl_cache *cache = *cachep;

	if (cache == NULL)
		return;
	for (struct entry *e = cache->newest, *older; e != NULL; e = older) {
		older = e->older;
		entry_free(e);
	}
	pthread_mutex_destroy(&cache->lock);
	free(cache->buckets);
	free(cache);
	*cachep = NULL;
}

/* The link that points at key's entry (at NULL when there is none). */
static struct entry **find_link(struct jmb_ttl_cache *cache, const char *key)
{
	struct entry **link = &cache->buckets[jmb_string_hash(key) & (cache->n_buckets - 1)];

	while (*link != NULL && strcmp((*link)->key, key) != 0)
		link = &(*link)->next_in_bucket;
	return link;
}

static void list_unlink(struct jmb_ttl_cache *cache, struct entry *e)
{
	*(e->newer != NULL ? &e->newer->older : &cache->newest) = e->older;
	*(e->older != NULL ? &e->older->newer : &cache->oldest) = e->newer;
	e->newer = e->older = NULL;
}

static void list_push_newest(struct jmb_ttl_cache *cache, struct entry *e)
{
	e->older = cache->newest;
	*(cache->newest != NULL ? &cache->newest->newer : &cache->oldest) = e;
	cache->newest = e;
}

/* Takes the entry *link points at out of the table and frees it. */
static void remove_at(struct jmb_ttl_cache *cache, struct entry **link)
{
	struct entry *e = *link;

	*link = e->next_in_bucket;
	list_unlink(cache, e);
	cache->count--;
	entry_free(e);
}

int jmb_ttl_cache_get(struct jmb_ttl_cache *cache, const char *key, int64_t now_ms,
                      struct jmb_pool *pool, const char **value_r)
{
	struct entry **link;
	int found = 0;

	*value_r = NULL;
	pthread_mutex_lock(&cache->lock);
	link = find_link(cache, key);
	if (*link != NULL && now_ms >= (*link)->expires_ms) {
		remove_at(cache, link);
	} else if (*link != NULL) {
		struct entry *e = *link;
		list_unlink(cache, e);
		list_push_newest(cache, e);
		*value_r = e->value != NULL ? jmb_pool_strdup(pool, e->value) : NULL;
		found = 1;
	}
	pthread_mutex_unlock(&cache->lock);
	return found;
}

void jmb_ttl_cache_put(struct jmb_ttl_cache *cache, const char *key, const char *value,
                       int64_t now_ms, int64_t ttl_ms)
{
	size_t key_size = strlen(key) + 1;
	struct entry *e = NULL, **link;

	/* Copied before the lock is taken: the lock only guards the table. */
	if (ttl_ms > 0) {
		e = jmb_xcalloc(1, sizeof(*e) + key_size);
		memcpy(e->key, key, key_size);
		e->value = value != NULL ? jmb_xstrdup(value) : NULL;
		e->expires_ms = now_ms + ttl_ms;
	}
	pthread_mutex_lock(&cache->lock);
	link = find_link(cache, key);
	if (*link != NULL)
		remove_at(cache, link);
	if (e != NULL) {
		if (cache->count >= cache->max_entries)
			remove_at(cache, find_link(cache, cache->oldest->key));
		link = find_link(cache, key);
		e->next_in_bucket = *link;
		*link = e;
		list_push_newest(cache, e);
		cache->count++;
	}
	pthread_mutex_unlock(&cache->lock);
}

size_t jmb_ttl_cache_size(struct jmb_ttl_cache *cache)
{
	size_t count;

	pthread_mutex_lock(&cache->lock);
	count = cache->count;
	pthread_mutex_unlock(&cache->lock);
	return count;
}
