/* Inside the directory module: the connection pool and the search helper
 * shared by directory.c (people, passwords) and directory-search.c (groups,
 * lists, autocomplete). */
#ifndef JMB_DIRECTORY_PRIVATE_H
#define JMB_DIRECTORY_PRIVATE_H

#include <ldap.h>
#include <pthread.h>

#include "directory/directory.h"
#include "util/holddown.h"
#include "util/ttl-cache.h"

#define DIRECTORY_MAX_IDLE 32
/* Most logins whose identity is kept ([ldap] cache_ttl), whatever the traffic. */
#define DIRECTORY_CACHE_MAX 10000
/* How long a login the directory does not know is remembered, at most. */
#define DIRECTORY_NOT_FOUND_TTL_MS 10000

struct jmb_directory {
	const struct jmb_ldap_settings *settings;
	char *uris; /* the uri list, space-separated: libldap fails over in order */
	pthread_mutex_t lock;
	LDAP *idle[DIRECTORY_MAX_IDLE];
	size_t n_idle;
	struct jmb_holddown holddown; /* [ldap] retry_after */
	jmb_directory_notify_fn *notify;
	void *notify_context;
	struct jmb_ttl_cache *identities; /* by login; NULL when [ldap] cache_ttl is 0 */
};

/* Called for each entry of a search, on the connection that found it.
 * Returns 0 to go on, -1 to stop (with error set). */
typedef int directory_entry_fn(void *context, LDAP *ld, LDAPMessage *entry,
                               struct jmb_error *error);

/* One search on a pooled connection (retried once on a fresh connection when
 * a reused one turns out dead). OK even when nothing matched: *count_r says
 * how many entries there were. NOT_FOUND only when base does not exist.
 * UNAVAILABLE at once while the directory is held down. */
enum jmb_directory_result directory_search(struct jmb_directory *dir, const char *base, int scope,
                                           const char *filter, const char *const *attrs,
                                           long size_limit, directory_entry_fn *each, void *context,
                                           size_t *count_r, struct jmb_error *error);

/* The first value of attr, as a UTF-8 string in pool; NULL when there is none. */
const char *directory_first_value(struct jmb_pool *pool, LDAP *ld, LDAPMessage *entry,
                                  const char *attr);
/* Every value of attr that is valid UTF-8 (NULL-terminated, in pool); may be empty. */
const char **directory_values(struct jmb_pool *pool, LDAP *ld, LDAPMessage *entry,
                              const char *attr);
/* The entry's DN in pool. */
const char *directory_entry_dn(struct jmb_pool *pool, LDAP *ld, LDAPMessage *entry);
/* A person from an entry read with directory_person_attrs. */
struct jmb_directory_person *directory_person_from_entry(struct jmb_directory *dir,
                                                         struct jmb_pool *pool, LDAP *ld,
                                                         LDAPMessage *entry);
/* The attributes a person is read with (NULL-terminated, in pool). */
const char *const *directory_person_attrs(struct jmb_directory *dir, struct jmb_pool *pool);
/* "(|(a1=v)(a2=v)...)" over attrs, v escaped (RFC 4515); substring when
 * substring is set ("*v*"). NULL when value is not valid UTF-8. */
char *directory_any_of(struct jmb_pool *pool, const char *const *attrs, const char *value,
                       bool substring);
/* Appends s to a NULL-terminated pool list unless already there (case-insensitive). */
void directory_list_add(struct jmb_pool *pool, const char ***list, size_t *count, size_t *cap,
                        const char *s);

#endif
