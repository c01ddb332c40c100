/* The users file of the `local` auth plugin: one "login:hash:mail:name" line
 * per user, written atomically by `jmbctl user add`, read by the plugin.
 * Ownership: jmb_users_file_read fills a caller's struct jmb_users_file whose
 * strings belong to it until jmb_users_file_free (which wipes the hashes);
 * jmb_users_file_find returns a pointer into it. */
#ifndef JMB_PUBLIC_USERS_FILE_H
#define JMB_PUBLIC_USERS_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "jmb/error.h"
#include "jmb/export.h"

struct jmb_local_user {
	char *login;
	char *hash;
	char *mail; /* may be empty */
	char *name;
};

struct jmb_users_file {
	struct jmb_local_user *users;
	size_t count;
};

/* Reads path; a missing file is an empty list when missing_ok. On failure
 * returns -1, out is empty and error says "path:line: what" or "path: why". */
JMB_EXPORT int jmb_users_file_read(const char *path, bool missing_ok, struct jmb_users_file *out,
                                   struct jmb_error *error);
JMB_EXPORT void jmb_users_file_free(struct jmb_users_file *file);
/* The user with this login (case matters), or NULL. */
JMB_EXPORT const struct jmb_local_user *jmb_users_file_find(const struct jmb_users_file *file,
                                                            const char *login);

#endif
