/* Writers of the Prometheus text exposition format, version 0.0.4: families,
 * samples with escaped label values, and histograms with cumulative buckets. */
#ifndef JMB_METRICS_TEXT_H
#define JMB_METRICS_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "util/strbuf.h"

#define JMB_METRICS_TEXT_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* A histogram as read at one instant. Values are integers in nano-units of
 * the metric's unit (nanoseconds for a _seconds histogram): exact sums, and
 * no floating-point text that would depend on the locale. */
struct jmb_histogram_view {
	const uint64_t *bounds; /* upper bounds, ascending */
	size_t n_bounds;
	const uint64_t *counts; /* n_bounds + 1 per-bucket counts; the last is above every bound */
	uint64_t sum;
};

/* "# HELP name help" and "# TYPE name type" (counter, gauge, histogram). */
void jmb_metrics_text_family(struct jmb_strbuf *out, const char *name, const char *type,
                             const char *help);
/* One sample line. labels: name, value, name, value, ..., NULL (or NULL for none). */
void jmb_metrics_text_sample(struct jmb_strbuf *out, const char *name, const char *const *labels,
                             uint64_t value);
/* name_bucket{...,le="..."} lines up to le="+Inf", then name_sum and name_count. */
void jmb_metrics_text_histogram(struct jmb_strbuf *out, const char *name, const char *const *labels,
                                const struct jmb_histogram_view *h);

#endif
