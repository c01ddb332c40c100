/* The Prometheus text exposition format (0.0.4), written from plain values.
 * Reading the live counters is the daemon's business (src/jmbd/metrics.c). */
#include "config.h"

#include <inttypes.h>
#include <stdbool.h>

#include "web/metrics-text.h"

#define NANO 1000000000u
/* The le of the last bucket; no real bound is that large (584 years in ns). */
#define LE_INF UINT64_MAX

/* HELP text escapes backslash and newline; label values also the double quote. */
static void put_escaped(struct jmb_strbuf *out, const char *s, bool quote)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			jmb_strbuf_puts(out, "\\\\");
		else if (*s == '\n')
			jmb_strbuf_puts(out, "\\n");
		else if (*s == '"' && quote)
			jmb_strbuf_puts(out, "\\\"");
		else
			jmb_strbuf_putc(out, *s);
	}
}

/* 5000000 → "0.005", 2500000000 → "2.5", 1000000000 → "1". */
static void put_nanos(struct jmb_strbuf *out, uint64_t value)
{
	uint64_t fraction = value % NANO;
	int digits = 9;

	jmb_strbuf_printf(out, "%" PRIu64, value / NANO);
	if (fraction == 0)
		return;
	while (fraction % 10 == 0) {
		fraction /= 10;
		digits--;
	}
	jmb_strbuf_printf(out, ".%0*" PRIu64, digits, fraction);
}

/* {a="x",b="y"}, with le="..." last when le is given; nothing when empty. */
static void put_labels(struct jmb_strbuf *out, const char *const *labels, const uint64_t *le)
{
	size_t n = 0;

	for (; labels != NULL && labels[n] != NULL; n += 2) {
		jmb_strbuf_puts(out, n == 0 ? "{" : ",");
		jmb_strbuf_printf(out, "%s=\"", labels[n]);
		put_escaped(out, labels[n + 1], true);
		jmb_strbuf_putc(out, '"');
	}
	if (le != NULL) {
		jmb_strbuf_puts(out, n == 0 ? "{le=\"" : ",le=\"");
		if (*le == LE_INF)
			jmb_strbuf_puts(out, "+Inf");
		else
			put_nanos(out, *le);
		jmb_strbuf_putc(out, '"');
	}
	if (n > 0 || le != NULL)
		jmb_strbuf_putc(out, '}');
}

void jmb_metrics_text_family(struct jmb_strbuf *out, const char *name, const char *type,
                             const char *help)
{
	jmb_strbuf_printf(out, "# HELP %s ", name);
	put_escaped(out, help, false);
	jmb_strbuf_printf(out, "\n# TYPE %s %s\n", name, type);
}

void jmb_metrics_text_sample(struct jmb_strbuf *out, const char *name, const char *const *labels,
                             uint64_t value)
{
	jmb_strbuf_puts(out, name);
	put_labels(out, labels, NULL);
	jmb_strbuf_printf(out, " %" PRIu64 "\n", value);
}

void jmb_metrics_text_histogram(struct jmb_strbuf *out, const char *name, const char *const *labels,
                                const struct jmb_histogram_view *h)
{
	const uint64_t inf = LE_INF;
	uint64_t cumulative = 0;

	/* Buckets are cumulative, so +Inf and _count agree by construction. */
	for (size_t i = 0; i <= h->n_bounds; i++) {
		cumulative += h->counts[i];
		jmb_strbuf_printf(out, "%s_bucket", name);
		put_labels(out, labels, i < h->n_bounds ? &h->bounds[i] : &inf);
		jmb_strbuf_printf(out, " %" PRIu64 "\n", cumulative);
	}
	jmb_strbuf_printf(out, "%s_sum", name);
	put_labels(out, labels, NULL);
	jmb_strbuf_putc(out, ' ');
	put_nanos(out, h->sum);
	jmb_strbuf_printf(out, "\n%s_count", name);
	put_labels(out, labels, NULL);
	jmb_strbuf_printf(out, " %" PRIu64 "\n", cumulative);
}
