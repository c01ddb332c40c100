/* The users file of the `local` auth plugin: one "login:hash:mail:name" line per user.
 * Written atomically by jmbctl; read by the plugin. */
#ifndef JMB_USERS_FILE_H
#define JMB_USERS_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "jmb/error.h"
#include "jmb/users-file.h"

/* Adds or replaces a user, then writes the file through a temporary file and rename. */
int jmb_users_file_put(const char *path, const struct jmb_local_user *user,
                       struct jmb_error *error);
/* Removes a user the same way. Returns 0, -1 on error, 1 when there is no
 * such user (the file is left as it was). */
int jmb_users_file_delete(const char *path, const char *login, struct jmb_error *error);
/* Logins: 1-64 of [a-z0-9._-], starting with a letter or digit. */
bool jmb_login_is_valid(const char *login);

#endif
