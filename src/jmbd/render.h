/* Turning results into responses: HTML pages through the views engine, JSON,
 * error pages, and the headers every response carries. */
#ifndef JMBD_RENDER_H
#define JMBD_RENDER_H

#include <jansson.h>

#include "domain/meeting.h"
#include "web/http.h"

struct jmbd;
struct jmbd_runtime;

/* Renders page inside the layout with model (consumed) plus the common keys. */
void render_page(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp,
                 unsigned status, const char *page, json_t *model);
/* An error as an HTML page, or as {"error": ...} for /api/ paths. msgid is translated. */
void render_error(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp,
                  unsigned status, const char *msgid);
/* JSON body (consumed). */
void render_json(struct jmb_response *resp, unsigned status, json_t *body);
/* {"error": message, "fields": fields} — fields (consumed) may be NULL. */
void render_json_error(struct jmb_response *resp, unsigned status, const char *message,
                       json_t *fields);
/* Security and caching headers every response gets. */
void render_finish(struct jmbd *d, const struct jmb_request *req, struct jmb_response *resp);

/* An invitee's answer in a word or two ("Accepted", "No answer yet"), a msgid. */
const char *partstat_label(enum jmb_partstat s);
const char *tr(struct jmbd *d, const struct jmb_request *req, const char *msgid)
    __attribute__((format_arg(3)));
/* "Tuesday 1 December 2026, 14:00" (or French) in zone. */
char *format_datetime(struct jmbd *d, const struct jmb_request *req, time_t t, const char *zone);
char *format_datetime_lang(const struct jmbd_runtime *rt, const char *lang, struct jmb_pool *pool,
                           time_t t, const char *zone);
/* The zone the requester reads times in: their own choice (users.timezone),
 * else [server] timezone. Read from the store once per request. */
const char *viewer_zone(struct jmbd *d, struct jmb_request *req);
/* "Monday 4 January" in zone. */
char *format_day(struct jmbd *d, const struct jmb_request *req, time_t t, const char *zone);
/* "14:00" in zone. */
char *format_clock_pool(struct jmb_pool *pool, time_t t, const char *zone);
char *format_clock(struct jmb_request *req, time_t t, const char *zone);
/* "1 h 30" / "1 h 30 min" style duration. */
char *format_duration(struct jmbd *d, const struct jmb_request *req, long minutes);

#endif
