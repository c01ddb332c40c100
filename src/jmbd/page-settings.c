/* /me/settings: what a user sets for themself, today the time zone they read
 * times in (the list, the meeting pages, the week view, the form's first
 * suggestion). Meetings keep their own zone; this only changes the view. */
#include "config.h"

#include <string.h>

#include "daemon.h"
#include "handlers.h"
#include "render.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "zone-options.h"

static void render_settings(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp,
                            unsigned status, const char *error)
{
	const char *zone = viewer_zone(d, req);
	json_t *model = json_pack("{s:o, s:s, s:b}", "zone_groups", zone_groups(d, req, zone),
	                          "server_zone", d->rt->settings.server.timezone, "saved",
	                          jmb_request_query(req, "saved") != NULL);

	if (error != NULL)
		json_object_set_new(model, "error", json_string(tr(d, req, error)));
	render_page(d, req, resp, status, "settings", model);
}

void page_settings(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	render_settings(d, req, resp, 200, NULL);
}

void page_settings_save(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	const char *zone = jmb_request_form(req, "timezone");
	struct jmb_error error;

	if (zone == NULL || !jmb_timezone_is_valid(zone)) {
		render_settings(d, req, resp, 422, N_("Unknown time zone."));
		return;
	}
	/* The server's own zone is stored as "none": it follows [server] timezone. */
	if (strcmp(zone, d->rt->settings.server.timezone) == 0)
		zone = "";
	if (jmb_store_user_set_timezone(d->store, req->identity->login, zone, &error) !=
	    JMB_STORE_OK) {
		jmb_log(JMB_LOG_ERROR, "user_set_timezone", "error", error.text, NULL);
		render_error(d, req, resp, 503, N_("The service is temporarily unavailable."));
		return;
	}
	jmb_response_redirect(resp, 303, "/me/settings?saved=1");
}
