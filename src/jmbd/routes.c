/* The route table of jmbd. Plugin routes (/auth/<plugin>/...) are matched
 * after these, by the plugin loader. */
#include "config.h"

#include "dispatch.h"
#include "handlers.h"

const struct route jmbd_routes[] = {
    {"GET", "/", ROUTE_PUBLIC, page_home},
    {"GET", "/healthz", ROUTE_BARE, page_healthz},
    {"GET", "/metrics", ROUTE_BARE, page_metrics},
    {"GET", "/static/{}", ROUTE_BARE, page_static},
    {"POST", "/logout", ROUTE_FORM, page_logout},
    {"GET", "/close", ROUTE_PUBLIC, page_close},

    {"GET", "/start/{}", ROUTE_LOGIN, page_start},
    {"GET", "/j/{}", ROUTE_BARE, page_join},
    {"GET", "/r/{}", ROUTE_PUBLIC, page_invitation},
    {"POST", "/r/{}", ROUTE_FORM, page_invitation_answer},
    {"GET", "/feed/{}", ROUTE_BARE, page_feed},

    /* Prosody's mod_reservations, with its own bearer token. */
    {"POST", "/jitsi/reservations/conference", ROUTE_BARE, jitsi_reservation_create},
    {"GET", "/jitsi/reservations/conference/{}", ROUTE_BARE, jitsi_reservation_get},
    {"DELETE", "/jitsi/reservations/conference/{}", ROUTE_BARE, jitsi_reservation_delete},
    /* Prosody's event_sync component (api_prefix = <public_url>/jitsi). */
    {"POST", "/jitsi/events/{}/{}", ROUTE_BARE, jitsi_event},
    {"POST", "/me/feed/rotate", ROUTE_LOGIN | ROUTE_FORM, page_feed_rotate},

    /* The legacy CGI addresses found in mails and calendars already sent. */
    {"GET", "/booking.cgi", ROUTE_BARE, page_legacy},
    {"GET", "/token.cgi", ROUTE_BARE, page_legacy},
    {"GET", "/join.cgi", ROUTE_BARE, page_legacy},
    {"GET", "/invitation.cgi", ROUTE_BARE, page_legacy},
    {"GET", "/ical.cgi", ROUTE_BARE, page_legacy},
    {"GET", "/close.cgi", ROUTE_BARE, page_legacy},

    {"GET", "/meetings", ROUTE_LOGIN, page_meetings},
    {"POST", "/meetings", ROUTE_LOGIN | ROUTE_FORM | ROUTE_EDITOR, page_meeting_create},
    {"GET", "/meetings/archive", ROUTE_LOGIN, page_archive},
    {"GET", "/calendar", ROUTE_LOGIN, page_calendar},
    {"GET", "/me/settings", ROUTE_LOGIN, page_settings},
    {"POST", "/me/settings", ROUTE_LOGIN | ROUTE_FORM, page_settings_save},
    {"GET", "/meetings/new", ROUTE_LOGIN | ROUTE_EDITOR, page_meeting_new},
    {"GET", "/meetings/{}", ROUTE_LOGIN, page_meeting},
    {"POST", "/meetings/{}", ROUTE_LOGIN | ROUTE_FORM, page_meeting_save},
    {"GET", "/meetings/{}/edit", ROUTE_LOGIN, page_meeting_edit},
    {"GET", "/meetings/{}/attendance.csv", ROUTE_LOGIN, page_meeting_attendance_csv},
    {"GET", "/meetings/{}/delete", ROUTE_LOGIN, page_meeting_delete_confirm},
    {"POST", "/meetings/{}/delete", ROUTE_LOGIN | ROUTE_FORM, page_meeting_delete},
    {"POST", "/meetings/{}/answer", ROUTE_LOGIN | ROUTE_FORM, page_meeting_answer},
    {"POST", "/meetings/{}/attendees/{}/resend", ROUTE_LOGIN | ROUTE_FORM, page_attendee_resend},
    {"POST", "/meetings/{}/attendees/{}/remove", ROUTE_LOGIN | ROUTE_FORM, page_attendee_remove},
    {"POST", "/meetings/{}/occurrences/{}/cancel", ROUTE_LOGIN | ROUTE_FORM,
     page_occurrence_cancel},
    {"POST", "/meetings/{}/occurrences/{}", ROUTE_LOGIN | ROUTE_FORM, page_occurrence_move},

    {"GET", "/api/v1/meetings", ROUTE_LOGIN | ROUTE_API, api_meetings_list},
    {"POST", "/api/v1/meetings", ROUTE_LOGIN | ROUTE_API | ROUTE_EDITOR, api_meetings_create},
    {"GET", "/api/v1/meetings/{}", ROUTE_LOGIN | ROUTE_API, api_meeting_get},
    {"PATCH", "/api/v1/meetings/{}", ROUTE_LOGIN | ROUTE_API, api_meeting_patch},
    {"DELETE", "/api/v1/meetings/{}", ROUTE_LOGIN | ROUTE_API, api_meeting_delete},
    {"GET", "/api/v1/meetings/{}/attendance", ROUTE_LOGIN | ROUTE_API, api_meeting_attendance},
    {"GET", "/api/v1/meetings/{}/occurrences", ROUTE_LOGIN | ROUTE_API, api_occurrences_list},
    {"PATCH", "/api/v1/meetings/{}/occurrences/{}", ROUTE_LOGIN | ROUTE_API, api_occurrence_patch},
    {"DELETE", "/api/v1/meetings/{}/occurrences/{}", ROUTE_LOGIN | ROUTE_API,
     api_occurrence_delete},
    {"POST", "/api/v1/meetings/{}/occurrences/{}/split", ROUTE_LOGIN | ROUTE_API,
     api_occurrence_split},
    {"GET", "/api/v1/me/feed", ROUTE_LOGIN | ROUTE_API, api_feed_get},
    {"POST", "/api/v1/me/feed/rotate", ROUTE_LOGIN | ROUTE_API, api_feed_rotate},
    {"GET", "/api/v1/directory", ROUTE_LOGIN | ROUTE_API, api_directory_search},
    {"GET", "/api/v1/openapi.json", ROUTE_BARE, api_openapi},
    {NULL, NULL, 0, NULL},
};
