/* Polling an IMAP mailbox with libcurl. A round: UID SEARCH UNSEEN, then for
 * each message a FETCH (which flags it \Seen), its queueing in the store, and
 * its move to [mail-in] imap_move_to when set. A message that could not be
 * queued (the store is down) gets its \Seen flag taken back, so the next
 * round fetches it again. */
#include "config.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "imap-poller.h"
#include "mailin/inbound-mail.h"
#include "mailin/reply-address.h"
#include "metrics.h"
#include "util/log.h"
#include "util/memory.h"
#include "util/strbuf.h"

#define IMAP_TIMEOUT 60
#define IMAP_CONNECT_TIMEOUT 10
#define MAX_PER_ROUND 100

struct imap_poller {
	struct jmbd *d;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stopping;
};

/* A response body, refused past limit bytes. */
struct body {
	struct jmb_strbuf sb;
	size_t limit;
	bool too_large;
};

static size_t collect(char *data, size_t size, size_t n, void *ctx)
{
	struct body *b = ctx;

	if (b->sb.len + size * n > b->limit) {
		b->too_large = true;
		return 0;
	}
	jmb_strbuf_append(&b->sb, data, size * n);
	return size * n;
}

struct session {
	CURL *curl;
	const struct jmb_mail_in_settings *s;
	const char *base; /* imap_url without a trailing slash */
	struct jmb_pool *pool;
};

/* One IMAP command on the mailbox (request NULL: fetch what url names). */
static CURLcode imap_run(struct session *ss, const char *url, const char *request, struct body *b)
{
	CURLcode rc;

	curl_easy_setopt(ss->curl, CURLOPT_URL, url);
	curl_easy_setopt(ss->curl, CURLOPT_CUSTOMREQUEST, request);
	curl_easy_setopt(ss->curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(ss->curl, CURLOPT_WRITEDATA, b);
	rc = curl_easy_perform(ss->curl);
	return rc;
}

static bool imap_command(struct session *ss, const char *request)
{
	struct body b = {.limit = 1 << 20};
	CURLcode rc = imap_run(ss, ss->base, request, &b);

	if (rc != CURLE_OK)
		jmb_log(JMB_LOG_WARNING, "imap", "command", request, "error",
		        curl_easy_strerror(rc), NULL);
	jmb_strbuf_free(&b.sb);
	return rc == CURLE_OK;
}

/* "* SEARCH 3 7 9" → the UIDs, at most max. */
static size_t search_unseen(struct session *ss, unsigned long *uids, size_t max)
{
	struct body b = {.limit = 1 << 20};
	CURLcode rc = imap_run(ss, ss->base, "UID SEARCH UNSEEN", &b);
	size_t n = 0;

	if (rc != CURLE_OK) {
		jmb_log(JMB_LOG_WARNING, "imap", "command", "UID SEARCH UNSEEN", "error",
		        curl_easy_strerror(rc), NULL);
	} else if (b.sb.data != NULL) {
		const char *p = strstr(b.sb.data, "* SEARCH");
		if (p != NULL)
			p += 8;
		while (p != NULL && n < max) {
			char *end;
			while (*p == ' ')
				p++;
			unsigned long uid = strtoul(p, &end, 10);
			if (end == p || uid == 0)
				break;
			uids[n++] = uid;
			p = end;
		}
	}
	jmb_strbuf_free(&b.sb);
	return n;
}

/* The reply address the message was delivered to: a mailbox keeps no
   envelope, so the first trace or address header naming one. */
static const char *reply_recipient(struct session *ss, const struct jmb_mail_settings *ms,
                                   const struct jmb_inbound_mail *mail)
{
	const char *token;

	for (size_t i = 0; mail->recipients[i] != NULL; i++) {
		if (jmb_reply_address_parse(ss->pool, ms->reply_address, ms->recipient_delimiter,
		                            mail->recipients[i], &token) != JMB_REPLY_NOT_OURS)
			return mail->recipients[i];
	}
	return NULL;
}

/* Queues one fetched message; false when the store could not take it. */
static bool queue_message(struct jmbd *d, struct session *ss, const struct jmb_mail_settings *ms,
                          unsigned long uid, const char *data, size_t len)
{
	struct jmb_inbound_mail mail;
	struct jmb_error error;
	const char *recipient, *uid_text = jmb_pool_printf(ss->pool, "%lu", uid);

	if (jmb_inbound_mail_parse(data, len, ss->pool, &mail, &error) < 0) {
		jmb_log(JMB_LOG_INFO, "imap_message", "uid", uid_text, "outcome", "ignored",
		        "reason", error.text, NULL);
		return true;
	}
	recipient = reply_recipient(ss, ms, &mail);
	if (recipient == NULL) {
		jmb_log(JMB_LOG_INFO, "imap_message", "uid", uid_text, "outcome", "ignored",
		        "reason", "no reply address among its recipients", NULL);
		return true;
	}
	switch (jmb_store_mail_in_add(
	    d->store, jmb_inbound_mail_key(ss->pool, recipient, mail.message_id, data, len),
	    recipient, data, len, jmbd_now(), &error)) {
	case JMB_STORE_OK:
		jmb_log(JMB_LOG_INFO, "imap_message", "uid", uid_text, "outcome", "queued", NULL);
		return true;
	case JMB_STORE_CONFLICT:
		jmb_log(JMB_LOG_INFO, "imap_message", "uid", uid_text, "outcome",
		        "already received", NULL);
		return true;
	default:
		jmb_log(JMB_LOG_ERROR, "imap_message", "uid", uid_text, "error", error.text, NULL);
		metrics_count(METRICS_STORE_ERROR);
		return false;
	}
}

/* A quoted IMAP string: the folder name is checked to hold no CR, LF or NUL. */
static const char *quoted(struct jmb_pool *pool, const char *s)
{
	struct jmb_strbuf sb = {0};
	char *text;
	const char *copy;

	jmb_strbuf_putc(&sb, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			jmb_strbuf_putc(&sb, '\\');
		jmb_strbuf_putc(&sb, *s);
	}
	jmb_strbuf_putc(&sb, '"');
	text = jmb_strbuf_steal(&sb, NULL);
	copy = jmb_pool_strndup(pool, text, strlen(text));
	free(text);
	return copy;
}

/* Fetches, queues and files one message; false to end the round. */
static bool take_message(struct jmbd *d, struct session *ss, const struct jmb_mail_settings *ms,
                         unsigned long uid)
{
	struct body b = {.limit = (size_t)ss->s->max_size};
	const char *url = jmb_pool_printf(ss->pool, "%s/;UID=%lu", ss->base, uid);
	CURLcode rc = imap_run(ss, url, NULL, &b);
	bool queued = true;

	if (rc != CURLE_OK && !b.too_large) {
		/* Gone meanwhile (another instance moved it), or the server failed. */
		jmb_log(JMB_LOG_WARNING, "imap", "command", "FETCH", "error",
		        curl_easy_strerror(rc), NULL);
		jmb_strbuf_free(&b.sb);
		return true;
	}
	if (b.too_large)
		jmb_log(JMB_LOG_INFO, "imap_message", "uid", jmb_pool_printf(ss->pool, "%lu", uid),
		        "outcome", "ignored", "reason", "larger than [mail-in] max_size", NULL);
	else
		queued =
		    queue_message(d, ss, ms, uid, b.sb.data != NULL ? b.sb.data : "", b.sb.len);
	jmb_strbuf_free(&b.sb);
	if (!queued) {
		imap_command(ss, jmb_pool_printf(ss->pool, "UID STORE %lu -FLAGS (\\Seen)", uid));
		return false;
	}
	if (*ss->s->imap_move_to != '\0')
		imap_command(ss, jmb_pool_printf(ss->pool, "UID MOVE %lu %s", uid,
		                                 quoted(ss->pool, ss->s->imap_move_to)));
	else
		imap_command(ss, jmb_pool_printf(ss->pool, "UID STORE %lu +FLAGS (\\Seen)", uid));
	return true;
}

static void poll_once(struct jmbd *d, const struct jmbd_runtime *rt)
{
	const struct jmb_mail_in_settings *s = &rt->settings.mail_in;
	struct session ss = {.s = s, .pool = jmb_pool_new(), .curl = curl_easy_init()};
	unsigned long uids[MAX_PER_ROUND];
	size_t n, len = strlen(s->imap_url);

	if (ss.curl == NULL) {
		jmb_pool_free(&ss.pool);
		return;
	}
	ss.base = jmb_pool_strndup(ss.pool, s->imap_url,
	                           len > 0 && s->imap_url[len - 1] == '/' ? len - 1 : len);
	curl_easy_setopt(ss.curl, CURLOPT_USERNAME, s->imap_username);
	curl_easy_setopt(ss.curl, CURLOPT_PASSWORD,
	                 s->imap_password != NULL ? s->imap_password : "");
	curl_easy_setopt(ss.curl, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (*s->imap_ca_file != '\0')
		curl_easy_setopt(ss.curl, CURLOPT_CAINFO, s->imap_ca_file);
	curl_easy_setopt(ss.curl, CURLOPT_TIMEOUT, (long)IMAP_TIMEOUT);
	curl_easy_setopt(ss.curl, CURLOPT_CONNECTTIMEOUT, (long)IMAP_CONNECT_TIMEOUT);
	curl_easy_setopt(ss.curl, CURLOPT_NOSIGNAL, 1L);
	n = search_unseen(&ss, uids, MAX_PER_ROUND);
	for (size_t i = 0; i < n && take_message(d, &ss, &rt->settings.mail, uids[i]); i++)
		;
	curl_easy_cleanup(ss.curl);
	jmb_pool_free(&ss.pool);
}

static void *poller_main(void *arg)
{
	struct imap_poller *p = arg;

	pthread_mutex_lock(&p->lock);
	while (!p->stopping) {
		struct jmbd_runtime *rt;
		struct timespec until;
		long interval;

		pthread_mutex_unlock(&p->lock);
		rt = jmbd_runtime_get(p->d);
		if (*rt->settings.mail_in.imap_url != '\0')
			poll_once(p->d, rt);
		interval = rt->settings.mail_in.poll_interval;
		jmbd_runtime_put(&rt);
		pthread_mutex_lock(&p->lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += interval;
		if (!p->stopping)
			pthread_cond_timedwait(&p->wake, &p->lock, &until);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

struct imap_poller *imap_poller_start(struct jmbd *d, struct jmb_error *error)
{
	struct imap_poller *p = jmb_xcalloc(1, sizeof(*p));

	p->d = d;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	if (pthread_create(&p->thread, NULL, poller_main, p) != 0) {
		jmb_error_set(error, "cannot start the IMAP poller thread");
		free(p);
		return NULL;
	}
	return p;
}

void imap_poller_stop(struct imap_poller **pp)
{
	struct imap_poller *p = *pp;

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	p->stopping = true;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->wake);
	free(p);
	*pp = NULL;
}
