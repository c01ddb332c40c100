/* A series' occurrences on its meeting page. */
#ifndef JMBD_PAGE_OCCURRENCES_H
#define JMBD_PAGE_OCCURRENCES_H

#include <jansson.h>
#include <stdbool.h>

#include "domain/meeting.h"
#include "web/http.h"

struct jmbd;

/* Adds to the meeting's view "occurrences" (the next ten from now, or from
 * ?from=<recurrence id>; with the organiser's move and cancel forms when
 * owner) and "occurrences_next" (the link to the ten after), for a series
 * not over. */
void view_occurrences(struct jmbd *d, struct jmb_request *req, const struct jmb_meeting *m,
                      bool owner, json_t *view);

#endif
