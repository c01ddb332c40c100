/* Meeting actions shared by the web pages and the JSON API. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "domain/recurrence.h"
#include "domain/room.h"
#include "util/log.h"
#include "domain/identity.h"
#include "meeting-actions.h"
#include "util/memory.h"
#include "people.h"
#include "notify.h"
#include "render.h"
#include "util/secret.h"

#define CONFLICT_RETRIES 4

void stale_write_pause(int attempt)
{
	unsigned char r;
	struct timespec ts;

	if (attempt == 0)
		return;
	jmb_random_bytes(&r, 1);
	ts = (struct timespec){.tv_nsec = (long)(1 + r % 4) * attempt * 1000000L};
	nanosleep(&ts, NULL);
}

static enum action_result store_failed(const char *what, enum jmb_store_result r,
                                       const struct jmb_error *error)
{
	/* An unknown id is the visitor's mistake, not a store failure. */
	jmb_log(r == JMB_STORE_NOT_FOUND ? JMB_LOG_INFO : JMB_LOG_ERROR, what, "result",
	        jmb_store_result_name(r), "error", error->text, NULL);
	if (r != JMB_STORE_NOT_FOUND)
		metrics_count(METRICS_STORE_ERROR);
	return r == JMB_STORE_NOT_FOUND ? ACTION_NOT_FOUND : ACTION_FAILED;
}

const char *meeting_role_of(const struct jmb_request *req, const struct jmb_meeting *m,
                            const struct jmb_attendee **attendee_r)
{
	const struct jmb_identity *id = req->identity;

	if (attendee_r != NULL)
		*attendee_r = NULL;
	if (id == NULL)
		return NULL;
	/* Imported legacy meetings know their owner only by address. */
	if (strcmp(m->owner.login, id->login) == 0 || jmb_identity_has_mail(id, m->owner.mail))
		return "owner";
	for (size_t i = 0; i < m->n_attendees; i++) {
		if (jmb_identity_has_mail(id, m->attendees[i].mail)) {
			if (attendee_r != NULL)
				*attendee_r = &m->attendees[i];
			return jmb_role_name(m->attendees[i].role);
		}
	}
	return NULL;
}

enum action_result meeting_load(struct jmbd *d, struct jmb_request *req, const char *id_text,
                                enum meeting_access access, struct jmb_meeting **m_r)
{
	char *end;
	struct jmb_error error;
	enum jmb_store_result r;
	const char *role;
	long long id;

	errno = 0;
	id = id_text != NULL ? strtoll(id_text, &end, 10) : 0;
	if (id_text == NULL || errno != 0 || *end != '\0' || id <= 0)
		return ACTION_NOT_FOUND;
	r = jmb_store_meeting_get(d->store, req->pool, (int64_t)id, m_r, &error);
	if (r != JMB_STORE_OK)
		return store_failed("meeting_get", r, &error);
	if ((*m_r)->deleted != 0)
		return ACTION_NOT_FOUND;
	role = meeting_role_of(req, *m_r, NULL);
	if (access == ACCESS_OWNER && (role == NULL || strcmp(role, "owner") != 0))
		return ACTION_FORBIDDEN;
	if (role == NULL)
		return ACTION_NOT_FOUND; /* unrelated people learn nothing */
	return ACTION_OK;
}

struct jmb_booking_context meeting_booking_context(struct jmbd *d, const struct jmb_request *req)
{
	struct jmb_booking_context ctx = {
	    .rules = &d->rt->settings.booking,
	    .default_timezone = d->rt->settings.server.timezone,
	    .i18n = d->rt->i18n,
	    .language = req->language,
	    .now = jmbd_now(),
	    .max_participants = d->rt->settings.jitsi.max_participants,
	    .resolve = people_resolve,
	    .resolve_data = (void *)req,
	};
	return ctx;
}

enum action_result meeting_create(struct jmbd *d, struct jmb_request *req,
                                  const struct jmb_booking_input *input, struct jmb_meeting **m_r,
                                  struct jmb_field_errors *errors)
{
	struct jmb_booking_context ctx = meeting_booking_context(d, req);
	struct jmb_meeting *m = jmb_pool_alloc(req->pool, sizeof(*m));
	enum jmb_store_result r = JMB_STORE_CONFLICT;
	struct jmb_side_effects fx;
	struct jmb_error error;

	if (jmb_booking_check(&ctx, req->identity, input, NULL, req->pool, m, errors) < 0)
		return ACTION_INVALID;
	m->owner.login = (char *)req->identity->login;
	m->owner.mail = (char *)req->identity->mail;
	m->owner.name = (char *)req->identity->name;
	m->created = m->updated = ctx.now;
	/* Mails to invitees not known otherwise are written in it. */
	m->language = (char *)req->language;
	/* Room names and tokens are random: a collision is astronomically rare, but
	   if the store reports one, draw again rather than fail. */
	for (int i = 0; i < CONFLICT_RETRIES && r == JMB_STORE_CONFLICT; i++) {
		jmb_booking_assign_secrets(req->pool, m, d->rt->uid_domain);
		notify_meeting_change(d, req->pool, NOTIFY_CREATED, NULL, m, ctx.now, &fx);
		r = jmb_store_meeting_insert_fx(d->store, m, &fx, &error);
	}
	if (r != JMB_STORE_OK)
		return store_failed("meeting_insert", r, &error);
	jmb_log(JMB_LOG_INFO, "meeting_created", "meeting",
	        jmb_pool_printf(req->pool, "%lld", (long long)m->id), "user", req->identity->login,
	        "room", m->room, NULL);
	*m_r = m;
	return ACTION_OK;
}

void meeting_check(struct jmbd *d, struct jmb_request *req, const struct jmb_booking_input *input,
                   const struct jmb_meeting *previous, struct jmb_field_errors *errors)
{
	struct jmb_booking_context ctx = meeting_booking_context(d, req);
	struct jmb_meeting *scratch = jmb_pool_alloc(req->pool, sizeof(*scratch));

	jmb_booking_check(&ctx, req->identity, input, previous, req->pool, scratch, errors);
}

/* One attempt at an update from *previous: RETRY when another writer changed
   the meeting since it was read. */
static enum jmb_store_result update_once(struct jmbd *d, struct jmb_request *req,
                                         const struct jmb_booking_context *ctx,
                                         const struct jmb_booking_input *input,
                                         const struct jmb_meeting *previous, struct jmb_meeting *m,
                                         struct jmb_field_errors *errors, struct jmb_error *error)
{
	enum jmb_store_result r = JMB_STORE_CONFLICT;
	struct jmb_side_effects fx;

	if (jmb_booking_check(ctx, req->identity, input, previous, req->pool, m, errors) < 0)
		return JMB_STORE_OK; /* errors filled */
	/* The mails and iCal data see the meeting as it will be stored. */
	m->id = previous->id;
	m->uid = previous->uid;
	m->room = previous->room;
	m->owner = previous->owner;
	m->created = previous->created;
	m->language = previous->language;
	m->sequence = previous->sequence + 1;
	m->updated = ctx->now;
	for (int i = 0; i < CONFLICT_RETRIES && r == JMB_STORE_CONFLICT; i++) {
		/* Only new invitees draw a token; kept ones carry theirs. */
		for (size_t k = 0; i > 0 && k < m->n_attendees; k++) {
			bool kept = false;
			for (size_t j = 0; j < previous->n_attendees; j++)
				kept |=
				    strcmp(previous->attendees[j].mail, m->attendees[k].mail) == 0;
			if (!kept)
				m->attendees[k].token = NULL;
		}
		jmb_booking_assign_attendee_tokens(req->pool, m);
		notify_meeting_change(d, req->pool, NOTIFY_UPDATED, previous, m, ctx->now, &fx);
		r = jmb_store_meeting_update_fx(d->store, m, &fx, error);
	}
	return r;
}

enum action_result meeting_update(struct jmbd *d, struct jmb_request *req,
                                  const struct jmb_booking_input *input,
                                  struct jmb_meeting **previous, struct jmb_field_errors *errors)
{
	struct jmb_booking_context ctx = meeting_booking_context(d, req);
	struct jmb_meeting *m = jmb_pool_alloc(req->pool, sizeof(*m));
	enum jmb_store_result r = JMB_STORE_RETRY;
	struct jmb_error error;
	int64_t id = (*previous)->id;

	errors->count = 0;
	/* Another edit committed since *previous was read: apply this one to the
	   meeting as it is now (a change of one occurrence keeps the other's). */
	for (int i = 0; i < STALE_RETRIES && r == JMB_STORE_RETRY; i++) {
		stale_write_pause(i);
		if (i > 0 && (r = jmb_store_meeting_get(d->store, req->pool, id, previous,
		                                        &error)) != JMB_STORE_OK)
			break;
		r = update_once(d, req, &ctx, input, *previous, m, errors, &error);
		if (errors->count > 0)
			return ACTION_INVALID;
	}
	if (r != JMB_STORE_OK)
		return store_failed("meeting_update", r, &error);
	r = jmb_store_meeting_get(d->store, req->pool, m->id, previous, &error);
	if (r != JMB_STORE_OK)
		return store_failed("meeting_get", r, &error);
	jmb_log(JMB_LOG_INFO, "meeting_updated", "meeting",
	        jmb_pool_printf(req->pool, "%lld", (long long)m->id), "user", req->identity->login,
	        "room", (*previous)->room, NULL);
	return ACTION_OK;
}

enum action_result meeting_delete(struct jmbd *d, struct jmb_request *req,
                                  const struct jmb_meeting *m)
{
	struct jmb_meeting *gone = jmb_pool_alloc(req->pool, sizeof(*gone));
	struct jmb_side_effects fx;
	time_t now = jmbd_now();
	struct jmb_error error;
	enum jmb_store_result r;

	*gone = *m;
	gone->deleted = now;
	gone->sequence = m->sequence + 1;
	notify_meeting_change(d, req->pool, NOTIFY_DELETED, gone, NULL, now, &fx);
	r = jmb_store_meeting_delete_fx(d->store, m->id, now, &fx, &error);

	if (r != JMB_STORE_OK)
		return store_failed("meeting_delete", r, &error);
	jmb_log(JMB_LOG_INFO, "meeting_deleted", "meeting",
	        jmb_pool_printf(req->pool, "%lld", (long long)m->id), "user", req->identity->login,
	        "room", m->room, NULL);
	return ACTION_OK;
}

const struct jmb_attendee *meeting_attendee(const struct jmb_meeting *m, const char *id_text)
{
	char *end;
	long long id = strtoll(id_text, &end, 10);

	for (size_t i = 0; *end == '\0' && id > 0 && i < m->n_attendees; i++) {
		if (m->attendees[i].id == id)
			return &m->attendees[i];
	}
	return NULL;
}

/* The addresses of m's invitees of role, but skip. */
static const char *const *invitees_but(struct jmb_pool *pool, const struct jmb_meeting *m,
                                       enum jmb_role role, const struct jmb_attendee *skip)
{
	const char **mails = jmb_pool_calloc(pool, m->n_attendees + 1, sizeof(*mails));
	size_t n = 0;

	for (size_t i = 0; i < m->n_attendees; i++) {
		if (&m->attendees[i] != skip && m->attendees[i].role == role)
			mails[n++] = m->attendees[i].mail;
	}
	return mails;
}

void meeting_input_from(struct jmb_pool *pool, const struct jmb_meeting *m,
                        const struct jmb_attendee *skip, struct jmb_booking_input *in)
{
	*in = (struct jmb_booking_input){
	    .title = m->title,
	    .description = m->description,
	    .has_start_utc = true,
	    .start_utc = m->start,
	    .timezone = m->timezone,
	    .duration = jmb_pool_printf(pool, "%ld", m->duration),
	    .moderators = invitees_but(pool, m, JMB_ROLE_MODERATOR, skip),
	    .guests = invitees_but(pool, m, JMB_ROLE_GUEST, skip),
	    .options = m->options,
	    .recurrence = m->recurrence,
	};
}

enum action_result meeting_remove_attendee(struct jmbd *d, struct jmb_request *req,
                                           struct jmb_meeting **m, const struct jmb_attendee *a)
{
	struct jmb_field_errors errors;
	struct jmb_booking_input input;

	meeting_input_from(req->pool, *m, a, &input);
	return meeting_update(d, req, &input, m, &errors);
}

enum action_result meeting_resend_invitation(struct jmbd *d, struct jmb_request *req,
                                             const struct jmb_meeting *m,
                                             const struct jmb_attendee *a)
{
	struct jmb_side_effects fx;
	struct jmb_error error;
	enum jmb_store_result r;

	notify_invitation_again(d->rt, d->store, req->pool, m, a, jmbd_now(), &fx);
	r = jmb_store_outbox_add(d->store, &fx, &error);
	if (r != JMB_STORE_OK)
		return store_failed("invitation_resend", r, &error);
	jmb_log(JMB_LOG_INFO, "invitation_resent", "meeting",
	        jmb_pool_printf(req->pool, "%lld", (long long)m->id), "attendee",
	        jmb_pool_printf(req->pool, "%lld", (long long)a->id), "user", req->identity->login,
	        NULL);
	return ACTION_OK;
}

enum action_result meeting_answer(struct jmbd *d, struct jmb_request *req,
                                  const struct jmb_meeting *m, const struct jmb_attendee *a,
                                  enum jmb_partstat answer)
{
	struct jmb_side_effects fx;
	struct jmb_error error;
	enum jmb_store_result r;

	notify_answer(d->rt, d->store, req->pool, m, a, answer, jmbd_now(), &fx);
	r = jmb_store_attendee_set_status_fx(d->store, a->token, answer, jmbd_now(), &fx, &error);
	if (r != JMB_STORE_OK)
		return store_failed("attendee_set_status", r, &error);
	/* The invitee by their attendee id: enough to find them with jmbctl
	   meetings show, without putting mail addresses in the log. */
	jmb_log(JMB_LOG_INFO, "invitation_answered", "meeting",
	        jmb_pool_printf(req->pool, "%lld", (long long)m->id), "attendee",
	        jmb_pool_printf(req->pool, "%lld", (long long)a->id), "room", m->room, "answer",
	        jmb_partstat_name(answer), NULL);
	return ACTION_OK;
}

enum action_result meeting_answer_occurrence(struct jmbd *d, struct jmb_request *req,
                                             const struct jmb_meeting *m,
                                             const struct jmb_attendee *a,
                                             const struct jmb_occurrence *occ,
                                             enum jmb_partstat answer)
{
	struct jmb_meeting at;
	struct jmb_side_effects fx;
	struct jmb_error error;
	enum jmb_store_result r;
	char id[20];

	/* The organiser's notice names the occurrence. */
	jmb_meeting_at(&at, m, occ);
	notify_answer(d->rt, d->store, req->pool, &at, a, answer, jmbd_now(), &fx);
	r = jmb_store_occurrence_answer_fx(d->store, a->token, occ->recurrence_id, answer,
	                                   jmbd_now(), &fx, &error);
	if (r != JMB_STORE_OK)
		return store_failed("occurrence_answer", r, &error);
	jmb_recurrence_id_format(occ->recurrence_id, id, sizeof(id));
	jmb_log(JMB_LOG_INFO, "invitation_answered", "meeting",
	        jmb_pool_printf(req->pool, "%lld", (long long)m->id), "attendee",
	        jmb_pool_printf(req->pool, "%lld", (long long)a->id), "occurrence", id, "answer",
	        jmb_partstat_name(answer), NULL);
	return ACTION_OK;
}

enum action_result meeting_window(struct jmbd *d, struct jmb_request *req, time_t after,
                                  struct jmb_meeting_list *list_r)
{
	struct jmb_error error;
	enum jmb_store_result r = jmb_store_meetings_for_user(
	    d->store, req->pool, req->identity->login, req->identity->mails, after, (time_t)1 << 62,
	    false, list_r, &error);

	return r == JMB_STORE_OK ? ACTION_OK : store_failed("meetings_for_user", r, &error);
}

bool meeting_answer_form(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp,
                         const struct jmb_meeting *m, const struct jmb_attendee *a)
{
	const char *answer = jmb_request_form(req, "answer");
	const char *occurrence = jmb_request_form(req, "occurrence");
	enum jmb_partstat status;
	enum action_result r;

	if (answer == NULL || jmb_partstat_parse(answer, &status) < 0 ||
	    status == JMB_PARTSTAT_NEEDS_ACTION) {
		render_error(d, req, resp, 400, N_("Please answer with one of the buttons."));
		return false;
	}
	if (jmbd_now() >= m->last_end) {
		render_error(d, req, resp, 410, N_("This meeting is over."));
		return false;
	}
	if (occurrence != NULL) {
		time_t id;
		struct jmb_occurrence occ;

		if (m->recurrence == NULL || jmb_recurrence_id_parse(occurrence, &id) != 0 ||
		    !jmb_meeting_occurrence(m, id, &occ) || occ.cancelled) {
			render_error(d, req, resp, 404,
			             N_("The series has no occurrence at this time."));
			return false;
		}
		if (jmbd_now() >= occ.end) {
			render_error(d, req, resp, 410, N_("This meeting is over."));
			return false;
		}
		r = meeting_answer_occurrence(d, req, m, a, &occ, status);
	} else {
		r = meeting_answer(d, req, m, a, status);
	}
	if (r != ACTION_OK)
		meeting_action_fail(d, req, resp, r);
	return r == ACTION_OK;
}

enum action_result meeting_list(struct jmbd *d, struct jmb_request *req, bool archive,
                                struct jmb_meeting_list *list_r)
{
	time_t now = jmbd_now();
	time_t after = archive ? now - d->rt->settings.booking.archive_days * 86400L : now;
	time_t before = archive ? now : (time_t)1 << 62;
	struct jmb_error error;
	enum jmb_store_result r;

	r = jmb_store_meetings_for_user(d->store, req->pool, req->identity->login,
	                                req->identity->mails, after, before, archive, list_r,
	                                &error);
	return r == JMB_STORE_OK ? ACTION_OK : store_failed("meetings_for_user", r, &error);
}

/* Looks an invitee up by personal token; answers 404/410 itself. */
const struct jmb_attendee *attendee_load(struct jmbd *d, struct jmb_request *req,
                                         struct jmb_response *resp, const char *token,
                                         bool invitee_only, struct jmb_meeting **m_r)
{
	struct jmb_error error;
	size_t index = 0;
	enum jmb_store_result r;

	if (!jmb_token_is_wellformed(token)) {
		render_error(d, req, resp, 404, N_("This link is not valid."));
		return NULL;
	}
	if (invitee_only)
		r = jmb_store_invitee_by_token(d->store, req->pool, token, m_r, &error);
	else
		r = jmb_store_attendee_by_token(d->store, req->pool, token, m_r, &index, &error);
	if (r == JMB_STORE_NOT_FOUND) {
		render_error(d, req, resp, 404, N_("This link is not valid."));
		return NULL;
	}
	if (r != JMB_STORE_OK) {
		jmb_log(JMB_LOG_ERROR, "attendee_by_token", "error", error.text, NULL);
		metrics_count(METRICS_STORE_ERROR);
		meeting_action_fail(d, req, resp, ACTION_FAILED);
		return NULL;
	}
	if ((*m_r)->deleted != 0) {
		render_error(d, req, resp, 410, N_("This meeting was cancelled."));
		return NULL;
	}
	return &(*m_r)->attendees[index];
}

void meeting_action_fail(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp,
                         enum action_result r)
{
	switch (r) {
	case ACTION_NOT_FOUND:
		render_error(d, req, resp, 404, N_("This meeting does not exist or was deleted."));
		break;
	case ACTION_FORBIDDEN:
		render_error(d, req, resp, 403,
		             N_("Only the organiser of this meeting may change it."));
		break;
	default:
		render_error(d, req, resp, 503, N_("The service is temporarily unavailable."));
		break;
	}
}

void meeting_fill_live(struct jmbd *d, struct jmb_meeting *m)
{
	const struct jmb_settings *s = &d->rt->settings;
	time_t now = jmbd_now();
	struct jmb_room_window w = jmb_room_window(m, now, s->booking.link_opens_before,
	                                           s->jitsi.start_early, s->jitsi.room_grace);
	struct jmb_error error;

	m->live_participants = 0;
	if (m->deleted != 0 || jmb_room_state(&w, now) != JMB_ROOM_OPEN)
		return;
	/* Sessions from before the window belong to an earlier use of the name. */
	if (jmb_store_room_live(d->store, m->room, w.opens, &m->live_participants, &m->live_since,
	                        &error) != JMB_STORE_OK) {
		jmb_log(JMB_LOG_WARNING, "room_live", "error", error.text, NULL);
		m->live_participants = 0;
	}
}
