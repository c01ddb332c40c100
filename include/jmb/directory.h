/* The LDAP directory jmbd lends plugins ([ldap] of the config, through the
 * host's directory(), jmb/auth-plugin.h). The handle is opaque and belongs to
 * jmbd: it is valid for the request it was asked for, safe to use from any
 * request thread, and never freed by a plugin.
 * Ownership: what a call finds lives in the pool passed in; errors go to a
 * caller's struct jmb_error (jmb/error.h). Every call says what happened:
 * UNAVAILABLE (no server answered, or it failed) is never taken for "no". */
#ifndef JMB_PUBLIC_DIRECTORY_H
#define JMB_PUBLIC_DIRECTORY_H

#include <stdbool.h>

#include "jmb/error.h"
#include "jmb/export.h"
#include "jmb/pool.h"

struct jmb_directory;

enum jmb_directory_result {
	JMB_DIRECTORY_OK,
	JMB_DIRECTORY_NOT_FOUND,   /* the directory answered: no such entry */
	JMB_DIRECTORY_REJECT,      /* wrong password (jmb_directory_check_password) */
	JMB_DIRECTORY_UNAVAILABLE, /* no server answered in time, or it failed */
};

/* One person found in the directory; strings live in the caller's pool. */
struct jmb_directory_person {
	const char *dn;
	const char *login;        /* login_attribute; may be "" */
	const char *name;         /* name_attribute, else cn, else givenName + sn */
	const char *mail;         /* primary (first of mail_attributes), lower-case; may be "" */
	const char *const *mails; /* every address, lower-case, primary first, NULL-terminated */
};

/* Finds login with [ldap] user_filter, then binds as its entry with password
 * on a fresh connection. Unknown user and wrong password both give REJECT,
 * after the same work; an empty password is REJECT before anything is sent. */
JMB_EXPORT enum jmb_directory_result
jmb_directory_check_password(struct jmb_directory *dir, struct jmb_pool *pool, const char *login,
                             const char *password, struct jmb_directory_person **person_r,
                             struct jmb_error *error);
/* Names of the groups person is in (member DN, or memberUid = login), and of
 * the groups those are in (one level of nesting); NULL-terminated, in pool. */
JMB_EXPORT enum jmb_directory_result
jmb_directory_user_groups(struct jmb_directory *dir, struct jmb_pool *pool,
                          const struct jmb_directory_person *person, const char *const **groups_r,
                          struct jmb_error *error);
/* True while calls fail at once after an outage that jmbd has already logged:
 * a plugin may then log its own failures at debug level. */
JMB_EXPORT bool jmb_directory_held_down(struct jmb_directory *dir);

#endif
