/* Unit tests of jmb_directory_new (src/lib/directory/directory.c) without a
 * server: settings that cannot work stop start-up with a message naming the
 * option (tests/integration has slapd for the rest). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "directory/directory.h"

static char *uri[] = {"ldap://127.0.0.1:1", NULL};

static struct jmb_ldap_settings settings_with_ca(const char *ca_file)
{
	return (struct jmb_ldap_settings){
	    .uri = uri,
	    .ca_file = (char *)ca_file,
	    .base = "dc=example,dc=org",
	    .user_filter = "(uid=%s)",
	    .timeout = 2,
	    .retry_after = 0,
	    .cache_ttl = 0,
	};
}

/* Expects jmb_directory_new to refuse ca_file with a message holding words. */
static void expect_refused(const char *ca_file, const char *words)
{
	struct jmb_ldap_settings s = settings_with_ca(ca_file);
	struct jmb_error error = {.text = ""};
	struct jmb_directory *dir = jmb_directory_new(&s, NULL, NULL, &error);

	if (dir != NULL) {
		jmb_directory_free(&dir);
		fail_msg("ca_file %s was accepted", ca_file);
	}
	if (strncmp(error.text, "[ldap] ca_file: ", 16) != 0 ||
	    strstr(error.text, ca_file) == NULL || strstr(error.text, words) == NULL)
		fail_msg("ca_file %s: error '%s' (expected '%s')", ca_file, error.text, words);
}

static void write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void test_missing_ca_file(void **state)
{
	expect_refused("/nonexistent/jmb-ca.pem", "No such file or directory");
}

static void test_unreadable_ca_file(void **state)
{
	char dir[] = "/tmp/jmb-test-ca-XXXXXX";

	assert_non_null(mkdtemp(dir));
	/* A folder opens but cannot be read (file modes do not stop root). */
	expect_refused(dir, "cannot read");
	rmdir(dir);
}

static void test_ca_file_without_a_certificate(void **state)
{
	char path[] = "/tmp/jmb-test-ca-XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	write_text(path, "this is not a certificate\n");
	expect_refused(path, "no PEM certificate");
	write_text(path, "");
	expect_refused(path, "no PEM certificate");
	unlink(path);
}

static void test_no_ca_file_connects_lazily(void **state)
{
	struct jmb_ldap_settings s = settings_with_ca("");
	struct jmb_error error = {.text = ""};
	struct jmb_directory *dir = jmb_directory_new(&s, NULL, NULL, &error);

	assert_non_null(dir);
	jmb_directory_free(&dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_missing_ca_file),
	    cmocka_unit_test(test_unreadable_ca_file),
	    cmocka_unit_test(test_ca_file_without_a_certificate),
	    cmocka_unit_test(test_no_ca_file_connects_lazily),
	};

	return cmocka_run_group_tests_name("directory", tests, NULL, NULL);
}
