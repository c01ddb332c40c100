/* The directory in a build without libldap (configure --without-ldap): every
 * call says the directory is unavailable, and [ldap] uri is refused. */
#include "config.h"

#include "directory/directory.h"
#include "util/memory.h"

bool jmb_directory_configured(const struct jmb_ldap_settings *s)
{
	return s->uri != NULL && s->uri[0] != NULL;
}

struct jmb_directory *jmb_directory_new(const struct jmb_ldap_settings *s,
                                        jmb_directory_notify_fn *notify, void *context,
                                        struct jmb_error *error)
{
	jmb_error_set(error, "[ldap] is set but jmb was built without LDAP (--without-ldap)");
	return NULL;
}

void jmb_directory_free(struct jmb_directory **dir)
{
	*dir = NULL;
}

const char *jmb_directory_result_name(enum jmb_directory_result r)
{
	return r == JMB_DIRECTORY_OK ? "ok" : "unavailable";
}

bool jmb_directory_held_down(struct jmb_directory *dir)
{
	return false;
}

const char *jmb_directory_kind_name(enum jmb_directory_kind kind)
{
	return "person";
}

#define UNAVAILABLE                                                                                \
	do {                                                                                       \
		jmb_error_set(error, "built without LDAP");                                        \
		return JMB_DIRECTORY_UNAVAILABLE;                                                  \
	} while (0)

enum jmb_directory_result jmb_directory_find_user(struct jmb_directory *dir, struct jmb_pool *pool,
                                                  const char *login,
                                                  struct jmb_directory_person **person_r,
                                                  struct jmb_error *error)
{
	UNAVAILABLE;
}

enum jmb_directory_result jmb_directory_check_password(struct jmb_directory *dir,
                                                       struct jmb_pool *pool, const char *login,
                                                       const char *password,
                                                       struct jmb_directory_person **person_r,
                                                       struct jmb_error *error)
{
	UNAVAILABLE;
}

enum jmb_directory_result jmb_directory_user_groups(struct jmb_directory *dir,
                                                    struct jmb_pool *pool,
                                                    const struct jmb_directory_person *person,
                                                    const char *const **groups_r,
                                                    struct jmb_error *error)
{
	UNAVAILABLE;
}

enum jmb_directory_result jmb_directory_enrich(struct jmb_directory *dir, struct jmb_pool *pool,
                                               struct jmb_identity *identity,
                                               struct jmb_error *error)
{
	UNAVAILABLE;
}

enum jmb_directory_result jmb_directory_user_matches(struct jmb_directory *dir,
                                                     struct jmb_pool *pool, const char *login,
                                                     const char *filter, struct jmb_error *error)
{
	UNAVAILABLE;
}

enum jmb_directory_result jmb_directory_resolve_mail(struct jmb_directory *dir,
                                                     struct jmb_pool *pool, const char *mail,
                                                     const char *const **mails_r, bool *is_group_r,
                                                     struct jmb_error *error)
{
	UNAVAILABLE;
}

enum jmb_directory_result jmb_directory_search(struct jmb_directory *dir, struct jmb_pool *pool,
                                               const char *text, size_t max,
                                               struct jmb_directory_match **matches_r,
                                               size_t *count_r, struct jmb_error *error)
{
	UNAVAILABLE;
}

char *jmb_ldap_filter_format(struct jmb_pool *pool, const char *template, const char *value)
{
	return NULL;
}

char *jmb_ldap_dn_value_escape(struct jmb_pool *pool, const char *value)
{
	return NULL;
}
