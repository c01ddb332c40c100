/* Reads an INI file with libinih, keeping each entry's line number, and applies
 * declarative key tables to it. Every error names the file and line. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config-file.h"
#include "util/memory.h"
#include "util/strbuf.h"

#define CONFIG_MAX_LINE 4096

struct config_entry {
	char *section;
	char *key;
	char *value;
	int line;
	bool claimed;
};

struct config_section_seen {
	char *name;
	int line;
};

struct jmb_config_file {
	char *path;
	char *base_dir;
	struct config_entry *entries;
	size_t n_entries;
	struct config_section_seen *sections;
	size_t n_sections;
	char **claimed_sections;
	size_t n_claimed_sections;
};

/* State of one parse: where the reader is, so the handler knows the line. */
struct config_reader {
	struct jmb_config_file *file;
	const char *text; /* string source, or NULL */
	FILE *fp;         /* file source, or NULL */
	int line;
	bool line_too_long;
	char *last_section;
};

#define MORE_ERRORS "\n(more errors left out)"

void jmb_config_error_add(struct jmb_error *error, int *count, const char *fmt, ...)
{
	char line[JMB_ERROR_SIZE];
	size_t used, len, more = strlen(MORE_ERRORS);
	va_list ap;

	if ((*count)++ == 0 || error == NULL) {
		va_start(ap, fmt);
		jmb_error_vset(error, fmt, ap);
		va_end(ap);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	used = strlen(error->text);
	len = strlen(line);
	if (used >= more && strcmp(error->text + used - more, MORE_ERRORS) == 0)
		return; /* full already */
	if (used + 1 + len + more < JMB_ERROR_SIZE)
		snprintf(error->text + used, JMB_ERROR_SIZE - used, "\n%s", line);
	else if (used + more < JMB_ERROR_SIZE)
		memcpy(error->text + used, MORE_ERRORS, more + 1);
}

/* inih calls the reader once per line, so counting calls gives line numbers. */
static char *config_read_line(char *str, int num, void *stream)
{
	struct config_reader *r = stream;
	size_t len;

	if (r->fp != NULL) {
		if (fgets(str, num, r->fp) == NULL)
			return NULL;
		len = strlen(str);
		if (len == (size_t)num - 1 && str[len - 1] != '\n' && !feof(r->fp)) {
			r->line_too_long = true;
			return NULL;
		}
	} else {
		const char *nl;

		if (*r->text == '\0')
			return NULL;
		nl = strchr(r->text, '\n');
		len = nl != NULL ? (size_t)(nl - r->text) + 1 : strlen(r->text);
		if (len >= (size_t)num) {
			r->line_too_long = true;
			return NULL;
		}
		memcpy(str, r->text, len);
		str[len] = '\0';
		r->text += len;
	}
	r->line++;
	return str;
}

static void note_section(struct config_reader *r, const char *section)
{
	struct jmb_config_file *f = r->file;

	if (r->last_section != NULL && strcmp(r->last_section, section) == 0)
		return;
	free(r->last_section);
	r->last_section = jmb_xstrdup(section);
	f->sections = jmb_xrealloc(f->sections, (f->n_sections + 1) * sizeof(*f->sections));
	f->sections[f->n_sections].name = jmb_xstrdup(section);
	f->sections[f->n_sections].line = r->line;
	f->n_sections++;
}

static int config_handler(void *user, const char *section, const char *name, const char *value)
{
	struct config_reader *r = user;
	struct jmb_config_file *f = r->file;
	struct config_entry *e;

	note_section(r, section);
	if (name == NULL)
		return 1; /* a new section header */
	for (size_t i = 0; i < f->n_entries; i++) {
		if (strcmp(f->entries[i].section, section) == 0 &&
		    strcmp(f->entries[i].key, name) == 0)
			return 0; /* duplicate key: reported as a parse error on this line */
	}
	f->entries = jmb_xrealloc(f->entries, (f->n_entries + 1) * sizeof(*f->entries));
	e = &f->entries[f->n_entries++];
	e->section = jmb_xstrdup(section);
	e->key = jmb_xstrdup(name);
	e->value = jmb_xstrdup(value != NULL ? value : "");
	e->line = r->line;
	e->claimed = false;
	return 1;
}

static struct jmb_config_file *config_parse(const char *path, FILE *fp, const char *text,
                                            struct jmb_error *error)
{
	struct jmb_config_file *f = jmb_xcalloc(1, sizeof(*f));
	struct config_reader r = {.file = f, .fp = fp, .text = text};
	const char *slash = strrchr(path, '/');
	int rc;

	f->path = jmb_xstrdup(path);
	f->base_dir = slash != NULL ? jmb_xstrndup(path, (size_t)(slash - path) + (slash == path))
	                            : jmb_xstrdup(".");
	/* Values are taken literally: a ';' in a password is not a comment. */
	ini_allow_inline_comments = false;
	ini_allow_multiline = false;
	ini_stop_on_first_error = true;
	ini_max_line = CONFIG_MAX_LINE;
	ini_use_stack = false;
	/* With the heap buffer and no realloc, this (200 by default), not
	   ini_max_line, is the longest line inih takes. */
	ini_initial_alloc = CONFIG_MAX_LINE;
	rc = ini_parse_stream(config_read_line, &r, config_handler, &r);
	free(r.last_section);
	if (r.line_too_long) {
		jmb_error_set(error, "%s:%d: line longer than %d characters", path, r.line + 1,
		              CONFIG_MAX_LINE - 3);
	} else if (rc > 0) {
		jmb_error_set(error,
		              "%s:%d: syntax error (expected [section], key = value, or a "
		              "comment), or a key given twice",
		              path, rc);
	} else if (rc < 0) {
		jmb_error_set(error, "%s: cannot be parsed (out of memory)", path);
	} else {
		return f;
	}
	jmb_config_file_free(&f);
	return NULL;
}

struct jmb_config_file *jmb_config_file_read(const char *path, struct jmb_error *error)
{
	struct jmb_config_file *f;
	FILE *fp = fopen(path, "r");

	if (fp == NULL) {
		jmb_error_set(error, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	f = config_parse(path, fp, NULL, error);
	fclose(fp);
	return f;
}

struct jmb_config_file *jmb_config_file_from_string(const char *name, const char *text,
                                                    struct jmb_error *error)
{
	return config_parse(name, NULL, text, error);
}

void jmb_config_file_free(struct jmb_config_file **fp)
{
	struct jmb_config_file *f = *fp;

	if (f == NULL)
		return;
	for (size_t i = 0; i < f->n_entries; i++) {
		free(f->entries[i].section);
		free(f->entries[i].key);
		free(f->entries[i].value);
	}
	for (size_t i = 0; i < f->n_sections; i++)
		free(f->sections[i].name);
	for (size_t i = 0; i < f->n_claimed_sections; i++)
		free(f->claimed_sections[i]);
	free(f->claimed_sections);
	free(f->sections);
	free(f->entries);
	free(f->path);
	free(f->base_dir);
	free(f);
	*fp = NULL;
}

const char *jmb_config_file_path(const struct jmb_config_file *file)
{
	return file->path;
}

int jmb_config_file_line(const struct jmb_config_file *file, const char *section, const char *key)
{
	for (size_t i = 0; i < file->n_entries; i++) {
		if (strcmp(file->entries[i].section, section) == 0 &&
		    strcmp(file->entries[i].key, key) == 0)
			return file->entries[i].line;
	}
	return 0;
}

char *jmb_config_file_where(const struct jmb_config_file *file, const char *section,
                            const char *key)
{
	int line = jmb_config_file_line(file, section, key);

	return line > 0 ? jmb_xasprintf("%s:%d", file->path, line) : jmb_xstrdup(file->path);
}

bool jmb_config_file_has_section(const struct jmb_config_file *file, const char *section)
{
	for (size_t i = 0; i < file->n_sections; i++) {
		if (strcmp(file->sections[i].name, section) == 0)
			return true;
	}
	return false;
}

static char *trim_copy(struct jmb_pool *pool, const char *s, size_t len)
{
	while (len > 0 && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	return jmb_pool_strndup(pool, s, len);
}

static int parse_long(const char *value, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(value, &end, 10);
	if (errno != 0 || end == value || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

static int parse_bool(const char *value, bool *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1", NULL};
	static const char *const no[] = {"no", "false", "off", "0", NULL};

	for (size_t i = 0; yes[i] != NULL; i++) {
		if (strcasecmp(value, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(value, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

static char **parse_list(struct jmb_pool *pool, const char *value)
{
	size_t n = 1, i = 0;
	char **list;

	for (const char *p = value; *p != '\0'; p++)
		n += *p == ',';
	list = jmb_pool_calloc(pool, n + 1, sizeof(char *));
	for (const char *p = value;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		char *item = trim_copy(pool, p, len);

		if (*item != '\0')
			list[i++] = item;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	list[i] = NULL;
	return list;
}

static char *resolve_path(struct jmb_pool *pool, const char *base_dir, const char *value)
{
	if (value[0] == '/' || base_dir == NULL)
		return jmb_pool_strdup(pool, value);
	return jmb_pool_printf(pool, "%s/%s", base_dir, value);
}

static int read_secret_file(struct jmb_pool *pool, const char *path, char **out,
                            struct jmb_error *error)
{
	char buf[4096];
	FILE *fp = fopen(path, "r");
	size_t len;

	if (fp == NULL) {
		jmb_error_set(error, "cannot read secret file %s: %s", path, strerror(errno));
		return -1;
	}
	len = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[len] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (buf[0] == '\0') {
		jmb_error_set(error, "secret file %s is empty", path);
		return -1;
	}
	*out = jmb_pool_strdup(pool, buf);
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

int jmb_config_parse_value(const struct jmb_config_key *key, const char *value, void *settings,
                           struct jmb_pool *pool, const char *base_dir, struct jmb_error *error)
{
	void *field = (char *)settings + key->offset;
	char *v = trim_copy(pool, value, strlen(value));

	switch (key->type) {
	case JMB_CONF_STRING:
	case JMB_CONF_SECRET:
		if ((key->flags & JMB_CONF_PATH) != 0 && *v != '\0')
			v = resolve_path(pool, base_dir, v);
		*(char **)field = v;
		return 0;
	case JMB_CONF_INT: {
		long n;
		if (parse_long(v, &n) < 0) {
			jmb_error_set(error, "'%s' is not a whole number", v);
			return -1;
		}
		if (n < key->min || n > key->max) {
			jmb_error_set(error, "%ld is out of range (%ld to %ld)", n, key->min,
			              key->max);
			return -1;
		}
		*(long *)field = n;
		return 0;
	}
	case JMB_CONF_BOOL:
		if (parse_bool(v, (bool *)field) < 0) {
			jmb_error_set(error, "'%s' is not a boolean (yes/no, true/false, on/off)",
			              v);
			return -1;
		}
		return 0;
	case JMB_CONF_LIST:
		*(char ***)field = parse_list(pool, v);
		return 0;
	case JMB_CONF_ENUM:
		for (int i = 0; key->choices[i] != NULL; i++) {
			if (strcmp(v, key->choices[i]) == 0) {
				*(int *)field = i;
				return 0;
			}
		}
		{
			struct jmb_strbuf sb = {0};
			for (int i = 0; key->choices[i] != NULL; i++)
				jmb_strbuf_printf(&sb, "%s%s", i ? ", " : "", key->choices[i]);
			jmb_error_set(error, "'%s' is not one of: %s", v, sb.data);
			jmb_strbuf_free(&sb);
		}
		return -1;
	}
	jmb_error_set(error, "unknown key type");
	return -1;
}

static struct config_entry *find_entry(struct jmb_config_file *f, const char *section,
                                       const char *key)
{
	for (size_t i = 0; i < f->n_entries; i++) {
		if (strcmp(f->entries[i].section, section) == 0 &&
		    strcmp(f->entries[i].key, key) == 0)
			return &f->entries[i];
	}
	return NULL;
}

static void claim_section(struct jmb_config_file *f, const char *section)
{
	f->claimed_sections =
	    jmb_xrealloc(f->claimed_sections, (f->n_claimed_sections + 1) * sizeof(char *));
	f->claimed_sections[f->n_claimed_sections++] = jmb_xstrdup(section);
}

/* The <key>_file companion of a secret key: reads the value from that file. */
static int apply_secret_file(struct jmb_config_file *f, const char *section,
                             const struct jmb_config_key *key, struct config_entry *direct,
                             void *settings, struct jmb_pool *pool, struct jmb_error *error,
                             int *n_errors)
{
	char file_key[128];
	struct config_entry *e;
	struct jmb_error err;
	char *path;

	snprintf(file_key, sizeof(file_key), "%s_file", key->name);
	e = find_entry(f, section, file_key);
	if (e == NULL)
		return 0;
	e->claimed = true;
	if (direct != NULL) {
		jmb_config_error_add(error, n_errors,
		                     "%s:%d: [%s] %s: give either %s or %s, not both", f->path,
		                     e->line, section, file_key, key->name, file_key);
		return -1;
	}
	path = resolve_path(pool, f->base_dir, e->value);
	if (read_secret_file(pool, path, (char **)((char *)settings + key->offset), &err) < 0) {
		jmb_config_error_add(error, n_errors, "%s:%d: [%s] %s: %s", f->path, e->line,
		                     section, file_key, err.text);
		return -1;
	}
	return 1;
}

int jmb_config_apply(struct jmb_config_file *f, const char *section,
                     const struct jmb_config_key *keys, void *settings, struct jmb_pool *pool,
                     struct jmb_error *error)
{
	int ret = 0, n_errors = 0;

	claim_section(f, section);
	for (const struct jmb_config_key *k = keys; k->name != NULL; k++) {
		struct config_entry *e = find_entry(f, section, k->name);
		struct jmb_error err;
		int from_file = 0;

		if (e != NULL)
			e->claimed = true;
		if (k->type == JMB_CONF_SECRET) {
			from_file =
			    apply_secret_file(f, section, k, e, settings, pool, error, &n_errors);
			if (from_file < 0) {
				ret = -1;
				continue;
			}
		}
		if (from_file > 0)
			continue;
		if (e != NULL) {
			if (jmb_config_parse_value(k, e->value, settings, pool, f->base_dir, &err) <
			    0) {
				jmb_config_error_add(error, &n_errors, "%s:%d: [%s] %s: %s",
				                     f->path, e->line, section, k->name, err.text);
				ret = -1;
			}
		} else if ((k->flags & JMB_CONF_REQUIRED) != 0) {
			jmb_config_error_add(error, &n_errors, "%s: [%s] %s is required", f->path,
			                     section, k->name);
			ret = -1;
		} else if (k->default_value != NULL) {
			if (jmb_config_parse_value(k, k->default_value, settings, pool, f->base_dir,
			                           &err) < 0) {
				jmb_config_error_add(error, &n_errors,
				                     "%s: [%s] %s: bad built-in default: %s",
				                     f->path, section, k->name, err.text);
				ret = -1;
			}
		}
	}
	return ret;
}

static bool section_claimed(const struct jmb_config_file *f, const char *section)
{
	for (size_t i = 0; i < f->n_claimed_sections; i++) {
		if (strcmp(f->claimed_sections[i], section) == 0)
			return true;
	}
	return false;
}

int jmb_config_check_unclaimed(const struct jmb_config_file *f, struct jmb_error *error)
{
	int ret = 0, n_errors = 0;

	for (size_t i = 0; i < f->n_sections; i++) {
		if (!section_claimed(f, f->sections[i].name)) {
			jmb_config_error_add(error, &n_errors, "%s:%d: unknown section [%s]",
			                     f->path, f->sections[i].line, f->sections[i].name);
			ret = -1;
		}
	}
	for (size_t i = 0; i < f->n_entries; i++) {
		const struct config_entry *e = &f->entries[i];
		if (!e->claimed && section_claimed(f, e->section)) {
			jmb_config_error_add(error, &n_errors, "%s:%d: [%s] unknown key '%s'",
			                     f->path, e->line, e->section, e->key);
			ret = -1;
		}
	}
	return ret;
}
