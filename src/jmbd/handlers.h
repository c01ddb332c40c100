/* Every route handler of jmbd, one file per page family. */
#ifndef JMBD_HANDLERS_H
#define JMBD_HANDLERS_H

#include <jansson.h>

#include "publish/ical-feed.h"
#include "router.h"

struct jmb_attendee;
struct jmb_meeting;

/* page-meetings.c */
route_handler page_meetings, page_archive, page_meeting, page_calendar;
/* page-meeting-form.c */
route_handler page_meeting_new, page_meeting_create, page_meeting_edit, page_meeting_save,
    page_meeting_delete_confirm, page_meeting_delete;
route_handler api_openapi;
route_handler page_settings, page_settings_save;
route_handler page_attendee_resend, page_attendee_remove, page_meeting_answer;
/* api-meetings.c */
route_handler api_meetings_list, api_meetings_create, api_meeting_get, api_meeting_patch,
    api_meeting_delete;
/* page-join.c */
route_handler page_start, page_join, page_close, page_legacy;
/* jitsi-reservations.c */
route_handler jitsi_reservation_create, jitsi_reservation_get, jitsi_reservation_delete;
/* attendance.c */
route_handler api_meeting_attendance, page_meeting_attendance_csv;
route_handler api_occurrences_list, api_occurrence_patch, api_occurrence_delete,
    api_occurrence_split;
route_handler page_occurrence_cancel, page_occurrence_move;
/* jitsi-events.c */
route_handler jitsi_event;
/* page-invitation.c */
route_handler page_invitation, page_invitation_answer;
/* The invitation page of invitee a with the given HTTP status (403 when a
 * personal link is used before it opens). */
/* m: the meeting, or the whole series (the page shows its next occurrence). */
void invitation_render(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp,
                       unsigned status, const struct jmb_meeting *m, const struct jmb_attendee *a,
                       bool answered);
/* page-feed.c */
route_handler page_feed, page_feed_rotate, api_feed_get, api_feed_rotate;
/* The requester's feed URLs ({"url", "webcal"}), creating the token on first use. */
json_t *feed_urls(struct jmbd *d, struct jmb_request *req, bool rotate);
/* The options every calendar jmbd serves is written with (the feed, one
 * meeting's file): links, reminders, refresh, the join text in the request's
 * language; calendar_name names the calendar. */
struct jmb_feed_options calendar_options(struct jmbd *d, struct jmb_request *req,
                                         const char *calendar_name, time_t now);
/* api-directory.c */
route_handler api_directory_search;
/* page-system.c */
route_handler page_home, page_healthz, page_static, page_logout;
/* metrics.c */
route_handler page_metrics;

#endif
