/* Locale folders for the tests that load catalogues: jmb_i18n_load wants a
 * catalogue for every language jmb speaks, the tests make a French one. */
#ifndef JMB_TEST_LOCALE_FIXTURE_H
#define JMB_TEST_LOCALE_FIXTURE_H

/* Copies <dir>/fr/LC_MESSAGES/jmb.mo to every other language of
 * jmb_languages, so dir loads; the copies answer as French does. */
void locale_copy_french(const char *dir);
/* Removes the catalogues and folders of every language from dir (not dir). */
void locale_clear(const char *dir);
/* A new locale folder (malloc'd path) whose French catalogue msgfmt made from
 * po_file, copied to every other language. */
char *locale_make_french(const char *po_file);
/* Removes such a folder and frees its path. */
void locale_remove(char *dir);

#endif
