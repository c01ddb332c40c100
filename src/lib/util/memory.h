/* Allocation helpers and the per-request memory pool.
 * Allocation failure aborts in one place; pools free everything at once. */
#ifndef JMB_MEMORY_H
#define JMB_MEMORY_H

#include <stdarg.h>
#include <stddef.h>

#include "jmb/memory.h"
#include "jmb/pool.h"

struct jmb_pool *jmb_pool_new(void);
void jmb_pool_free(struct jmb_pool **pool);
void *jmb_pool_calloc(struct jmb_pool *pool, size_t count, size_t size);
char *jmb_pool_strndup(struct jmb_pool *pool, const char *s, size_t n);
char *jmb_pool_vprintf(struct jmb_pool *pool, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Runs fn(data) when the pool is freed (for foreign objects such as json_t). */
void jmb_pool_on_free(struct jmb_pool *pool, void (*fn)(void *), void *data);

#endif
