/* Unit tests of src/lib/publish/ical-feed.c: every feed is parsed back with libical and each
 * property checked; times are converted with the feed's own VTIMEZONEs (DST weeks in
 * Europe/Paris, America/New_York, Australia/Sydney); owner and invitee views,
 * cancelled meetings, alarms, hostile text, folding, concurrent builds; series (RRULE,
 * EXDATE, moved occurrences, one occurrence for iMIP, the feed's expiry). */
#include "config.h"

#include <libical/ical.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ical-feed-sample.h"
#include "publish/ical-feed.h"
#include "util/timeutil.h"

#define ALICE_LOGIN "alice"
static const char *const alice_mails[] = {"alice@example.org", "a.martin@example.org", NULL};

/* --- helpers ------------------------------------------------------------------------ */

static int count_errors(icalcomponent *c)
{
	int n = icalcomponent_count_properties(c, ICAL_XLICERROR_PROPERTY);

	for (icalcomponent *sub = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT);
	     sub != NULL; sub = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
		n += count_errors(sub);
	return n;
}

/* Checks the octets of a feed, then parses it; the caller frees the result. */
static icalcomponent *parse_feed(const char *text, size_t len)
{
	icalcomponent *cal;

	assert_non_null(text);
	assert_int_equal(strlen(text), len);
	assert_true(jmb_ical_folding_is_clean(text, len));
	cal = icalparser_parse_string(text);
	assert_non_null(cal);
	assert_int_equal(icalcomponent_isa(cal), ICAL_VCALENDAR_COMPONENT);
	assert_int_equal(count_errors(cal), 0);
	return cal;
}

static icalcomponent *feed_of(const struct jmb_feed_options *o, struct jmb_meeting **items,
                              size_t n, const char *login, const char *const *mails)
{
	struct jmb_meeting_list list = {items, n};
	size_t len;
	char *text = jmb_ical_feed(o, &list, login, mails, &len);
	icalcomponent *cal = parse_feed(text, len);

	free(text);
	return cal;
}

static icalcomponent *sample_feed(const char *login)
{
	struct jmb_meeting_list list;
	struct jmb_feed_options o;
	const char *const *mails;
	size_t len;
	char *text;
	icalcomponent *cal;

	sample_feed_inputs(login, &list, &o, &mails);
	text = jmb_ical_feed(&o, &list, login, mails, &len);
	cal = parse_feed(text, len);
	free(text);
	return cal;
}

static icalcomponent *event_by_uid(icalcomponent *cal, const char *uid)
{
	for (icalcomponent *ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	     ev != NULL; ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
		if (strcmp(icalcomponent_get_uid(ev), uid) == 0)
			return ev;
	}
	fail_msg("no VEVENT with UID %s", uid);
	return NULL;
}

static bool has_event(icalcomponent *cal, const char *uid)
{
	for (icalcomponent *ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	     ev != NULL; ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
		if (strcmp(icalcomponent_get_uid(ev), uid) == 0)
			return true;
	}
	return false;
}

static icalproperty *only_property(icalcomponent *c, icalproperty_kind kind)
{
	assert_int_equal(icalcomponent_count_properties(c, kind), 1);
	return icalcomponent_get_first_property(c, kind);
}

static const char *x_property(icalcomponent *c, const char *name)
{
	for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_X_PROPERTY); p != NULL;
	     p = icalcomponent_get_next_property(c, ICAL_X_PROPERTY)) {
		if (strcmp(icalproperty_get_x_name(p), name) == 0)
			return icalproperty_get_x(p);
	}
	fail_msg("no %s property", name);
	return NULL;
}

static icalparameter *param(icalproperty *p, icalparameter_kind kind)
{
	icalparameter *par = icalproperty_get_first_parameter(p, kind);

	assert_non_null(par);
	return par;
}

static icalcomponent *vtimezone_of(icalcomponent *cal, const char *tzid)
{
	for (icalcomponent *tz = icalcomponent_get_first_component(cal, ICAL_VTIMEZONE_COMPONENT);
	     tz != NULL; tz = icalcomponent_get_next_component(cal, ICAL_VTIMEZONE_COMPONENT)) {
		if (strcmp(icalproperty_get_tzid(only_property(tz, ICAL_TZID_PROPERTY)), tzid) == 0)
			return tz;
	}
	return NULL;
}

/* The instant a DTSTART/DTEND names, read through the feed's own VTIMEZONE (libical
 * applies its rules), so a wrong or badly cut VTIMEZONE gives a wrong instant. */
static time_t instant_of(icalcomponent *cal, icalproperty *p, const char *want_tzid)
{
	struct icaltimetype t = icalvalue_get_datetime(icalproperty_get_value(p));
	icalparameter *tzid = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
	icalcomponent *vtz;
	icaltimezone *zone;
	time_t utc;

	if (want_tzid == NULL) {
		assert_null(tzid);
		assert_true(icaltime_is_utc(t));
		return icaltime_as_timet(t);
	}
	assert_non_null(tzid);
	assert_string_equal(icalparameter_get_tzid(tzid), want_tzid);
	assert_false(icaltime_is_utc(t));
	vtz = vtimezone_of(cal, want_tzid);
	assert_non_null(vtz);
	zone = icaltimezone_new();
	assert_int_equal(icaltimezone_set_component(zone, icalcomponent_new_clone(vtz)), 1);
	t.zone = NULL;
	utc = icaltime_as_timet_with_zone(t, zone);
	icaltimezone_free(zone, 1);
	return utc;
}

static void assert_event_times(icalcomponent *cal, const char *uid, const char *tzid, time_t start,
                               time_t end)
{
	icalcomponent *ev = event_by_uid(cal, uid);

	assert_int_equal(instant_of(cal, only_property(ev, ICAL_DTSTART_PROPERTY), tzid), start);
	assert_int_equal(instant_of(cal, only_property(ev, ICAL_DTEND_PROPERTY), tzid), end);
}

static struct jmb_meeting meeting(const char *uid, time_t start, const char *zone)
{
	return (struct jmb_meeting){
	    .uid = (char *)uid,
	    .room = "roomabcdefghijklmn",
	    .title = "Title",
	    .description = "",
	    .start = start,
	    .duration = 60,
	    .timezone = (char *)zone,
	    .owner = {.login = "alice", .mail = "alice@example.org", .name = "Alice Martin"},
	    .created = 1773154800,
	    .updated = 1773154800};
}

static struct jmb_feed_options plain_options(void)
{
	return (struct jmb_feed_options){.public_url = "https://jmb.example.org",
	                                 .calendar_name = "Calendar",
	                                 .refresh_minutes = 30,
	                                 .join_label = "Join:",
	                                 .now = SAMPLE_NOW};
}

/* --- calendar, owner and invitee views ---------------------------------------------- */

static void test_calendar_properties(void **state)
{
	icalcomponent *cal = sample_feed("alice");
	icalproperty *refresh;

	assert_string_equal(icalproperty_get_prodid(only_property(cal, ICAL_PRODID_PROPERTY)),
	                    "-//jmb//jmb " PACKAGE_VERSION "//EN");
	assert_string_equal(icalproperty_get_version(only_property(cal, ICAL_VERSION_PROPERTY)),
	                    "2.0");
	assert_string_equal(icalproperty_get_calscale(only_property(cal, ICAL_CALSCALE_PROPERTY)),
	                    "GREGORIAN");
	assert_int_equal(icalproperty_get_method(only_property(cal, ICAL_METHOD_PROPERTY)),
	                 ICAL_METHOD_PUBLISH);
	assert_string_equal(x_property(cal, "X-WR-CALNAME"), "Visioconférences — Alice Martin");
	refresh = only_property(cal, ICAL_REFRESHINTERVAL_PROPERTY);
	assert_int_equal(icalparameter_get_value(param(refresh, ICAL_VALUE_PARAMETER)),
	                 ICAL_VALUE_DURATION);
	assert_int_equal(icaldurationtype_as_int(icalproperty_get_refreshinterval(refresh)), 3600);
	assert_string_equal(x_property(cal, "X-PUBLISHED-TTL"), "PT60M");
	assert_int_equal(icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT),
	                 SAMPLE_EVENTS_ALICE);
	icalcomponent_free(cal);
}

static void assert_attendee(icalproperty *p, const char *mail, const char *cn,
                            icalparameter_role role, icalparameter_partstat partstat)
{
	char uri[128];

	snprintf(uri, sizeof(uri), "mailto:%s", mail);
	assert_string_equal(icalproperty_get_attendee(p), uri);
	assert_string_equal(icalparameter_get_cn(param(p, ICAL_CN_PARAMETER)), cn);
	assert_int_equal(icalparameter_get_role(param(p, ICAL_ROLE_PARAMETER)), role);
	assert_int_equal(icalparameter_get_partstat(param(p, ICAL_PARTSTAT_PARAMETER)), partstat);
	assert_int_equal(icalparameter_get_cutype(param(p, ICAL_CUTYPE_PARAMETER)),
	                 ICAL_CUTYPE_INDIVIDUAL);
}

static void test_owner_view(void **state)
{
	icalcomponent *cal = sample_feed("alice");
	icalcomponent *ev = event_by_uid(cal, "paris-spring@jmb.test");
	icalproperty *p;
	const char *link = "https://jmb.example.org/start/parisspringroom001";

	assert_int_equal(icalproperty_get_sequence(only_property(ev, ICAL_SEQUENCE_PROPERTY)), 3);
	assert_int_equal(
	    icaltime_as_timet(icalproperty_get_dtstamp(only_property(ev, ICAL_DTSTAMP_PROPERTY))),
	    1773158400);
	assert_true(
	    icaltime_is_utc(icalproperty_get_dtstamp(only_property(ev, ICAL_DTSTAMP_PROPERTY))));
	assert_int_equal(
	    icaltime_as_timet(icalproperty_get_created(only_property(ev, ICAL_CREATED_PROPERTY))),
	    1773154800);
	assert_int_equal(icaltime_as_timet(icalproperty_get_lastmodified(
	                     only_property(ev, ICAL_LASTMODIFIED_PROPERTY))),
	                 1773158400);
	assert_string_equal(icalproperty_get_summary(only_property(ev, ICAL_SUMMARY_PROPERTY)),
	                    "Comité de pilotage, printemps; DST");
	assert_string_equal(
	    icalproperty_get_description(only_property(ev, ICAL_DESCRIPTION_PROPERTY)),
	    "Ordre du jour :\n1. budget\n2. planning\n\nJoin the meeting: "
	    "https://jmb.example.org/start/parisspringroom001");
	assert_string_equal(icalproperty_get_url(only_property(ev, ICAL_URL_PROPERTY)), link);
	assert_string_equal(icalproperty_get_location(only_property(ev, ICAL_LOCATION_PROPERTY)),
	                    link);
	p = only_property(ev, ICAL_ORGANIZER_PROPERTY);
	assert_string_equal(icalproperty_get_organizer(p), "mailto:alice@example.org");
	assert_string_equal(icalparameter_get_cn(param(p, ICAL_CN_PARAMETER)), "Alice Martin");
	assert_int_equal(icalcomponent_count_properties(ev, ICAL_ATTENDEE_PROPERTY), 3);
	p = icalcomponent_get_first_property(ev, ICAL_ATTENDEE_PROPERTY);
	assert_attendee(p, "bob@example.org", "Bob Durand", ICAL_ROLE_REQPARTICIPANT,
	                ICAL_PARTSTAT_ACCEPTED);
	p = icalcomponent_get_next_property(ev, ICAL_ATTENDEE_PROPERTY);
	assert_attendee(p, "carol@example.org", "Carol Petit", ICAL_ROLE_CHAIR,
	                ICAL_PARTSTAT_DECLINED);
	p = icalcomponent_get_next_property(ev, ICAL_ATTENDEE_PROPERTY);
	/* no name: the address stands in */
	assert_attendee(p, "dave@partner.example", "dave@partner.example", ICAL_ROLE_REQPARTICIPANT,
	                ICAL_PARTSTAT_NEEDSACTION);
	assert_int_equal(icalproperty_get_status(only_property(ev, ICAL_STATUS_PROPERTY)),
	                 ICAL_STATUS_CONFIRMED);
	icalcomponent_free(cal);
}

static void test_invitee_view(void **state)
{
	icalcomponent *cal = sample_feed("bob");
	icalcomponent *ev = event_by_uid(cal, "paris-spring@jmb.test");
	const char *link = "https://jmb.example.org/j/tok-bob-spring";
	icalproperty *p;

	assert_int_equal(icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT),
	                 SAMPLE_EVENTS_BOB);
	assert_string_equal(x_property(cal, "X-WR-CALNAME"), "Visioconférences — Bob Durand");
	assert_string_equal(icalproperty_get_url(only_property(ev, ICAL_URL_PROPERTY)), link);
	assert_string_equal(icalproperty_get_location(only_property(ev, ICAL_LOCATION_PROPERTY)),
	                    link);
	assert_non_null(
	    strstr(icalproperty_get_description(only_property(ev, ICAL_DESCRIPTION_PROPERTY)),
	           "\n\nJoin the meeting: https://jmb.example.org/j/tok-bob-spring"));
	p = only_property(ev, ICAL_ORGANIZER_PROPERTY);
	assert_string_equal(icalproperty_get_organizer(p), "mailto:alice@example.org");
	assert_string_equal(icalparameter_get_cn(param(p, ICAL_CN_PARAMETER)), "Alice Martin");
	/* only bob's own line: carol's refusal and dave's address are not his business */
	assert_attendee(only_property(ev, ICAL_ATTENDEE_PROPERTY), "bob@example.org", "Bob Durand",
	                ICAL_ROLE_REQPARTICIPANT, ICAL_PARTSTAT_ACCEPTED);
	assert_null(strstr(icalcomponent_as_ical_string(ev), "carol"));
	/* bob owns paris-monday: the start link and every attendee */
	ev = event_by_uid(cal, "paris-monday@jmb.test");
	assert_string_equal(icalproperty_get_url(only_property(ev, ICAL_URL_PROPERTY)),
	                    "https://jmb.example.org/start/parismondayroom0003");
	assert_attendee(only_property(ev, ICAL_ATTENDEE_PROPERTY), "alice@example.org",
	                "Alice Martin", ICAL_ROLE_CHAIR, ICAL_PARTSTAT_ACCEPTED);
	/* not invited to these */
	assert_false(has_event(cal, "new-york-summer@jmb.test"));
	assert_false(has_event(cal, "soon@jmb.test"));
	assert_false(has_event(cal, "hostile@jmb.test"));
	icalcomponent_free(cal);
}

static void test_invitee_by_secondary_address(void **state)
{
	icalcomponent *cal = sample_feed("alice");
	icalcomponent *ev = event_by_uid(cal, "paris-autumn@jmb.test");

	assert_string_equal(icalproperty_get_url(only_property(ev, ICAL_URL_PROPERTY)),
	                    "https://jmb.example.org/j/tok-alice-autumn");
	assert_attendee(only_property(ev, ICAL_ATTENDEE_PROPERTY), "a.martin@example.org",
	                "Alice Martin", ICAL_ROLE_REQPARTICIPANT, ICAL_PARTSTAT_NEEDSACTION);
	/* a description-less meeting: the label and link alone */
	assert_string_equal(
	    icalproperty_get_description(only_property(ev, ICAL_DESCRIPTION_PROPERTY)),
	    "Join the meeting: https://jmb.example.org/j/tok-alice-autumn");
	icalcomponent_free(cal);
}

static void test_who_owns(void **state)
{
	struct jmb_feed_options o = plain_options();
	struct jmb_attendee self = {.mail = "alice@example.org",
	                            .name = "Alice",
	                            .role = JMB_ROLE_GUEST,
	                            .token = "tok-self"};
	struct jmb_meeting by_mail = meeting("by-mail", SAMPLE_NOW + 86400, "UTC");
	struct jmb_meeting by_login = meeting("by-login", SAMPLE_NOW + 86400, "UTC");
	struct jmb_meeting also_invited = meeting("also-invited", SAMPLE_NOW + 86400, "UTC");
	struct jmb_meeting stranger = meeting("stranger", SAMPLE_NOW + 86400, "UTC");
	struct jmb_meeting *items[] = {&by_mail, &by_login, &also_invited, &stranger};
	const char *const mails[] = {"alice@example.org", NULL};
	icalcomponent *cal;

	by_mail.owner.login = NULL; /* an owner known by address only */
	by_login.owner.mail = "alice@old-domain.example";
	also_invited.attendees = &self; /* the owner in her own list: still the owner */
	also_invited.n_attendees = 1;
	stranger.owner = (struct jmb_person){.login = "eve", .mail = "eve@example.org"};
	o.public_url = "https://jmb.example.org/"; /* a trailing slash is not doubled */
	cal = feed_of(&o, items, 4, "alice", mails);
	assert_int_equal(icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT), 3);
	assert_false(has_event(cal, "stranger"));
	for (size_t i = 0; i < 3; i++) {
		icalcomponent *ev = event_by_uid(cal, items[i]->uid);

		assert_string_equal(icalproperty_get_url(only_property(ev, ICAL_URL_PROPERTY)),
		                    "https://jmb.example.org/start/roomabcdefghijklmn");
	}
	/* the owner without an address: no ORGANIZER rather than "mailto:" */
	by_login.owner.mail = NULL;
	icalcomponent_free(cal);
	cal = feed_of(&o, items, 2, "alice", mails);
	assert_int_equal(
	    icalcomponent_count_properties(event_by_uid(cal, "by-login"), ICAL_ORGANIZER_PROPERTY),
	    0);
	icalcomponent_free(cal);
}

static void test_cancelled_meeting(void **state)
{
	icalcomponent *cal = sample_feed("alice");
	icalcomponent *ev = event_by_uid(cal, "utc-cancelled@jmb.test");

	assert_int_equal(icalproperty_get_status(only_property(ev, ICAL_STATUS_PROPERTY)),
	                 ICAL_STATUS_CANCELLED);
	assert_int_equal(icalproperty_get_sequence(only_property(ev, ICAL_SEQUENCE_PROPERTY)), 2);
	assert_int_equal(icalcomponent_count_components(ev, ICAL_VALARM_COMPONENT), 0);
	icalcomponent_free(cal);
	/* the invitee sees it cancelled too */
	cal = sample_feed("bob");
	ev = event_by_uid(cal, "utc-cancelled@jmb.test");
	assert_int_equal(icalproperty_get_status(only_property(ev, ICAL_STATUS_PROPERTY)),
	                 ICAL_STATUS_CANCELLED);
	assert_int_equal(icalcomponent_count_components(ev, ICAL_VALARM_COMPONENT), 0);
	icalcomponent_free(cal);
}

/* --- alarms ------------------------------------------------------------------------- */

/* The alarms of uid as minutes before the start, in order; returns how many. */
static size_t alarm_minutes(icalcomponent *cal, const char *uid, long *out, size_t max)
{
	icalcomponent *ev = event_by_uid(cal, uid);
	const char *title = icalcomponent_get_summary(ev);
	size_t n = 0;

	for (icalcomponent *a = icalcomponent_get_first_component(ev, ICAL_VALARM_COMPONENT);
	     a != NULL; a = icalcomponent_get_next_component(ev, ICAL_VALARM_COMPONENT)) {
		struct icaltriggertype tr =
		    icalproperty_get_trigger(only_property(a, ICAL_TRIGGER_PROPERTY));

		assert_int_equal(icalproperty_get_action(only_property(a, ICAL_ACTION_PROPERTY)),
		                 ICAL_ACTION_DISPLAY);
		assert_string_equal(
		    icalproperty_get_description(only_property(a, ICAL_DESCRIPTION_PROPERTY)),
		    title);
		assert_true(icaltime_is_null_time(tr.time)); /* relative, to the start */
		assert_null(icalproperty_get_first_parameter(
		    only_property(a, ICAL_TRIGGER_PROPERTY), ICAL_RELATED_PARAMETER));
		assert_true(n < max);
		out[n++] = -icaldurationtype_as_int(tr.duration) / 60;
	}
	return n;
}

static void test_alarms_only_in_the_future(void **state)
{
	icalcomponent *cal = sample_feed("alice");
	long m[8];

	/* 8 days ahead: every reminder */
	assert_int_equal(alarm_minutes(cal, "paris-spring@jmb.test", m, 8), 4);
	assert_int_equal(m[0], 10080);
	assert_int_equal(m[1], 1440);
	assert_int_equal(m[2], 60);
	assert_int_equal(m[3], 10);
	/* 7 days minus 3 hours ahead: the week reminder is past */
	assert_int_equal(alarm_minutes(cal, "paris-friday@jmb.test", m, 8), 3);
	assert_int_equal(m[0], 1440);
	/* 30 minutes ahead: only the 10-minute reminder */
	assert_int_equal(alarm_minutes(cal, "soon@jmb.test", m, 8), 1);
	assert_int_equal(m[0], 10);
	icalcomponent_free(cal);
}

static void test_alarm_text_and_edges(void **state)
{
	static const long offsets[] = {1440, 30, -5, 0};
	struct jmb_feed_options o = plain_options();
	struct jmb_meeting exact = meeting("exact", SAMPLE_NOW + 30 * 60, "Europe/Paris");
	struct jmb_meeting *items[] = {&exact};
	struct jmb_meeting_list list = {items, 1};
	size_t len;
	char *text;
	long m[8];
	icalcomponent *cal;

	o.alarm_offsets = offsets;
	o.n_alarm_offsets = 4;
	text = jmb_ical_feed(&o, &list, ALICE_LOGIN, alice_mails, &len);
	cal = parse_feed(text, len);
	/* 1440 past, 30 due exactly now (not ahead), -5 refused, 0 (at the start) kept */
	assert_int_equal(alarm_minutes(cal, "exact", m, 8), 1);
	assert_int_equal(m[0], 0);
	assert_null(strstr(text, "-PT30M"));
	icalcomponent_free(cal);
	free(text);

	exact.start = SAMPLE_NOW + 2 * 86400;
	text = jmb_ical_feed(&o, &list, ALICE_LOGIN, alice_mails, &len);
	/* exact minutes, not "-P1D": a nominal day would move across a DST change */
	assert_non_null(strstr(text, "\r\nTRIGGER:-PT1440M\r\n"));
	assert_non_null(strstr(text, "\r\nTRIGGER:-PT30M\r\n"));
	assert_null(strstr(text, "P1D"));
	cal = parse_feed(text, len);
	assert_int_equal(alarm_minutes(cal, "exact", m, 8), 3);
	assert_int_equal(m[0], 1440);
	assert_int_equal(m[1], 30);
	assert_int_equal(m[2], 0);
	icalcomponent_free(cal);
	free(text);
}

/* --- times and zones ---------------------------------------------------------------- */

static void test_dst_week_and_zones(void **state)
{
	icalcomponent *cal = sample_feed("alice");

	/* Europe/Paris moves to +02:00 on 2026-03-29 at 01:00Z: 10:00 local before and after */
	assert_event_times(cal, "paris-friday@jmb.test", "Europe/Paris", 1774602000,
	                   1774602000 + 3600);
	assert_event_times(cal, "paris-spring@jmb.test", "Europe/Paris", 1774771200,
	                   1774771200 + 90 * 60);
	assert_event_times(cal, "paris-monday@jmb.test", "Europe/Paris", 1774857600,
	                   1774857600 + 30 * 60);
	/* and back to +01:00 on 2026-10-25 */
	assert_event_times(cal, "paris-autumn@jmb.test", "Europe/Paris", 1792918800,
	                   1792918800 + 120 * 60);
	assert_event_times(cal, "new-york-winter@jmb.test", "America/New_York", 1793628000,
	                   1793628000 + 3600);
	assert_event_times(cal, "new-york-summer@jmb.test", "America/New_York", 1782910800,
	                   1782910800 + 3600);
	/* UTC: "Z" times, no TZID */
	assert_event_times(cal, "utc-cancelled@jmb.test", NULL, 1775044800, 1775044800 + 90 * 60);
	/* the wall clock written is the local one */
	assert_string_equal(icalproperty_as_ical_string(only_property(
	                        event_by_uid(cal, "paris-spring@jmb.test"), ICAL_DTSTART_PROPERTY)),
	                    "DTSTART;TZID=Europe/Paris:20260329T100000\r\n");
	icalcomponent_free(cal);
}

static void test_one_vtimezone_per_zone(void **state)
{
	icalcomponent *cal = sample_feed("alice");

	assert_int_equal(icalcomponent_count_components(cal, ICAL_VTIMEZONE_COMPONENT), 2);
	assert_non_null(vtimezone_of(cal, "Europe/Paris"));
	assert_non_null(vtimezone_of(cal, "America/New_York"));
	assert_null(vtimezone_of(cal, "UTC"));
	/* real rules: standard and daylight observances */
	assert_true(icalcomponent_count_components(vtimezone_of(cal, "Europe/Paris"),
	                                           ICAL_XDAYLIGHT_COMPONENT) > 0);
	assert_true(icalcomponent_count_components(vtimezone_of(cal, "Europe/Paris"),
	                                           ICAL_XSTANDARD_COMPONENT) > 0);
	icalcomponent_free(cal);
}

static void test_unknown_zone_written_in_utc(void **state)
{
	struct jmb_feed_options o = plain_options();
	struct jmb_meeting a = meeting("mars", 1774771200, "Mars/Olympus_Mons");
	struct jmb_meeting b = meeting("slashes", 1774771200, "Europe//Paris");
	struct jmb_meeting c = meeting("null-zone", 1774771200, NULL);
	struct jmb_meeting *items[] = {&a, &b, &c};
	icalcomponent *cal = feed_of(&o, items, 3, ALICE_LOGIN, alice_mails);

	assert_int_equal(icalcomponent_count_components(cal, ICAL_VTIMEZONE_COMPONENT), 0);
	assert_event_times(cal, "mars", NULL, 1774771200, 1774771200 + 3600);
	assert_event_times(cal, "slashes", NULL, 1774771200, 1774771200 + 3600);
	assert_event_times(cal, "null-zone", NULL, 1774771200, 1774771200 + 3600);
	icalcomponent_free(cal);
}

static void test_zone_cut_covers_every_meeting(void **state)
{
	struct jmb_feed_options o = plain_options();
	/* 2019-07-01 10:00 CEST, 2026-12-31 23:30 CET (29 Dec 22:30Z is still 2026 in UTC),
	   Sydney in January (daylight time, +11:00) and July (+10:00) */
	struct jmb_meeting old = meeting("paris-2019", 1561968000, "Europe/Paris");
	struct jmb_meeting eve = meeting("paris-new-year-eve", 1798756200, "Europe/Paris");
	struct jmb_meeting jan = meeting("sydney-january", 1768604400, "Australia/Sydney");
	struct jmb_meeting jul = meeting("sydney-july", 1782864000, "Australia/Sydney");
	struct jmb_meeting *items[] = {&eve, &old, &jan, &jul};
	icalcomponent *cal = feed_of(&o, items, 4, ALICE_LOGIN, alice_mails);

	assert_int_equal(icalcomponent_count_components(cal, ICAL_VTIMEZONE_COMPONENT), 2);
	assert_event_times(cal, "paris-2019", "Europe/Paris", 1561968000, 1561968000 + 3600);
	assert_event_times(cal, "paris-new-year-eve", "Europe/Paris", 1798756200,
	                   1798756200 + 3600);
	assert_event_times(cal, "sydney-january", "Australia/Sydney", 1768604400,
	                   1768604400 + 3600);
	assert_event_times(cal, "sydney-july", "Australia/Sydney", 1782864000, 1782864000 + 3600);
	icalcomponent_free(cal);
}

/* --- text --------------------------------------------------------------------------- */

static void test_hostile_text_round_trips(void **state)
{
	icalcomponent *cal = sample_feed("alice");
	icalcomponent *ev = event_by_uid(cal, "hostile@jmb.test");

	/* CRLF becomes LF; ';' ',' '\' and markup are plain text */
	assert_string_equal(
	    icalcomponent_get_summary(ev),
	    "Tests <script>alert(1)</script>, \"quotes\"; semi\\colon\nnew line 😀 élan");
	/* a lone CR is a line break too (libical would drop it), \x01 goes */
	assert_string_equal(icalcomponent_get_description(ev),
	                    "Line one\nline two\nline three\nback\\slash, comma; semi\n\n"
	                    "Join the meeting: https://jmb.example.org/start/hostileroom00000009");
	assert_string_equal(icalparameter_get_cn(param(only_property(ev, ICAL_ATTENDEE_PROPERTY),
	                                               ICAL_CN_PARAMETER)),
	                    "Zoë \"Z\" O'Neil, Jr.; 🎉");
	icalcomponent_free(cal);
}

static void test_long_and_broken_text(void **state)
{
	struct jmb_feed_options o = plain_options();
	struct jmb_meeting m = meeting("long", 1774771200, "Europe/Paris");
	struct jmb_meeting *items[] = {&m};
	struct jmb_attendee a = {
	    .mail = "x@example.org", .name = "Caret ^n ^' ^^ name\r\nnext\ttab", .token = "t"};
	char title[300 * 4 + 1] = "";
	icalcomponent *cal, *ev;

	/* 300 characters of 1 to 4 octets each: every fold position meets a character */
	for (int i = 0; i < 300; i++)
		strcat(title, (const char *[]){"a", "é", "€", "😀", ",", ";", "\\"}[i % 7]);
	m.title = title;
	m.description = "bad \xff\xfe utf-8 \xc3( \xed\xa0\x80 \xf4\x90\x80\x80 \xe2\x82 end\x7f";
	m.attendees = &a;
	m.n_attendees = 1;
	o.calendar_name = "Name, with; separators\r\nand \\ a break";
	cal = feed_of(&o, items, 1, ALICE_LOGIN, alice_mails);
	ev = event_by_uid(cal, "long");
	assert_string_equal(icalcomponent_get_summary(ev), title);
	assert_string_equal(
	    icalcomponent_get_description(ev),
	    "bad \xef\xbf\xbd\xef\xbf\xbd utf-8 \xef\xbf\xbd( "
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	    "\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd end\n\n"
	    "Join: https://jmb.example.org/start/roomabcdefghijklmn");
	/* parameters hold one line; a literal "^n" survives RFC 6868 decoding */
	assert_string_equal(icalparameter_get_cn(param(only_property(ev, ICAL_ATTENDEE_PROPERTY),
	                                               ICAL_CN_PARAMETER)),
	                    "Caret ^n ^' ^^ name next tab");
	assert_string_equal(x_property(cal, "X-WR-CALNAME"),
	                    "Name, with; separators and \\ a break");
	icalcomponent_free(cal);
}

/* Meetings stored with dates no client can read (before the start limit
 * existed) are written at the limits, never as year 10000 or 00000000. */
static void test_out_of_range_dates_are_clamped(void **state)
{
	struct jmb_feed_options o = plain_options();
	struct jmb_meeting far = meeting("far", 253402300799, "Europe/Paris");
	struct jmb_meeting farutc = meeting("far-utc", INT64_MAX / 2, "UTC");
	struct jmb_meeting *items[] = {&far, &farutc};
	icalcomponent *cal = feed_of(&o, items, 2, ALICE_LOGIN, alice_mails);
	size_t len = 0;
	struct jmb_meeting_list list = {.items = items, .count = 2};
	char *text = jmb_ical_feed(&o, &list, ALICE_LOGIN, alice_mails, &len);

	assert_event_times(cal, "far", "Europe/Paris", JMB_TIME_MAX, JMB_TIME_MAX);
	assert_event_times(cal, "far-utc", NULL, JMB_TIME_MAX, JMB_TIME_MAX);
	assert_null(strstr(text, "00000000T"));
	assert_null(strstr(text, ":10000"));
	free(text);
	icalcomponent_free(cal);
}

/* Text stored before bidi controls and separators were refused loses them. */
static void test_reordering_characters_dropped(void **state)
{
	struct jmb_feed_options o = plain_options();
	struct jmb_meeting m = meeting("bidi", 1774771200, "Europe/Paris");
	struct jmb_meeting *items[] = {&m};
	struct jmb_attendee a = {.mail = "x\xe2\x80\xae@example.org",
	                         .name = "Eve\xe2\x81\xa6 Doe\xc2\x85",
	                         .token = "t"};
	icalcomponent *cal, *ev;

	m.title = "report\xe2\x80\xae"
	          "fdp.exe";
	m.description = "a\xe2\x80\xa8"
	                "b\xe2\x80\xa9"
	                "c";
	m.attendees = &a;
	m.n_attendees = 1;
	cal = feed_of(&o, items, 1, ALICE_LOGIN, alice_mails);
	ev = event_by_uid(cal, "bidi");
	assert_string_equal(icalcomponent_get_summary(ev), "reportfdp.exe");
	assert_true(strncmp(icalcomponent_get_description(ev), "abc\n", 4) == 0);
	assert_string_equal(icalparameter_get_cn(param(only_property(ev, ICAL_ATTENDEE_PROPERTY),
	                                               ICAL_CN_PARAMETER)),
	                    "Eve Doe");
	assert_string_equal(icalproperty_get_attendee(only_property(ev, ICAL_ATTENDEE_PROPERTY)),
	                    "mailto:x%E2%80%AE@example.org");
	icalcomponent_free(cal);
}

static void test_hostile_addresses_stay_on_their_line(void **state)
{
	struct jmb_feed_options o = plain_options();
	struct jmb_meeting m = meeting("addr", 1774771200, "UTC");
	struct jmb_meeting *items[] = {&m};
	struct jmb_attendee a = {.mail = "x@example.org\r\nATTENDEE:mailto:evil@example.org",
	                         .name = "X",
	                         .token = "tok\r\nX-EVIL:1 \"x"};
	icalcomponent *cal, *ev;

	m.attendees = &a;
	m.n_attendees = 1;
	m.owner.mail = "alice@example.org\"; x";
	cal = feed_of(&o, items, 1, "alice", alice_mails);
	ev = event_by_uid(cal, "addr");
	assert_string_equal(icalproperty_get_attendee(only_property(ev, ICAL_ATTENDEE_PROPERTY)),
	                    "mailto:x@example.org%0D%0AATTENDEE:mailto:evil@example.org");
	assert_string_equal(icalproperty_get_organizer(only_property(ev, ICAL_ORGANIZER_PROPERTY)),
	                    "mailto:alice@example.org%22;%20x");
	icalcomponent_free(cal);
	/* as the invitee: the token goes into URL, LOCATION and DESCRIPTION */
	const char *const x_mails[] = {a.mail, NULL};
	cal = feed_of(&o, items, 1, "x", x_mails);
	ev = event_by_uid(cal, "addr");
	assert_string_equal(icalproperty_get_url(only_property(ev, ICAL_URL_PROPERTY)),
	                    "https://jmb.example.org/j/tok%0D%0AX-EVIL:1%20%22x");
	assert_string_equal(icalproperty_get_location(only_property(ev, ICAL_LOCATION_PROPERTY)),
	                    "https://jmb.example.org/j/tok%0D%0AX-EVIL:1%20%22x");
	assert_int_equal(icalcomponent_count_properties(ev, ICAL_X_PROPERTY), 0);
	assert_int_equal(icalcomponent_count_properties(ev, ICAL_ATTENDEE_PROPERTY), 1);
	icalcomponent_free(cal);
}

/* --- folding ------------------------------------------------------------------------ */

static void test_folding_check(void **state)
{
	char line76[80];

	assert_true(jmb_ical_folding_is_clean("", 0));
	assert_true(jmb_ical_folding_is_clean("A:b\r\n c\r\n", 9));
	assert_false(jmb_ical_folding_is_clean("A:b\n", 4));               /* bare LF */
	assert_false(jmb_ical_folding_is_clean("A:b\rc\r\n", 7));          /* bare CR */
	assert_false(jmb_ical_folding_is_clean("A:b", 3));                 /* no final CRLF */
	assert_false(jmb_ical_folding_is_clean("A:\xc3\r\n \xa9\r\n", 9)); /* é split */
	memset(line76, 'x', 76);
	memcpy(line76 + 76, "\r\n", 3);
	assert_false(jmb_ical_folding_is_clean(line76, 78));
	assert_true(jmb_ical_folding_is_clean(line76 + 1, 77));
}

static void test_refold_repairs_bad_folding(void **state)
{
	/* 8 + 100 x 2 octets in one line, then the same folded at 75 octets exactly,
	   which splits an 'é' (74 = 8 + 33 x 2, so octet 75 is a first half) */
	char logical[8 + 200 + 1] = "SUMMARY:", bad[400], *good;
	size_t len, n;

	for (int i = 0; i < 100; i++)
		strcat(logical, "é");
	n = (size_t)snprintf(bad, sizeof(bad),
	                     "BEGIN:VEVENT\r\n%.75s\r\n %.74s\r\n %s\r\nEND:VEVENT\n", logical,
	                     logical + 75, logical + 149);
	assert_false(jmb_ical_folding_is_clean(bad, n));
	good = jmb_ical_refold(bad, n, &len);
	assert_true(jmb_ical_folding_is_clean(good, len));
	/* unfolding gives back the same lines */
	icalcomponent *c = icalparser_parse_string(good);
	assert_non_null(c);
	assert_string_equal(icalproperty_get_summary(only_property(c, ICAL_SUMMARY_PROPERTY)),
	                    logical + 8);
	icalcomponent_free(c);
	assert_memory_equal(good, "BEGIN:VEVENT\r\n", 14);
	assert_memory_equal(good + len - 12, "END:VEVENT\r\n", 12);
	free(good);
}

static void test_feed_lines_fold_at_75_octets(void **state)
{
	struct jmb_feed_options o = plain_options();
	struct jmb_meeting m = meeting("fold", 1774771200, "Europe/Paris");
	struct jmb_meeting *items[] = {&m};
	struct jmb_meeting_list list = {items, 1};
	char title[600 * 4 + 1] = "";
	size_t len, folds = 0;
	char *text;

	for (int i = 0; i < 600; i++) /* no ' ', ';' or ':' for libical to break after */
		strcat(title, (const char *[]){"é", "😀", "€", "x"}[i % 4 == 3 ? 3 : (i * 7) % 3]);
	m.title = title;
	text = jmb_ical_feed(&o, &list, ALICE_LOGIN, alice_mails, &len);
	assert_true(jmb_ical_folding_is_clean(text, len));
	for (const char *p = text; (p = strstr(p, "\r\n ")) != NULL; p += 3)
		folds++;
	assert_true(folds >= strlen(title) / 75);
	icalcomponent *cal = parse_feed(text, len);
	assert_string_equal(icalcomponent_get_summary(event_by_uid(cal, "fold")), title);
	icalcomponent_free(cal);
	free(text);
}

/* --- whole feeds -------------------------------------------------------------------- */

static void test_empty_feed(void **state)
{
	struct jmb_feed_options o = plain_options();
	icalcomponent *cal = feed_of(&o, NULL, 0, ALICE_LOGIN, alice_mails);
	size_t len;
	char *text;

	assert_int_equal(icalcomponent_count_components(cal, ICAL_ANY_COMPONENT), 0);
	assert_int_equal(icalproperty_get_method(only_property(cal, ICAL_METHOD_PROPERTY)),
	                 ICAL_METHOD_PUBLISH);
	icalcomponent_free(cal);
	/* no list at all: the same empty calendar */
	text = jmb_ical_feed(&o, NULL, ALICE_LOGIN, alice_mails, &len);
	cal = parse_feed(text, len);
	assert_int_equal(icalcomponent_count_components(cal, ICAL_ANY_COMPONENT), 0);
	icalcomponent_free(cal);
	free(text);
}

static void test_dtstamp_fallbacks_and_no_refresh(void **state)
{
	struct jmb_feed_options o = plain_options();
	struct jmb_meeting a = meeting("never-updated", 1774771200, "UTC");
	struct jmb_meeting b = meeting("no-dates", 1774771200, "UTC");
	struct jmb_meeting *items[] = {&a, &b};
	icalcomponent *cal, *ev;

	a.updated = 0;
	b.created = b.updated = 0;
	o.refresh_minutes = 0;
	cal = feed_of(&o, items, 2, ALICE_LOGIN, alice_mails);
	assert_int_equal(icalcomponent_count_properties(cal, ICAL_REFRESHINTERVAL_PROPERTY), 0);
	ev = event_by_uid(cal, "never-updated");
	assert_int_equal(
	    icaltime_as_timet(icalproperty_get_dtstamp(only_property(ev, ICAL_DTSTAMP_PROPERTY))),
	    1773154800);
	assert_int_equal(icalcomponent_count_properties(ev, ICAL_LASTMODIFIED_PROPERTY), 0);
	ev = event_by_uid(cal, "no-dates");
	assert_int_equal(
	    icaltime_as_timet(icalproperty_get_dtstamp(only_property(ev, ICAL_DTSTAMP_PROPERTY))),
	    SAMPLE_NOW);
	assert_int_equal(icalcomponent_count_properties(ev, ICAL_CREATED_PROPERTY), 0);
	icalcomponent_free(cal);
}

/* Zones no other test loads, so that the threads race on libical's lazy loading. */
static const char *const race_zones[] = {"Asia/Tokyo", "America/Sao_Paulo", "Pacific/Auckland",
                                         "Africa/Casablanca"};

static char *race_feed(size_t *len_r)
{
	struct jmb_feed_options o = plain_options();
	struct jmb_meeting ms[4];
	struct jmb_meeting *items[4];
	struct jmb_meeting_list list = {items, 4};

	for (int i = 0; i < 4; i++) {
		ms[i] = meeting(race_zones[i], 1774771200 + i * 86400 * 90, race_zones[i]);
		items[i] = &ms[i];
	}
	return jmb_ical_feed(&o, &list, ALICE_LOGIN, alice_mails, len_r);
}

static void *race_thread(void *arg)
{
	char **out = arg;
	struct jmb_local_time t = {.year = 2026, .month = 3, .day = 29, .hour = 2, .minute = 30};
	time_t utc;
	size_t len;

	for (int i = 0; i < 20; i++) {
		free(out[0]);
		out[0] = race_feed(&len);
		jmb_local_to_utc(&t, race_zones[i % 4], &utc); /* the same lock, from timeutil */
	}
	return NULL;
}

static void test_concurrent_builds_agree(void **state)
{
	pthread_t tid[4];
	char *outs[4] = {NULL};
	char *reference;
	size_t len;

	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&tid[i], NULL, race_thread, &outs[i]), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(tid[i], NULL);
	reference = race_feed(&len);
	for (int i = 0; i < 4; i++) {
		assert_string_equal(outs[i], reference);
		free(outs[i]);
	}
	icalcomponent *cal = parse_feed(reference, len);
	assert_int_equal(icalcomponent_count_components(cal, ICAL_VTIMEZONE_COMPONENT), 4);
	assert_event_times(cal, "Asia/Tokyo", "Asia/Tokyo", 1774771200, 1774771200 + 3600);
	assert_event_times(cal, "Pacific/Auckland", "Pacific/Auckland", 1774771200 + 2 * 86400 * 90,
	                   1774771200 + 2 * 86400 * 90 + 3600);
	icalcomponent_free(cal);
	free(reference);
}

/* --- series --------------------------------------------------------------------------- */

static size_t count_events(icalcomponent *cal, const char *uid)
{
	size_t n = 0;

	for (icalcomponent *ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	     ev != NULL; ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
		if (strcmp(icalcomponent_get_uid(ev), uid) == 0)
			n++;
	}
	return n;
}

/* The VEVENT of uid with a RECURRENCE-ID of instant rid (read with tzid). */
static icalcomponent *instance_by_uid(icalcomponent *cal, const char *uid, const char *tzid,
                                      time_t rid)
{
	for (icalcomponent *ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	     ev != NULL; ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
		icalproperty *p = icalcomponent_get_first_property(ev, ICAL_RECURRENCEID_PROPERTY);

		if (strcmp(icalcomponent_get_uid(ev), uid) == 0 && p != NULL &&
		    instant_of(cal, p, tzid) == rid)
			return ev;
	}
	fail_msg("no VEVENT %s with that RECURRENCE-ID", uid);
	return NULL;
}

static const char *rrule_text(icalcomponent *ev)
{
	static char buf[256];
	struct icalrecurrencetype r =
	    icalproperty_get_rrule(only_property(ev, ICAL_RRULE_PROPERTY));
	char *text = icalrecurrencetype_as_string_r(&r);

	snprintf(buf, sizeof(buf), "%s", text);
	free(text);
	return buf;
}

static icalparameter_partstat partstat_of(icalcomponent *ev)
{
	return icalparameter_get_partstat(
	    param(only_property(ev, ICAL_ATTENDEE_PROPERTY), ICAL_PARTSTAT_PARAMETER));
}

static void test_series_rule_exdate_and_override(void **state)
{
	icalcomponent *cal = sample_feed("alice");
	icalcomponent *ev = event_by_uid(cal, "paris-weekly@jmb.test"), *moved;
	icalproperty *exdate;
	long m[8];

	/* the series, then its one moved occurrence; the cancelled one is an EXDATE */
	assert_int_equal(count_events(cal, "paris-weekly@jmb.test"), 2);
	assert_null(icalcomponent_get_first_property(ev, ICAL_RECURRENCEID_PROPERTY));
	assert_event_times(cal, "paris-weekly@jmb.test", "Europe/Paris", 1773738000,
	                   1773738000 + 3600);
	assert_string_equal(rrule_text(ev), "FREQ=WEEKLY;UNTIL=20261103T090000Z;BYDAY=TU");
	assert_string_equal(icalproperty_as_ical_string(only_property(ev, ICAL_RRULE_PROPERTY)),
	                    "RRULE:FREQ=WEEKLY;UNTIL=20261103T090000Z;BYDAY=TU\r\n");
	exdate = only_property(ev, ICAL_EXDATE_PROPERTY);
	assert_int_equal(instant_of(cal, exdate, "Europe/Paris"), 1775548800);
	assert_string_equal(icalproperty_as_ical_string(exdate),
	                    "EXDATE;TZID=Europe/Paris:20260407T100000\r\n");
	assert_string_equal(icalcomponent_get_summary(ev), "Weekly sync");
	/* after the autumn change, 10:00 in Paris is 09:00Z again: the moved one */
	moved = instance_by_uid(cal, "paris-weekly@jmb.test", "Europe/Paris", 1793091600);
	assert_int_equal(
	    instant_of(cal, only_property(moved, ICAL_DTSTART_PROPERTY), "Europe/Paris"),
	    1793196000);
	assert_int_equal(instant_of(cal, only_property(moved, ICAL_DTEND_PROPERTY), "Europe/Paris"),
	                 1793196000 + 45 * 60);
	assert_string_equal(
	    icalproperty_as_ical_string(only_property(moved, ICAL_RECURRENCEID_PROPERTY)),
	    "RECURRENCE-ID;TZID=Europe/Paris:20261027T100000\r\n");
	assert_string_equal(icalcomponent_get_summary(moved), "Weekly (moved to Wednesday)");
	assert_true(strncmp(icalcomponent_get_description(moved), "Every Tuesday\n\n", 15) == 0);
	assert_int_equal(icalproperty_get_sequence(only_property(moved, ICAL_SEQUENCE_PROPERTY)),
	                 4);
	assert_int_equal(icalcomponent_count_properties(moved, ICAL_RRULE_PROPERTY), 0);
	assert_int_equal(icalcomponent_count_properties(moved, ICAL_EXDATE_PROPERTY), 0);
	assert_int_equal(icalproperty_get_status(only_property(moved, ICAL_STATUS_PROPERTY)),
	                 ICAL_STATUS_CONFIRMED);
	/* the owner sees Bob's answer for the moved occurrence there, his series answer
	   on the series */
	assert_int_equal(partstat_of(ev), ICAL_PARTSTAT_ACCEPTED);
	assert_int_equal(partstat_of(moved), ICAL_PARTSTAT_TENTATIVE);
	/* the series' alarms are for its next occurrence, 24 March 10:00 (09:00Z):
	   4 days ahead, so not the week one; the moved one has all of its own */
	assert_int_equal(alarm_minutes(cal, "paris-weekly@jmb.test", m, 8), 3);
	assert_int_equal(m[0], 1440);
	assert_int_equal(icalcomponent_count_components(moved, ICAL_VALARM_COMPONENT), 4);
	/* New York, last Friday of the month, twelve times */
	ev = event_by_uid(cal, "new-york-monthly@jmb.test");
	assert_string_equal(rrule_text(ev), "FREQ=MONTHLY;COUNT=12;BYDAY=-1FR");
	assert_event_times(cal, "new-york-monthly@jmb.test", "America/New_York", 1769781600,
	                   1769781600 + 1800);
	assert_int_equal(count_events(cal, "new-york-monthly@jmb.test"), 1);
	assert_int_equal(icalcomponent_count_properties(ev, ICAL_EXDATE_PROPERTY), 0);
	icalcomponent_free(cal);
	/* Bob, invited: his own answers, series and occurrence */
	cal = sample_feed("bob");
	assert_int_equal(partstat_of(event_by_uid(cal, "paris-weekly@jmb.test")),
	                 ICAL_PARTSTAT_ACCEPTED);
	moved = instance_by_uid(cal, "paris-weekly@jmb.test", "Europe/Paris", 1793091600);
	assert_int_equal(partstat_of(moved), ICAL_PARTSTAT_TENTATIVE);
	icalcomponent_free(cal);
}

/* A daily series in UTC: every time in "Z" form, no TZID anywhere. */
static void test_series_in_utc(void **state)
{
	static struct jmb_override overrides[] = {
	    {.recurrence_id = 1775044800 + 86400,
	     .start = 1775044800 + 86400,
	     .duration = 60,
	     .cancelled = true},
	    {.recurrence_id = 1775044800 + 2 * 86400,
	     .start = 1775044800 + 2 * 86400 + 7200,
	     .duration = 30,
	     .title = "Later"},
	};
	struct jmb_feed_options o = plain_options();
	struct jmb_meeting a = meeting("utc-series", 1775044800, "UTC");
	struct jmb_meeting *items[] = {&a};
	icalcomponent *cal, *ev, *moved;

	a.recurrence = "FREQ=DAILY;COUNT=5";
	a.end = a.start + 3600;
	a.last_end = a.start + 4 * 86400 + 3600;
	a.overrides = overrides;
	a.n_overrides = 2;
	cal = feed_of(&o, items, 1, ALICE_LOGIN, alice_mails);
	assert_int_equal(icalcomponent_count_components(cal, ICAL_VTIMEZONE_COMPONENT), 0);
	assert_int_equal(count_events(cal, "utc-series"), 2);
	ev = event_by_uid(cal, "utc-series");
	assert_event_times(cal, "utc-series", NULL, 1775044800, 1775044800 + 3600);
	assert_string_equal(rrule_text(ev), "FREQ=DAILY;COUNT=5");
	assert_int_equal(instant_of(cal, only_property(ev, ICAL_EXDATE_PROPERTY), NULL),
	                 1775044800 + 86400);
	assert_string_equal(icalproperty_as_ical_string(only_property(ev, ICAL_EXDATE_PROPERTY)),
	                    "EXDATE:20260402T120000Z\r\n");
	moved = instance_by_uid(cal, "utc-series", NULL, 1775044800 + 2 * 86400);
	assert_int_equal(instant_of(cal, only_property(moved, ICAL_DTSTART_PROPERTY), NULL),
	                 1775044800 + 2 * 86400 + 7200);
	assert_int_equal(instant_of(cal, only_property(moved, ICAL_DTEND_PROPERTY), NULL),
	                 1775044800 + 2 * 86400 + 7200 + 1800);
	assert_string_equal(icalcomponent_get_summary(moved), "Later");
	icalcomponent_free(cal);
}

/* iMIP about one occurrence: a CANCEL of one, a REQUEST of a moved one. */
static void test_one_occurrence(void **state)
{
	struct jmb_meeting_list list;
	struct jmb_feed_options o;
	const char *const *mails;
	struct jmb_meeting *weekly = NULL, *single = NULL;
	icalcomponent *cal, *ev;
	icalproperty *att;
	size_t len;
	char *text;

	sample_feed_inputs("alice", &list, &o, &mails);
	for (size_t i = 0; i < list.count; i++) {
		if (strcmp(list.items[i]->uid, "paris-weekly@jmb.test") == 0)
			weekly = list.items[i];
		if (strcmp(list.items[i]->uid, "paris-spring@jmb.test") == 0)
			single = list.items[i];
	}
	assert_non_null(weekly);
	assert_non_null(single);
	o.refresh_minutes = 0;
	o.calendar_name = NULL;
	o.has_occurrence = true;

	/* cancel 5 May 2026, 10:00 in Paris (08:00Z) */
	o.method = "CANCEL";
	o.occurrence_id = 1777968000;
	cal = feed_of(&o, &weekly, 1, ALICE_LOGIN, alice_mails);
	assert_int_equal(icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT), 1);
	ev = event_by_uid(cal, "paris-weekly@jmb.test");
	assert_int_equal(
	    instant_of(cal, only_property(ev, ICAL_RECURRENCEID_PROPERTY), "Europe/Paris"),
	    1777968000);
	assert_event_times(cal, "paris-weekly@jmb.test", "Europe/Paris", 1777968000,
	                   1777968000 + 3600);
	assert_int_equal(icalcomponent_count_properties(ev, ICAL_RRULE_PROPERTY), 0);
	assert_int_equal(icalcomponent_count_properties(ev, ICAL_EXDATE_PROPERTY), 0);
	assert_int_equal(icalproperty_get_status(only_property(ev, ICAL_STATUS_PROPERTY)),
	                 ICAL_STATUS_CANCELLED);
	assert_int_equal(icalcomponent_count_components(ev, ICAL_VALARM_COMPONENT), 0);
	assert_int_equal(icalproperty_get_method(only_property(cal, ICAL_METHOD_PROPERTY)),
	                 ICAL_METHOD_CANCEL);
	icalcomponent_free(cal);

	/* the moved occurrence, as a REQUEST to Bob: his answer for it, RSVP */
	o.method = "REQUEST";
	o.occurrence_id = 1793091600;
	text = jmb_ical_feed(&o, &(struct jmb_meeting_list){&weekly, 1}, "bob",
	                     (const char *const[]){"bob@example.org", NULL}, &len);
	cal = parse_feed(text, len);
	free(text);
	ev = event_by_uid(cal, "paris-weekly@jmb.test");
	assert_int_equal(icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT), 1);
	assert_int_equal(
	    instant_of(cal, only_property(ev, ICAL_RECURRENCEID_PROPERTY), "Europe/Paris"),
	    1793091600);
	assert_event_times(cal, "paris-weekly@jmb.test", "Europe/Paris", 1793196000,
	                   1793196000 + 45 * 60);
	assert_string_equal(icalcomponent_get_summary(ev), "Weekly (moved to Wednesday)");
	assert_int_equal(icalproperty_get_status(only_property(ev, ICAL_STATUS_PROPERTY)),
	                 ICAL_STATUS_CONFIRMED);
	att = only_property(ev, ICAL_ATTENDEE_PROPERTY);
	assert_int_equal(icalparameter_get_partstat(param(att, ICAL_PARTSTAT_PARAMETER)),
	                 ICAL_PARTSTAT_TENTATIVE);
	assert_int_equal(icalparameter_get_rsvp(param(att, ICAL_RSVP_PARAMETER)), ICAL_RSVP_TRUE);
	icalcomponent_free(cal);

	/* a start the rule does not give: nothing to write */
	o.occurrence_id = 1777968000 + 3600;
	cal = feed_of(&o, &weekly, 1, ALICE_LOGIN, alice_mails);
	assert_int_equal(icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT), 0);
	icalcomponent_free(cal);

	/* a single meeting is written whole */
	o.occurrence_id = single->start;
	cal = feed_of(&o, &single, 1, ALICE_LOGIN, alice_mails);
	ev = event_by_uid(cal, "paris-spring@jmb.test");
	assert_int_equal(icalcomponent_count_properties(ev, ICAL_RECURRENCEID_PROPERTY), 0);
	assert_int_equal(icalproperty_get_status(only_property(ev, ICAL_STATUS_PROPERTY)),
	                 ICAL_STATUS_CONFIRMED);
	icalcomponent_free(cal);
}

/* The feed of a series changes when an alarm of its next occurrence comes, when
 * that occurrence starts (its alarms are then for the one after) and when a moved
 * occurrence's alarm comes. */
static void test_series_expiry(void **state)
{
	struct jmb_meeting_list list;
	struct jmb_feed_options o;
	const char *const *mails;
	struct jmb_meeting *weekly = NULL, copy;
	struct jmb_meeting_list one = {&weekly, 1};
	const long window = 86400;

	sample_feed_inputs("alice", &list, &o, &mails);
	for (size_t i = 0; i < list.count; i++) {
		if (strcmp(list.items[i]->uid, "paris-weekly@jmb.test") == 0)
			weekly = list.items[i];
	}
	assert_non_null(weekly);
	/* now 20 March 12:00Z; next occurrence 24 March 09:00Z: its day-before alarm */
	assert_int_equal(jmb_ical_feed_expiry(&o, &one, window), 1774342800 - 86400);
	/* past its 10-minute alarm: when it starts */
	o.now = 1774342800 - 599;
	assert_int_equal(jmb_ical_feed_expiry(&o, &one, window), 1774342800);
	/* as it starts: the next is 31 March 10:00 CEST (08:00Z), its day-before alarm */
	o.now = 1774342800;
	assert_int_equal(jmb_ical_feed_expiry(&o, &one, window), 1774944000 - 86400);
	/* the cancelled 7 April is skipped: on 31 March at 08:00Z, 14 April's week alarm */
	o.now = 1774944000;
	assert_int_equal(jmb_ical_feed_expiry(&o, &one, window),
	                 1775548800 + 7 * 86400 - 7 * 86400);
	/* as 20 October starts, the next by the rule is 3 November (27 October is
	   moved): the moved one's week alarm (21 October 14:00Z) comes before 3
	   November's (27 October 09:00Z) */
	o.now = 1792483200;
	assert_int_equal(jmb_ical_feed_expiry(&o, &one, window), 1793196000 - 7 * 86400);
	/* after the last occurrence: it leaves the window a day after its end */
	o.now = 1793700000;
	assert_int_equal(jmb_ical_feed_expiry(&o, &one, window), 1793700000 + window);
	/* a deleted series: only the window */
	copy = *weekly;
	copy.deleted = 1774000000;
	weekly = &copy;
	o.now = SAMPLE_NOW;
	assert_int_equal(jmb_ical_feed_expiry(&o, &one, window), 1774000000 + window);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_concurrent_builds_agree), /* first: zones not yet loaded */
	    cmocka_unit_test(test_calendar_properties),
	    cmocka_unit_test(test_owner_view),
	    cmocka_unit_test(test_invitee_view),
	    cmocka_unit_test(test_invitee_by_secondary_address),
	    cmocka_unit_test(test_who_owns),
	    cmocka_unit_test(test_cancelled_meeting),
	    cmocka_unit_test(test_alarms_only_in_the_future),
	    cmocka_unit_test(test_alarm_text_and_edges),
	    cmocka_unit_test(test_dst_week_and_zones),
	    cmocka_unit_test(test_one_vtimezone_per_zone),
	    cmocka_unit_test(test_unknown_zone_written_in_utc),
	    cmocka_unit_test(test_zone_cut_covers_every_meeting),
	    cmocka_unit_test(test_hostile_text_round_trips),
	    cmocka_unit_test(test_long_and_broken_text),
	    cmocka_unit_test(test_out_of_range_dates_are_clamped),
	    cmocka_unit_test(test_reordering_characters_dropped),
	    cmocka_unit_test(test_hostile_addresses_stay_on_their_line),
	    cmocka_unit_test(test_folding_check),
	    cmocka_unit_test(test_refold_repairs_bad_folding),
	    cmocka_unit_test(test_feed_lines_fold_at_75_octets),
	    cmocka_unit_test(test_empty_feed),
	    cmocka_unit_test(test_dtstamp_fallbacks_and_no_refresh),
	    cmocka_unit_test(test_series_rule_exdate_and_override),
	    cmocka_unit_test(test_series_in_utc),
	    cmocka_unit_test(test_one_occurrence),
	    cmocka_unit_test(test_series_expiry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
