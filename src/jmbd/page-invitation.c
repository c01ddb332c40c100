/* The invitation page /r/<token>: an invitee reads the meeting and answers
 * with a button. A GET never changes the answer: mail scanners follow links. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "domain/recurrence.h"
#include "daemon.h"
#include "handlers.h"
#include "util/log.h"
#include "meeting-actions.h"
#include "util/memory.h"
#include "notify.h"
#include "publish/ical-feed.h"
#include "render.h"
#include "util/timeutil.h"

static const char *answer_label(enum jmb_partstat s)
{
	switch (s) {
	case JMB_PARTSTAT_ACCEPTED:
		return N_("You accepted this invitation.");
	case JMB_PARTSTAT_DECLINED:
		return N_("You declined this invitation.");
	case JMB_PARTSTAT_TENTATIVE:
		return N_("You answered maybe.");
	default:
		return N_("You have not answered yet.");
	}
}

/* When a personal link starts letting its holder in. */
static time_t link_opens(const struct jmbd *d, const struct jmb_meeting *m)
{
	return m->start - d->rt->settings.booking.link_opens_before * 60;
}

/* How many upcoming occurrences of a series the page offers to answer one by one. */
#define OCCURRENCES_SHOWN 12

/* A series' next occurrences, each with the invitee's answer for it and the
   labels of its buttons. */
static json_t *occurrence_items(struct jmbd *d, struct jmb_request *req,
                                const struct jmb_meeting *series, const struct jmb_attendee *a,
                                time_t now)
{
	size_t n;
	struct jmb_occurrence *occ =
	    jmb_meeting_occurrences(req->pool, series, now, JMB_TIME_MAX, OCCURRENCES_SHOWN, &n);
	json_t *items = json_array();

	for (size_t i = 0; i < n; i++) {
		char id[20];
		const char *when = format_datetime(d, req, occ[i].start, series->timezone);
		enum jmb_partstat answer = jmb_attendee_answer_for(a, occ[i].recurrence_id);

		jmb_recurrence_id_format(occ[i].recurrence_id, id, sizeof(id));
		json_array_append_new(
		    items,
		    json_pack("{s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:b, s:b, s:b}", "id", id,
		              "when", when, "answer", tr(d, req, partstat_label(answer)),
		              "cancelled", occ[i].cancelled, "accept_label",
		              jmb_pool_printf(req->pool, tr(d, req, N_("Accept for %s")), when),
		              "maybe_label",
		              jmb_pool_printf(req->pool, tr(d, req, N_("Maybe for %s")), when),
		              "decline_label",
		              jmb_pool_printf(req->pool, tr(d, req, N_("Decline for %s")), when),
		              "is_accepted", answer == JMB_PARTSTAT_ACCEPTED, "is_declined",
		              answer == JMB_PARTSTAT_DECLINED, "is_tentative",
		              answer == JMB_PARTSTAT_TENTATIVE));
	}
	return items;
}

void invitation_render(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp,
                       unsigned status, const struct jmb_meeting *series,
                       const struct jmb_attendee *a, bool answered)
{
	time_t now = jmbd_now();
	/* A series shows its next occurrence, and lists the following ones. */
	const struct jmb_meeting *m = jmb_meeting_current(req->pool, series, now);
	time_t opens = link_opens(d, m);
	json_t *model = json_pack(
	    "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:b, s:b, s:b, s:b}",
	    "title", m->title, "description", m->description != NULL ? m->description : "",
	    "organiser", *m->owner.name != '\0' ? m->owner.name : m->owner.mail, "organiser_mail",
	    m->owner.mail, "when",
	    jmb_pool_printf(req->pool, "%s – %s (%s)",
	                    format_datetime(d, req, m->start, m->timezone),
	                    format_clock(req, m->end, m->timezone), m->timezone),
	    "role", tr(d, req, a->role == JMB_ROLE_MODERATOR ? N_("Moderator") : N_("Guest")),
	    "answer", tr(d, req, answer_label(a->status)), "action",
	    jmb_pool_printf(req->pool, "/r/%s", a->token), "join_url",
	    jmb_pool_printf(req->pool, "/j/%s", a->token), "ics_url",
	    jmb_pool_printf(req->pool, "/r/%s.ics", a->token), "accepted",
	    a->status == JMB_PARTSTAT_ACCEPTED, "declined", a->status == JMB_PARTSTAT_DECLINED,
	    "tentative", a->status == JMB_PARTSTAT_TENTATIVE, "answered", answered, "over",
	    now >= m->end, "early", now < opens);

	if (series->recurrence != NULL && now < series->last_end)
		json_object_set_new(model, "occurrences", occurrence_items(d, req, series, a, now));
	if (now < opens)
		json_object_set_new(
		    model, "opens",
		    json_string(jmb_pool_printf(
		        req->pool, tr(d, req, N_("The meeting room opens on %s (%s).")),
		        format_datetime(d, req, opens, m->timezone), m->timezone)));
	render_page(d, req, resp, status, "invitation", model);
}

/* The meeting as its invitee sees it, as an iCalendar file (PUBLISH) for
 * "add to my calendar": no answer is asked, the answer is given on the page. */
static void invitation_ics(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp,
                           const char *token)
{
	struct jmb_meeting *m = NULL;
	const struct jmb_attendee *a = attendee_load(d, req, resp, token, false, &m);
	struct jmb_meeting *items[1];
	struct jmb_meeting_list list = {.items = items, .count = 1};
	const char *mails[2];
	size_t len = 0;
	char *body;

	if (a == NULL)
		return;
	items[0] = m;
	mails[0] = a->mail;
	mails[1] = NULL;
	struct jmb_feed_options o = {
	    .public_url = d->rt->settings.server.public_url,
	    .join_label = tr(d, req, N_("Join the meeting:")),
	    .now = jmbd_now(),
	};
	body = jmb_ical_feed(&o, &list, "", mails, &len);
	jmb_response_set_body(resp, "text/calendar; charset=utf-8", body, len);
	free(body);
	jmb_response_add_header(resp, "Content-Disposition",
	                        "attachment; filename=\"meeting.ics\"");
}

/* The language the invitee reads their page in: later mails use it. */
static void remember_language(struct jmbd *d, struct jmb_request *req, const struct jmb_attendee *a)
{
	struct jmb_error error;

	if (a->language != NULL && strcmp(a->language, req->language) == 0)
		return;
	if (jmb_store_attendee_set_language(d->store, a->token, req->language, &error) !=
	    JMB_STORE_OK)
		jmb_log(JMB_LOG_WARNING, "attendee_language", "error", error.text, NULL);
}

void page_invitation(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	const char *param = req->params[0];
	size_t len = strlen(param);
	struct jmb_meeting *m = NULL;
	const struct jmb_attendee *a;

	if (len > 4 && strcmp(param + len - 4, ".ics") == 0) {
		invitation_ics(d, req, resp, jmb_pool_strndup(req->pool, param, len - 4));
		return;
	}
	a = attendee_load(d, req, resp, param, false, &m);
	if (a == NULL)
		return;
	remember_language(d, req, a);
	invitation_render(d, req, resp, 200, m, a, jmb_request_query(req, "answered") != NULL);
}

void page_invitation_answer(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	struct jmb_meeting *m = NULL;
	const struct jmb_attendee *a = attendee_load(d, req, resp, req->params[0], false, &m);

	if (a == NULL || !meeting_answer_form(d, req, resp, m, a))
		return;
	jmb_response_redirect(resp, 303, jmb_pool_printf(req->pool, "/r/%s?answered=1", a->token));
}
