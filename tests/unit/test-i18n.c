/* Unit tests of src/lib/web/i18n.c: .mo catalogues made by msgfmt from
 * data/i18n-fr.po at test time (both byte orders), hand-built images for the
 * corrupt cases, lookups, and loading from a locale folder. */
#include "config.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "locale-fixture.h"

#include "web/i18n.h"
#include "util/memory.h"

#ifndef TEST_DATA_DIR
#define TEST_DATA_DIR "data"
#endif

struct fixture {
	char dir[64];
	unsigned char *le; /* msgfmt output, little-endian */
	size_t le_len;
	unsigned char *be; /* msgfmt --endianness=big */
	size_t be_len;
};

static unsigned char *read_all(const char *path, size_t *len_r)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *data;
	long size;

	if (fp == NULL)
		return NULL;
	fseek(fp, 0, SEEK_END);
	size = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	data = jmb_xmalloc((size_t)size + 1);
	*len_r = fread(data, 1, (size_t)size, fp);
	fclose(fp);
	return data;
}

static int run_msgfmt(const char *endianness, const char *out)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		execlp("msgfmt", "msgfmt", endianness, "-o", out, TEST_DATA_DIR "/i18n-fr.po",
		       (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int setup(void **state)
{
	struct fixture *f = jmb_xcalloc(1, sizeof(*f));
	char *le = NULL, *be = NULL;

	strcpy(f->dir, "/tmp/jmb-test-i18n-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	le = jmb_xasprintf("%s/le.mo", f->dir);
	be = jmb_xasprintf("%s/be.mo", f->dir);
	/* msgfmt (gettext) is a build dependency of the po/ folder. */
	if (run_msgfmt("--endianness=little", le) != 0 || run_msgfmt("--endianness=big", be) != 0) {
		fprintf(stderr, "test-i18n: msgfmt failed on " TEST_DATA_DIR "/i18n-fr.po\n");
		return -1;
	}
	f->le = read_all(le, &f->le_len);
	f->be = read_all(be, &f->be_len);
	unlink(le);
	unlink(be);
	free(le);
	free(be);
	*state = f;
	return f->le != NULL && f->be != NULL ? 0 : -1;
}

static void remove_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;

	if (d == NULL) {
		unlink(path);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			char *p = jmb_xasprintf("%s/%s", path, e->d_name);
			remove_tree(p);
			free(p);
		}
	}
	closedir(d);
	rmdir(path);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	remove_tree(f->dir);
	free(f->le);
	free(f->be);
	free(f);
	return 0;
}

static void check_french(const struct jmb_catalog *c)
{
	const char *miss = "Not in the catalogue";

	assert_string_equal(jmb_catalog_lookup(c, "Hello"), "Bonjour");
	assert_string_equal(jmb_catalog_lookup(c, "My meetings"), "Mes r\xc3\xa9unions");
	assert_string_equal(
	    jmb_catalog_lookup(c, "The title is too long (at most %ld characters)."),
	    "Le titre est trop long (au plus %ld caract\xc3\xa8res).");
	/* The last and the first of the sorted table. */
	assert_string_equal(jmb_catalog_lookup(c, "Please give the meeting a title."),
	                    "Veuillez donner un titre \xc3\xa0 la r\xc3\xa9union.");
	assert_string_equal(jmb_catalog_lookup(c, "%d meeting"), "%d r\xc3\xa9union");
	/* A miss gives the msgid itself, the same pointer. */
	assert_ptr_equal(jmb_catalog_lookup(c, miss), miss);
	const char *hello = "hello";
	assert_ptr_equal(jmb_catalog_lookup(c, hello), hello); /* case matters */
	const char *untranslated = "Untranslated", *fuzzy = "Fuzzy entry", *open = "Open";
	assert_ptr_equal(jmb_catalog_lookup(c, untranslated), untranslated);
	assert_ptr_equal(jmb_catalog_lookup(c, fuzzy), fuzzy);
	assert_ptr_equal(jmb_catalog_lookup(c, open), open); /* only with its context */
	assert_string_equal(jmb_catalog_lookup(c, "button\004Open"), "Ouvrir");
	const char *prefix = "Hell", *longer = "Hello!";
	assert_ptr_equal(jmb_catalog_lookup(c, prefix), prefix);
	assert_ptr_equal(jmb_catalog_lookup(c, longer), longer);
}

static void test_msgfmt_little_endian(void **state)
{
	struct fixture *f = *state;
	struct jmb_catalog *c = jmb_catalog_parse(f->le, f->le_len);

	assert_non_null(c);
	check_french(c);
	jmb_catalog_free(&c);
	assert_null(c);
	jmb_catalog_free(&c); /* twice is harmless */
}

static void test_msgfmt_big_endian(void **state)
{
	struct fixture *f = *state;
	struct jmb_catalog *c;

	assert_int_equal(f->be_len, f->le_len);
	assert_memory_not_equal(f->be, f->le, 4);
	c = jmb_catalog_parse(f->be, f->be_len);
	assert_non_null(c);
	check_french(c);
	jmb_catalog_free(&c);
}

static void test_truncated_images_refused(void **state)
{
	struct fixture *f = *state;

	/* The strings lie at the end of the image: every cut leaves one unterminated. */
	for (size_t len = 0; len < f->le_len; len++) {
		struct jmb_catalog *c = jmb_catalog_parse(f->le, len);
		if (c != NULL)
			fail_msg("accepted the first %zu of %zu bytes", len, f->le_len);
	}
	for (size_t len = 0; len < f->be_len; len += 7)
		assert_null(jmb_catalog_parse(f->be, len));
}

/* --- hand-built images, to break one thing at a time --- */

struct mo_entry {
	const char *original;
	const char *translation;
};

static void put_u32(unsigned char *p, uint32_t v, bool big)
{
	for (int i = 0; i < 4; i++)
		p[big ? i : 3 - i] = (unsigned char)(v >> (8 * (3 - i)));
}

/* Writes a .mo image: header, originals table, translations table, strings. */
static unsigned char *build_mo(const struct mo_entry *entries, uint32_t n, bool big, size_t *len_r)
{
	size_t len = 28 + 16 * (size_t)n, off;
	unsigned char *img;

	for (uint32_t i = 0; i < n; i++)
		len += strlen(entries[i].original) + strlen(entries[i].translation) + 2;
	img = jmb_xcalloc(1, len);
	put_u32(img, 0x950412de, big);
	put_u32(img + 4, 0, big);
	put_u32(img + 8, n, big);
	put_u32(img + 12, 28, big);
	put_u32(img + 16, 28 + 8 * n, big);
	off = 28 + 16 * (size_t)n;
	for (uint32_t i = 0; i < n; i++) {
		size_t ol = strlen(entries[i].original), tl = strlen(entries[i].translation);
		put_u32(img + 28 + 8 * i, (uint32_t)ol, big);
		put_u32(img + 28 + 8 * i + 4, (uint32_t)off, big);
		memcpy(img + off, entries[i].original, ol + 1);
		off += ol + 1;
		put_u32(img + 28 + 8 * n + 8 * i, (uint32_t)tl, big);
		put_u32(img + 28 + 8 * n + 8 * i + 4, (uint32_t)off, big);
		memcpy(img + off, entries[i].translation, tl + 1);
		off += tl + 1;
	}
	*len_r = len;
	return img;
}

static const struct mo_entry sorted[] = {
    {"", "Content-Type: text/plain; charset=UTF-8\n"},
    {"Apple", "Pomme"},
    {"Banana", ""},
    {"Cherry", "Cerise"},
};

static void test_built_image_lookups(void **state)
{
	for (int big = 0; big <= 1; big++) {
		size_t len;
		unsigned char *img = build_mo(sorted, 4, big, &len);
		struct jmb_catalog *c = jmb_catalog_parse(img, len);
		assert_non_null(c);
		assert_string_equal(jmb_catalog_lookup(c, "Apple"), "Pomme");
		assert_string_equal(jmb_catalog_lookup(c, "Cherry"), "Cerise");
		const char *banana = "Banana"; /* an empty translation gives the msgid */
		assert_ptr_equal(jmb_catalog_lookup(c, banana), banana);
		const char *before = "0", *after = "Zebra", *between = "Blueberry";
		assert_ptr_equal(jmb_catalog_lookup(c, before), before);
		assert_ptr_equal(jmb_catalog_lookup(c, after), after);
		assert_ptr_equal(jmb_catalog_lookup(c, between), between);
		jmb_catalog_free(&c);
		/* The catalogue keeps its own copy of the image. */
		c = jmb_catalog_parse(img, len);
		memset(img, 0, len);
		assert_string_equal(jmb_catalog_lookup(c, "Apple"), "Pomme");
		jmb_catalog_free(&c);
		free(img);
	}
	/* An empty catalogue parses and never finds anything. */
	size_t len;
	unsigned char *img = build_mo(NULL, 0, false, &len);
	struct jmb_catalog *c = jmb_catalog_parse(img, len);
	assert_non_null(c);
	assert_string_equal(jmb_catalog_lookup(c, "x"), "x");
	jmb_catalog_free(&c);
	free(img);
}

static void test_unsorted_and_duplicate_originals_refused(void **state)
{
	static const struct mo_entry unsorted[] = {
	    {"", "h"},
	    {"Cherry", "Cerise"},
	    {"Apple", "Pomme"},
	};
	static const struct mo_entry duplicate[] = {
	    {"", "h"},
	    {"Apple", "Pomme"},
	    {"Apple", "Pomme 2"},
	};
	size_t len;
	unsigned char *img = build_mo(unsorted, 3, false, &len);

	assert_null(jmb_catalog_parse(img, len));
	free(img);
	img = build_mo(duplicate, 3, true, &len);
	assert_null(jmb_catalog_parse(img, len));
	free(img);
}

static void test_corrupt_headers_refused(void **state)
{
	size_t len;
	unsigned char *good = build_mo(sorted, 4, false, &len);
	unsigned char *img = jmb_xmalloc(len);
	static const struct {
		size_t offset;
		uint32_t value;
	} patches[] = {
	    {0, 0x950412df}, /* magic */
	    {0, 0},
	    {4, 0x00010000},  /* major revision 1 */
	    {8, 0xffffffff},  /* count */
	    {8, 5},           /* one more entry than the tables hold */
	    {12, 0xfffffff0}, /* originals table offset */
	    {12, (uint32_t)-8},
	    {16, 0xffffffff},        /* translations table offset */
	    {28, 0xffffffff},        /* first original's length */
	    {32, 0xffffffff},        /* first original's offset */
	    {32 + 8, 0xfffffffc},    /* second original's offset, wrapping */
	    {28 + 32 + 8 * 3, 1000}, /* last translation's length past the end */
	    {28 + 32 + 8 * 3, 5},    /* last translation's length: no NUL right after it */
	};

	for (size_t i = 0; i < sizeof(patches) / sizeof(patches[0]); i++) {
		memcpy(img, good, len);
		put_u32(img + patches[i].offset, patches[i].value, false);
		if (jmb_catalog_parse(img, len) != NULL)
			fail_msg("patch %zu accepted", i);
	}
	/* A string whose terminating NUL was overwritten. */
	memcpy(img, good, len);
	img[len - 1] = 'x';
	assert_null(jmb_catalog_parse(img, len));
	/* Too short for a header, and absurdly large. */
	assert_null(jmb_catalog_parse(good, 27));
	assert_null(jmb_catalog_parse(good, 0));
	free(img);
	free(good);
}

/* --- loading from a locale folder, and jmb_tr --- */

static void install_catalogue(struct fixture *f, const char *root, const char *lang,
                              const void *data, size_t len)
{
	char *dir = jmb_xasprintf("%s/%s/%s/LC_MESSAGES", f->dir, root, lang);
	char *path = jmb_xasprintf("%s/jmb.mo", dir);
	char *p = dir + strlen(f->dir);
	FILE *fp;

	/* mkdir -p */
	while ((p = strchr(p + 1, '/')) != NULL) {
		*p = '\0';
		mkdir(dir, 0755);
		*p = '/';
	}
	mkdir(dir, 0755);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	fclose(fp);
	free(dir);
	free(path);
}

static void test_load_and_translate(void **state)
{
	struct fixture *f = *state;
	char *locale = jmb_xasprintf("%s/locale", f->dir);
	struct jmb_error error;
	struct jmb_i18n *i18n;
	const char *msgid = "Hello";

	install_catalogue(f, "locale", "fr", f->le, f->le_len);
	locale_copy_french(locale);
	i18n = jmb_i18n_load(locale, &error);
	if (i18n == NULL)
		fail_msg("%s", error.text);
	assert_string_equal(jmb_tr(i18n, "fr", "Hello"), "Bonjour");
	assert_ptr_equal(jmb_tr(i18n, "en", msgid), msgid); /* the source language */
	assert_ptr_equal(jmb_tr(i18n, "pt", msgid), msgid); /* a language jmb does not speak */
	assert_ptr_equal(jmb_tr(i18n, "FR", msgid), msgid);
	assert_ptr_equal(jmb_tr(i18n, NULL, msgid), msgid);
	assert_ptr_equal(jmb_tr(NULL, "fr", msgid), msgid);
	jmb_i18n_free(&i18n);
	assert_null(i18n);
	free(locale);
}

static void test_load_errors(void **state)
{
	struct fixture *f = *state;
	char *locale = jmb_xasprintf("%s/broken-locale", f->dir);
	struct jmb_error error = {.text = ""};

	/* No catalogue at all. */
	assert_null(jmb_i18n_load(locale, &error));
	assert_non_null(strstr(error.text, "/fr/LC_MESSAGES/jmb.mo: cannot open"));
	error.text[0] = '\0';
	/* A corrupt one. */
	install_catalogue(f, "broken-locale", "fr", f->le, f->le_len / 2);
	assert_null(jmb_i18n_load(locale, &error));
	assert_non_null(strstr(error.text, "not a valid gettext .mo catalogue"));
	error.text[0] = '\0';
	/* An empty file. */
	install_catalogue(f, "broken-locale", "fr", "", 0);
	assert_null(jmb_i18n_load(locale, &error));
	assert_true(error.text[0] != '\0');
	free(locale);
}

#define T(fn) cmocka_unit_test(fn)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_msgfmt_little_endian),
	    T(test_msgfmt_big_endian),
	    T(test_truncated_images_refused),
	    T(test_built_image_lookups),
	    T(test_unsorted_and_duplicate_originals_refused),
	    T(test_corrupt_headers_refused),
	    T(test_load_and_translate),
	    T(test_load_errors),
	};

	return cmocka_run_group_tests_name("i18n", tests, setup, teardown);
}
