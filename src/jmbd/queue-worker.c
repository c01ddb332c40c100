/* The queue worker thread. Each round it claims due reminders (turning each
 * into mails, queued in the same transaction that marks it done) and then due
 * outbox mails, which it delivers. Claims name this instance; a claim left by
 * an instance that died is taken over after CLAIM_TIMEOUT. */
#include "config.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"
#include "mail-transport.h"
#include "memory.h"
#include "notify.h"
#include "queue-worker.h"
#include "secret.h"

#define CLAIM_TIMEOUT 300 /* seconds: longer than any SMTP transaction */
#define BATCH 20
#define RETRY_FIRST 60
#define RETRY_MAX 3600

struct queue_worker {
	struct jmbd *d;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stopping;
	char instance[96];
	long interval;
};

static time_t retry_delay(long attempts)
{
	time_t delay = RETRY_FIRST;

	for (long i = 0; i < attempts && delay < RETRY_MAX; i++)
		delay *= 2;
	return delay < RETRY_MAX ? delay : RETRY_MAX;
}

static void log_store_error(const char *what, char *error)
{
	jmb_log(JMB_LOG_ERROR, what, "error", error != NULL ? error : "", NULL);
	free(error);
}

/* One reminder: its mails, then done, in one transaction. */
static void run_reminder(struct queue_worker *w, struct jmb_pool *pool,
			 const struct jmb_reminder *rem, time_t now)
{
	struct jmbd *d = w->d;
	struct jmb_side_effects fx = {.now = now};
	struct jmb_meeting *m = NULL;
	char *error = NULL;

	if (jmb_store_meeting_get(d->store, pool, rem->meeting_id, &m, &error) != JMB_STORE_OK) {
		log_store_error("reminder_meeting", error);
		return;
	}
	/* A reminder found late (jmbd was down) is pointless once the meeting began. */
	if (m->deleted == 0 && now < m->start)
		notify_reminder(d, pool, m, now, &fx);
	if (jmb_store_reminder_finish(d->store, rem->id, w->instance, now, &fx, &error) != JMB_STORE_OK)
		log_store_error("reminder_finish", error);
	else
		jmb_log(JMB_LOG_INFO, "reminder", "room", m->room, "mails",
			fx.n_mails > 0 ? "queued" : "none", NULL);
}

static void run_reminders(struct queue_worker *w, time_t now)
{
	struct jmb_pool *pool = jmb_pool_new();
	struct jmb_reminder_list list;
	char *error = NULL;

	if (jmb_store_reminders_claim(w->d->store, pool, w->instance, now, now - CLAIM_TIMEOUT,
				      BATCH, &list, &error) != JMB_STORE_OK)
		log_store_error("reminders_claim", error);
	else
		for (size_t i = 0; i < list.count; i++)
			run_reminder(w, pool, &list.items[i], now);
	jmb_pool_free(&pool);
}

static void deliver(struct queue_worker *w, const struct jmb_outbox_mail *mail, time_t now)
{
	const struct jmb_mail_settings *s = &w->d->rt->settings.mail;
	enum jmb_outbox_outcome outcome;
	char *why = NULL, *error = NULL, id[24];

	outcome = mail_transport_send(s, mail, &why);
	if (outcome == JMB_OUTBOX_DEFERRED && now - mail->created > s->retry_max_hours * 3600L)
		outcome = JMB_OUTBOX_REJECTED; /* given up: kept as failed, retryable by hand */
	snprintf(id, sizeof(id), "%lld", (long long)mail->id);
	jmb_log(outcome == JMB_OUTBOX_DELIVERED ? JMB_LOG_INFO : JMB_LOG_WARNING, "mail", "id", id,
		"to", mail->recipient, "outcome",
		outcome == JMB_OUTBOX_DELIVERED	  ? "sent"
		: outcome == JMB_OUTBOX_DEFERRED ? "deferred"
						 : "failed",
		"error", why != NULL ? why : "", NULL);
	if (jmb_store_outbox_finish(w->d->store, mail->id, w->instance, outcome, time(NULL),
				    now + retry_delay(mail->attempts), why, &error) != JMB_STORE_OK)
		log_store_error("outbox_finish", error);
	free(why);
}

static void run_outbox(struct queue_worker *w, time_t now)
{
	struct jmb_pool *pool = jmb_pool_new();
	struct jmb_outbox_list list;
	char *error = NULL;

	if (*w->d->rt->settings.mail.transport == '\0') {
		jmb_pool_free(&pool);
		return;
	}
	if (jmb_store_outbox_claim(w->d->store, pool, w->instance, now, now - CLAIM_TIMEOUT, BATCH,
				   &list, &error) != JMB_STORE_OK)
		log_store_error("outbox_claim", error);
	else
		for (size_t i = 0; i < list.count; i++)
			deliver(w, &list.items[i], now);
	jmb_pool_free(&pool);
}

static void *worker_main(void *arg)
{
	struct queue_worker *w = arg;

	pthread_mutex_lock(&w->lock);
	while (!w->stopping) {
		struct timespec until;

		pthread_mutex_unlock(&w->lock);
		pthread_rwlock_rdlock(&w->d->lock);
		run_reminders(w, jmbd_now());
		run_outbox(w, jmbd_now());
		pthread_rwlock_unlock(&w->d->lock);
		pthread_mutex_lock(&w->lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += w->interval;
		if (!w->stopping)
			pthread_cond_timedwait(&w->wake, &w->lock, &until);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct queue_worker *queue_worker_start(struct jmbd *d, char **error_r)
{
	struct queue_worker *w = jmb_xcalloc(1, sizeof(*w));
	char host[64] = "jmbd", token[JMB_TOKEN_LEN + 1];
	const char *interval = getenv("JMB_QUEUE_INTERVAL");

	gethostname(host, sizeof(host) - 1);
	jmb_random_token(token);
	snprintf(w->instance, sizeof(w->instance), "%.40s:%ld:%.8s", host, (long)getpid(), token);
	w->d = d;
	w->interval = interval != NULL && atol(interval) > 0 ? atol(interval) : 5;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
		*error_r = jmb_xstrdup("cannot start the queue worker thread");
		free(w);
		return NULL;
	}
	jmb_log(JMB_LOG_INFO, "queue_worker", "instance", w->instance, NULL);
	return w;
}

void queue_worker_stop(struct queue_worker **wp)
{
	struct queue_worker *w = *wp;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	curl_global_cleanup();
	free(w);
	*wp = NULL;
}
