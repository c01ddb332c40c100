/* The queue worker: a thread that sends the outbox and turns due reminders
 * into mails. Several jmbd instances may run one each on a shared store. */
#ifndef JMBD_QUEUE_WORKER_H
#define JMBD_QUEUE_WORKER_H

#include "jmb/error.h"

struct jmbd;
struct queue_worker;

struct queue_worker *queue_worker_start(struct jmbd *d, struct jmb_error *error);
/* Asks the thread to stop and waits for it (a mail in transfer finishes first). */
void queue_worker_stop(struct queue_worker **worker);

#endif
