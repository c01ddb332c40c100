/* The caller-owned error message (include/jmb/error.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "jmb/error.h"

void jmb_error_vset(struct jmb_error *error, const char *fmt, va_list ap)
{
	if (error == NULL)
		return;
	if (vsnprintf(error->text, sizeof(error->text), fmt, ap) < 0)
		snprintf(error->text, sizeof(error->text), "(unprintable error message)");
}

void jmb_error_set(struct jmb_error *error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	jmb_error_vset(error, fmt, ap);
	va_end(ap);
}

void jmb_error_prefix(struct jmb_error *error, const char *fmt, ...)
{
	struct jmb_error prefix;
	char message[JMB_ERROR_SIZE];
	va_list ap;

	if (error == NULL)
		return;
	memcpy(message, error->text, sizeof(message));
	message[sizeof(message) - 1] = '\0';
	va_start(ap, fmt);
	jmb_error_vset(&prefix, fmt, ap);
	va_end(ap);
	jmb_error_set(error, "%s%s", prefix.text, message);
}
