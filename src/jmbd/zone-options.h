/* The time zone list of the forms (the meeting form, the user's settings). */
#ifndef JMBD_ZONE_OPTIONS_H
#define JMBD_ZONE_OPTIONS_H

#include <jansson.h>

struct jmbd;
struct jmb_request;

/* Option groups for a <select>: first "Suggested" (selected, the viewer's
 * zone, the server's, those of the requester's meetings of the last 400
 * days, newest first; only there is an option selected), then every IANA
 * zone by region, then UTC. Each group {label, zones: [{value, label,
 * selected}]}. */
json_t *zone_groups(struct jmbd *d, struct jmb_request *req, const char *selected);

#endif
