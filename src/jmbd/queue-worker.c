/* The queue worker thread. Each round it claims due reminders (turning each
 * into mails, queued in the same transaction that marks it done), then mail
 * received for reply addresses (mail-in.c), then due outbox mails, which it
 * delivers. Claims name this instance; a claim left by
 * an instance that died is taken over after CLAIM_TIMEOUT. XMPP reminders are
 * posted into the meeting's room while the reminder is claimed.
 *
 * A round holds its own reference to the runtime (settings, translations,
 * templates), never the reload lock: a SIGHUP does not wait for a slow MTA or
 * XMPP server, and the round ends with the settings it started with. */
#include "config.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "domain/recurrence.h"
#include "web/i18n.h"
#include "util/log.h"
#include "mail-in.h"
#include "mail-transport.h"
#include "util/memory.h"
#include "notify.h"
#include "outbox-outcomes.h"
#include "queue-worker.h"
#include "util/secret.h"
#include "publish/xmpp.h"

#define CLAIM_TIMEOUT 300 /* seconds: longer than any SMTP transaction */
/* Tests only: JMB_CLAIM_TIMEOUT=seconds replaces CLAIM_TIMEOUT, so a test of
 * the takeover of a killed instance's claims need not wait five minutes. */
#define CLAIM_TIMEOUT_ENV "JMB_CLAIM_TIMEOUT"
#define BATCH 20
#define RETRY_FIRST 60
#define RETRY_MAX 3600
/* XMPP: while the server cannot be reached (or refuses), a reminder is given
 * back to the queue and tried again XMPP_RETRY seconds later, by whichever
 * instance claims it first; once it is XMPP_LATE_MAX seconds past its time it
 * is dropped, because "the meeting ends in 15 minutes" is no longer true. */
#define XMPP_RETRY 30
#define XMPP_LATE_MAX 180

struct queue_worker {
	struct jmbd *d;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stopping;
	char instance[96];
	long interval;
	long claim_timeout;                /* CLAIM_TIMEOUT, or JMB_CLAIM_TIMEOUT in tests */
	struct outbox_outcomes unrecorded; /* delivered or tried while the store failed */
};

static time_t retry_delay(long attempts)
{
	time_t delay = RETRY_FIRST;

	for (long i = 0; i < attempts && delay < RETRY_MAX; i++)
		delay *= 2;
	return delay < RETRY_MAX ? delay : RETRY_MAX;
}

/* What each delivery outcome is called in the log, and counted as. */
static const struct {
	const char *name;
	enum metrics_event event;
} delivery_outcomes[] = {
    [JMB_OUTBOX_DELIVERED] = {"sent", METRICS_MAIL_SENT},
    [JMB_OUTBOX_DEFERRED] = {"deferred", METRICS_MAIL_DEFERRED},
    [JMB_OUTBOX_REJECTED] = {"failed", METRICS_MAIL_FAILED},
};

static void log_store_error(const char *what, const struct jmb_error *error)
{
	jmb_log(JMB_LOG_ERROR, what, "error", error->text, NULL);
	metrics_count(METRICS_STORE_ERROR);
}

static const char *xmpp_text(const struct jmbd_runtime *rt, struct jmb_pool *pool, long offset)
{
	const struct jmb_i18n *i18n = rt->i18n;
	const char *lang = rt->settings.server.default_language;

	if (offset == 0)
		return jmb_tr(i18n, lang, N_("The meeting is over"));
	if (offset == 1)
		return jmb_tr(i18n, lang, N_("The meeting ends in one minute"));
	return jmb_pool_printf(pool, jmb_tr(i18n, lang, N_("The meeting ends in %ld minutes")),
	                       offset);
}

/* Posts an XMPP reminder. True when the reminder is over (posted, or pointless
 * now); false when it was given back for a retry (or, if even that failed,
 * left claimed: another round takes it over after CLAIM_TIMEOUT, by when it is
 * too late and dropped, so a message is never posted twice). *down is set when
 * the server itself is unreachable, so the rest of the round does not wait for
 * it again (mails go on). */
static bool post_xmpp(struct queue_worker *w, const struct jmbd_runtime *rt, struct jmb_pool *pool,
                      const struct jmb_reminder *rem, const struct jmb_meeting *m, time_t now,
                      bool *down)
{
	const struct jmb_xmpp_settings *xs = &rt->settings.xmpp;
	time_t intended = m->end - rem->offset * 60;
	enum jmb_xmpp_result result = JMB_XMPP_CONNECT;
	const char *reason = "the XMPP server is unreachable";
	struct jmb_error why, error;
	char offset[24];

	snprintf(offset, sizeof(offset), "%ld", rem->offset);
	if (!jmb_xmpp_enabled(xs) || m->deleted != 0 || now > intended + XMPP_LATE_MAX) {
		jmb_log(JMB_LOG_INFO, "xmpp_reminder", "room", m->room, "offset", offset, "outcome",
		        "skipped", "error", jmb_xmpp_enabled(xs) ? "too late" : "[xmpp] is not set",
		        NULL);
		return true;
	}
	if (!*down) {
		result = jmb_xmpp_post(xs, m->room, xmpp_text(rt, pool, rem->offset), &why);
		if (result == JMB_XMPP_OK) {
			jmb_log(JMB_LOG_INFO, "xmpp_reminder", "room", m->room, "offset", offset,
			        "outcome", "posted", NULL);
			metrics_count(METRICS_REMINDER_XMPP);
			return true;
		}
		*down = result == JMB_XMPP_CONNECT || result == JMB_XMPP_AUTH;
		reason = why.text;
	}
	jmb_log(JMB_LOG_WARNING, "xmpp_reminder", "room", m->room, "offset", offset, "outcome",
	        "deferred", "step", jmb_xmpp_step(result), "error", reason, NULL);
	if (jmb_store_reminder_release(w->d->store, rem->id, w->instance, now + XMPP_RETRY,
	                               &error) != JMB_STORE_OK)
		log_store_error("reminder_release", &error);
	return false;
}

/* The meeting as the reminder's occurrence: for a series, a copy with that
 * occurrence's start, end and title (its override applied). *cancelled is set
 * when the occurrence was cancelled, or the rule no longer gives it (the plan
 * written with that change drops such reminders; one claimed just before is
 * skipped here). A series' reminder of recurrence id 0 is its first
 * occurrence's. */
static struct jmb_meeting *reminder_occurrence(struct jmb_pool *pool, struct jmb_meeting *m,
                                               const struct jmb_reminder *rem, bool *cancelled)
{
	struct jmb_occurrence occ;
	struct jmb_meeting *copy;

	if (m->recurrence == NULL)
		return m;
	if (!jmb_meeting_occurrence(m, rem->recurrence_id != 0 ? rem->recurrence_id : m->start,
	                            &occ) ||
	    occ.cancelled) {
		*cancelled = true;
		return m;
	}
	copy = jmb_pool_alloc(pool, sizeof(*copy));
	jmb_meeting_at(copy, m, &occ);
	return copy;
}

/* One reminder: its mails (or its XMPP message), then done, in one transaction. */
static void run_reminder(struct queue_worker *w, const struct jmbd_runtime *rt,
                         struct jmb_pool *pool, const struct jmb_reminder *rem, time_t now,
                         bool *xmpp_down)
{
	struct jmbd *d = w->d;
	struct jmb_side_effects fx = {.now = now};
	struct jmb_meeting *m = NULL;
	struct jmb_error error;

	bool cancelled = false;

	if (jmb_store_meeting_get(d->store, pool, rem->meeting_id, &m, &error) != JMB_STORE_OK) {
		log_store_error("reminder_meeting", &error);
		return;
	}
	m = reminder_occurrence(pool, m, rem, &cancelled);
	if (cancelled) {
		/* Planned before the occurrence was cancelled: nothing to say. */
	} else if (rem->kind == JMB_REMINDER_XMPP) {
		if (!post_xmpp(w, rt, pool, rem, m, now, xmpp_down))
			return;
	} else if (m->deleted == 0 && now < m->start) {
		/* A reminder found late (jmbd was down) is pointless once the meeting began. */
		notify_reminder(rt, d->store, pool, m, rem->recurrence_id, now, &fx);
	}
	if (jmb_store_reminder_finish(d->store, rem->id, w->instance, now, &fx, &error) !=
	    JMB_STORE_OK) {
		log_store_error("reminder_finish", &error);
	} else if (rem->kind == JMB_REMINDER_MAIL) {
		jmb_log(JMB_LOG_INFO, "reminder", "room", m->room, "mails",
		        fx.n_mails > 0 ? "queued" : "none", NULL);
		if (fx.n_mails > 0)
			metrics_count(METRICS_REMINDER_MAIL);
	}
}

static void run_reminders(struct queue_worker *w, const struct jmbd_runtime *rt, time_t now)
{
	struct jmb_pool *pool = jmb_pool_new();
	struct jmb_reminder_list list;
	struct jmb_error error;
	bool xmpp_down = false;

	if (jmb_store_reminders_claim(w->d->store, pool, w->instance, now, now - w->claim_timeout,
	                              BATCH, &list, &error) != JMB_STORE_OK)
		log_store_error("reminders_claim", &error);
	else
		for (size_t i = 0; i < list.count; i++)
			run_reminder(w, rt, pool, &list.items[i], now, &xmpp_down);
	jmb_pool_free(&pool);
}

static void deliver(struct queue_worker *w, const struct jmbd_runtime *rt,
                    const struct jmb_outbox_mail *mail, time_t now)
{
	const struct jmb_mail_settings *s = &rt->settings.mail;
	enum jmb_outbox_outcome outcome;
	enum jmb_store_result r;
	struct jmb_error why, error;
	time_t next = now + retry_delay(mail->attempts);
	const char *why_text;
	char id[24];

	outcome = mail_transport_send(s, mail, &why);
	if (outcome == JMB_OUTBOX_DEFERRED && now - mail->created > s->retry_max_hours * 3600L)
		outcome = JMB_OUTBOX_REJECTED; /* given up: kept as failed, retryable by hand */
	snprintf(id, sizeof(id), "%lld", (long long)mail->id);
	/* A delivered mail has no error: its line ends before the key (a NULL key
	   ends the pairs) rather than saying error="". */
	jmb_log(outcome == JMB_OUTBOX_DELIVERED ? JMB_LOG_INFO : JMB_LOG_WARNING, "mail", "id", id,
	        "kind", mail->kind != NULL && *mail->kind ? mail->kind : "-", "to", mail->recipient,
	        "outcome", delivery_outcomes[outcome].name,
	        outcome == JMB_OUTBOX_DELIVERED ? NULL : "error", why.text, NULL);
	metrics_count(delivery_outcomes[outcome].event);
	why_text = outcome == JMB_OUTBOX_DELIVERED ? NULL : why.text;
	r = jmb_store_outbox_finish(w->d->store, mail->id, w->instance, outcome, time(NULL), next,
	                            why_text, &error);
	if (r != JMB_STORE_OK)
		log_store_error("outbox_finish", &error);
	/* NOT_FOUND: the claim was lost, the mail is another instance's now. */
	if (r != JMB_STORE_OK && r != JMB_STORE_NOT_FOUND)
		outbox_outcomes_keep(&w->unrecorded, mail->id, outcome, time(NULL), next, why_text);
}

/* The outcomes the store refused before (it was down or full) go in first:
 * until they do, the mails they are about still look due, and claiming now
 * could take a mail this instance already sent once its claim is stale. */
static bool record_unrecorded(struct queue_worker *w)
{
	struct jmb_error error;
	size_t before = w->unrecorded.count;
	char count[24];

	if (before == 0)
		return true;
	if (outbox_outcomes_record(&w->unrecorded, w->d->store, w->instance, &error) > 0) {
		log_store_error("outbox_finish", &error);
		return false;
	}
	snprintf(count, sizeof(count), "%zu", before);
	jmb_log(JMB_LOG_INFO, "outbox_recorded", "outcomes", count, NULL);
	return true;
}

static void run_outbox(struct queue_worker *w, const struct jmbd_runtime *rt, time_t now)
{
	struct jmb_pool *pool = jmb_pool_new();
	struct jmb_outbox_list list;
	struct jmb_error error;
	time_t claimed = time(NULL);

	if (*rt->settings.mail.transport == '\0' || !record_unrecorded(w)) {
		jmb_pool_free(&pool);
		return;
	}
	if (jmb_store_outbox_claim(w->d->store, pool, w->instance, now, now - w->claim_timeout,
	                           BATCH, &list, &error) != JMB_STORE_OK) {
		log_store_error("outbox_claim", &error);
		jmb_pool_free(&pool);
		return;
	}
	for (size_t i = 0; i < list.count; i++) {
		/* The whole batch was claimed at once, but a slow MTA can make it
		   outlast the claim (BATCH x SMTP_TIMEOUT > CLAIM_TIMEOUT), and another
		   instance would then take over and send mails this one still sends.
		   So a mail is started only while the claim is less than half the
		   timeout old (CLAIM_TIMEOUT is over twice the SMTP timeout): it ends
		   before the claim can be taken over. The mails left are taken over,
		   by any instance, once the claim is stale. */
		if (time(NULL) - claimed >= w->claim_timeout / 2) {
			char left[24];
			snprintf(left, sizeof(left), "%zu", list.count - i);
			jmb_log(JMB_LOG_WARNING, "outbox_slow", "left_claimed", left, NULL);
			break;
		}
		deliver(w, rt, &list.items[i], now);
	}
	jmb_pool_free(&pool);
}

static void *worker_main(void *arg)
{
	struct queue_worker *w = arg;

	pthread_mutex_lock(&w->lock);
	while (!w->stopping) {
		struct timespec until;

		struct jmbd_runtime *rt;

		pthread_mutex_unlock(&w->lock);
		rt = jmbd_runtime_get(w->d);
		run_reminders(w, rt, jmbd_now());
		mail_in_run(w->d, rt, w->instance, jmbd_now(), jmbd_now() - w->claim_timeout);
		run_outbox(w, rt, jmbd_now());
		jmbd_runtime_put(&rt);
		pthread_mutex_lock(&w->lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += w->interval;
		if (!w->stopping)
			pthread_cond_timedwait(&w->wake, &w->lock, &until);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct queue_worker *queue_worker_start(struct jmbd *d, struct jmb_error *error)
{
	struct queue_worker *w = jmb_xcalloc(1, sizeof(*w));
	char host[64] = "jmbd", token[JMB_TOKEN_LEN + 1];
	const char *interval = getenv("JMB_QUEUE_INTERVAL");
	const char *claim_timeout = getenv(CLAIM_TIMEOUT_ENV);

	gethostname(host, sizeof(host) - 1);
	jmb_random_token(token);
	snprintf(w->instance, sizeof(w->instance), "%.40s:%ld:%.8s", host, (long)getpid(), token);
	w->d = d;
	w->interval = interval != NULL && atol(interval) > 0 ? atol(interval) : 5;
	w->claim_timeout =
	    claim_timeout != NULL && atol(claim_timeout) > 0 ? atol(claim_timeout) : CLAIM_TIMEOUT;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
		jmb_error_set(error, "cannot start the queue worker thread");
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
	if (!record_unrecorded(w)) {
		char count[24];
		snprintf(count, sizeof(count), "%zu", w->unrecorded.count);
		jmb_log(JMB_LOG_ERROR, "outbox_unrecorded", "outcomes", count, "note",
		        "the store did not record these deliveries: their mails may be sent again",
		        NULL);
	}
	outbox_outcomes_free(&w->unrecorded);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	curl_global_cleanup();
	free(w);
	*wp = NULL;
}
