/* View models of meetings for the HTML pages: the API's JSON plus what a
 * person needs to read (dates in words, roles and answers in their language). */
#ifndef JMBD_VIEW_MEETING_H
#define JMBD_VIEW_MEETING_H

#include <jansson.h>

#include "web/http.h"
#include "domain/meeting.h"

struct jmbd;

/* One meeting as the requester sees it in a list or on its page; a series at
 * the occurrence at hand (the next, else its last), with "rule_text", its rule
 * in words. */
json_t *view_meeting(struct jmbd *d, struct jmb_request *req, struct jmb_meeting *m);

#endif
