/* Text from and for URLs and forms. The fields of a request's form and query
 * string are read with jmb_request_form and jmb_request_query (jmb/http.h);
 * these helpers check and build such text.
 * Ownership: results live in the pool passed in (jmb/pool.h). */
#ifndef JMB_PUBLIC_FORM_H
#define JMB_PUBLIC_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include "jmb/pool.h"

/* True when the len bytes of s are well-formed UTF-8 (a NUL byte passes:
 * callers that refuse NULs look for them). */
JMB_EXPORT bool jmb_utf8_is_valid(const char *s, size_t len);
/* Percent-encodes s for a URL query or path segment. */
JMB_EXPORT char *jmb_url_encode(struct jmb_pool *pool, const char *s);

#endif
