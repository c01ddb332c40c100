/* Process-wide log set-up (the programs choose where logs go).
 * Logging itself is declared in the public jmb/log.h. */
#ifndef JMB_LOG_H
#define JMB_LOG_H

#include <stdbool.h>

#include "jmb/log.h"

void jmb_log_setup(const char *ident, bool use_syslog, enum jmb_log_level max_level);
/* Formats the key=value line of a log entry; exposed for tests. Caller frees. */
char *jmb_log_format(enum jmb_log_level level, const char *event, const char *const *pairs);

#endif
