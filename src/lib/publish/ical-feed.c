/* The personal iCal feed, built as libical components (which escape every value) and
 * serialised by libical; only the folding of its output is checked here. */
#include "config.h"

#include <libical/ical.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "domain/recurrence.h"
#include "publish/ical-feed.h"
#include "util/memory.h"
#include "util/strbuf.h"
#include "util/text.h"
#include "util/timeutil.h"

#define FOLD_OCTETS 75
#define PRODID "-//jmb//jmb " PACKAGE_VERSION "//EN"

/* A zone the feed uses: one VTIMEZONE each, cut to the years the feed needs. */
struct feed_zone {
	const char *name;
	time_t earliest;          /* first start in this zone */
	bool known;               /* a real IANA zone, not "UTC" nor unknown */
	icalcomponent *vtimezone; /* NULL: its meetings are written in UTC */
};

/* One meeting as the viewer sees it. */
struct feed_entry {
	const struct jmb_meeting *m;
	const struct jmb_attendee *me; /* NULL: the viewer owns the meeting */
	struct feed_zone *zone;
	struct icaltimetype start, end;
	/* A series: the start its VALARMs are for (its next occurrence by the
	   rule alone), 0: none left. A single meeting: its start. */
	time_t alarm_start;
	/* Only the occurrence `occ` of a series (options' has_occurrence). */
	bool one;
	struct jmb_occurrence occ;
};

/* What one VEVENT is about: a whole meeting or series, or one occurrence. */
struct event_view {
	const struct jmb_occurrence *occ; /* NULL: the meeting or the series */
	struct icaltimetype start, end;
	const char *description;
	time_t alarm_start; /* 0: no VALARM */
	bool cancelled;
};

struct feed_builder {
	const struct jmb_feed_options *o;
	struct feed_entry *entries;
	size_t n_entries;
	struct feed_zone *zones;
	size_t n_zones;
	icaltimezone **tz;       /* each zone's libical zone, NULL: written in UTC */
	struct jmb_strbuf text;  /* scratch for one value at a time */
	struct jmb_strbuf title; /* the current meeting's cleaned title */
	struct jmb_strbuf link;  /* the current meeting's link for the viewer */
};

enum text_kind {
	TEXT_LINES,     /* SUMMARY, DESCRIPTION: line breaks kept */
	TEXT_ONE_LINE,  /* UID, X-WR-CALNAME: line breaks and TABs become spaces */
	TEXT_PARAMETER, /* CN: one line, and RFC 6868 safe */
};

/* Appends s as text iCalendar can carry: valid UTF-8, line breaks as LF (libical
 * silently drops a CR, which would glue "a\rb" into "ab"), no other control
 * character but TAB, none of the code points jmb_text_forbidden() refuses (text
 * stored before they were refused). In a parameter, a '^' that an RFC 6868 decoder would read as
 * the start of an escape ("^n", "^'", "^^") is doubled: libical encodes '"' and LF
 * as "^'" and "^n" but leaves '^' alone, and decodes all three when parsing. */
static void append_clean_text(struct jmb_strbuf *sb, const char *s, enum text_kind kind)
{
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
	const unsigned char *end = p + strlen((const char *)p);
	bool one_line = kind != TEXT_LINES;
	int32_t cp;
	size_t n;

	while (p < end) {
		/* Fast path: printable ASCII is never refused, so runs of it are
		 * copied whole without a code-point lookup (most text is ASCII). */
		const unsigned char *run = p;

		while (run < end && *run >= 0x20 && *run < 0x7f &&
		       (kind != TEXT_PARAMETER || *run != '^'))
			run++;
		if (run > p) {
			jmb_strbuf_append(sb, p, run - p);
			p = run;
			continue;
		}
		if (*p == '\r' || *p == '\n') {
			jmb_strbuf_putc(sb, one_line ? ' ' : '\n');
			p += *p == '\r' && p[1] == '\n' ? 2 : 1;
		} else if (*p == '\t') {
			jmb_strbuf_putc(sb, one_line ? ' ' : '\t');
			p++;
		} else if (*p < 0x20 || *p == 0x7f) {
			p++;
		} else if ((n = jmb_text_char((const char *)p, end - p, &cp)) == 0) {
			jmb_strbuf_puts(sb, "\xef\xbf\xbd");
			p++;
		} else if (jmb_text_forbidden(cp, true)) {
			p += n;
		} else {
			if (kind == TEXT_PARAMETER && *p == '^' &&
			    (p[1] == 'n' || p[1] == '\'' || p[1] == '^'))
				jmb_strbuf_putc(sb, '^');
			jmb_strbuf_append(sb, p, n);
			p += n;
		}
	}
}

static const char *clean(struct jmb_strbuf *sb, const char *s, enum text_kind kind)
{
	sb->len = 0;
	jmb_strbuf_append(sb, "", 0);
	append_clean_text(sb, s, kind);
	return sb->data;
}

/* A person's CN: their name, or their address when they have none. */
static const char *common_name(struct jmb_strbuf *sb, const char *name, const char *mail)
{
	clean(sb, name, TEXT_PARAMETER);
	if (strspn(sb->data, " ") == sb->len)
		clean(sb, mail, TEXT_PARAMETER);
	return sb->data;
}

/* Appends part of a URI (mailto: or https:) as one token: bytes that cannot appear
 * in a URI value (controls, space, '"', invalid UTF-8, code points that
 * jmb_text_forbidden() refuses) are percent-encoded; other UTF-8 is kept, as IRIs
 * do. URI values are not escaped by iCalendar, so a CR or LF left here would end
 * the line and start a property of the attacker's choosing. */
static void append_uri(struct jmb_strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
	const unsigned char *end = p + strlen((const char *)p);
	int32_t cp;
	size_t n;

	while (p < end) {
		const unsigned char *run = p; /* the usual bytes, copied without a lookup */

		while (run<end && * run> 0x20 && *run < 0x7f && *run != '"')
			run++;
		if (run > p) {
			jmb_strbuf_append(sb, p, run - p);
			p = run;
			continue;
		}
		n = jmb_text_char((const char *)p, end - p, &cp);
		if (n > 0 && *p > 0x20 && *p != '"' && !jmb_text_forbidden(cp, false)) {
			jmb_strbuf_append(sb, p, n);
			p += n;
			continue;
		}
		for (size_t i = 0; i < (n > 0 ? n : 1); i++, p++) {
			char esc[3] = {'%', hex[*p >> 4], hex[*p & 0x0f]};

			jmb_strbuf_append(sb, esc, 3);
		}
	}
}

static const char *mailto(struct jmb_strbuf *sb, const char *mail)
{
	sb->len = 0;
	jmb_strbuf_puts(sb, "mailto:");
	append_uri(sb, mail);
	return sb->data;
}

static bool mail_is_mine(const char *mail, const char *const *mails)
{
	if (mail == NULL || mails == NULL)
		return false;
	for (size_t i = 0; mails[i] != NULL; i++) {
		if (strcasecmp(mail, mails[i]) == 0)
			return true;
	}
	return false;
}

/* Fills e->me; false when the viewer neither owns nor is invited to the meeting. */
static bool find_viewer(const struct jmb_meeting *m, const char *login, const char *const *mails,
                        struct feed_entry *e)
{
	e->m = m;
	e->me = NULL;
	if ((login != NULL && m->owner.login != NULL && strcmp(m->owner.login, login) == 0) ||
	    mail_is_mine(m->owner.mail, mails))
		return true;
	for (size_t i = 0; i < m->n_attendees; i++) {
		if (mail_is_mine(m->attendees[i].mail, mails)) {
			e->me = &m->attendees[i];
			return true;
		}
	}
	return false;
}

static time_t meeting_end(const struct jmb_meeting *m)
{
	return m->end != 0 ? m->end : m->start + (time_t)m->duration * 60;
}

struct rule_next {
	const struct jmb_meeting *m;
	time_t after, found;
};

static bool rule_next_start(time_t start, void *data)
{
	struct rule_next *n = data;

	if (start <= n->after || jmb_meeting_override(n->m, start) != NULL)
		return true;
	n->found = start;
	return false;
}

/* The first start after `after` that the rule of series m gives to an occurrence
 * it alone describes (not overridden nor cancelled), 0 if none: the occurrence
 * the series' own VALARMs are for. The expansion stops there, and at the rule's
 * end (bounded by JMB_SERIES_MAX_DAYS). Changed occurrences have VEVENTs and
 * VALARMs of their own. */
static time_t series_alarm_start(const struct jmb_meeting *m, time_t after)
{
	struct rule_next n = {.m = m, .after = after};

	if (m->deleted != 0)
		return 0;
	jmb_rrule_each_start(m->recurrence, m->start, m->timezone, rule_next_start, &n);
	return n.found;
}

/* The occurrence that override o of series m describes. */
static void override_occurrence(const struct jmb_meeting *m, const struct jmb_override *o,
                                struct jmb_occurrence *occ_r)
{
	*occ_r = (struct jmb_occurrence){
	    .recurrence_id = o->recurrence_id,
	    .start = o->start,
	    .end = o->start + (time_t)o->duration * 60,
	    .duration = o->duration,
	    .title = o->title != NULL ? o->title : m->title,
	    .description = o->description != NULL ? o->description : m->description,
	    .cancelled = o->cancelled,
	    .overridden = true,
	};
}

/* The earliest start of m's VEVENTs, for the cut of its zone's VTIMEZONE. */
static time_t earliest_start(const struct jmb_meeting *m)
{
	time_t t = m->start;

	for (size_t i = 0; m->recurrence != NULL && i < m->n_overrides; i++) {
		if (m->overrides[i].start < t)
			t = m->overrides[i].start;
	}
	return t;
}

/* The feed's zone for a meeting starting at start, added on first use. */
static struct feed_zone *zone_for(struct feed_builder *b, const char *name, time_t start)
{
	const char *zone_name = name != NULL ? name : "UTC";
	struct feed_zone *z;

	for (size_t i = 0; i < b->n_zones; i++) {
		z = &b->zones[i];
		if (strcmp(z->name, zone_name) == 0) {
			if (start < z->earliest)
				z->earliest = start;
			return z;
		}
	}
	z = &b->zones[b->n_zones++];
	z->name = zone_name;
	z->earliest = start;
	/* jmb_timezone_is_valid() takes the libical lock itself: called before ours. */
	z->known = strcmp(zone_name, "UTC") != 0 && jmb_timezone_is_valid(zone_name);
	return z;
}

/* Picks the meetings the viewer sees and the zones they use. */
static void collect_entries(struct feed_builder *b, const struct jmb_meeting_list *meetings,
                            const char *login, const char *const *mails)
{
	size_t count = meetings != NULL ? meetings->count : 0;

	b->entries = jmb_xcalloc(count + 1, sizeof(*b->entries));
	b->zones = jmb_xcalloc(count + 1, sizeof(*b->zones));
	for (size_t i = 0; i < count; i++) {
		struct feed_entry *e = &b->entries[b->n_entries];

		if (!find_viewer(meetings->items[i], login, mails, e))
			continue;
		if (e->m->recurrence != NULL && b->o->has_occurrence) {
			if (!jmb_meeting_occurrence(e->m, b->o->occurrence_id, &e->occ))
				continue;
			e->one = true;
			e->alarm_start = e->occ.start;
		} else {
			e->one = false;
			e->alarm_start = e->m->recurrence != NULL
			                     ? series_alarm_start(e->m, b->o->now)
			                     : e->m->start;
		}
		e->zone = zone_for(b, e->m->timezone, earliest_start(e->m));
		b->n_entries++;
	}
}

/* A time in UTC ("...Z"), clamped to what iCalendar dates can carry. */
static struct icaltimetype utc_time(time_t t)
{
	return icaltime_from_timet_with_zone(jmb_time_clamp(t), 0, icaltimezone_get_utc_timezone());
}

/* The zone's VTIMEZONE, named by its IANA name (libical prefixes its TZIDs with
 * "/freeassociation.sourceforge.net/") and cut to start on 1 January of the earliest
 * meeting's year: the full history back to 1891 is kilobytes per zone and holds
 * irregular old rules. Called with the libical lock held. */
static icalcomponent *zone_vtimezone(icaltimezone *zone, const struct feed_zone *z)
{
	icalcomponent *builtin = icaltimezone_get_component(zone), *vtz;
	struct icaltimetype cut;
	icalproperty *tzid;

	if (builtin == NULL || (vtz = icalcomponent_new_clone(builtin)) == NULL)
		return NULL;
	cut = utc_time(z->earliest);
	cut.month = cut.day = 1;
	cut.hour = cut.minute = cut.second = 0;
	icaltimezone_truncate_vtimezone(vtz, cut, icaltime_null_time(), 0);
	tzid = icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY);
	if (tzid == NULL) {
		tzid = icalproperty_new_tzid(z->name);
		icalcomponent_add_property(vtz, tzid);
	}
	icalproperty_set_tzid(tzid, z->name);
	return vtz;
}

/* Builds the VTIMEZONEs and every meeting's local start and end, in one hold of the
 * lock that serialises libical's zone code. */
static void resolve_times(struct feed_builder *b)
{
	icaltimezone **tz = b->tz = jmb_xcalloc(b->n_zones + 1, sizeof(*tz));

	jmb_ical_lock();
	for (size_t i = 0; i < b->n_zones; i++) {
		if (b->zones[i].known &&
		    (tz[i] = icaltimezone_get_builtin_timezone(b->zones[i].name)))
			b->zones[i].vtimezone = zone_vtimezone(tz[i], &b->zones[i]);
	}
	for (size_t i = 0; i < b->n_entries; i++) {
		struct feed_entry *e = &b->entries[i];
		icaltimezone *zone = tz[e->zone - b->zones];

		if (e->zone->vtimezone == NULL) {
			e->start = utc_time(e->m->start);
			e->end = utc_time(meeting_end(e->m));
			continue;
		}
		/* Wall-clock times without a zone pointer: the TZID parameter is added by
		 * hand, and serialising never has to touch the zone again. */
		e->start = icaltime_from_timet_with_zone(jmb_time_clamp(e->m->start), 0, zone);
		e->end = icaltime_from_timet_with_zone(jmb_time_clamp(meeting_end(e->m)), 0, zone);
		e->start.zone = e->end.zone = NULL;
	}
	jmb_ical_unlock();
}

/* Instant t as e's DTSTART is written: wall clock in its zone, or UTC. */
static struct icaltimetype entry_time(const struct feed_builder *b, const struct feed_entry *e,
                                      time_t t)
{
	icaltimezone *zone = b->tz[e->zone - b->zones];
	struct icaltimetype local;

	if (e->zone->vtimezone == NULL || zone == NULL)
		return utc_time(t);
	jmb_ical_lock();
	local = icaltime_from_timet_with_zone(jmb_time_clamp(t), 0, zone);
	jmb_ical_unlock();
	local.zone = NULL;
	return local;
}

static icalproperty *with_tzid(icalproperty *prop, const struct feed_entry *e)
{
	if (e->zone->vtimezone != NULL)
		icalproperty_add_parameter(prop, icalparameter_new_tzid(e->zone->name));
	return prop;
}

static struct icaldurationtype minutes_duration(long minutes)
{
	struct icaldurationtype d = icaldurationtype_null_duration();

	/* Minutes only ("-PT1440M", not "-P1D"): a day in iCal is nominal and would
	   move with a DST change, reminders are exact. */
	d.is_neg = minutes < 0;
	d.minutes = (unsigned int)(minutes < 0 ? -minutes : minutes);
	return d;
}

static void add_calendar_properties(icalcomponent *cal, const struct jmb_feed_options *o,
                                    struct jmb_strbuf *sb)
{
	icalproperty *prop;

	icalcomponent_add_property(cal, icalproperty_new_prodid(PRODID));
	icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(cal, icalproperty_new_calscale("GREGORIAN"));
	icalcomponent_add_property(
	    cal, icalproperty_new_method(o->method == NULL                  ? ICAL_METHOD_PUBLISH
	                                 : strcmp(o->method, "CANCEL") == 0 ? ICAL_METHOD_CANCEL
	                                                                    : ICAL_METHOD_REQUEST));
	if (o->calendar_name != NULL) {
		prop = icalproperty_new_x(clean(sb, o->calendar_name, TEXT_ONE_LINE));
		icalproperty_set_x_name(prop, "X-WR-CALNAME");
		icalcomponent_add_property(cal, prop);
	}
	if (o->refresh_minutes > 0) {
		struct icaldurationtype d = minutes_duration(o->refresh_minutes);
		char *ttl = icaldurationtype_as_ical_string_r(d);

		prop = icalproperty_new_refreshinterval(d);
		icalproperty_add_parameter(prop, icalparameter_new_value(ICAL_VALUE_DURATION));
		icalcomponent_add_property(cal, prop);
		prop = icalproperty_new_x(ttl);
		icalproperty_set_x_name(prop, "X-PUBLISHED-TTL");
		icalcomponent_add_property(cal, prop);
		free(ttl);
	}
}

/* The viewer's own link: the owner starts the room, an invitee joins with their token. */
static const char *viewer_link(struct feed_builder *b, const struct feed_entry *e)
{
	struct jmb_strbuf *sb = &b->link;

	sb->len = 0;
	append_uri(sb, b->o->public_url);
	while (sb->len > 0 && sb->data[sb->len - 1] == '/')
		sb->len--;
	jmb_strbuf_puts(sb, e->me == NULL ? "/start/" : "/j/");
	append_uri(sb, e->me == NULL ? e->m->room : e->me->token);
	return sb->data;
}

/* DESCRIPTION (the description, a blank line, the label and the link), URL and
 * LOCATION: calendar apps show one or the other as the place to click. */
static void add_links(struct feed_builder *b, icalcomponent *ev, const struct feed_entry *e,
                      const char *description)
{
	const char *link = viewer_link(b, e);
	struct jmb_strbuf *sb = &b->text;

	clean(sb, description, TEXT_LINES);
	while (sb->len > 0 && strchr(" \t\n", sb->data[sb->len - 1]) != NULL)
		sb->data[--sb->len] = '\0';
	if (sb->len > 0)
		jmb_strbuf_puts(sb, "\n\n");
	if (b->o->join_label != NULL && b->o->join_label[0] != '\0') {
		append_clean_text(sb, b->o->join_label, TEXT_ONE_LINE);
		jmb_strbuf_putc(sb, ' ');
	}
	jmb_strbuf_puts(sb, link);
	icalcomponent_add_property(ev, icalproperty_new_description(sb->data));
	icalcomponent_add_property(ev, icalproperty_new_url(link));
	icalcomponent_add_property(ev, icalproperty_new_location(link));
}

static void add_attendee(struct feed_builder *b, icalcomponent *ev, const struct jmb_attendee *a,
                         const struct jmb_occurrence *occ)
{
	static const icalparameter_partstat partstats[] = {
	    [JMB_PARTSTAT_NEEDS_ACTION] = ICAL_PARTSTAT_NEEDSACTION,
	    [JMB_PARTSTAT_ACCEPTED] = ICAL_PARTSTAT_ACCEPTED,
	    [JMB_PARTSTAT_DECLINED] = ICAL_PARTSTAT_DECLINED,
	    [JMB_PARTSTAT_TENTATIVE] = ICAL_PARTSTAT_TENTATIVE,
	};
	icalparameter_partstat partstat = ICAL_PARTSTAT_NEEDSACTION;
	enum jmb_partstat status =
	    occ != NULL ? jmb_attendee_answer_for(a, occ->recurrence_id) : a->status;
	icalproperty *prop;

	if ((unsigned int)status < sizeof(partstats) / sizeof(partstats[0]))
		partstat = partstats[status];
	prop = icalproperty_new_attendee(mailto(&b->text, a->mail));
	icalproperty_add_parameter(prop,
	                           icalparameter_new_cn(common_name(&b->text, a->name, a->mail)));
	icalproperty_add_parameter(prop, icalparameter_new_cutype(ICAL_CUTYPE_INDIVIDUAL));
	icalproperty_add_parameter(prop, icalparameter_new_role(a->role == JMB_ROLE_MODERATOR
	                                                            ? ICAL_ROLE_CHAIR
	                                                            : ICAL_ROLE_REQPARTICIPANT));
	icalproperty_add_parameter(prop, icalparameter_new_partstat(partstat));
	/* Only a REQUEST asks for an answer: a CANCEL has nothing to answer. */
	if (b->o->method != NULL && strcmp(b->o->method, "REQUEST") == 0)
		icalproperty_add_parameter(prop, icalparameter_new_rsvp(ICAL_RSVP_TRUE));
	icalcomponent_add_property(ev, prop);
}

/* ORGANIZER, then every ATTENDEE for the owner, or only the viewer's own line; their
 * answers for occurrence occ when it is not NULL. */
static void add_people(struct feed_builder *b, icalcomponent *ev, const struct feed_entry *e,
                       const struct jmb_occurrence *occ)
{
	const struct jmb_meeting *m = e->m;

	if (m->owner.mail != NULL && m->owner.mail[0] != '\0') {
		const char *address =
		    b->o->organizer_mail != NULL ? b->o->organizer_mail : m->owner.mail;
		icalproperty *prop = icalproperty_new_organizer(mailto(&b->text, address));

		icalproperty_add_parameter(prop, icalparameter_new_cn(common_name(
		                                     &b->text, m->owner.name, m->owner.mail)));
		icalcomponent_add_property(ev, prop);
	}
	if (e->me != NULL) {
		add_attendee(b, ev, e->me, occ);
		return;
	}
	for (size_t i = 0; i < m->n_attendees; i++)
		add_attendee(b, ev, &m->attendees[i], occ);
}

/* One VALARM per reminder whose time before `start` is still ahead; none for a
 * cancelled meeting or occurrence (start 0). */
static void add_alarms(struct feed_builder *b, icalcomponent *ev, time_t start)
{
	const struct jmb_feed_options *o = b->o;

	if (start == 0)
		return;
	for (size_t i = 0; i < o->n_alarm_offsets; i++) {
		struct icaltriggertype trigger = {.time = icaltime_null_time()};
		icalcomponent *alarm;

		if (o->alarm_offsets[i] < 0 || start - o->alarm_offsets[i] * 60 <= o->now)
			continue;
		trigger.duration = minutes_duration(-o->alarm_offsets[i]);
		alarm = icalcomponent_new(ICAL_VALARM_COMPONENT);
		icalcomponent_add_property(alarm, icalproperty_new_action(ICAL_ACTION_DISPLAY));
		icalcomponent_add_property(alarm, icalproperty_new_trigger(trigger));
		icalcomponent_add_property(alarm, icalproperty_new_description(b->title.data));
		icalcomponent_add_component(ev, alarm);
	}
}

/* A series' RRULE, and an EXDATE per cancelled occurrence. */
static void add_rule(struct feed_builder *b, icalcomponent *ev, const struct feed_entry *e)
{
	const struct jmb_meeting *m = e->m;
	struct icalrecurrencetype recur = icalrecurrencetype_from_string(m->recurrence);

	if (recur.freq != ICAL_NO_RECURRENCE)
		icalcomponent_add_property(ev, icalproperty_new_rrule(recur));
	for (size_t i = 0; i < m->n_overrides; i++) {
		if (m->overrides[i].cancelled)
			icalcomponent_add_property(
			    ev, with_tzid(icalproperty_new_exdate(
			                      entry_time(b, e, m->overrides[i].recurrence_id)),
			                  e));
	}
}

static icalcomponent *build_event(struct feed_builder *b, const struct feed_entry *e,
                                  const struct event_view *v)
{
	const struct jmb_meeting *m = e->m;
	icalcomponent *ev = icalcomponent_new(ICAL_VEVENT_COMPONENT);
	time_t stamp = m->updated != 0 ? m->updated : m->created != 0 ? m->created : b->o->now;

	icalcomponent_add_property(ev,
	                           icalproperty_new_uid(clean(&b->text, m->uid, TEXT_ONE_LINE)));
	icalcomponent_add_property(ev, icalproperty_new_sequence((int)m->sequence));
	icalcomponent_add_property(ev, icalproperty_new_dtstamp(utc_time(stamp)));
	if (m->created != 0)
		icalcomponent_add_property(ev, icalproperty_new_created(utc_time(m->created)));
	if (m->updated != 0)
		icalcomponent_add_property(ev, icalproperty_new_lastmodified(utc_time(m->updated)));
	if (v->occ != NULL)
		icalcomponent_add_property(ev, with_tzid(icalproperty_new_recurrenceid(entry_time(
		                                             b, e, v->occ->recurrence_id)),
		                                         e));
	icalcomponent_add_property(ev, with_tzid(icalproperty_new_dtstart(v->start), e));
	icalcomponent_add_property(ev, with_tzid(icalproperty_new_dtend(v->end), e));
	if (v->occ == NULL && m->recurrence != NULL)
		add_rule(b, ev, e);
	clean(&b->title, v->occ != NULL ? v->occ->title : m->title, TEXT_LINES);
	icalcomponent_add_property(ev, icalproperty_new_summary(b->title.data));
	add_links(b, ev, e, v->description);
	add_people(b, ev, e, v->occ);
	icalcomponent_add_property(
	    ev,
	    icalproperty_new_status(v->cancelled ? ICAL_STATUS_CANCELLED : ICAL_STATUS_CONFIRMED));
	add_alarms(b, ev, v->cancelled ? 0 : v->alarm_start);
	return ev;
}

/* The VEVENT of one occurrence of e's series. */
static icalcomponent *build_occurrence(struct feed_builder *b, const struct feed_entry *e,
                                       const struct jmb_occurrence *occ)
{
	bool cancel = e->one && b->o->method != NULL && strcmp(b->o->method, "CANCEL") == 0;
	struct event_view v = {
	    .occ = occ,
	    .start = entry_time(b, e, occ->start),
	    .end = entry_time(b, e, occ->end),
	    .description = occ->description,
	    .alarm_start = occ->start,
	    .cancelled = e->m->deleted != 0 || occ->cancelled || cancel,
	};

	return build_event(b, e, &v);
}

/* e's VEVENTs: the meeting; or the series and one per changed occurrence; or
 * the one occurrence asked for. */
static void add_events(struct feed_builder *b, icalcomponent *cal, const struct feed_entry *e)
{
	const struct jmb_meeting *m = e->m;
	struct event_view v = {
	    .start = e->start,
	    .end = e->end,
	    .description = m->description,
	    .alarm_start = e->alarm_start,
	    .cancelled = m->deleted != 0,
	};

	if (e->one) {
		icalcomponent_add_component(cal, build_occurrence(b, e, &e->occ));
		return;
	}
	icalcomponent_add_component(cal, build_event(b, e, &v));
	for (size_t i = 0; m->recurrence != NULL && i < m->n_overrides; i++) {
		struct jmb_occurrence occ;

		if (m->overrides[i].cancelled)
			continue;
		override_occurrence(m, &m->overrides[i], &occ);
		icalcomponent_add_component(cal, build_occurrence(b, e, &occ));
	}
}

/* Does libical's folding keep to 75 octets and UTF-8 boundaries? Checked on every
 * feed (one pass over the text), so a libical that folds differently is caught. */
bool jmb_ical_folding_is_clean(const char *text, size_t len)
{
	const char *p = text, *end = text + len, *nl;

	while (p < end) {
		if ((nl = memchr(p, '\n', end - p)) == NULL || nl == p || nl[-1] != '\r' ||
		    memchr(p, '\r', nl - 1 - p) != NULL || nl - 1 - p > FOLD_OCTETS)
			return false;
		p = nl + 1;
		/* A continuation line starts with the fold's space, then a whole character. */
		if (end - p >= 2 && (p[0] == ' ' || p[0] == '\t') &&
		    ((unsigned char)p[1] & 0xc0) == 0x80)
			return false;
	}
	return true;
}

/* Appends one logical line folded at 75 octets, never inside a UTF-8 character. */
static void append_folded(struct jmb_strbuf *sb, const char *line, size_t len)
{
	size_t room = FOLD_OCTETS;

	while (len > room) {
		size_t cut = room;

		while (cut > 1 && ((unsigned char)line[cut] & 0xc0) == 0x80)
			cut--;
		jmb_strbuf_append(sb, line, cut);
		jmb_strbuf_puts(sb, "\r\n ");
		line += cut;
		len -= cut;
		room = FOLD_OCTETS - 1;
	}
	jmb_strbuf_append(sb, line, len);
	jmb_strbuf_puts(sb, "\r\n");
}

char *jmb_ical_refold(const char *text, size_t len, size_t *len_r)
{
	struct jmb_strbuf out = {0}, line = {0};
	size_t i = 0;

	jmb_strbuf_append(&out, "", 0);
	while (i < len) {
		size_t end = i, next;

		while (end < len && text[end] != '\r' && text[end] != '\n')
			end++;
		next = end < len && text[end] == '\r' && end + 1 < len && text[end + 1] == '\n'
		           ? end + 2
		           : end + 1;
		if (line.len > 0 && (text[i] == ' ' || text[i] == '\t')) {
			jmb_strbuf_append(&line, text + i + 1, end - i - 1); /* unfold */
		} else {
			if (line.len > 0)
				append_folded(&out, line.data, line.len);
			line.len = 0;
			jmb_strbuf_append(&line, text + i, end - i);
		}
		i = next;
	}
	if (line.len > 0)
		append_folded(&out, line.data, line.len);
	jmb_strbuf_free(&line);
	return jmb_strbuf_steal(&out, len_r);
}

static char *serialise(icalcomponent *cal, size_t *len_r)
{
	char *text = icalcomponent_as_ical_string_r(cal), *refolded;
	size_t len;

	if (text == NULL)
		return NULL;
	len = strlen(text);
	if (jmb_ical_folding_is_clean(text, len)) {
		*len_r = len;
		return text; /* libical 3.0's buffers come from malloc() */
	}
	refolded = jmb_ical_refold(text, len, len_r);
	icalmemory_free_buffer(text);
	return refolded;
}

char *jmb_ical_feed(const struct jmb_feed_options *o, const struct jmb_meeting_list *meetings,
                    const char *login, const char *const *mails, size_t *len_r)
{
	struct feed_builder b = {.o = o};
	icalcomponent *cal;
	char *text = NULL;

	*len_r = 0;
	collect_entries(&b, meetings, login, mails);
	resolve_times(&b);
	cal = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);
	if (cal == NULL)
		goto out;
	add_calendar_properties(cal, o, &b.text);
	/* From here the VTIMEZONEs belong to cal (the pointers stay: with_tzid reads them). */
	for (size_t i = 0; i < b.n_zones; i++) {
		if (b.zones[i].vtimezone != NULL)
			icalcomponent_add_component(cal, b.zones[i].vtimezone);
	}
	for (size_t i = 0; i < b.n_entries; i++)
		add_events(&b, cal, &b.entries[i]);
	text = serialise(cal, len_r);
	icalcomponent_free(cal);
out:
	for (size_t i = 0; cal == NULL && i < b.n_zones; i++) {
		if (b.zones[i].vtimezone != NULL)
			icalcomponent_free(b.zones[i].vtimezone);
	}
	free(b.entries);
	free(b.zones);
	free(b.tz);
	jmb_strbuf_free(&b.text);
	jmb_strbuf_free(&b.title);
	jmb_strbuf_free(&b.link);
	return text;
}

static void sooner(time_t *expiry, time_t t, time_t now)
{
	if (t > now && (*expiry == 0 || t < *expiry))
		*expiry = t;
}

/* The times of the VALARMs before `start` still ahead. */
static void alarms_expiry(time_t *expiry, const struct jmb_feed_options *o, time_t start)
{
	for (size_t k = 0; k < o->n_alarm_offsets; k++) {
		if (o->alarm_offsets[k] >= 0)
			sooner(expiry, start - o->alarm_offsets[k] * 60, o->now);
	}
}

time_t jmb_ical_feed_expiry(const struct jmb_feed_options *o,
                            const struct jmb_meeting_list *meetings, long window)
{
	time_t expiry = 0;

	for (size_t i = 0; i < meetings->count; i++) {
		const struct jmb_meeting *m = meetings->items[i];
		time_t end = m->recurrence != NULL && m->last_end != 0 ? m->last_end : m->end;
		time_t gone = m->deleted != 0 && m->deleted < end ? m->deleted : end;

		sooner(&expiry, gone + window, o->now);
		if (m->deleted != 0)
			continue;
		if (m->recurrence == NULL) {
			alarms_expiry(&expiry, o, m->start);
			continue;
		}
		/* The series' VALARMs are for its next occurrence by the rule: they
		   change when one of their times comes and when that occurrence
		   starts (then they are for the one after). */
		time_t next = series_alarm_start(m, o->now);

		if (next != 0) {
			alarms_expiry(&expiry, o, next);
			for (size_t k = 0; k < o->n_alarm_offsets; k++) {
				if (o->alarm_offsets[k] >= 0) {
					sooner(&expiry, next, o->now);
					break;
				}
			}
		}
		for (size_t k = 0; k < m->n_overrides; k++) {
			if (!m->overrides[k].cancelled)
				alarms_expiry(&expiry, o, m->overrides[k].start);
		}
	}
	return expiry;
}
