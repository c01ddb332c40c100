/* The JSON form of meetings (API v1), also the base of the HTML view models. */
#ifndef JMB_JSON_MEETING_H
#define JMB_JSON_MEETING_H

#include <jansson.h>
#include <stdbool.h>
#include <time.h>

#include "domain/meeting.h"

/* {"id","room","title","description","start","end","duration","timezone",
 *  "owner":{"login","mail","name"},"attendees":[{"mail","role","status","joins"}]}.
 * link_base, when not NULL, adds each attendee's personal "link" (owner's view)
 * and, for a series, their "answers" for single occurrences. "recurrence" is the
 * series' rule or null; "next" the next occurrence not ended at `now`
 * ({"start", "end", "recurrence_id"}) or null. */
json_t *jmb_meeting_to_json(const struct jmb_meeting *m, const char *link_base, time_t now);

struct jmb_occurrence;
/* {"recurrence_id" (UTC, RFC 3339 with Z), "start", "end", "title",
 *  "description", "status": "confirmed"|"cancelled", "overridden"}. */
json_t *jmb_occurrence_to_json(const struct jmb_meeting *m, const struct jmb_occurrence *occ);

#endif
