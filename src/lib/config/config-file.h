/* Reads an INI file once and applies key tables of each component to it.
 * Unknown sections and keys are errors, so typos never pass silently. */
#ifndef JMB_CONFIG_FILE_H
#define JMB_CONFIG_FILE_H

#include "jmb/config.h"
#include "jmb/error.h"
#include "jmb/pool.h"

struct jmb_config_file;

/* Reads and tokenises the file; syntax errors come back as "file:line: message". */
struct jmb_config_file *jmb_config_file_read(const char *path, struct jmb_error *error);
struct jmb_config_file *jmb_config_file_from_string(const char *name, const char *text,
                                                    struct jmb_error *error);
void jmb_config_file_free(struct jmb_config_file **file);

const char *jmb_config_file_path(const struct jmb_config_file *file);
/* The line of key in section, or 0 when the file does not set it. */
int jmb_config_file_line(const struct jmb_config_file *file, const char *section, const char *key);
/* "path:line" of key, or "path" when the file does not set it (caller frees). */
char *jmb_config_file_where(const struct jmb_config_file *file, const char *section,
                            const char *key);
/* True when the file has a [section] header or any key in it. */
bool jmb_config_file_has_section(const struct jmb_config_file *file, const char *section);

/* The functions that check a whole section or file report every problem
 * they find at once, as "file:line: message" lines joined by newlines in the
 * one message of error (the exception to "one line": cut to JMB_ERROR_SIZE,
 * the last line then says that more were left out). jmb_config_error_add()
 * adds such a line: the first one (*count == 0) sets the message, the next
 * ones are appended; *count counts them. */
void jmb_config_error_add(struct jmb_error *error, int *count, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Fills settings from [section] using keys (defaults for missing ones); strings
 * are allocated from pool. On failure error has one line per problem.
 * Returns 0 or -1. */
int jmb_config_apply(struct jmb_config_file *file, const char *section,
                     const struct jmb_config_key *keys, void *settings, struct jmb_pool *pool,
                     struct jmb_error *error);

/* Reports every key or section no component claimed. Returns 0 or -1. */
int jmb_config_check_unclaimed(const struct jmb_config_file *file, struct jmb_error *error);

/* Parses one value alone (no file); for tests and defaults. */
int jmb_config_parse_value(const struct jmb_config_key *key, const char *value, void *settings,
                           struct jmb_pool *pool, const char *base_dir, struct jmb_error *error);

#endif
