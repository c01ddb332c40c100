/* Reads gettext .mo catalogues (format: GNU gettext manual, "The Format of
 * GNU MO Files") and looks messages up by binary search on the sorted table. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/i18n.h"
#include "util/memory.h"

#define MO_MAGIC 0x950412deU
#define MO_MAGIC_SWAPPED 0xde120495U
#define MO_MAX_SIZE (16u * 1024 * 1024)

const char *const jmb_languages[] = {"en", "fr", "de", "es", "it", "nl", NULL};

const char *jmb_i18n_known_language(const char *lang)
{
	for (size_t i = 0; lang != NULL && jmb_languages[i] != NULL; i++) {
		if (strcmp(lang, jmb_languages[i]) == 0)
			return jmb_languages[i];
	}
	return NULL;
}

struct mo_string {
	const char *s;
	uint32_t len;
};

struct jmb_catalog {
	unsigned char *data;
	size_t n;
	struct mo_string *originals;
	struct mo_string *translations;
};

struct jmb_i18n {
	struct jmb_catalog *catalogs[8]; /* indexed like jmb_languages */
};

static uint32_t read_u32(const unsigned char *p, bool swapped)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return swapped ? __builtin_bswap32(v) : v;
}

/* Reads the (length, offset) table at table_off; every string must lie inside
 * the image and be NUL-terminated there. */
static int read_table(const unsigned char *data, size_t len, bool swapped, uint32_t table_off,
                      uint32_t n, struct mo_string *out)
{
	if ((uint64_t)table_off + (uint64_t)n * 8 > len)
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t slen = read_u32(data + table_off + i * 8, swapped);
		uint32_t soff = read_u32(data + table_off + i * 8 + 4, swapped);
		if ((uint64_t)soff + slen >= len || data[soff + slen] != '\0')
			return -1;
		out[i].s = (const char *)data + soff;
		out[i].len = slen;
	}
	return 0;
}

struct jmb_catalog *jmb_catalog_parse(const unsigned char *image, size_t len)
{
	struct jmb_catalog *c;
	uint32_t magic, n, orig_off, trans_off;
	bool swapped;

	if (len < 28 || len > MO_MAX_SIZE)
		return NULL;
	memcpy(&magic, image, 4);
	if (magic != MO_MAGIC && magic != MO_MAGIC_SWAPPED)
		return NULL;
	swapped = magic == MO_MAGIC_SWAPPED;
	if (read_u32(image + 4, swapped) >> 16 != 0) /* major revision 0 only */
		return NULL;
	n = read_u32(image + 8, swapped);
	orig_off = read_u32(image + 12, swapped);
	trans_off = read_u32(image + 16, swapped);
	if (n > len / 16)
		return NULL;
	c = jmb_xcalloc(1, sizeof(*c));
	c->data = jmb_xmalloc(len);
	memcpy(c->data, image, len);
	c->n = n;
	c->originals = jmb_xcalloc(n, sizeof(struct mo_string));
	c->translations = jmb_xcalloc(n, sizeof(struct mo_string));
	if (read_table(c->data, len, swapped, orig_off, n, c->originals) < 0 ||
	    read_table(c->data, len, swapped, trans_off, n, c->translations) < 0) {
		jmb_catalog_free(&c);
		return NULL;
	}
	/* Binary search needs the originals sorted, as msgfmt writes them. */
	for (size_t i = 1; i < n; i++) {
		if (strcmp(c->originals[i - 1].s, c->originals[i].s) >= 0) {
			jmb_catalog_free(&c);
			return NULL;
		}
	}
	return c;
}

void jmb_catalog_free(struct jmb_catalog **cp)
{
	struct jmb_catalog *c = *cp;

	if (c == NULL)
		return;
	free(c->data);
	free(c->originals);
	free(c->translations);
	free(c);
	*cp = NULL;
}

const char *jmb_catalog_lookup(const struct jmb_catalog *c, const char *msgid)
{
	size_t lo = 0, hi = c->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(msgid, c->originals[mid].s);
		if (cmp == 0)
			return c->translations[mid].len > 0 ? c->translations[mid].s : msgid;
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return msgid;
}

static struct jmb_catalog *catalog_read(const char *path, struct jmb_error *error)
{
	struct jmb_catalog *c = NULL;
	unsigned char *data = NULL;
	FILE *fp = fopen(path, "rb");
	long size;

	if (fp == NULL) {
		jmb_error_set(error, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if (fseek(fp, 0, SEEK_END) < 0 || (size = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) < 0 ||
	    (size_t)size > MO_MAX_SIZE) {
		jmb_error_set(error, "%s: cannot read (or larger than 16 MiB)", path);
		goto out;
	}
	data = jmb_xmalloc((size_t)size);
	if (fread(data, 1, (size_t)size, fp) != (size_t)size) {
		jmb_error_set(error, "%s: short read", path);
		goto out;
	}
	c = jmb_catalog_parse(data, (size_t)size);
	if (c == NULL)
		jmb_error_set(error, "%s: not a valid gettext .mo catalogue", path);
out:
	free(data);
	fclose(fp);
	return c;
}

struct jmb_i18n *jmb_i18n_load(const char *locale_dir, struct jmb_error *error)
{
	struct jmb_i18n *i18n = jmb_xcalloc(1, sizeof(*i18n));

	for (size_t i = 1; jmb_languages[i] != NULL; i++) {
		char *path =
		    jmb_xasprintf("%s/%s/LC_MESSAGES/jmb.mo", locale_dir, jmb_languages[i]);
		i18n->catalogs[i] = catalog_read(path, error);
		free(path);
		if (i18n->catalogs[i] == NULL) {
			jmb_i18n_free(&i18n);
			return NULL;
		}
	}
	return i18n;
}

void jmb_i18n_free(struct jmb_i18n **ip)
{
	struct jmb_i18n *i18n = *ip;

	if (i18n == NULL)
		return;
	for (size_t i = 0; i < sizeof(i18n->catalogs) / sizeof(i18n->catalogs[0]); i++)
		jmb_catalog_free(&i18n->catalogs[i]);
	free(i18n);
	*ip = NULL;
}

const char *const jmb_weekday_names[7] = {N_("Sunday"),    N_("Monday"),   N_("Tuesday"),
                                          N_("Wednesday"), N_("Thursday"), N_("Friday"),
                                          N_("Saturday")};
const char *const jmb_month_names[12] = {
    N_("January"), N_("February"), N_("March"),     N_("April"),   N_("May"),      N_("June"),
    N_("July"),    N_("August"),   N_("September"), N_("October"), N_("November"), N_("December")};

const char *jmb_tr(const struct jmb_i18n *i18n, const char *lang, const char *msgid)
{
	if (i18n == NULL || lang == NULL)
		return msgid;
	for (size_t i = 1; jmb_languages[i] != NULL; i++) {
		if (strcmp(jmb_languages[i], lang) == 0 && i18n->catalogs[i] != NULL)
			return jmb_catalog_lookup(i18n->catalogs[i], msgid);
	}
	return msgid;
}
