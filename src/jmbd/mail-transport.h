/* Delivering one message: SMTP with libcurl (STARTTLS, authentication), or a
 * folder of .eml files (file:/folder) for demos and tests. */
#ifndef JMBD_MAIL_TRANSPORT_H
#define JMBD_MAIL_TRANSPORT_H

#include "config/settings.h"
#include "jmb/error.h"
#include "store/store.h"

/* Delivered, deferred (try again later: connection failure, 4xx) or rejected
 * (5xx: permanent); error says why when not delivered. */
enum jmb_outbox_outcome mail_transport_send(const struct jmb_mail_settings *settings,
                                            const struct jmb_outbox_mail *mail,
                                            struct jmb_error *error);

#endif
