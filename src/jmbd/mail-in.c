/* Handling mail received for reply addresses. Every message comes from
 * outside and may be forged: the reply token names the invitee, and a REPLY
 * counts only when its UID is the meeting's and its one ATTENDEE is that
 * invitee. jmb never answers what it receives, so no mail loop can start. */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "domain/recurrence.h"
#include "daemon.h"
#include "directory/directory.h"
#include "mail-in.h"
#include "mailin/inbound-mail.h"
#include "mailin/itip-reply.h"
#include "mailin/reply-address.h"
#include "metrics.h"
#include "notify.h"
#include "util/log.h"
#include "util/memory.h"

#define BATCH 20

/* What one handling decided; outcome says it in the log and the store. */
struct handling {
	const struct jmbd_runtime *rt;
	struct jmbd *d;
	struct jmb_pool *pool;
	time_t now;
	struct jmb_meeting *m;
	const struct jmb_attendee *a;
	struct jmb_mail_in_result res;
	struct jmb_side_effects fx;
};

static void ignore(struct handling *h, const char *why)
{
	h->res.kind = JMB_MAIL_IN_IGNORED;
	h->res.outcome = jmb_pool_printf(h->pool, "ignored: %s", why);
	h->res.fx = NULL;
}

/* The invitee's address, or one the directory knows as the same person's. */
static bool is_invitee(struct handling *h, const char *address)
{
	const char *const *mails = NULL;
	bool is_group = false;
	struct jmb_error error;

	if (strcasecmp(address, h->a->mail) == 0)
		return true;
	if (h->rt->directory == NULL ||
	    jmb_directory_resolve_mail(h->rt->directory, h->pool, address, &mails, &is_group,
	                               &error) != JMB_DIRECTORY_OK ||
	    is_group || mails == NULL || mails[0] == NULL)
		return false;
	return strcasecmp(mails[0], h->a->mail) == 0;
}

/* An older SEQUENCE still counts when the event did not move since: the
   invitee answered for the time the meeting still has (a title or invitee
   change bumps SEQUENCE too, and must not void answers given meanwhile). */
static bool answers_current_time(const struct jmb_itip_reply *r, const struct jmb_meeting *m)
{
	return r->sequence >= m->sequence || (r->start != 0 && r->start == m->start);
}

static void handle_reply(struct handling *h, const struct jmb_inbound_mail *mail)
{
	const struct jmb_meeting *m = h->m;
	struct jmb_itip_reply r;
	struct jmb_error error;

	if (jmb_itip_reply_parse(mail->calendar, h->pool, &r, &error) < 0)
		return ignore(h, jmb_pool_printf(h->pool, "unreadable calendar (%s)", error.text));
	const char *method = *r.method != '\0' ? r.method : mail->calendar_method;
	if (method == NULL || strcasecmp(method, "REPLY") != 0)
		return ignore(h, jmb_pool_printf(h->pool, "calendar method %s",
		                                 method != NULL && *method ? method : "missing"));
	if (strcmp(r.uid, m->uid) != 0)
		return ignore(h, "the reply is about another event (UID)");
	if (r.n_attendees != 1)
		return ignore(h,
		              jmb_pool_printf(h->pool, "%zu attendees in a reply", r.n_attendees));
	if (!is_invitee(h, r.attendee))
		return ignore(h, "the attendee is not the invitee of this reply address");
	if (!r.answered)
		return ignore(h, jmb_pool_printf(h->pool, "PARTSTAT %s",
		                                 *r.partstat ? r.partstat : "missing"));
	if (m->deleted != 0)
		return ignore(h, "the meeting is cancelled");
	if (h->now >= m->last_end)
		return ignore(h, "the meeting is over");
	/* A series' REPLY with a RECURRENCE-ID answers that occurrence only. */
	if (r.has_recurrence_id && m->recurrence != NULL) {
		struct jmb_occurrence occ;
		struct jmb_meeting *at = jmb_pool_alloc(h->pool, sizeof(*at));

		if (!jmb_meeting_occurrence(m, r.recurrence_id, &occ))
			return ignore(h,
			              "the reply is about an occurrence the series does not have");
		if (occ.cancelled)
			return ignore(h, "the occurrence is cancelled");
		if (h->now >= occ.end)
			return ignore(h, "the occurrence is over");
		jmb_meeting_at(at, m, &occ);
		h->res.for_occurrence = true;
		h->res.recurrence_id = occ.recurrence_id;
		m = at; /* its notice names the occurrence, its time is what was answered */
	} else if (r.has_recurrence_id && r.recurrence_id != m->start) {
		return ignore(h, "the reply is about another occurrence");
	}
	if (!answers_current_time(&r, m))
		return ignore(h, "the reply answers an older time of the meeting");
	h->res.kind = JMB_MAIL_IN_ANSWER;
	h->res.answer = r.answer;
	h->res.outcome = jmb_pool_printf(h->pool, "answer %s", jmb_partstat_name(r.answer));
	notify_answer(h->rt, h->d->store, h->pool, m, h->a, r.answer, h->now, &h->fx);
	h->res.fx = &h->fx;
}

static void handle_bounce(struct handling *h, const struct jmb_inbound_mail *mail)
{
	const struct jmb_inbound_dsn *dsn = &mail->dsn;

	if (strcmp(dsn->action, "failed") != 0)
		return ignore(h, jmb_pool_printf(h->pool, "delivery status %s",
		                                 *dsn->action ? dsn->action : "without action"));
	h->res.kind = JMB_MAIL_IN_BOUNCE;
	h->res.bounce_error = *dsn->diagnostic != '\0' ? dsn->diagnostic
	                      : *dsn->status != '\0'   ? dsn->status
	                                               : "failed";
	h->res.outcome = "bounce";
	notify_bounce(h->rt, h->d->store, h->pool, h->m, h->a, h->res.bounce_error, h->now, &h->fx);
	h->res.fx = &h->fx;
}

static void handle_person(struct handling *h, const struct jmb_inbound_mail *mail)
{
	struct notify_forwarded fwd = {.from = mail->from,
	                               .from_name = mail->from_name,
	                               .subject = mail->subject,
	                               .text = mail->text};

	h->res.outcome = "forwarded";
	notify_forward(h->rt, h->d->store, h->pool, h->m, h->a, &fwd, h->now, &h->fx);
	h->res.fx = &h->fx;
}

/* Decides what the message means; false when the store could not say (the
   message stays claimed and is taken up again later). */
static bool decide(struct handling *h, const struct jmb_mail_in *in)
{
	const struct jmb_mail_settings *ms = &h->rt->settings.mail;
	struct jmb_inbound_mail mail;
	struct jmb_error error;
	const char *token;
	size_t index;

	if (jmb_reply_address_parse(h->pool, ms->reply_address, ms->recipient_delimiter,
	                            in->recipient, &token) != JMB_REPLY_TOKEN) {
		ignore(h, "not a reply address");
		return true;
	}
	if (jmb_inbound_mail_parse(in->message, in->message_len, h->pool, &mail, &error) < 0) {
		ignore(h, error.text);
		return true;
	}
	switch (
	    jmb_store_attendee_by_reply_token(h->d->store, h->pool, token, &h->m, &index, &error)) {
	case JMB_STORE_OK:
		break;
	case JMB_STORE_NOT_FOUND:
		ignore(h, "unknown reply token");
		return true;
	default:
		jmb_log(JMB_LOG_ERROR, "mail_in_lookup", "error", error.text, NULL);
		metrics_count(METRICS_STORE_ERROR);
		return false;
	}
	h->a = &h->m->attendees[index];
	h->res.attendee_id = h->a->id;
	if (mail.is_dsn)
		handle_bounce(h, &mail);
	else if (mail.calendar != NULL)
		handle_reply(h, &mail);
	else if (mail.automatic)
		ignore(h, jmb_pool_printf(h->pool, "automatic mail (%s)", mail.automatic_reason));
	else
		handle_person(h, &mail);
	return true;
}

static void count(enum jmb_mail_in_kind kind, const char *outcome)
{
	if (kind == JMB_MAIL_IN_ANSWER)
		metrics_count(METRICS_MAIL_IN_ANSWER);
	else if (kind == JMB_MAIL_IN_BOUNCE)
		metrics_count(METRICS_MAIL_IN_BOUNCE);
	else if (strcmp(outcome, "forwarded") == 0)
		metrics_count(METRICS_MAIL_IN_FORWARDED);
	else
		metrics_count(METRICS_MAIL_IN_IGNORED);
}

static void handle(struct jmbd *d, const struct jmbd_runtime *rt, struct jmb_pool *pool,
                   const char *instance, const struct jmb_mail_in *in, time_t now)
{
	struct handling h = {.rt = rt, .d = d, .pool = pool, .now = now};
	struct jmb_error error;

	if (!decide(&h, in))
		return;
	if (jmb_store_mail_in_finish(d->store, in->id, instance, now, &h.res, &error) !=
	    JMB_STORE_OK) {
		jmb_log(JMB_LOG_ERROR, "mail_in_finish", "error", error.text, NULL);
		metrics_count(METRICS_STORE_ERROR);
		return;
	}
	count(h.res.kind, h.res.outcome);
	jmb_log(JMB_LOG_INFO, "mail_in", "id", jmb_pool_printf(pool, "%lld", (long long)in->id),
	        "meeting", h.m != NULL ? jmb_pool_printf(pool, "%lld", (long long)h.m->id) : "",
	        "attendee", h.a != NULL ? jmb_pool_printf(pool, "%lld", (long long)h.a->id) : "",
	        "outcome", h.res.outcome, NULL);
}

void mail_in_run(struct jmbd *d, const struct jmbd_runtime *rt, const char *instance, time_t now,
                 time_t stale_before)
{
	struct jmb_pool *pool;
	struct jmb_mail_in_list list;
	struct jmb_error error;

	if (*rt->settings.mail.reply_address == '\0')
		return;
	pool = jmb_pool_new();
	if (jmb_store_mail_in_claim(d->store, pool, instance, now, stale_before, BATCH, &list,
	                            &error) != JMB_STORE_OK) {
		jmb_log(JMB_LOG_ERROR, "mail_in_claim", "error", error.text, NULL);
		metrics_count(METRICS_STORE_ERROR);
	} else {
		for (size_t i = 0; i < list.count; i++)
			handle(d, rt, pool, instance, &list.items[i], now);
	}
	jmb_pool_free(&pool);
}
