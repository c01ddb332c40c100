/* Mail received for reply addresses (queued in the store by `jmbctl
 * mail-in` or the IMAP poller), handled by the queue worker: iTIP REPLYs
 * become answers, bounces mark the invitee undeliverable, a person's mail is
 * passed on to the organiser, automatic mail is dropped. */
#ifndef JMBD_MAIL_IN_H
#define JMBD_MAIL_IN_H

#include <time.h>

struct jmbd;
struct jmbd_runtime;

/* Claims the received mails not yet handled (claims older than stale_before
 * are taken over) and handles each, in the name of instance. */
void mail_in_run(struct jmbd *d, const struct jmbd_runtime *rt, const char *instance, time_t now,
                 time_t stale_before);

#endif
