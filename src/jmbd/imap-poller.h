/* The IMAP poller: for sites whose MTA cannot pipe mail to `jmbctl mail-in`,
 * a thread that fetches unseen messages from [mail-in] imap_url and queues
 * them in the store like `jmbctl mail-in` does (the queue worker handles
 * them). Several instances may poll one mailbox: the store's message key
 * makes a message fetched twice one message. */
#ifndef JMBD_IMAP_POLLER_H
#define JMBD_IMAP_POLLER_H

#include "jmb/error.h"

struct jmbd;
struct imap_poller;

/* Starts the thread; it polls while the current settings name a mailbox. */
struct imap_poller *imap_poller_start(struct jmbd *d, struct jmb_error *error);
/* Stops the thread (a poll in progress finishes first) and frees it. */
void imap_poller_stop(struct imap_poller **poller);

#endif
