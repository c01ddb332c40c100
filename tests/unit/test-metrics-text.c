/* Unit tests of src/lib/web/metrics-text.c: the Prometheus text format (0.0.4),
 * its escaping, and histograms with cumulative buckets, +Inf, _sum, _count. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "web/metrics-text.h"

static void assert_text(const struct jmb_strbuf *out, const char *expected)
{
	assert_non_null(out->data);
	assert_string_equal(out->data, expected);
}

static void test_family_header(void **state)
{
	struct jmb_strbuf out = {0};

	jmb_metrics_text_family(&out, "jmb_joins_total", "counter", "Rooms entered.");
	assert_text(&out,
	            "# HELP jmb_joins_total Rooms entered.\n# TYPE jmb_joins_total counter\n");
	jmb_strbuf_free(&out);
}

static void test_help_escapes_backslash_and_newline_only(void **state)
{
	struct jmb_strbuf out = {0};

	jmb_metrics_text_family(&out, "m", "gauge", "a \"quoted\" C:\\dir\nsecond line");
	assert_text(&out, "# HELP m a \"quoted\" C:\\\\dir\\nsecond line\n# TYPE m gauge\n");
	jmb_strbuf_free(&out);
}

static void test_samples_with_and_without_labels(void **state)
{
	struct jmb_strbuf out = {0};
	const char *labels[] = {"route", "join", "code", "302", NULL};

	jmb_metrics_text_sample(&out, "jmb_store_errors_total", NULL, 0);
	jmb_metrics_text_sample(&out, "jmb_http_requests_total", labels, 18446744073709551615u);
	assert_text(&out, "jmb_store_errors_total 0\n"
	                  "jmb_http_requests_total{route=\"join\",code=\"302\"} "
	                  "18446744073709551615\n");
	jmb_strbuf_free(&out);
}

static void test_label_values_are_escaped(void **state)
{
	struct jmb_strbuf out = {0};
	const char *labels[] = {"version", "1.0 \"beta\"\\x\nnext", NULL};

	jmb_metrics_text_sample(&out, "jmb_build_info", labels, 1);
	assert_text(&out, "jmb_build_info{version=\"1.0 \\\"beta\\\"\\\\x\\nnext\"} 1\n");
	jmb_strbuf_free(&out);
}

static void test_histogram_buckets_are_cumulative(void **state)
{
	static const uint64_t bounds[] = {5000000, 250000000, 1000000000, 2500000000};
	static const uint64_t counts[] = {3, 0, 2, 1, 4}; /* the last: above 2.5 s */
	struct jmb_histogram_view h = {
	    .bounds = bounds, .n_bounds = 4, .counts = counts, .sum = 21000250001};
	const char *labels[] = {"route", "feed", NULL};
	struct jmb_strbuf out = {0};

	jmb_metrics_text_histogram(&out, "d_seconds", labels, &h);
	assert_text(&out, "d_seconds_bucket{route=\"feed\",le=\"0.005\"} 3\n"
	                  "d_seconds_bucket{route=\"feed\",le=\"0.25\"} 3\n"
	                  "d_seconds_bucket{route=\"feed\",le=\"1\"} 5\n"
	                  "d_seconds_bucket{route=\"feed\",le=\"2.5\"} 6\n"
	                  "d_seconds_bucket{route=\"feed\",le=\"+Inf\"} 10\n"
	                  "d_seconds_sum{route=\"feed\"} 21.000250001\n"
	                  "d_seconds_count{route=\"feed\"} 10\n");
	jmb_strbuf_free(&out);
}

static void test_histogram_without_labels_or_observations(void **state)
{
	static const uint64_t bounds[] = {1000000};
	static const uint64_t counts[] = {0, 0};
	struct jmb_histogram_view h = {.bounds = bounds, .n_bounds = 1, .counts = counts, .sum = 0};
	struct jmb_strbuf out = {0};

	jmb_metrics_text_histogram(&out, "d", NULL, &h);
	assert_text(&out, "d_bucket{le=\"0.001\"} 0\n"
	                  "d_bucket{le=\"+Inf\"} 0\n"
	                  "d_sum 0\n"
	                  "d_count 0\n");
	jmb_strbuf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_family_header),
	    cmocka_unit_test(test_help_escapes_backslash_and_newline_only),
	    cmocka_unit_test(test_samples_with_and_without_labels),
	    cmocka_unit_test(test_label_values_are_escaped),
	    cmocka_unit_test(test_histogram_buckets_are_cumulative),
	    cmocka_unit_test(test_histogram_without_labels_or_observations),
	};

	return cmocka_run_group_tests_name("metrics-text", tests, NULL, NULL);
}
