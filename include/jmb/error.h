/* Errors: the one rule for messages about a failure.
 *
 * A function that can fail with a message takes a `struct jmb_error *error`
 * that its caller owns (usually on the stack), fills it on failure and
 * returns a result code that says it failed. The message lives as long as
 * the caller's struct: nothing is allocated, nothing is freed, and a message
 * can never leak or be freed twice on an error path. A caller that does not
 * want the message passes NULL. Messages are one line of UTF-8, at most
 * JMB_ERROR_SIZE - 1 bytes (longer ones are cut, never overflowed). */
#ifndef JMB_PUBLIC_ERROR_H
#define JMB_PUBLIC_ERROR_H

#include <stdarg.h>

#include "jmb/export.h"

#define JMB_ERROR_SIZE 512

struct jmb_error {
	char text[JMB_ERROR_SIZE];
};

/* Sets the message (error may be NULL: nothing happens). */
JMB_EXPORT void jmb_error_set(struct jmb_error *error, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
JMB_EXPORT void jmb_error_vset(struct jmb_error *error, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Puts a prefix before the message already set ("file:line: " + message). */
JMB_EXPORT void jmb_error_prefix(struct jmb_error *error, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
