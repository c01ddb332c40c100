/* A fixed set of meetings for iCal feed tests: DST weeks in Europe/Paris, America/New_York,
 * UTC, a cancelled meeting, one about to start, hostile text, a weekly series in Paris
 * across both DST changes (one occurrence cancelled, one moved) and a monthly
 * BYDAY=-1FR series in New York. Read-only. */
#ifndef JMB_TEST_ICAL_FEED_SAMPLE_H
#define JMB_TEST_ICAL_FEED_SAMPLE_H

#include "publish/ical-feed.h"

/* 2026-03-20T12:00:00Z: the sample's "now". */
#define SAMPLE_NOW 1774008000

extern const long sample_alarm_offsets[4];

/* The sample meetings and options as seen by `login` ("alice" or "bob"); *mails_r is
 * that user's NULL-terminated address list. */
void sample_feed_inputs(const char *login, struct jmb_meeting_list *list_r,
                        struct jmb_feed_options *options_r, const char *const **mails_r);

/* How many VEVENTs each user's sample feed has (a meeting or series each, and one
 * per moved occurrence): counted by hand. */
#define SAMPLE_EVENTS_ALICE 12
#define SAMPLE_EVENTS_BOB 9

#endif
