/* Password hashes with crypt(3) (libxcrypt): yescrypt for new hashes, any
 * scheme libxcrypt knows for checking. */
#ifndef JMB_PUBLIC_PASSWORD_H
#define JMB_PUBLIC_PASSWORD_H

#include <stdbool.h>

#include "jmb/export.h"

/* A new hash of password, or NULL when crypt fails. The caller frees it (free(3)). */
JMB_EXPORT char *jmb_password_hash(const char *password);
/* Compares in constant time; false for malformed hashes. */
JMB_EXPORT bool jmb_password_verify(const char *password, const char *hash);

#endif
