/* The LDAP directory: people, their addresses and groups, lists to expand,
 * and the invite autocomplete. What plugins may call is in jmb/directory.h;
 * this adds what only jmbd and jmbctl use. Every call says what happened
 * (doc/architecture.md, Directory). */
#ifndef JMB_DIRECTORY_H
#define JMB_DIRECTORY_H

#include <stdbool.h>
#include <stddef.h>

#include "jmb/directory.h"
#include "jmb/error.h"
#include "jmb/identity.h"
#include "jmb/pool.h"
#include "config/settings.h"

enum jmb_directory_kind { JMB_DIRECTORY_PERSON, JMB_DIRECTORY_GROUP, JMB_DIRECTORY_EXTERNAL };

struct jmb_directory_match {
	const char *name;
	const char *mail;
	enum jmb_directory_kind kind;
};

/* Told once when no server answers any more (error says why) and once when
 * one answers again (error NULL), on the thread that found out, so that the
 * caller can log an outage once and not once per request. */
typedef void jmb_directory_notify_fn(void *context, bool available, const char *error);

/* True when [ldap] names a server. */
bool jmb_directory_configured(const struct jmb_ldap_settings *settings);
/* Keeps settings (which must outlive it); connects lazily, but checks
 * [ldap] ca_file at once (readable, a PEM certificate, loaded by libldap):
 * a CA file that cannot work is an error naming it. After an outage
 * (every server down or timed out), every call is UNAVAILABLE at once for
 * [ldap] retry_after seconds, then one call at a time tries again. notify may
 * be NULL. NULL with error set when the settings cannot work (or the build has
 * no LDAP). */
struct jmb_directory *jmb_directory_new(const struct jmb_ldap_settings *settings,
                                        jmb_directory_notify_fn *notify, void *context,
                                        struct jmb_error *error);
void jmb_directory_free(struct jmb_directory **dir);
const char *jmb_directory_result_name(enum jmb_directory_result r);
const char *jmb_directory_kind_name(enum jmb_directory_kind kind);

/* The entry user_filter finds for login (exactly one). */
enum jmb_directory_result jmb_directory_find_user(struct jmb_directory *dir, struct jmb_pool *pool,
                                                  const char *login,
                                                  struct jmb_directory_person **person_r,
                                                  struct jmb_error *error);
/* Completes identity (in pool) with the directory's name, addresses and groups.
 * NOT_FOUND leaves it as it was. What the directory said of a login is kept
 * for [ldap] cache_ttl seconds ("no such user" for at most 10), failures are not. */
enum jmb_directory_result jmb_directory_enrich(struct jmb_directory *dir, struct jmb_pool *pool,
                                               struct jmb_identity *identity,
                                               struct jmb_error *error);
/* OK when the entry of login matches filter (a filter from the config), NOT_FOUND
 * when it does not (or there is no such user). */
enum jmb_directory_result jmb_directory_user_matches(struct jmb_directory *dir,
                                                     struct jmb_pool *pool, const char *login,
                                                     const char *filter, struct jmb_error *error);
/* What a typed address stands for: the members' primary addresses when it is
 * a group (nested one level), the primary address when it is a person's
 * secondary one. NOT_FOUND: the directory does not know it. */
enum jmb_directory_result jmb_directory_resolve_mail(struct jmb_directory *dir,
                                                     struct jmb_pool *pool, const char *mail,
                                                     const char *const **mails_r, bool *is_group_r,
                                                     struct jmb_error *error);
/* The invite autocomplete: people, groups and external contacts whose
 * search_attributes contain text; at most max results, sorted by name. */
enum jmb_directory_result jmb_directory_search(struct jmb_directory *dir, struct jmb_pool *pool,
                                               const char *text, size_t max,
                                               struct jmb_directory_match **matches_r,
                                               size_t *count_r, struct jmb_error *error);

/* A filter from template with each %s replaced by value escaped per RFC 4515
 * ("%%" is a literal %). NULL when value is NULL or not valid UTF-8. */
char *jmb_ldap_filter_format(struct jmb_pool *pool, const char *template, const char *value);
/* value as one RFC 4514 attribute value (for a DN); NULL when value is
 * NULL, empty or not valid UTF-8. */
char *jmb_ldap_dn_value_escape(struct jmb_pool *pool, const char *value);

#endif
