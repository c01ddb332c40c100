/* Public part of the memory pool API, usable by plugins.
 * Everything allocated from a pool lives until the pool is freed. */
#ifndef JMB_PUBLIC_POOL_H
#define JMB_PUBLIC_POOL_H

#include <stddef.h>

#include "jmb/export.h"

struct jmb_pool;

JMB_EXPORT void *jmb_pool_alloc(struct jmb_pool *pool, size_t size);
JMB_EXPORT char *jmb_pool_strdup(struct jmb_pool *pool, const char *s);
JMB_EXPORT char *jmb_pool_printf(struct jmb_pool *pool, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
