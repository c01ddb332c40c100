/* What the meeting page does for one invitee: the organiser sends an
 * invitation again or takes someone off the meeting (who is told), and a
 * logged-in invitee answers with their own entry. Forms only; each redirects
 * back to the meeting page with what happened. */
#include "config.h"

#include <string.h>

#include "daemon.h"
#include "handlers.h"
#include "meeting-actions.h"
#include "render.h"

/* The organiser's meeting (not over) and the invitee the path names;
   answers the error itself and returns NULL when there is none. */
static const struct jmb_attendee *owned_attendee(struct jmbd *d, struct jmb_request *req,
                                                 struct jmb_response *resp,
                                                 struct jmb_meeting **m_r)
{
	enum action_result r = meeting_load(d, req, req->params[0], ACCESS_OWNER, m_r);
	const struct jmb_attendee *a;

	if (r != ACTION_OK) {
		meeting_action_fail(d, req, resp, r);
		return NULL;
	}
	if (jmbd_now() >= (*m_r)->last_end) {
		render_error(d, req, resp, 410, N_("This meeting is over."));
		return NULL;
	}
	a = meeting_attendee(*m_r, req->params[1]);
	if (a == NULL)
		render_error(d, req, resp, 404, N_("This person is not invited to this meeting."));
	return a;
}

static void back_to_meeting(struct jmb_request *req, struct jmb_response *resp,
                            const struct jmb_meeting *m, const char *what)
{
	jmb_response_redirect(
	    resp, 303, jmb_pool_printf(req->pool, "/meetings/%lld?%s=1", (long long)m->id, what));
}

void page_attendee_resend(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	struct jmb_meeting *m;
	const struct jmb_attendee *a = owned_attendee(d, req, resp, &m);
	enum action_result r;

	if (a == NULL)
		return;
	r = meeting_resend_invitation(d, req, m, a);
	if (r != ACTION_OK)
		meeting_action_fail(d, req, resp, r);
	else
		back_to_meeting(req, resp, m, "resent");
}

void page_attendee_remove(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	struct jmb_meeting *m;
	const struct jmb_attendee *a = owned_attendee(d, req, resp, &m);
	enum action_result r;

	if (a == NULL)
		return;
	r = meeting_remove_attendee(d, req, &m, a);
	if (r == ACTION_INVALID)
		render_error(d, req, resp, 409,
		             N_("This meeting can no longer be changed: edit it to see why."));
	else if (r != ACTION_OK)
		meeting_action_fail(d, req, resp, r);
	else
		back_to_meeting(req, resp, m, "removed");
}

void page_meeting_answer(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	const struct jmb_attendee *mine = NULL;
	struct jmb_meeting *m;
	enum action_result r = meeting_load(d, req, req->params[0], ACCESS_VIEW, &m);

	if (r != ACTION_OK) {
		meeting_action_fail(d, req, resp, r);
		return;
	}
	meeting_role_of(req, m, &mine);
	if (mine == NULL) {
		render_error(d, req, resp, 403, N_("Only invitees answer an invitation."));
		return;
	}
	if (meeting_answer_form(d, req, resp, m, mine))
		back_to_meeting(req, resp, m, "answered");
}
