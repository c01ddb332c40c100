/* The sample meetings shared by test-ical-feed and ical-feed-dump (whose output
 * tests/integration/test_ical_parsers.py checks with two other parsers, and
 * test_ical_series.py expands with three). */
#include "config.h"

#include <string.h>

#include "ical-feed-sample.h"

#define ALICE                                                                                      \
	{                                                                                          \
		.login = "alice", .mail = "alice@example.org", .name = "Alice Martin"              \
	}
#define BOB                                                                                        \
	{                                                                                          \
		.login = "bob", .mail = "bob@example.org", .name = "Bob Durand"                    \
	}

const long sample_alarm_offsets[4] = {10080, 1440, 60, 10};

static struct jmb_attendee spring_attendees[] = {
    {.mail = "bob@example.org",
     .name = "Bob Durand",
     .role = JMB_ROLE_GUEST,
     .status = JMB_PARTSTAT_ACCEPTED,
     .token = "tok-bob-spring"},
    {.mail = "carol@example.org",
     .name = "Carol Petit",
     .role = JMB_ROLE_MODERATOR,
     .status = JMB_PARTSTAT_DECLINED,
     .token = "tok-carol-spring"},
    {.mail = "dave@partner.example",
     .name = "",
     .role = JMB_ROLE_GUEST,
     .status = JMB_PARTSTAT_NEEDS_ACTION,
     .token = "tok-dave-spring"},
};
static struct jmb_attendee friday_attendees[] = {
    {.mail = "bob@example.org",
     .name = "Bob Durand",
     .role = JMB_ROLE_GUEST,
     .status = JMB_PARTSTAT_NEEDS_ACTION,
     .token = "tok-bob-friday"},
};
static struct jmb_attendee monday_attendees[] = {
    {.mail = "alice@example.org",
     .name = "Alice Martin",
     .role = JMB_ROLE_MODERATOR,
     .status = JMB_PARTSTAT_ACCEPTED,
     .token = "tok-alice-monday"},
};
static struct jmb_attendee autumn_attendees[] = {
    {.mail = "carol@example.org",
     .name = "Carol Petit",
     .role = JMB_ROLE_GUEST,
     .status = JMB_PARTSTAT_ACCEPTED,
     .token = "tok-carol-autumn"},
    {.mail = "a.martin@example.org",
     .name = "Alice Martin",
     .role = JMB_ROLE_GUEST,
     .status = JMB_PARTSTAT_NEEDS_ACTION,
     .token = "tok-alice-autumn"},
};
static struct jmb_attendee ny_attendees[] = {
    {.mail = "bob@example.org",
     .name = "Bob Durand",
     .role = JMB_ROLE_MODERATOR,
     .status = JMB_PARTSTAT_ACCEPTED,
     .token = "tok-bob-ny"},
};
static struct jmb_attendee cancelled_attendees[] = {
    {.mail = "bob@example.org",
     .name = "Bob Durand",
     .role = JMB_ROLE_GUEST,
     .status = JMB_PARTSTAT_ACCEPTED,
     .token = "tok-bob-cancelled"},
};
static struct jmb_attendee hostile_attendees[] = {
    {.mail = "zoe@example.org",
     .name = "Zoë \"Z\" O'Neil, Jr.; 🎉",
     .role = JMB_ROLE_GUEST,
     .status = JMB_PARTSTAT_NEEDS_ACTION,
     .token = "tok-zoe-hostile"},
};

/* The weekly Paris series: Bob accepted it, but not its moved occurrence. */
static struct jmb_occurrence_answer weekly_bob_answers[] = {
    {.recurrence_id = 1793091600, .status = JMB_PARTSTAT_TENTATIVE},
};
static struct jmb_attendee weekly_attendees[] = {
    {.mail = "bob@example.org",
     .name = "Bob Durand",
     .role = JMB_ROLE_GUEST,
     .status = JMB_PARTSTAT_ACCEPTED,
     .token = "tok-bob-weekly",
     .answers = weekly_bob_answers,
     .n_answers = 1},
};
/* Tuesday 7 April 2026 is cancelled; Tuesday 27 October (the first one after the
 * autumn change) moves to Wednesday 28 October, 15:00, with its own title. */
static struct jmb_override weekly_overrides[] = {
    {.recurrence_id = 1775548800, .start = 1775548800, .duration = 60, .cancelled = true},
    {.recurrence_id = 1793091600,
     .start = 1793196000,
     .duration = 45,
     .title = "Weekly (moved to Wednesday)",
     .description = NULL},
};
static struct jmb_attendee monthly_attendees[] = {
    {.mail = "a.martin@example.org",
     .name = "Alice Martin",
     .role = JMB_ROLE_GUEST,
     .status = JMB_PARTSTAT_NEEDS_ACTION,
     .token = "tok-alice-monthly"},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct jmb_meeting sample[] = {
    {.id = 1,
     .uid = "paris-spring@jmb.test",
     .room = "parisspringroom001",
     .title = "Comité de pilotage, printemps; DST",
     .description = "Ordre du jour :\n1. budget\n2. planning",
     .start = 1774771200,
     .duration = 90,
     .timezone = "Europe/Paris",
     .owner = ALICE,
     .sequence = 3,
     .created = 1773154800,
     .updated = 1773158400,
     .attendees = spring_attendees,
     .n_attendees = N(spring_attendees)},
    {.id = 2,
     .uid = "paris-friday@jmb.test",
     .room = "parisfridayroom0002",
     .title = "Friday",
     .description = "",
     .start = 1774602000,
     .duration = 60,
     .timezone = "Europe/Paris",
     .owner = ALICE,
     .sequence = 0,
     .created = 1773154800,
     .updated = 1773154800,
     .attendees = friday_attendees,
     .n_attendees = N(friday_attendees)},
    {.id = 3,
     .uid = "paris-monday@jmb.test",
     .room = "parismondayroom0003",
     .title = "Monday",
     .description = "Bob's meeting",
     .start = 1774857600,
     .duration = 30,
     .timezone = "Europe/Paris",
     .owner = BOB,
     .sequence = 1,
     .created = 1773154800,
     .updated = 1773154900,
     .attendees = monday_attendees,
     .n_attendees = N(monday_attendees)},
    {.id = 4,
     .uid = "paris-autumn@jmb.test",
     .room = "parisautumnroom0004",
     .title = "Autumn review",
     .description = NULL,
     .start = 1792918800,
     .duration = 120,
     .timezone = "Europe/Paris",
     .owner = BOB,
     .sequence = 0,
     .created = 1773154800,
     .updated = 1773154800,
     .attendees = autumn_attendees,
     .n_attendees = N(autumn_attendees)},
    {.id = 5,
     .uid = "new-york-winter@jmb.test",
     .room = "newyorkwinterroom05",
     .title = "New York, winter time",
     .description = "EST",
     .start = 1793628000,
     .duration = 60,
     .timezone = "America/New_York",
     .owner = ALICE,
     .sequence = 0,
     .created = 1773154800,
     .updated = 1773154800,
     .attendees = ny_attendees,
     .n_attendees = N(ny_attendees)},
    {.id = 6,
     .uid = "new-york-summer@jmb.test",
     .room = "newyorksummerroom06",
     .title = "New York, summer time",
     .description = "EDT",
     .start = 1782910800,
     .duration = 60,
     .timezone = "America/New_York",
     .owner = ALICE,
     .sequence = 0,
     .created = 1773154800,
     .updated = 1773154800},
    {.id = 7,
     .uid = "utc-cancelled@jmb.test",
     .room = "utccancelledroom007",
     .title = "Cancelled in UTC",
     .description = "",
     .start = 1775044800,
     .duration = 90,
     .timezone = "UTC",
     .owner = ALICE,
     .sequence = 2,
     .created = 1773154800,
     .updated = 1774000000,
     .deleted = 1774000000,
     .attendees = cancelled_attendees,
     .n_attendees = N(cancelled_attendees)},
    {.id = 8,
     .uid = "soon@jmb.test",
     .room = "soonroom00000000008",
     .title = "Starting soon",
     .description = "",
     .start = 1774009800,
     .duration = 30,
     .timezone = "Europe/Paris",
     .owner = ALICE,
     .sequence = 0,
     .created = 1773154800,
     .updated = 1773154800},
    {.id = 9,
     .uid = "hostile@jmb.test",
     .room = "hostileroom00000009",
     .title = "Tests <script>alert(1)</script>, \"quotes\"; semi\\colon\r\nnew line 😀 élan",
     .description = "Line one\r\nline two\rline three\x01\nback\\slash, comma; semi",
     .start = 1778000000,
     .duration = 60,
     .timezone = "Europe/Paris",
     .owner = ALICE,
     .sequence = 7,
     .created = 1773154800,
     .updated = 1773154800,
     .attendees = hostile_attendees,
     .n_attendees = N(hostile_attendees)},
    /* Every Tuesday at 10:00 in Paris from 17 March to 3 November 2026, across
       both DST changes (29 March and 25 October). */
    {.id = 10,
     .uid = "paris-weekly@jmb.test",
     .room = "parisweeklyroom0010",
     .title = "Weekly sync",
     .description = "Every Tuesday",
     .start = 1773738000,
     .duration = 60,
     .end = 1773741600,
     .timezone = "Europe/Paris",
     .owner = ALICE,
     .sequence = 4,
     .created = 1773154800,
     .updated = 1773158400,
     .attendees = weekly_attendees,
     .n_attendees = N(weekly_attendees),
     .recurrence = "FREQ=WEEKLY;UNTIL=20261103T090000Z;BYDAY=TU",
     .last_end = 1793700000,
     .overrides = weekly_overrides,
     .n_overrides = N(weekly_overrides)},
    /* The last Friday of each month at 9:00 in New York, twelve times from
       30 January 2026 (EST, EDT from 8 March, EST again from 1 November). */
    {.id = 11,
     .uid = "new-york-monthly@jmb.test",
     .room = "newyorkmonthlyroom11",
     .title = "Monthly review",
     .description = "Last Friday",
     .start = 1769781600,
     .duration = 30,
     .end = 1769783400,
     .timezone = "America/New_York",
     .owner = BOB,
     .sequence = 0,
     .created = 1768000000,
     .updated = 1768000000,
     .attendees = monthly_attendees,
     .n_attendees = N(monthly_attendees),
     .recurrence = "FREQ=MONTHLY;COUNT=12;BYDAY=-1FR",
     .last_end = 1798209000},
};

static struct jmb_meeting *sample_items[N(sample)];

static const char *const alice_mails[] = {"alice@example.org", "a.martin@example.org", NULL};
static const char *const bob_mails[] = {"bob@example.org", NULL};

void sample_feed_inputs(const char *login, struct jmb_meeting_list *list_r,
                        struct jmb_feed_options *options_r, const char *const **mails_r)
{
	for (size_t i = 0; i < N(sample); i++)
		sample_items[i] = &sample[i];
	list_r->items = sample_items;
	list_r->count = N(sample);
	*options_r = (struct jmb_feed_options){
	    .public_url = "https://jmb.example.org",
	    .calendar_name = strcmp(login, "bob") == 0 ? "Visioconférences — Bob Durand"
	                                               : "Visioconférences — Alice Martin",
	    .refresh_minutes = 60,
	    .alarm_offsets = sample_alarm_offsets,
	    .n_alarm_offsets = N(sample_alarm_offsets),
	    .join_label = "Join the meeting:",
	    .now = SAMPLE_NOW,
	};
	*mails_r = strcmp(login, "bob") == 0 ? bob_mails : alice_mails;
}
