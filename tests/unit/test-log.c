/* Unit tests of src/lib/util/log.c: key=value lines, quoting and escaping, so that a
 * value can never forge a second log line or a second key. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/log.h"

static void assert_format(const char *event, const char *const *pairs, const char *expected)
{
	char *line = jmb_log_format(JMB_LOG_INFO, event, pairs);

	assert_string_equal(line, expected);
	assert_null(strchr(line, '\n'));
	free(line);
}

static void test_plain_values_are_not_quoted(void **state)
{
	const char *pairs[] = {"path", "/x", "status", "200", "user", "jdupont", NULL, NULL};

	assert_format("request", pairs, "level=info event=request path=/x status=200 user=jdupont");
}

static void test_levels(void **state)
{
	const char *pairs[] = {NULL, NULL};
	char *e = jmb_log_format(JMB_LOG_ERROR, "x", pairs);
	char *w = jmb_log_format(JMB_LOG_WARNING, "x", pairs);
	char *d = jmb_log_format(JMB_LOG_DEBUG, "x", pairs);

	assert_string_equal(e, "level=error event=x");
	assert_string_equal(w, "level=warning event=x");
	assert_string_equal(d, "level=debug event=x");
	free(e);
	free(w);
	free(d);
}

static void test_quoting(void **state)
{
	const char *empty[] = {"k", "", NULL, NULL};
	const char *space[] = {"k", "two words", NULL, NULL};
	const char *equals[] = {"k", "a=b", NULL, NULL};
	const char *quote[] = {"k", "say \"hi\"", NULL, NULL};
	const char *backslash[] = {"k", "C:\\dir", NULL, NULL};
	const char *utf8[] = {"k", "Zo\xc3\xa9", NULL, NULL};

	assert_format("e", empty, "level=info event=e k=\"\"");
	assert_format("e", space, "level=info event=e k=\"two words\"");
	assert_format("e", equals, "level=info event=e k=\"a=b\"");
	assert_format("e", quote, "level=info event=e k=\"say \\\"hi\\\"\"");
	assert_format("e", backslash, "level=info event=e k=\"C:\\\\dir\"");
	assert_format("e", utf8, "level=info event=e k=Zo\xc3\xa9");
}

static void test_newlines_and_controls_are_escaped(void **state)
{
	/* A value trying to forge a second entry stays inside one quoted value. */
	const char *forged[] = {"user", "bob\nlevel=error event=forged", NULL, NULL};
	const char *controls[] = {"k",
	                          "a\rb\tc\x01"
	                          "d\x7f"
	                          "e\x1b[31m",
	                          NULL, NULL};

	assert_format("login", forged,
	              "level=info event=login user=\"bob\\nlevel=error event=forged\"");
	assert_format("e", controls, "level=info event=e k=\"a\\x0db\\x09c\\x01d\\x7fe\\x1b[31m\"");
}

static void test_event_is_escaped_too(void **state)
{
	const char *pairs[] = {NULL, NULL};

	assert_format("bad event\n", pairs, "level=info event=\"bad event\\n\"");
}

static void test_odd_pairs_stop_at_the_last_full_pair(void **state)
{
	const char *pairs[] = {"a", "1", "dangling", NULL, NULL};

	assert_format("e", pairs, "level=info event=e a=1");
}

/* jmb_log itself writes one line to stderr; capture it through a temporary file. */
static char *capture_log(void (*emit)(void))
{
	char path[] = "/tmp/jmb-test-log-XXXXXX";
	int fd = mkstemp(path), saved = dup(STDERR_FILENO);
	char *buf = calloc(1, 4096);

	assert_true(fd >= 0);
	unlink(path);
	fflush(stderr);
	dup2(fd, STDERR_FILENO);
	emit();
	dup2(saved, STDERR_FILENO);
	close(saved);
	assert_true(pread(fd, buf, 4095, 0) >= 0);
	close(fd);
	return buf;
}

static void emit_info_and_debug(void)
{
	jmb_log_setup("test", false, JMB_LOG_INFO);
	jmb_log(JMB_LOG_INFO, "shown", "who", "me", NULL);
	jmb_log(JMB_LOG_DEBUG, "hidden", "who", "me", NULL);
	jmb_log(JMB_LOG_WARNING, "odd", "key", NULL);
}

static void test_jmb_log_writes_one_line_per_entry(void **state)
{
	char *out = capture_log(emit_info_and_debug);
	char *first_nl = strchr(out, '\n');

	/* "2026-01-01T00:00:00Z level=info event=shown who=me\n" */
	assert_non_null(first_nl);
	assert_non_null(strstr(out, "Z level=info event=shown who=me\n"));
	assert_null(strstr(out, "hidden"));
	/* An odd argument count gets an empty value rather than reading past the list. */
	assert_non_null(strstr(first_nl + 1, "Z level=warning event=odd key=\"\"\n"));
	assert_int_equal(out[4], '-');
	free(out);
}

static void emit_many_pairs(void)
{
	jmb_log_setup("test", false, JMB_LOG_DEBUG);
	jmb_log(JMB_LOG_INFO, "many", "k01", "v", "k02", "v", "k03", "v", "k04", "v", "k05", "v",
	        "k06", "v", "k07", "v", "k08", "v", "k09", "v", "k10", "v", "k11", "v", "k12", "v",
	        "k13", "v", "k14", "v", "k15", "v", "k16", "v", "k17", "v", "k18", "v", "k19", "v",
	        "k20", "v", "k21", "v", "k22", "v", "k23", "v", "k24", "v", "k25", "v", "k26", "v",
	        "k27", "v", "k28", "v", "k29", "v", "k30", "v", "k31", "v", "k32", "v", "k33", "v",
	        "k34", "v", NULL);
}

static void test_jmb_log_caps_the_number_of_pairs(void **state)
{
	char *out = capture_log(emit_many_pairs);

	assert_non_null(strstr(out, " k32=v\n"));
	assert_null(strstr(out, "k33"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain_values_are_not_quoted),
	    cmocka_unit_test(test_levels),
	    cmocka_unit_test(test_quoting),
	    cmocka_unit_test(test_newlines_and_controls_are_escaped),
	    cmocka_unit_test(test_event_is_escaped_too),
	    cmocka_unit_test(test_odd_pairs_stop_at_the_last_full_pair),
	    cmocka_unit_test(test_jmb_log_writes_one_line_per_entry),
	    cmocka_unit_test(test_jmb_log_caps_the_number_of_pairs),
	};

	return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
