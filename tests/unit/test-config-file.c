/* Unit tests of src/lib/config/config-file.c and settings.c: the INI reader, every
 * key type, defaults, ranges, secrets from files, and file:line errors. */
#include "config.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/config-file.h"
#include "util/memory.h"
#include "config/settings.h"
#include "util/strbuf.h"

/* --- a small key table exercising every type --- */

struct test_settings {
	char *name;
	long count;
	bool flag;
	char **list;
	int mode;
	char *secret;
	char *path;
	char *required;
	long negative;
};

static const char *const modes[] = {"fast", "safe", NULL};

#define F(field) offsetof(struct test_settings, field)
static const struct jmb_config_key test_keys[] = {
    {"name", JMB_CONF_STRING, F(name), "default-name", 0, 0, 0, NULL},
    {"count", JMB_CONF_INT, F(count), "5", 0, 1, 10, NULL},
    {"flag", JMB_CONF_BOOL, F(flag), "no", 0, 0, 0, NULL},
    {"list", JMB_CONF_LIST, F(list), "a, b", 0, 0, 0, NULL},
    {"mode", JMB_CONF_ENUM, F(mode), "safe", 0, 0, 0, modes},
    {"secret", JMB_CONF_SECRET, F(secret), NULL, 0, 0, 0, NULL},
    {"path", JMB_CONF_STRING, F(path), "data/x", JMB_CONF_PATH, 0, 0, NULL},
    {"required", JMB_CONF_STRING, F(required), NULL, JMB_CONF_REQUIRED, 0, 0, NULL},
    {"negative", JMB_CONF_INT, F(negative), "-5", 0, -10, -1, NULL},
    JMB_CONF_END,
};
#undef F

struct fixture {
	struct jmb_pool *pool;
	char dir[64];
};

static int setup(void **state)
{
	struct fixture *f = jmb_xcalloc(1, sizeof(*f));

	f->pool = jmb_pool_new();
	strcpy(f->dir, "/tmp/jmb-test-config-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
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
	jmb_pool_free(&f->pool);
	free(f);
	return 0;
}

static char *write_file(struct fixture *f, const char *name, const void *data, size_t len)
{
	char *path = jmb_pool_printf(f->pool, "%s/%s", f->dir, name);
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	fclose(fp);
	return path;
}

static struct jmb_config_file *parse_ok(const char *name, const char *text)
{
	struct jmb_error error;
	struct jmb_config_file *file = jmb_config_file_from_string(name, text, &error);

	if (file == NULL)
		fail_msg("parse failed: %s", error.text);
	return file;
}

/* Parsing must fail with exactly this first line of error. */
static void assert_parse_error(const char *name, const char *text, const char *expected)
{
	struct jmb_error error;
	struct jmb_config_file *file = jmb_config_file_from_string(name, text, &error);

	if (file != NULL)
		fail_msg("parsed, expected error '%s'", expected);
	if (strncmp(error.text, expected, strlen(expected)) != 0)
		fail_msg("error '%s', expected '%s...'", error.text, expected);
}

/* Applies test_keys to [t]; returns the errors (valid until the next call) or NULL. */
static const char *apply(struct fixture *f, struct jmb_config_file *file, struct test_settings *s)
{
	static struct jmb_error errors;
	int rc;

	memset(s, 0, sizeof(*s));
	rc = jmb_config_apply(file, "t", test_keys, s, f->pool, &errors);
	assert_true(rc == 0 || rc == -1);
	return rc == 0 ? NULL : errors.text;
}

static void apply_ok(struct fixture *f, struct jmb_config_file *file, struct test_settings *s)
{
	const char *errors = apply(f, file, s);

	if (errors != NULL)
		fail_msg("unexpected errors: %s", errors);
}

/* apply must fail and report this error (as one of its lines). */
static void assert_apply_error(struct fixture *f, const char *text, const char *expected)
{
	struct jmb_config_file *file = parse_ok("t.conf", text);
	struct test_settings s;
	const char *errors = apply(f, file, &s);

	if (errors == NULL)
		fail_msg("applied, expected error '%s'", expected);
	if (strstr(errors, expected) == NULL)
		fail_msg("errors '%s' lack '%s'", errors, expected);
	jmb_config_file_free(&file);
}

static void test_defaults(void **state)
{
	struct fixture *f = *state;
	struct jmb_config_file *file = parse_ok("etc/jmb/t.conf", "[t]\nrequired = r\n");
	struct test_settings s;

	apply_ok(f, file, &s);
	assert_string_equal(s.name, "default-name");
	assert_int_equal(s.count, 5);
	assert_false(s.flag);
	assert_string_equal(s.list[0], "a");
	assert_string_equal(s.list[1], "b");
	assert_null(s.list[2]);
	assert_int_equal(s.mode, 1);
	assert_null(s.secret);
	assert_string_equal(s.path, "etc/jmb/data/x"); /* relative to the config's folder */
	assert_string_equal(s.required, "r");
	assert_int_equal(s.negative, -5);
	assert_string_equal(jmb_config_file_path(file), "etc/jmb/t.conf");
	jmb_config_file_free(&file);
	assert_null(file);
}

static void test_every_type(void **state)
{
	struct fixture *f = *state;
	struct jmb_config_file *file = parse_ok("/etc/jmb/t.conf", "# comment\n"
	                                                           "; another comment\n"
	                                                           "[t]\n"
	                                                           "name =   spaced value  \n"
	                                                           "count=10\n"
	                                                           "flag = YES\n"
	                                                           "list = x,, y , ,z,\n"
	                                                           "mode = fast\n"
	                                                           "secret = s3cr3t\n"
	                                                           "path = /abs/path\n"
	                                                           "required = r\n"
	                                                           "negative = -10\n");
	struct test_settings s;

	apply_ok(f, file, &s);
	assert_string_equal(s.name, "spaced value");
	assert_int_equal(s.count, 10);
	assert_true(s.flag);
	assert_string_equal(s.list[0], "x");
	assert_string_equal(s.list[1], "y");
	assert_string_equal(s.list[2], "z");
	assert_null(s.list[3]);
	assert_int_equal(s.mode, 0);
	assert_string_equal(s.secret, "s3cr3t");
	assert_string_equal(s.path, "/abs/path");
	assert_int_equal(s.negative, -10);
	jmb_config_file_free(&file);
}

static void test_bool_spellings(void **state)
{
	static const char *const yes[] = {"yes", "true", "on", "1", "Yes", "TRUE", "On"};
	static const char *const no[] = {"no", "false", "off", "0", "NO", "False", "OFF"};
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		struct test_settings s = {0};
		assert_int_equal(
		    jmb_config_parse_value(&test_keys[2], yes[i], &s, f->pool, NULL, NULL), 0);
		assert_true(s.flag);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		struct test_settings s = {.flag = true};
		assert_int_equal(
		    jmb_config_parse_value(&test_keys[2], no[i], &s, f->pool, NULL, NULL), 0);
		assert_false(s.flag);
	}
	assert_apply_error(f, "[t]\nrequired = r\nflag = maybe\n",
	                   "t.conf:3: [t] flag: 'maybe' is not a boolean");
	assert_apply_error(f, "[t]\nrequired = r\nflag =\n",
	                   "t.conf:3: [t] flag: '' is not a boolean");
}

static void test_int_ranges(void **state)
{
	struct fixture *f = *state;

	assert_apply_error(f, "[t]\nrequired = r\ncount = 0\n",
	                   "t.conf:3: [t] count: 0 is out of range (1 to 10)");
	assert_apply_error(f, "[t]\nrequired = r\ncount = 11\n",
	                   "t.conf:3: [t] count: 11 is out of range (1 to 10)");
	assert_apply_error(f, "[t]\nrequired = r\ncount = abc\n",
	                   "t.conf:3: [t] count: 'abc' is not a whole number");
	assert_apply_error(f, "[t]\nrequired = r\ncount = 5x\n", "'5x' is not a whole number");
	assert_apply_error(f, "[t]\nrequired = r\ncount = 5.0\n", "'5.0' is not a whole number");
	assert_apply_error(f, "[t]\nrequired = r\ncount = 0x5\n", "'0x5' is not a whole number");
	assert_apply_error(f, "[t]\nrequired = r\ncount =\n", "'' is not a whole number");
	assert_apply_error(f, "[t]\nrequired = r\ncount = 99999999999999999999999\n",
	                   "is not a whole number");
	assert_apply_error(f, "[t]\nrequired = r\nnegative = 0\n", "0 is out of range (-10 to -1)");

	struct jmb_config_file *file = parse_ok("t.conf", "[t]\nrequired = r\ncount = 1\n");
	struct test_settings s;
	apply_ok(f, file, &s);
	assert_int_equal(s.count, 1);
	jmb_config_file_free(&file);
}

static void test_enum_choices(void **state)
{
	struct fixture *f = *state;

	assert_apply_error(f, "[t]\nrequired = r\nmode = turbo\n",
	                   "t.conf:3: [t] mode: 'turbo' is not one of: fast, safe");
	/* Choices are exact: no case folding, no prefixes. */
	assert_apply_error(f, "[t]\nrequired = r\nmode = FAST\n", "'FAST' is not one of");
	assert_apply_error(f, "[t]\nrequired = r\nmode = fas\n", "'fas' is not one of");
}

static void test_required_key(void **state)
{
	struct fixture *f = *state;

	assert_apply_error(f, "[t]\nname = x\n", "t.conf: [t] required is required");
	assert_apply_error(f, "", "t.conf: [t] required is required");
}

static void test_errors_are_all_reported(void **state)
{
	struct fixture *f = *state;
	struct jmb_config_file *file =
	    parse_ok("t.conf", "[t]\ncount = 0\nflag = maybe\nmode = x\n");
	struct test_settings s;
	const char *errors = apply(f, file, &s);

	assert_non_null(errors);
	assert_non_null(strstr(errors, "t.conf:2: [t] count"));
	assert_non_null(strstr(errors, "\nt.conf:3: [t] flag"));
	assert_non_null(strstr(errors, "\nt.conf:4: [t] mode"));
	assert_non_null(strstr(errors, "\nt.conf: [t] required is required"));
	jmb_config_file_free(&file);
}

/* Every problem fits in the one caller-owned message while there is room;
   then the message says that more were left out, and never overflows. */
static void test_many_errors_are_cut_cleanly(void **state)
{
	struct fixture *f = *state;
	struct jmb_strbuf text = {0};
	struct jmb_error errors;
	struct jmb_config_file *file;
	struct test_settings s;
	int n = 0;

	jmb_strbuf_puts(&text, "[t]\n");
	for (int i = 0; i < 60; i++)
		jmb_strbuf_printf(&text, "unknown_key_number_%02d = x\n", i);
	file = parse_ok("t.conf", text.data);
	assert_non_null(apply(f, file, &s)); /* claims [t] ("required" is missing) */
	assert_int_equal(jmb_config_check_unclaimed(file, &errors), -1);
	assert_true(strlen(errors.text) < sizeof(errors.text));
	assert_non_null(strstr(errors.text, "t.conf:2: [t] unknown key 'unknown_key_number_00'"));
	assert_non_null(strstr(errors.text, "\nt.conf:3: [t] unknown key 'unknown_key_number_01'"));
	assert_null(strstr(errors.text, "unknown_key_number_59"));
	assert_non_null(strstr(errors.text, "\n(more errors left out)"));
	/* Said once, at the end. */
	assert_string_equal(strstr(errors.text, "\n(more"), "\n(more errors left out)");
	jmb_config_file_free(&file);
	jmb_strbuf_free(&text);

	/* Lines are added whole: the first one sets, a NULL error is fine. */
	jmb_config_error_add(&errors, &n, "first %d", 1);
	jmb_config_error_add(&errors, &n, "second");
	assert_string_equal(errors.text, "first 1\nsecond");
	assert_int_equal(n, 2);
	n = 0;
	jmb_config_error_add(NULL, &n, "ignored");
	assert_int_equal(n, 1);
}

static void test_secret_from_file_relative_to_config(void **state)
{
	struct fixture *f = *state;
	const char conf[] = "[t]\nrequired = r\nsecret_file = app.secret\n";
	struct jmb_error error;
	char *path;
	struct jmb_config_file *file;
	struct test_settings s;

	char cwd[4096];

	write_file(f, "app.secret", "first line secret\r\nsecond line\n", 31);
	path = write_file(f, "jmb.conf", conf, sizeof(conf) - 1);
	/* Read from another working directory: the path is the config's folder, not ours. */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir("/"), 0);
	file = jmb_config_file_read(path, &error);
	assert_int_equal(chdir(cwd), 0);
	assert_non_null(file);
	apply_ok(f, file, &s);
	assert_string_equal(s.secret, "first line secret");
	assert_int_equal(jmb_config_check_unclaimed(file, &error), 0); /* secret_file is claimed */
	jmb_config_file_free(&file);
}

static void test_secret_file_absolute_path(void **state)
{
	struct fixture *f = *state;
	char *secret = write_file(f, "abs.secret", "abc;def # kept\n", 15);
	char *text = jmb_pool_printf(f->pool, "[t]\nrequired = r\nsecret_file = %s\n", secret);
	struct jmb_config_file *file = parse_ok("elsewhere/t.conf", text);
	struct test_settings s;

	apply_ok(f, file, &s);
	assert_string_equal(s.secret, "abc;def # kept");
	jmb_config_file_free(&file);
}

static void test_secret_file_errors(void **state)
{
	struct fixture *f = *state;
	char *empty = write_file(f, "empty.secret", "\n", 1);
	char *text;

	assert_apply_error(
	    f, "[t]\nrequired = r\nsecret = x\nsecret_file = /nonexistent\n",
	    "t.conf:4: [t] secret_file: give either secret or secret_file, not both");
	assert_apply_error(f, "[t]\nrequired = r\nsecret_file = /nonexistent/x\n",
	                   "t.conf:3: [t] secret_file: cannot read secret file /nonexistent/x");
	text = jmb_pool_printf(f->pool, "[t]\nrequired = r\n\nsecret_file = %s\n", empty);
	assert_apply_error(f, text, "t.conf:4: [t] secret_file: secret file ");
	assert_apply_error(f, text, " is empty");
}

static void test_unknown_keys_and_sections(void **state)
{
	struct fixture *f = *state;
	struct jmb_config_file *file = parse_ok("/etc/jmb/jmb.conf", "[t]\n"
	                                                             "required = r\n"
	                                                             "nmae = typo\n"
	                                                             "\n"
	                                                             "[tt]\n"
	                                                             "key = x\n"
	                                                             "[t]\n"
	                                                             "secrett_file = y\n");
	struct test_settings s;
	struct jmb_error errors;

	apply_ok(f, file, &s);
	assert_true(jmb_config_file_has_section(file, "t"));
	assert_true(jmb_config_file_has_section(file, "tt"));
	assert_false(jmb_config_file_has_section(file, "T"));
	assert_int_equal(jmb_config_check_unclaimed(file, &errors), -1);
	assert_non_null(strstr(errors.text, "/etc/jmb/jmb.conf:3: [t] unknown key 'nmae'"));
	assert_non_null(strstr(errors.text, "/etc/jmb/jmb.conf:8: [t] unknown key 'secrett_file'"));
	assert_non_null(strstr(errors.text, "unknown section [tt]"));
	/* Keys of an unknown section are not listed one by one. */
	assert_null(strstr(errors.text, "'key'"));
	jmb_config_file_free(&file);
}

static void test_keys_outside_any_section(void **state)
{
	struct fixture *f = *state;
	struct jmb_config_file *file = parse_ok("t.conf", "required = r\n[t]\nrequired = r\n");
	struct test_settings s;
	struct jmb_error errors;

	apply_ok(f, file, &s);
	assert_int_equal(jmb_config_check_unclaimed(file, &errors), -1);
	assert_non_null(strstr(errors.text, "t.conf:1: unknown section []"));
	jmb_config_file_free(&file);
}

static void test_duplicate_keys(void **state)
{
	assert_parse_error("t.conf", "[t]\nname = a\nname = b\n", "t.conf:3: ");
	/* Also when the section is opened again further down. */
	assert_parse_error("t.conf", "[t]\nname = a\n[u]\nx = 1\n[t]\nname = b\n", "t.conf:6: ");
	/* The same key in two sections is fine. */
	struct jmb_config_file *file = parse_ok("t.conf", "[t]\nname = a\n[u]\nname = b\n");
	jmb_config_file_free(&file);
}

static char *long_line_config(size_t value_len, const char *eol)
{
	/* "k = " + value: a line of value_len + 4 characters before its end of line. */
	char *text = jmb_xmalloc(value_len + 64);
	int n = sprintf(text, "[t]\nk = ");

	memset(text + n, 'v', value_len);
	strcpy(text + n + value_len, eol);
	strcat(text, "x = 1\n");
	return text;
}

static void test_long_lines(void **state)
{
	struct fixture *f = *state;
	struct jmb_error error;

	/* Common lines longer than inih's 200-byte default (an LDAP filter, a conninfo). */
	static const size_t ok_lengths[] = {196, 197, 250, 1000, 4089};
	for (size_t i = 0; i < sizeof(ok_lengths) / sizeof(ok_lengths[0]); i++) {
		char *lf = long_line_config(ok_lengths[i], "\n");
		char *crlf = long_line_config(ok_lengths[i], "\r\n");
		struct jmb_config_file *a = jmb_config_file_from_string("t.conf", lf, &error);
		if (a == NULL)
			fail_msg("line of %zu refused: %s", ok_lengths[i] + 4, error.text);
		struct jmb_config_file *b = jmb_config_file_from_string("t.conf", crlf, &error);
		if (b == NULL)
			fail_msg("CRLF line of %zu refused: %s", ok_lengths[i] + 4, error.text);
		/* The same from a file. */
		char *path = write_file(f, "long.conf", crlf, strlen(crlf));
		struct jmb_config_file *c = jmb_config_file_read(path, &error);
		if (c == NULL)
			fail_msg("file line of %zu refused: %s", ok_lengths[i] + 4, error.text);
		jmb_config_file_free(&a);
		jmb_config_file_free(&b);
		jmb_config_file_free(&c);
		free(lf);
		free(crlf);
	}

	/* 4093 is the documented limit; beyond, a clear error on the right line. */
	char *too_long = long_line_config(5000, "\n");
	assert_parse_error("t.conf", too_long, "t.conf:2: line longer than 4093 characters");
	char *path = write_file(f, "too-long.conf", too_long, strlen(too_long));
	assert_null(jmb_config_file_read(path, &error));
	char *expected = jmb_xasprintf("%s:2: line longer than 4093 characters", path);
	assert_string_equal(error.text, expected);
	free(expected);
	free(too_long);
}

static void test_semicolon_kept_in_values(void **state)
{
	struct fixture *f = *state;
	struct jmb_config_file *file =
	    parse_ok("t.conf", "[t]\nrequired = r\nsecret = p;a#s;s ; not a comment\n");
	struct test_settings s;

	apply_ok(f, file, &s);
	assert_string_equal(s.secret, "p;a#s;s ; not a comment");
	jmb_config_file_free(&file);
}

static void test_bom(void **state)
{
	struct fixture *f = *state;
	const char text[] = "\xef\xbb\xbf[t]\nrequired = r\nname = bom\n";
	struct jmb_config_file *file = parse_ok("t.conf", text);
	struct test_settings s;
	struct jmb_error errors;
	char *path;

	apply_ok(f, file, &s);
	assert_string_equal(s.name, "bom");
	assert_int_equal(jmb_config_check_unclaimed(file, &errors), 0);
	jmb_config_file_free(&file);
	path = write_file(f, "bom.conf", text, sizeof(text) - 1);
	file = jmb_config_file_read(path, &errors);
	assert_non_null(file);
	apply_ok(f, file, &s);
	assert_string_equal(s.name, "bom");
	jmb_config_file_free(&file);
}

static void test_syntax_errors(void **state)
{
	assert_parse_error("t.conf", "[t]\nname = a\njust words\n", "t.conf:3: syntax error");
	assert_parse_error("t.conf", "[t\nname = a\n", "t.conf:1: ");
	assert_parse_error("t.conf", "[t]\n  indented continuation\n", "t.conf:2: ");
	assert_parse_error("t.conf", "[t]\nname = a\n  continued\n", "t.conf:3: ");
}

static void test_garbage_and_binary_input(void **state)
{
	struct fixture *f = *state;
	static const char binary[] = "\x7f"
	                             "ELF\x02\x01\x01\x00\x00\x00\n\xff\xfe\xfd\n[\x00]\n=\n";
	struct jmb_error error;
	char *path;
	struct jmb_config_file *file;

	assert_parse_error("t.conf", "\x01\x02\x03\n\xff\xfe\n", "t.conf:1: ");
	path = write_file(f, "binary.conf", binary, sizeof(binary) - 1);
	file = jmb_config_file_read(path, &error);
	assert_null(file);
	assert_non_null(strstr(error.text, path));

	/* Pseudo-random bytes never crash the reader. */
	unsigned seed = 12345;
	char buf[512];
	for (int round = 0; round < 300; round++) {
		for (size_t i = 0; i < sizeof(buf) - 1; i++) {
			seed = seed * 1103515245 + 12345;
			buf[i] = (char)(" =[]\n;#ak\r\t\x01\xff"[(seed >> 16) % 13]);
		}
		buf[sizeof(buf) - 1] = '\0';
		file = jmb_config_file_from_string("t.conf", buf, &error);
		if (file != NULL) {
			struct test_settings s;
			struct jmb_error errors;
			apply(f, file, &s);
			if (jmb_config_check_unclaimed(file, &errors) < 0)
				assert_memory_equal(errors.text, "t.conf:", 7);
			jmb_config_file_free(&file);
		} else {
			assert_memory_equal(error.text, "t.conf:", 7);
		}
	}
}

static void test_missing_file(void **state)
{
	struct jmb_error error;

	assert_null(jmb_config_file_read("/nonexistent/jmb.conf", &error));
	assert_string_equal(error.text,
	                    "/nonexistent/jmb.conf: cannot open: No such file or directory");
	/* NULL: the caller does not want the message. */
	assert_null(jmb_config_file_read("/nonexistent/jmb.conf", NULL));
}

/* --- settings.c: the core sections --- */

/* The errors of loading text (valid until the next call), or NULL. */
static const char *load_settings(struct fixture *f, const char *name, const char *text,
                                 struct jmb_settings *s)
{
	static struct jmb_error errors;
	struct jmb_config_file *file = parse_ok(name, text);
	int rc = jmb_settings_load(file, s, f->pool, &errors);

	assert_true(rc == 0 || rc == -1);
	if (rc == 0)
		rc = jmb_config_check_unclaimed(file, &errors);
	jmb_config_file_free(&file);
	return rc == 0 ? NULL : errors.text;
}

static void assert_settings_error(struct fixture *f, const char *text, const char *expected)
{
	struct jmb_settings s;
	const char *errors = load_settings(f, "/etc/jmb/jmb.conf", text, &s);

	if (errors == NULL)
		fail_msg("loaded, expected '%s'", expected);
	if (strstr(errors, expected) == NULL)
		fail_msg("errors '%s' lack '%s'", errors, expected);
}

static void test_settings_defaults(void **state)
{
	struct fixture *f = *state;
	struct jmb_settings s;
	/* Only the Jitsi signing secret has no default. */
	const char *errors = load_settings(f, "/etc/jmb/jmb.conf", "[jitsi]\napp_secret = x\n", &s);

	assert_null(errors);
	assert_string_equal(s.server.listen, "127.0.0.1:8080");
	assert_string_equal(s.server.public_url, "http://127.0.0.1:8080");
	assert_false(s.server.secure_cookies);
	assert_string_equal(s.server.default_language, "fr");
	assert_string_equal(s.server.timezone, "Europe/Paris");
	assert_int_equal(s.server.threads, 8);
	assert_int_equal(s.store.driver, JMB_STORE_SQLITE);
	assert_string_equal(s.store.path, "/var/lib/jmb/jmb.db");
	assert_null(s.store.conninfo);
	assert_string_equal(s.auth.plugins[0], "local");
	assert_null(s.auth.plugins[1]);
	assert_int_equal(s.booking.min_duration, 30);
	assert_int_equal(s.booking.max_duration, 480);
	assert_int_equal(s.booking.step_duration, 30);
	assert_int_equal(s.booking.default_duration, 90);
	assert_int_equal(s.booking.max_moderators, 2);
	assert_int_equal(s.booking.max_guests, 50);
	assert_int_equal(s.booking.archive_days, 365);
	assert_string_equal(s.jitsi.app_secret, "x");
	assert_string_equal(s.jitsi.audience, "jmb");
}

static void test_settings_values(void **state)
{
	struct fixture *f = *state;
	struct jmb_settings s;
	const char *errors;

	write_file(f, "jitsi.secret", "jwt-secret\n", 11);
	char *conf = jmb_pool_printf(f->pool, "%s/jmb.conf", f->dir);
	const char *text = "[server]\n"
	                   "public_url = https://meet.example.org/\n"
	                   "default_language = en\n"
	                   "timezone = America/New_York\n"
	                   "threads = 16\n"
	                   "[store]\n"
	                   "driver = postgresql\n"
	                   "conninfo = host=db dbname=jmb password=p;w\n"
	                   "path = relative.db\n"
	                   "[auth]\n"
	                   "plugins = header-trust, local\n"
	                   "[booking]\n"
	                   "min_duration = 15\n"
	                   "step_duration = 15\n"
	                   "default_duration = 60\n"
	                   "[jitsi]\n"
	                   "app_secret_file = jitsi.secret\n";
	errors = load_settings(f, conf, text, &s);
	assert_null(errors);
	assert_string_equal(s.server.public_url, "https://meet.example.org"); /* no trailing '/' */
	assert_true(s.server.secure_cookies);
	assert_string_equal(s.server.default_language, "en");
	assert_int_equal(s.server.threads, 16);
	assert_int_equal(s.store.driver, JMB_STORE_POSTGRESQL);
	assert_string_equal(s.store.conninfo, "host=db dbname=jmb password=p;w");
	assert_string_equal(s.store.path, jmb_pool_printf(f->pool, "%s/relative.db", f->dir));
	assert_string_equal(s.auth.plugins[0], "header-trust");
	assert_string_equal(s.auth.plugins[1], "local");
	assert_int_equal(s.booking.default_duration, 60);
	assert_string_equal(s.jitsi.app_secret, "jwt-secret");
}

static void test_settings_checks(void **state)
{
	struct fixture *f = *state;

	assert_settings_error(
	    f, "[server]\npublic_url = ftp://x\n",
	    "/etc/jmb/jmb.conf:2: [server] public_url must start with http:// or https://");
	assert_settings_error(f, "[server]\ndefault_language = xx\n",
	                      "[server] default_language must be fr, en, de, es, it or nl");
	assert_settings_error(f, "[server]\ntimezone = Mars/Olympus\n",
	                      "[server] timezone is not a known IANA time zone");
	assert_settings_error(f, "[server]\ntimezone = ../../etc/passwd\n",
	                      "[server] timezone is not a known IANA time zone");
	assert_settings_error(
	    f, "[server]\nthreads = 0\n",
	    "/etc/jmb/jmb.conf:2: [server] threads: 0 is out of range (1 to 256)");
	assert_settings_error(f, "[booking]\nmin_duration = 500\n",
	                      "[booking] need min_duration <= default_duration <= max_duration");
	assert_settings_error(f, "[booking]\ndefault_duration = 600\n",
	                      "[booking] need min_duration <= default_duration <= max_duration");
	assert_settings_error(f, "[booking]\ndefault_duration = 100\n",
	                      "[booking] default_duration must be min_duration plus whole steps");
	assert_settings_error(f, "[store]\ndriver = postgresql\n",
	                      "[store] driver = postgresql needs conninfo");
	assert_settings_error(f, "[store]\ndriver = mysql\n",
	                      "[store] driver: 'mysql' is not one of: sqlite, postgresql");
	assert_settings_error(f, "[jitsi]\nbase_url = meet.example.org\n",
	                      "[jitsi] base_url must start with http:// or https://");
	assert_settings_error(f, "[auth]\nplugins = , ,\n",
	                      "[auth] plugins must name at least one plugin");
	assert_settings_error(
	    f, "[server]\nlisten = 127.0.0.1:80\nlisten_port = 80\n[jitsi]\napp_secret = s\n",
	    "/etc/jmb/jmb.conf:3: [server] unknown key 'listen_port'");
	assert_settings_error(f, "[servr]\nlisten = 127.0.0.1:80\n[jitsi]\napp_secret = s\n",
	                      "unknown section [servr]");
	/* What jmbd could not bind is refused by the check already. */
	assert_settings_error(f, "[server]\nlisten = 127.0.0.1:99999\n[jitsi]\napp_secret = s\n",
	                      "/etc/jmb/jmb.conf:2: [server] listen = 127.0.0.1:99999: expected");
	assert_settings_error(f, "[server]\nlisten = localhost:8080\n[jitsi]\napp_secret = s\n",
	                      "[server] listen = localhost:8080: expected ADDRESS:PORT");
	assert_settings_error(f, "[server]\nlisten = [::1]:8080x\n[jitsi]\napp_secret = s\n",
	                      "[server] listen = [::1]:8080x: expected ADDRESS:PORT");
	assert_settings_error(f, "[server]\nlisten = 127.0.0.1:80\n",
	                      "[jitsi] needs app_secret (or app_secret_file) or private_key_file");
	assert_settings_error(f, "[jitsi]\nprivate_key_file = /nonexistent.pem\nkey_id = k\n",
	                      "[jitsi] private_key_file cannot be read");
	assert_settings_error(f, "[jitsi]\napp_secret = s\n[reminders]\nmail_before = 60, x\n",
	                      "[reminders] mail_before must be up to 8 minute counts");
	assert_settings_error(f, "[jitsi]\napp_secret = a\napp_secret_file = b\n",
	                      "/etc/jmb/jmb.conf:3: [jitsi] app_secret_file: give either");
}

static void test_settings_reports_every_problem(void **state)
{
	struct fixture *f = *state;
	struct jmb_settings s;
	const char *errors = load_settings(f, "jmb.conf",
	                                   "[server]\npublic_url = x\ndefault_language = xx\n"
	                                   "[jitsi]\nbase_url = y\n",
	                                   &s);

	assert_non_null(errors);
	assert_non_null(strstr(errors, "public_url"));
	assert_non_null(strstr(errors, "default_language"));
	assert_non_null(strstr(errors, "base_url"));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_defaults),
	    T(test_every_type),
	    T(test_bool_spellings),
	    T(test_int_ranges),
	    T(test_enum_choices),
	    T(test_required_key),
	    T(test_errors_are_all_reported),
	    T(test_secret_from_file_relative_to_config),
	    T(test_secret_file_absolute_path),
	    T(test_secret_file_errors),
	    T(test_many_errors_are_cut_cleanly),
	    T(test_unknown_keys_and_sections),
	    T(test_keys_outside_any_section),
	    T(test_duplicate_keys),
	    T(test_long_lines),
	    T(test_semicolon_kept_in_values),
	    T(test_bom),
	    T(test_syntax_errors),
	    T(test_garbage_and_binary_input),
	    T(test_missing_file),
	    T(test_settings_defaults),
	    T(test_settings_values),
	    T(test_settings_checks),
	    T(test_settings_reports_every_problem),
	};

	return cmocka_run_group_tests_name("config-file", tests, NULL, NULL);
}
