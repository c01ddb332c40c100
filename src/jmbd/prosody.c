/* What jmb's endpoints for Prosody's modules (mod_reservations,
 * event_sync) share: their bearer token and their {"message"} answers. */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "prosody.h"
#include "render.h"
#include "util/log.h"
#include "util/secret.h"

void prosody_answer(struct jmb_response *resp, unsigned status, const char *message)
{
	render_json(resp, status, json_pack("{s:s}", "message", message));
}

/* 404 when the endpoints are off, 401 without the right bearer token. */
bool prosody_may_call(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	const char *token = d->rt->settings.jitsi.prosody_token;
	const char *auth = jmb_request_header(req, "Authorization");

	if (token == NULL || *token == '\0') {
		prosody_answer(resp, 404, "Not found.");
		return false;
	}
	if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0 ||
	    !jmb_secure_streq(auth + 7, token)) {
		jmb_log(JMB_LOG_WARNING, "prosody_unauthorised", "peer", req->peer, NULL);
		jmb_response_add_header(resp, "WWW-Authenticate", "Bearer");
		prosody_answer(resp, 401, "A valid bearer token is needed.");
		return false;
	}
	return true;
}
