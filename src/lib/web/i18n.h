/* Translations: gettext .mo catalogues read directly, one per language.
 * glibc's gettext picks the language per process locale; jmb picks it per request. */
#ifndef JMB_I18N_H
#define JMB_I18N_H

#include <stddef.h>

#include "jmb/error.h"
#include "jmb/i18n.h"

/* Languages the UI speaks, the first being the source language of msgids. */
extern const char *const jmb_languages[];
/* lang as one of jmb_languages (a static string), NULL when it is none. */
const char *jmb_i18n_known_language(const char *lang);

struct jmb_i18n;

/* Loads <locale_dir>/<lang>/LC_MESSAGES/jmb.mo for every language but the source one.
 * A missing or corrupt catalogue is an error. */
struct jmb_i18n *jmb_i18n_load(const char *locale_dir, struct jmb_error *error);
void jmb_i18n_free(struct jmb_i18n **i18n);
/* Parses a .mo image; exposed for tests and fuzzing. Returns NULL on a malformed image. */
struct jmb_catalog *jmb_catalog_parse(const unsigned char *data, size_t len);
void jmb_catalog_free(struct jmb_catalog **catalog);
const char *jmb_catalog_lookup(const struct jmb_catalog *catalog, const char *msgid);

/* Day and month names, msgids to translate with jmb_tr: jmb_weekday_names[0]
 * is Sunday (as jmb_local_time.weekday), jmb_month_names[0] January. */
extern const char *const jmb_weekday_names[7];
extern const char *const jmb_month_names[12];

/* The translation of msgid into lang, or msgid itself. i18n may be NULL. */
const char *jmb_tr(const struct jmb_i18n *i18n, const char *lang, const char *msgid)
    __attribute__((format_arg(3)));

#endif
