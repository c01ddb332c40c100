/* The meeting list, the archive and a meeting's own page (with the attendee
 * table for its organiser). */
#include "config.h"

#include "daemon.h"
#include "handlers.h"
#include "meeting-actions.h"
#include "render.h"
#include "view-meeting.h"

static void render_list(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp,
                        bool archive)
{
	struct jmb_meeting_list list;
	enum action_result r = meeting_list(d, req, archive, &list);
	json_t *items = json_array();

	if (r != ACTION_OK) {
		json_decref(items);
		meeting_action_fail(d, req, resp, r);
		return;
	}
	for (size_t i = 0; i < list.count; i++)
		json_array_append_new(items, view_meeting(d, req, list.items[i]));
	json_t *model =
	    json_pack("{s:o, s:b, s:I, s:b, s:b}", "meetings", items, "archive", archive,
	              "archive_days", (json_int_t)d->rt->settings.booking.archive_days, "deleted",
	              jmb_request_query(req, "deleted") != NULL, "feed_rotated",
	              jmb_request_query(req, "feed_rotated") != NULL);
	json_t *feed = archive ? NULL : feed_urls(d, req, false);
	if (feed != NULL)
		json_object_set_new(model, "feed", feed);
	render_page(d, req, resp, 200, archive ? "archive" : "meetings", model);
}

void page_meetings(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	render_list(d, req, resp, false);
}

void page_archive(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	render_list(d, req, resp, true);
}

void page_meeting(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	struct jmb_meeting *m;
	enum action_result r = meeting_load(d, req, req->params[0], ACCESS_VIEW, &m);

	if (r != ACTION_OK) {
		meeting_action_fail(d, req, resp, r);
		return;
	}
	render_page(d, req, resp, 200, "meeting",
	            json_pack("{s:o, s:b}", "meeting", view_meeting(d, req, m), "saved",
	                      jmb_request_query(req, "saved") != NULL));
}
