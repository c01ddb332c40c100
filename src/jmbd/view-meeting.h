/* View models of meetings for the HTML pages: the API's JSON plus what a
 * person needs to read (dates in words, roles and answers in their language). */
#ifndef JMBD_VIEW_MEETING_H
#define JMBD_VIEW_MEETING_H

#include <jansson.h>
#include <stdbool.h>
#include <time.h>

#include "web/http.h"
#include "domain/meeting.h"

struct jmbd;

/* One meeting as the requester sees it in a list or on its page. */
json_t *view_meeting(struct jmbd *d, struct jmb_request *req, struct jmb_meeting *m);
/* A series seen at one occurrence: view_meeting of m at the occurrence
 * `after` is about (the next, for the list; jmb_meeting_focus for its page
 * when focus), with "rule_text", the rule in words from its first start.
 * A single meeting is view_meeting's. */
json_t *view_series(struct jmbd *d, struct jmb_request *req, struct jmb_meeting *m, time_t after,
                    bool focus);

#endif
