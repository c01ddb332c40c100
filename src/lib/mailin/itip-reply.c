/* Reading an iTIP REPLY with libical. */
#include "config.h"

#include <ctype.h>
#include <libical/ical.h>
#include <string.h>
#include <strings.h>

#include "mailin/itip-reply.h"
#include "util/text.h"

static const char *clean(struct jmb_pool *pool, const char *s, size_t max)
{
	return s != NULL ? jmb_text_clean_in(pool, s, strnlen(s, max), max, false) : "";
}

static const char *lower(struct jmb_pool *pool, const char *s)
{
	char *copy = jmb_pool_strndup(pool, s, strlen(s));

	for (char *p = copy; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return copy;
}

/* A DATE-TIME as UTC seconds: UTC, or in a zone the calendar or libical
   knows; 0 for a floating time or a date (they name no moment). */
static time_t moment(struct icaltimetype t)
{
	if (icaltime_is_null_time(t) || t.is_date)
		return 0;
	if (icaltime_is_utc(t))
		return icaltime_as_timet(t);
	if (t.zone == NULL)
		return 0;
	return icaltime_as_timet_with_zone(t, t.zone);
}

static void read_attendee(struct jmb_pool *pool, icalcomponent *event, struct jmb_itip_reply *reply)
{
	icalproperty *prop = icalcomponent_get_first_property(event, ICAL_ATTENDEE_PROPERTY);

	for (icalproperty *p = prop; p != NULL;
	     p = icalcomponent_get_next_property(event, ICAL_ATTENDEE_PROPERTY))
		reply->n_attendees++;
	if (prop == NULL)
		return;
	const char *value = clean(pool, icalproperty_get_attendee(prop), 1024);
	if (strncasecmp(value, "mailto:", 7) == 0)
		value += 7;
	reply->attendee = lower(pool, value);

	icalparameter *param = icalproperty_get_first_parameter(prop, ICAL_PARTSTAT_PARAMETER);
	icalparameter_partstat partstat =
	    param != NULL ? icalparameter_get_partstat(param) : ICAL_PARTSTAT_NONE;
	switch (partstat) {
	case ICAL_PARTSTAT_ACCEPTED:
		reply->partstat = "ACCEPTED";
		reply->answer = JMB_PARTSTAT_ACCEPTED;
		reply->answered = true;
		break;
	case ICAL_PARTSTAT_DECLINED:
		reply->partstat = "DECLINED";
		reply->answer = JMB_PARTSTAT_DECLINED;
		reply->answered = true;
		break;
	case ICAL_PARTSTAT_TENTATIVE:
		reply->partstat = "TENTATIVE";
		reply->answer = JMB_PARTSTAT_TENTATIVE;
		reply->answered = true;
		break;
	default:
		reply->partstat = param != NULL
		                      ? clean(pool, icalparameter_enum_to_string((int)partstat), 64)
		                      : "";
		break;
	}
}

static icalcomponent *first_calendar(icalcomponent *root)
{
	if (root == NULL || icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT)
		return root;
	return icalcomponent_get_first_component(root, ICAL_VCALENDAR_COMPONENT);
}

int jmb_itip_reply_parse(const char *text, struct jmb_pool *pool, struct jmb_itip_reply *reply,
                         struct jmb_error *error)
{
	icalcomponent *root = icalparser_parse_string(text);
	icalcomponent *calendar = first_calendar(root);
	icalcomponent *event =
	    calendar != NULL ? icalcomponent_get_first_component(calendar, ICAL_VEVENT_COMPONENT)
	                     : NULL;
	icalproperty *prop;

	memset(reply, 0, sizeof(*reply));
	reply->method = reply->uid = reply->attendee = reply->partstat = reply->comment = "";
	if (event == NULL) {
		if (root != NULL)
			icalcomponent_free(root);
		jmb_error_set(error, "no VCALENDAR with a VEVENT");
		return -1;
	}
	prop = icalcomponent_get_first_property(calendar, ICAL_METHOD_PROPERTY);
	if (prop != NULL)
		reply->method =
		    clean(pool, icalproperty_method_to_string(icalproperty_get_method(prop)), 64);
	reply->uid = clean(pool, icalcomponent_get_uid(event), 1024);
	prop = icalcomponent_get_first_property(event, ICAL_SEQUENCE_PROPERTY);
	reply->sequence = prop != NULL ? icalproperty_get_sequence(prop) : 0;
	read_attendee(pool, event, reply);
	reply->start = moment(icalcomponent_get_dtstart(event));
	prop = icalcomponent_get_first_property(event, ICAL_RECURRENCEID_PROPERTY);
	if (prop != NULL) {
		reply->has_recurrence_id = true;
		reply->recurrence_id = moment(icalcomponent_get_recurrenceid(event));
	}
	prop = icalcomponent_get_first_property(event, ICAL_COMMENT_PROPERTY);
	if (prop != NULL)
		reply->comment = clean(pool, icalproperty_get_comment(prop), 4096);
	icalcomponent_free(root);
	return 0;
}
