/* Password hashing with crypt(3) (libxcrypt): yescrypt for new hashes, any
 * scheme libxcrypt knows for checking. */
#ifndef JMB_PASSWORD_H
#define JMB_PASSWORD_H

#include <stdbool.h>

#include "jmb/password.h"

/* A random password of 20 readable characters (caller frees). */
char *jmb_password_generate(void);

#endif
