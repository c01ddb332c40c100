/* A bounded cache of strings by string key, shared by threads (the directory's
 * identities): each entry lives for its own time, the least recently used goes when full. */
#ifndef JMB_TTL_CACHE_H
#define JMB_TTL_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "jmb/pool.h"

struct jmb_ttl_cache;

/* Times are the caller's clock in milliseconds (monotonic in real use, fake in
 * tests). The lock is held only inside these functions: callers look up, ask
 * the slow source without it, then put. max_entries must be at least 1. */
struct jmb_ttl_cache *jmb_ttl_cache_new(size_t max_entries);
void jmb_ttl_cache_free(struct jmb_ttl_cache **cache);
/* 1 when key has an entry that has not expired at now_ms: *value_r is a copy
 * of its value in pool, or NULL for an entry put with a NULL value (a "there
 * is none" answer). 0 when it has none (an expired entry is dropped). */
int jmb_ttl_cache_get(struct jmb_ttl_cache *cache, const char *key, int64_t now_ms,
                      struct jmb_pool *pool, const char **value_r);
/* Remembers a copy of value (may be NULL) for key until now_ms + ttl_ms, in
 * place of what key had; when the cache is full, the least recently used
 * entry makes room. ttl_ms <= 0 only forgets key. */
void jmb_ttl_cache_put(struct jmb_ttl_cache *cache, const char *key, const char *value,
                       int64_t now_ms, int64_t ttl_ms);
/* The number of entries, expired ones not dropped yet included. */
size_t jmb_ttl_cache_size(struct jmb_ttl_cache *cache);

#endif
