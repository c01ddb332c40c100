/* Structured key=value logging to stderr or syslog.
 * Each entry is written with one write so lines from threads never interleave. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"
#include "util/memory.h"
#include "util/strbuf.h"

#define LOG_MAX_PAIRS 32

static bool log_to_syslog;
static enum jmb_log_level log_max_level = JMB_LOG_INFO;

void jmb_log_setup(const char *ident, bool use_syslog, enum jmb_log_level max_level)
{
	log_to_syslog = use_syslog;
	log_max_level = max_level;
	if (use_syslog)
		openlog(ident, LOG_PID, LOG_DAEMON);
}

static const char *level_name(enum jmb_log_level level)
{
	switch (level) {
	case JMB_LOG_ERROR:
		return "error";
	case JMB_LOG_WARNING:
		return "warning";
	case JMB_LOG_INFO:
		return "info";
	case JMB_LOG_DEBUG:
		return "debug";
	}
	return "info";
}

static bool value_needs_quotes(const char *v)
{
	if (*v == '\0')
		return true;
	for (; *v != '\0'; v++) {
		if ((unsigned char)*v <= ' ' || *v == '"' || *v == '=' || *v == '\\' || *v == 0x7f)
			return true;
	}
	return false;
}

static void append_value(struct jmb_strbuf *sb, const char *v)
{
	if (!value_needs_quotes(v)) {
		jmb_strbuf_puts(sb, v);
		return;
	}
	jmb_strbuf_putc(sb, '"');
	for (; *v != '\0'; v++) {
		unsigned char c = (unsigned char)*v;
		if (c == '"' || c == '\\') {
			jmb_strbuf_putc(sb, '\\');
			jmb_strbuf_putc(sb, (char)c);
		} else if (c == '\n') {
			jmb_strbuf_puts(sb, "\\n");
		} else if (c < ' ' || c == 0x7f) {
			jmb_strbuf_printf(sb, "\\x%02x", c);
		} else {
			jmb_strbuf_putc(sb, (char)c);
		}
	}
	jmb_strbuf_putc(sb, '"');
}

char *jmb_log_format(enum jmb_log_level level, const char *event, const char *const *pairs)
{
	struct jmb_strbuf sb = {0};

	jmb_strbuf_printf(&sb, "level=%s event=", level_name(level));
	append_value(&sb, event);
	for (size_t i = 0; pairs[i] != NULL && pairs[i + 1] != NULL; i += 2) {
		jmb_strbuf_putc(&sb, ' ');
		jmb_strbuf_puts(&sb, pairs[i]);
		jmb_strbuf_putc(&sb, '=');
		append_value(&sb, pairs[i + 1]);
	}
	return jmb_strbuf_steal(&sb, NULL);
}

JMB_EXPORT void jmb_log(enum jmb_log_level level, const char *event, ...)
{
	const char *pairs[LOG_MAX_PAIRS * 2 + 2];
	size_t n = 0;
	va_list ap;
	char *line;

	if (level > log_max_level)
		return;
	va_start(ap, event);
	for (const char *s; n < LOG_MAX_PAIRS * 2 && (s = va_arg(ap, const char *)) != NULL;)
		pairs[n++] = s;
	va_end(ap);
	if (n % 2 != 0)
		pairs[n++] = "";
	pairs[n] = pairs[n + 1] = NULL;
	line = jmb_log_format(level, event, pairs);
	if (log_to_syslog) {
		syslog((int)level, "%s", line);
	} else {
		char stamp[32];
		struct tm tm;
		time_t now = time(NULL);
		struct jmb_strbuf sb = {0};

		gmtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
		jmb_strbuf_printf(&sb, "%s %s\n", stamp, line);
		if (write(STDERR_FILENO, sb.data, sb.len) < 0) {
			/* nowhere left to report it */
		}
		jmb_strbuf_free(&sb);
	}
	free(line);
}
