/* Allocation helpers and the per-request memory pool.
 * The pool is a list of blocks; large allocations get a block of their own. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/memory.h"

#define POOL_BLOCK_SIZE 8192
#define POOL_ALIGN 16

struct pool_block {
	struct pool_block *next;
	size_t used;
	size_t size;
	_Alignas(POOL_ALIGN) unsigned char data[];
};

struct pool_cleanup {
	struct pool_cleanup *next;
	void (*fn)(void *);
	void *data;
};

struct jmb_pool {
	struct pool_block *blocks;
	struct pool_cleanup *cleanups;
};

void jmb_fatal_oom(void)
{
	static const char msg[] = "jmb: out of memory\n";
	fwrite(msg, 1, sizeof(msg) - 1, stderr);
	abort();
}

void *jmb_xmalloc(size_t size)
{
	void *p = malloc(size == 0 ? 1 : size);
	if (p == NULL)
		jmb_fatal_oom();
	return p;
}

void *jmb_xcalloc(size_t count, size_t size)
{
	void *p = calloc(count == 0 ? 1 : count, size == 0 ? 1 : size);
	if (p == NULL)
		jmb_fatal_oom();
	return p;
}

void *jmb_xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size == 0 ? 1 : size);
	if (p == NULL)
		jmb_fatal_oom();
	return p;
}

char *jmb_xstrdup(const char *s)
{
	return jmb_xstrndup(s, strlen(s));
}

char *jmb_xstrndup(const char *s, size_t n)
{
	char *p = jmb_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *jmb_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		jmb_fatal_oom();
	va_end(ap);
	return s;
}

void jmb_xfree_ptr(void **ptr)
{
	free(*ptr);
	*ptr = NULL;
}

struct jmb_pool *jmb_pool_new(void)
{
	return jmb_xcalloc(1, sizeof(struct jmb_pool));
}

void jmb_pool_free(struct jmb_pool **poolp)
{
	struct jmb_pool *pool = *poolp;

	if (pool == NULL)
		return;
	while (pool->cleanups != NULL) {
		struct pool_cleanup *c = pool->cleanups;
		pool->cleanups = c->next;
		c->fn(c->data);
	}
	while (pool->blocks != NULL) {
		struct pool_block *b = pool->blocks;
		pool->blocks = b->next;
		free(b);
	}
	free(pool);
	*poolp = NULL;
}

static struct pool_block *pool_add_block(struct jmb_pool *pool, size_t size)
{
	struct pool_block *b;

	if (size > SIZE_MAX - sizeof(*b)) /* the header would wrap the size around */
		jmb_fatal_oom();
	b = jmb_xmalloc(sizeof(*b) + size);

	b->used = 0;
	b->size = size;
	/* A block made for one large allocation goes second, so the
	   current small-allocation block stays first. */
	if (size > POOL_BLOCK_SIZE && pool->blocks != NULL) {
		b->next = pool->blocks->next;
		pool->blocks->next = b;
	} else {
		b->next = pool->blocks;
		pool->blocks = b;
	}
	return b;
}

JMB_EXPORT void *jmb_pool_alloc(struct jmb_pool *pool, size_t size)
{
	struct pool_block *b = pool->blocks;
	size_t aligned = (size + POOL_ALIGN - 1) & ~(size_t)(POOL_ALIGN - 1);
	void *p;

	if (aligned < size)
		jmb_fatal_oom();
	if (aligned > POOL_BLOCK_SIZE / 4)
		b = pool_add_block(pool, aligned);
	else if (b == NULL || b->size - b->used < aligned)
		b = pool_add_block(pool, POOL_BLOCK_SIZE);
	p = b->data + b->used;
	b->used += aligned;
	memset(p, 0, size);
	return p;
}

void *jmb_pool_calloc(struct jmb_pool *pool, size_t count, size_t size)
{
	if (size != 0 && count > SIZE_MAX / size)
		jmb_fatal_oom();
	return jmb_pool_alloc(pool, count * size);
}

char *jmb_pool_strndup(struct jmb_pool *pool, const char *s, size_t n)
{
	char *p = jmb_pool_alloc(pool, n + 1);

	if (n > 0) /* s may be NULL then (libldap's empty escapes) */
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

JMB_EXPORT char *jmb_pool_strdup(struct jmb_pool *pool, const char *s)
{
	if (s == NULL)
		return NULL;
	return jmb_pool_strndup(pool, s, strlen(s));
}

char *jmb_pool_vprintf(struct jmb_pool *pool, const char *fmt, va_list ap)
{
	va_list copy;
	int len;
	char *p;

	va_copy(copy, ap);
	len = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (len < 0)
		jmb_fatal_oom();
	p = jmb_pool_alloc(pool, (size_t)len + 1);
	vsnprintf(p, (size_t)len + 1, fmt, ap);
	return p;
}

JMB_EXPORT char *jmb_pool_printf(struct jmb_pool *pool, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = jmb_pool_vprintf(pool, fmt, ap);
	va_end(ap);
	return p;
}

void jmb_pool_on_free(struct jmb_pool *pool, void (*fn)(void *), void *data)
{
	struct pool_cleanup *c = jmb_pool_alloc(pool, sizeof(*c));

	c->fn = fn;
	c->data = data;
	c->next = pool->cleanups;
	pool->cleanups = c;
}
