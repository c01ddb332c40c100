/* Structured logging as key=value lines, to stderr or syslog.
 * Callers pass pairs of key and value strings ending with NULL; values are quoted and escaped. */
#ifndef JMB_PUBLIC_LOG_H
#define JMB_PUBLIC_LOG_H

#include "jmb/pool.h"

enum jmb_log_level {
	JMB_LOG_ERROR = 3,
	JMB_LOG_WARNING = 4,
	JMB_LOG_INFO = 6,
	JMB_LOG_DEBUG = 7,
};

/* jmb_log(JMB_LOG_INFO, "request", "path", "/x", "status", "200", NULL) logs
 *   level=info event=request path=/x status=200 */
JMB_EXPORT void jmb_log(enum jmb_log_level level, const char *event, ...) __attribute__((sentinel));

#endif
