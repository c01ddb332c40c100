/* Unit tests of src/lib/auth/users-file.c: parsing with file:line errors, lookup,
 * and the atomic add/replace that jmbctl uses. */
#include "config.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/memory.h"
#include "auth/users-file.h"

struct fixture {
	char dir[64];
	char *path;
};

static int setup_dir(void **state)
{
	struct fixture *f = jmb_xcalloc(1, sizeof(*f));

	strcpy(f->dir, "/tmp/jmb-test-users-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	f->path = jmb_xasprintf("%s/users", f->dir);
	*state = f;
	return 0;
}

static int teardown_dir(void **state)
{
	struct fixture *f = *state;
	DIR *d = opendir(f->dir);
	struct dirent *e;

	while (d != NULL && (e = readdir(d)) != NULL) {
		if (e->d_name[0] != '.') {
			char *p = jmb_xasprintf("%s/%s", f->dir, e->d_name);
			unlink(p);
			free(p);
		}
	}
	if (d != NULL)
		closedir(d);
	rmdir(f->dir);
	free(f->path);
	free(f);
	return 0;
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static char *read_text(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf = jmb_xcalloc(1, 65536);

	assert_non_null(fp);
	assert_true(fread(buf, 1, 65535, fp) > 0 || feof(fp));
	fclose(fp);
	return buf;
}

static int count_dir_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void test_login_is_valid(void **state)
{
	assert_true(jmb_login_is_valid("alice"));
	assert_true(jmb_login_is_valid("j.dupont-2_x"));
	assert_true(jmb_login_is_valid("0day"));
	assert_false(jmb_login_is_valid(""));
	assert_false(jmb_login_is_valid("Alice"));
	assert_false(jmb_login_is_valid(".alice"));
	assert_false(jmb_login_is_valid("-alice"));
	assert_false(jmb_login_is_valid("al ice"));
	assert_false(jmb_login_is_valid("al:ice"));
	assert_false(jmb_login_is_valid("al/ice"));
	assert_false(jmb_login_is_valid("\xc3\xa9lise"));
	char long_login[70];
	memset(long_login, 'a', 64);
	long_login[64] = '\0';
	assert_true(jmb_login_is_valid(long_login));
	strcat(long_login, "a");
	assert_false(jmb_login_is_valid(long_login));
}

static void test_read_valid_file(void **state)
{
	struct fixture *f = *state;
	struct jmb_users_file users;
	const struct jmb_local_user *u;
	struct jmb_error error;

	write_file(f->path, "# jmb local users\n"
	                    "alice:$y$j9T$abc$def:alice@example.org:Alice Liddell\n"
	                    "\n"
	                    "bob:$6$salt$hash::Bob: the builder\r\n"
	                    "carol:$y$x$y$z:carol@example.org:");
	assert_int_equal(jmb_users_file_read(f->path, false, &users, &error), 0);
	assert_int_equal(users.count, 3);
	u = jmb_users_file_find(&users, "alice");
	assert_non_null(u);
	assert_string_equal(u->hash, "$y$j9T$abc$def");
	assert_string_equal(u->mail, "alice@example.org");
	assert_string_equal(u->name, "Alice Liddell");
	u = jmb_users_file_find(&users, "bob");
	assert_non_null(u);
	assert_string_equal(u->mail, "");
	assert_string_equal(u->name, "Bob: the builder"); /* colons in the name, CR dropped */
	u = jmb_users_file_find(&users, "carol");
	assert_non_null(u);
	assert_string_equal(u->name, "");
	assert_null(jmb_users_file_find(&users, "Alice"));
	assert_null(jmb_users_file_find(&users, "nobody"));
	jmb_users_file_free(&users);
	assert_int_equal(users.count, 0);
	assert_null(users.users);
}

static void test_bad_lines_report_file_and_line(void **state)
{
	static const char *const bad[] = {
	    "Alice:$y$a:a@example.org:A", /* upper case login */
	    "-alice:$y$a:a@example.org:A",
	    ":$y$a:a@example.org:A", /* empty login */
	    "alice:plaintext:a@example.org:A",
	    "alice::a@example.org:A", /* empty hash */
	    "alice:$y$a:not-an-address:A",
	    "alice:$y$a", /* missing fields */
	    "alice",
	    "alice:$y$a:a@example.org",
	};
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct jmb_users_file users;
		char *text = jmb_xasprintf(
		    "# header\nok:$y$x:ok@example.org:OK\n%s\nlast:$y$x::L\n", bad[i]);
		struct jmb_error error;
		char *expected = jmb_xasprintf("%s:3: ", f->path);

		write_file(f->path, text);
		assert_int_equal(jmb_users_file_read(f->path, false, &users, &error), -1);
		if (strncmp(error.text, expected, strlen(expected)) != 0)
			fail_msg("line '%s': error '%s'", bad[i], error.text);
		assert_int_equal(users.count, 0);
		assert_null(users.users);
		free(expected);
		free(text);
	}
}

static void test_missing_file(void **state)
{
	struct fixture *f = *state;
	struct jmb_users_file users;
	struct jmb_error error;

	assert_int_equal(jmb_users_file_read(f->path, true, &users, &error), 0);
	assert_int_equal(users.count, 0);
	assert_int_equal(jmb_users_file_read(f->path, false, &users, &error), -1);
	assert_non_null(strstr(error.text, "cannot open"));
	assert_non_null(strstr(error.text, f->path));
}

static void put(const char *path, const char *login, const char *hash, const char *mail,
                const char *name)
{
	struct jmb_local_user u = {(char *)login, (char *)hash, (char *)mail, (char *)name};
	struct jmb_error error;

	if (jmb_users_file_put(path, &u, &error) != 0)
		fail_msg("put %s: %s", login, error.text);
}

static void test_put_adds_and_replaces(void **state)
{
	struct fixture *f = *state;
	struct jmb_users_file users;
	struct stat st;
	struct jmb_error error;
	char *text;

	put(f->path, "alice", "$y$one", "alice@example.org", "Alice");
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	put(f->path, "bob", "$y$two", "", "Bob");
	put(f->path, "carol", "$y$three", "carol@example.org", "Carol: C");
	put(f->path, "alice", "$y$four", "alice@example.net", "Alice L.");

	assert_int_equal(jmb_users_file_read(f->path, false, &users, &error), 0);
	assert_int_equal(users.count, 3);
	/* Replaced in place: the order of the file is kept. */
	assert_string_equal(users.users[0].login, "alice");
	assert_string_equal(users.users[0].hash, "$y$four");
	assert_string_equal(users.users[0].mail, "alice@example.net");
	assert_string_equal(users.users[0].name, "Alice L.");
	assert_string_equal(users.users[1].login, "bob");
	assert_string_equal(users.users[2].name, "Carol: C");
	jmb_users_file_free(&users);

	text = read_text(f->path);
	assert_int_equal(text[0], '#');
	assert_null(strstr(text, "$y$one"));
	free(text);
	/* Nothing left behind but the file itself. */
	assert_int_equal(count_dir_entries(f->dir), 1);
}

static void test_put_mode_ignores_umask(void **state)
{
	struct fixture *f = *state;
	struct stat st;
	mode_t old = umask(077);

	put(f->path, "alice", "$y$one", "alice@example.org", "Alice");
	umask(old);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	umask(0);
	put(f->path, "bob", "$y$one", "", "Bob");
	umask(old);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
}

static void test_put_keeps_the_group(void **state)
{
	struct fixture *f = *state;
	struct stat st;

	if (geteuid() != 0)
		skip(); /* only root can give the file to an arbitrary group */
	put(f->path, "alice", "$y$one", "alice@example.org", "Alice");
	assert_int_equal(chown(f->path, 4242, 4343), 0);
	put(f->path, "bob", "$y$two", "", "Bob");
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_uid, 4242);
	assert_int_equal(st.st_gid, 4343);
}

static void test_put_refuses_what_read_would_refuse(void **state)
{
	static const struct jmb_local_user bad[] = {
	    {"Alice", "$y$h", "a@example.org", "A"},
	    {"", "$y$h", "a@example.org", "A"},
	    {"alice", "$y$h", "a:b@example.org", "A"},
	    {"alice", "$y$h", "not-an-address", "A"},
	    {"alice", "$y$h", "a@example.org\nmallory:$y$x::M", "A"},
	    {"alice", "$y$h", "a@example.org", "A\nmallory:$y$x::M"},
	    {"alice", "$y$h", "a@example.org", "A\r"},
	    {"alice", "$y$h:x", "a@example.org", "A"},
	    {"alice", "$y$h\nmallory:$y$x::M", "a@example.org", "A"},
	    {"alice", "plain", "a@example.org", "A"},
	    {"alice", "", "a@example.org", "A"},
	};
	struct fixture *f = *state;

	put(f->path, "zed", "$y$z", "z@example.org", "Z");
	char *before = read_text(f->path);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct jmb_error error = {.text = ""};
		if (jmb_users_file_put(f->path, &bad[i], &error) != -1)
			fail_msg("put accepted login '%s' hash '%s' mail '%s' name '%s'",
			         bad[i].login, bad[i].hash, bad[i].mail, bad[i].name);
		assert_true(error.text[0] != '\0');
	}
	char *after = read_text(f->path);
	assert_string_equal(before, after);
	free(before);
	free(after);
	/* Whatever put accepted, read takes back. */
	struct jmb_users_file users;
	struct jmb_error error;
	assert_int_equal(jmb_users_file_read(f->path, false, &users, &error), 0);
	jmb_users_file_free(&users);
}

static void test_put_does_not_clobber_a_broken_file(void **state)
{
	struct fixture *f = *state;
	struct jmb_local_user u = {"alice", "$y$h", "", "A"};
	struct jmb_error error;
	char *text;

	write_file(f->path, "bob:$y$x::B\nthis line is broken\n");
	assert_int_equal(jmb_users_file_put(f->path, &u, &error), -1);
	assert_non_null(strstr(error.text, ":2: "));
	text = read_text(f->path);
	assert_string_equal(text, "bob:$y$x::B\nthis line is broken\n");
	free(text);
	assert_int_equal(count_dir_entries(f->dir), 1);
}

static int count_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

/* A write that fails (here: the file size limit, as on a full disk) reports
 * the error and closes the temporary file: jmbctl may put many users. */
static void test_put_failing_write_closes_the_file(void **state)
{
	struct fixture *f = *state;
	struct jmb_local_user u = {"alice", "$y$h", "", "A"};
	struct rlimit old, tiny;
	void (*old_handler)(int);
	struct jmb_error error;
	int before, after, ret;

	before = count_open_fds();
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	tiny = old;
	tiny.rlim_cur = 8;
	old_handler = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &tiny), 0);
	ret = jmb_users_file_put(f->path, &u, &error);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, old_handler);
	after = count_open_fds();

	assert_int_equal(ret, -1);
	assert_non_null(strstr(error.text, "cannot write"));
	assert_int_equal(after, before);
	assert_int_equal(count_dir_entries(f->dir), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup_dir, teardown_dir)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_login_is_valid),
	    T(test_read_valid_file),
	    T(test_bad_lines_report_file_and_line),
	    T(test_missing_file),
	    T(test_put_adds_and_replaces),
	    T(test_put_mode_ignores_umask),
	    T(test_put_keeps_the_group),
	    T(test_put_refuses_what_read_would_refuse),
	    T(test_put_does_not_clobber_a_broken_file),
	    T(test_put_failing_write_closes_the_file),
	};

	return cmocka_run_group_tests_name("users-file", tests, NULL, NULL);
}
