/* Password hashing with crypt(3) (libxcrypt): yescrypt for new hashes, any
 * scheme libxcrypt knows for checking. */
#ifndef JMB_PASSWORD_H
#define JMB_PASSWORD_H

#include <stdbool.h>

/* A new hash of password (caller frees), or NULL when crypt fails. */
char *jmb_password_hash(const char *password);
/* Compares in constant time; false for malformed hashes. */
bool jmb_password_verify(const char *password, const char *hash);
/* A random password of 20 readable characters (caller frees). */
char *jmb_password_generate(void);

#endif
