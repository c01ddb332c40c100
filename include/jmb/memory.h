/* Heap allocation that cannot fail: on exhaustion the process stops with a
 * message (jmb_fatal_oom), so callers never test for NULL.
 * Ownership: every pointer returned here is the caller's, freed with free(3)
 * (or jmb_xfree, which also sets the pointer to NULL). For memory that lives
 * as long as a request, use the request's pool (jmb/pool.h) instead. */
#ifndef JMB_PUBLIC_MEMORY_H
#define JMB_PUBLIC_MEMORY_H

#include <stddef.h>

#include "jmb/export.h"

JMB_EXPORT void *jmb_xmalloc(size_t size);
JMB_EXPORT void *jmb_xcalloc(size_t count, size_t size);
JMB_EXPORT void *jmb_xrealloc(void *ptr, size_t size);
JMB_EXPORT char *jmb_xstrdup(const char *s);
JMB_EXPORT char *jmb_xstrndup(const char *s, size_t n);
JMB_EXPORT char *jmb_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Frees *ptr and sets it to NULL. */
JMB_EXPORT void jmb_xfree_ptr(void **ptr);
#define jmb_xfree(pp) jmb_xfree_ptr((void **)(pp))

/* Stops the process after saying why; for allocations other libraries failed. */
JMB_EXPORT void jmb_fatal_oom(void) __attribute__((noreturn));

#endif
