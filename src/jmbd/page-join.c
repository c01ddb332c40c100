/* Joining rooms: /start/<room> for people who log in (owners, internal
 * moderators, private rooms) and /j/<token> personal links for invitees.
 * Checks run as a chain like the legacy token.cgi and join.cgi did. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "domain/recurrence.h"
#include "daemon.h"
#include "handlers.h"
#include "domain/identity.h"
#include "domain/room.h"
#include "publish/jitsi-token.h"
#include "join-counter.h"
#include "util/log.h"
#include "meeting-actions.h"
#include "util/memory.h"
#include "render.h"
#include "util/secret.h"

static char *lowercase(struct jmb_pool *pool, const char *s)
{
	char *out = jmb_pool_strdup(pool, s);

	for (char *p = out; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return out;
}

static void refuse(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp,
                   unsigned status, const char *msgid, const char *why)
{
	jmb_log(JMB_LOG_INFO, "join_refused", "why", why, "user",
	        req->identity != NULL ? req->identity->login : "-", NULL);
	render_error(d, req, resp, status, msgid);
}

/* Signs a token and redirects to the room; tokens are never logged. */
static void redirect_to_room(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp,
                             const char *room, const struct jmb_jitsi_user *user)
{
	const struct jmb_jitsi_settings *jitsi = &d->rt->settings.jitsi;
	struct jmb_error error;
	char *token = NULL, *url;

	if (user != NULL) {
		token = jmb_jitsi_token(jitsi, room, user, jmbd_now(), &error);
		if (token == NULL) {
			jmb_log(JMB_LOG_ERROR, "jitsi_token", "error", error.text, NULL);
			render_error(d, req, resp, 500,
			             N_("The meeting cannot be opened right now."));
			return;
		}
	}
	url = jmb_jitsi_room_url(jitsi, room, token);
	jmb_response_redirect(resp, 302, url);
	metrics_count(METRICS_JOIN);
	/* On the request's own log line: one line per join. */
	jmb_response_log(resp, "room", room);
	jmb_response_log(resp, "as",
	                 user == NULL      ? "anonymous"
	                 : user->moderator ? "moderator"
	                                   : "member");
	if (token != NULL)
		explicit_bzero(token, strlen(token));
	free(token);
	free(url);
}

static struct jmb_jitsi_user moderator_from_identity(struct jmbd *d, const struct jmb_identity *id)
{
	struct jmb_jitsi_user u = {
	    .id = id->login,
	    .name = *id->name != '\0' ? id->name : id->login,
	    .email = id->mail,
	    .moderator = true,
	    .lifetime = d->rt->settings.jitsi.owner_token_lifetime,
	};
	return u;
}

/* A booked meeting: only its owner and moderators, from start_early before
 * the start until the end. */
static void start_booked(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp,
                         const struct jmb_meeting *m)
{
	const char *role = meeting_role_of(req, m, NULL);
	time_t now = jmbd_now();
	struct jmb_jitsi_user user;

	m = jmb_meeting_current(req->pool, m, now);
	if (role == NULL || strcmp(role, "guest") == 0) {
		refuse(d, req, resp, 403,
		       N_("Only the organiser and the moderators of this meeting can start it. "
		          "Guests join with the personal link of their invitation."),
		       "not owner or moderator");
		return;
	}
	if (now >= m->end) {
		refuse(d, req, resp, 403, N_("This meeting is over."), "meeting over");
		return;
	}
	if (now < m->start - d->rt->settings.jitsi.start_early * 60) {
		refuse(d, req, resp, 403,
		       N_("This meeting cannot be opened yet: it opens a few minutes before its "
		          "start."),
		       "too early");
		return;
	}
	struct jmb_policy_subject who = {
	    .identity = req->identity,
	    .role = strcmp(role, "owner") == 0 ? JMB_POLICY_OWNER : JMB_POLICY_MODERATOR,
	};
	struct jmb_token_grants grants =
	    jmb_policy_grants(&d->rt->settings.policy, &who, m->options.recording_off, false);
	user = moderator_from_identity(d, req->identity);
	user.grants = &grants;
	redirect_to_room(d, req, resp, m->room, &user);
}

void page_start(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	const struct jmb_jitsi_settings *jitsi = &d->rt->settings.jitsi;
	const char *room = lowercase(req->pool, req->params[0]);
	struct jmb_meeting *m = NULL;
	struct jmb_jitsi_user user;
	struct jmb_error error;
	long uses = 0;
	enum jmb_store_result r;
	/* A private or ad-hoc room is its opener's: they are its owner. */
	struct jmb_policy_subject who = {.identity = req->identity, .role = JMB_POLICY_OWNER};
	struct jmb_token_grants grants =
	    jmb_policy_grants(&d->rt->settings.policy, &who, false, false);

	if (!jmb_room_name_is_valid(room)) {
		render_error(d, req, resp, 404, N_("This room does not exist."));
		return;
	}
	r = jmb_store_meeting_by_room(d->store, req->pool, room,
	                              jmbd_now() - d->rt->settings.jitsi.room_grace * 60, &m,
	                              &error);
	if (r == JMB_STORE_OK) {
		start_booked(d, req, resp, m);
		return;
	}
	if (r != JMB_STORE_NOT_FOUND) {
		meeting_action_fail(d, req, resp, ACTION_FAILED);
		jmb_log(JMB_LOG_ERROR, "meeting_by_room", "error", error.text, NULL);
		metrics_count(METRICS_STORE_ERROR);
		return;
	}
	/* The private room named after the user's login is theirs alone. */
	if (jitsi->private_rooms && strcmp(room, lowercase(req->pool, req->identity->login)) == 0) {
		if (jmb_store_private_room_use(d->store, req->identity->login, jmbd_now(), &uses,
		                               &error) != JMB_STORE_OK) {
			jmb_log(JMB_LOG_WARNING, "private_room_count", "error", error.text, NULL);
			metrics_count(METRICS_STORE_ERROR);
		}
		user = moderator_from_identity(d, req->identity);
		user.grants = &grants;
		redirect_to_room(d, req, resp, room, &user);
		return;
	}
	if (!jitsi->allow_adhoc_rooms) {
		refuse(
		    d, req, resp, 403,
		    N_("This room is not booked. Book a meeting first, or use your private room."),
		    "room not booked");
		return;
	}
	user = moderator_from_identity(d, req->identity);
	user.grants = &grants;
	redirect_to_room(d, req, resp, room, &user);
}

/* True when mail's domain is one of the institution's: such moderators can log in. */
static bool is_local_address(struct jmbd *d, const char *mail)
{
	const char *at = strrchr(mail, '@');
	char *const *domains = d->rt->settings.mail.local_domains;

	for (size_t i = 0; at != NULL && domains != NULL && domains[i] != NULL; i++) {
		if (strcasecmp(at + 1, domains[i]) == 0)
			return true;
	}
	return false;
}

void page_join(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	const struct jmb_jitsi_settings *jitsi = &d->rt->settings.jitsi;
	struct jmb_meeting *m = NULL, *series;
	const struct jmb_attendee *a = attendee_load(d, req, resp, req->params[0], true, &m);

	if (a == NULL)
		return;
	series = m;
	m = (struct jmb_meeting *)jmb_meeting_current(req->pool, m, jmbd_now());
	if (jmbd_now() >= m->end) {
		render_error(d, req, resp, 410, N_("This meeting is over."));
		return;
	}
	/* A link is a key to the room only around the meeting, whatever its role:
	   before that it shows when the room opens. */
	if (jmbd_now() < m->start - d->rt->settings.booking.link_opens_before * 60) {
		jmb_log(JMB_LOG_INFO, "join_refused", "why", "too early", "user", "-", NULL);
		invitation_render(d, req, resp, 403, series, a, false);
		return;
	}
	join_counter_add(d->joins, a->token);
	struct jmb_policy_subject who = {
	    .identity = req->identity, /* NULL: /j/ links are served without a session */
	    .role = a->role == JMB_ROLE_MODERATOR ? JMB_POLICY_MODERATOR : JMB_POLICY_GUEST,
	};
	struct jmb_token_grants grants =
	    jmb_policy_grants(&d->rt->settings.policy, &who, m->options.recording_off, true);
	struct jmb_jitsi_user user = {
	    .id = a->mail,
	    .name = a->name != NULL && *a->name != '\0' ? a->name : a->mail,
	    .email = a->mail,
	    .moderator = a->role == JMB_ROLE_MODERATOR,
	    .lifetime = jitsi->external_token_lifetime,
	    .grants = &grants,
	};
	if (a->role == JMB_ROLE_MODERATOR && is_local_address(d, a->mail)) {
		/* They can log in: they start the room like its owner. */
		jmb_response_redirect(resp, 302, jmb_pool_printf(req->pool, "/start/%s", m->room));
		return;
	}
	if (a->role == JMB_ROLE_GUEST) {
		redirect_to_room(d, req, resp, m->room,
		                 jitsi->guest_tokens == JMB_GUEST_TOKENS_MEMBER ? &user : NULL);
		return;
	}
	redirect_to_room(d, req, resp, m->room, &user);
}

/* Where Jitsi's close page can point: back to the list for people logged in. */
void page_close(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	const char *close_url = d->rt->settings.server.close_url;

	if (req->identity != NULL)
		jmb_response_redirect(resp, 302, "/meetings");
	else if (*close_url != '\0')
		jmb_response_redirect(resp, 302, close_url);
	else
		render_page(d, req, resp, 200, "closed", json_object());
}

/* The legacy CGI addresses, so links already sent keep working. */
void page_legacy(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	const char *path = req->path, *target = NULL;
	const char *id = jmb_request_query(req, "id");

	if (strcmp(path, "/booking.cgi") == 0)
		target = "/meetings";
	else if (strcmp(path, "/close.cgi") == 0)
		target = "/close";
	else if (strcmp(path, "/token.cgi") == 0 && jmb_request_query(req, "room") != NULL)
		target = jmb_pool_printf(req->pool, "/start/%s",
		                         jmb_url_encode(req->pool, jmb_request_query(req, "room")));
	else if (strcmp(path, "/join.cgi") == 0 && id != NULL)
		target = jmb_pool_printf(req->pool, "/j/%s", jmb_url_encode(req->pool, id));
	else if (strcmp(path, "/invitation.cgi") == 0 && id != NULL)
		/* Never a silent change: the invitation page asks with a button. */
		target = jmb_pool_printf(req->pool, "/r/%s", jmb_url_encode(req->pool, id));
	else if (strcmp(path, "/ical.cgi") == 0 && req->query.count > 0)
		target = jmb_pool_printf(req->pool, "/feed/%s.ics",
		                         jmb_url_encode(req->pool, req->query.items[0].name));
	if (target == NULL) {
		render_error(d, req, resp, 404, N_("This link is not valid."));
		return;
	}
	jmb_response_redirect(resp, 301, target);
}
