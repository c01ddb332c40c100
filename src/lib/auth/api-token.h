/* API bearer tokens: created by jmbctl, checked by jmbd. Only their SHA-256 is stored. */
#ifndef JMB_API_TOKEN_H
#define JMB_API_TOKEN_H

#include <time.h>

#include "jmb/error.h"
#include "jmb/identity.h"
#include "store/store.h"

/* Creates a token for identity; returns it (caller frees; shown once) or NULL
 * with error set. */
char *jmb_api_token_create(struct jmb_store *store, const struct jmb_identity *identity,
                           const char *label, time_t now, struct jmb_error *error);

#endif
