/* Identities: building them, and keeping them in sessions as JSON. */
#ifndef JMB_IDENTITY_H
#define JMB_IDENTITY_H

#include <stdbool.h>

#include "jmb/identity.h"
#include "jmb/pool.h"

/* A new identity; mail is lower-cased and becomes mails[0]. */
struct jmb_identity *jmb_identity_new(struct jmb_pool *pool, const char *login, const char *name,
                                      const char *mail, const char *source);
char *jmb_identity_to_json(const struct jmb_identity *identity); /* caller frees */
struct jmb_identity *jmb_identity_from_json(struct jmb_pool *pool, const char *json);
/* True when mail (any case) is one of the identity's addresses. */
bool jmb_identity_has_mail(const struct jmb_identity *identity, const char *mail);

#endif
