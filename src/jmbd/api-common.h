/* What the JSON API handlers share: reading fields and refusing them. */
#ifndef JMBD_API_COMMON_H
#define JMBD_API_COMMON_H

#include <jansson.h>

#include "domain/booking.h"
#include "web/http.h"

struct jmbd;

/* 422 with every problem: `fields` maps each faulty field to its messages in
 * one text, `problems` to the list of them. type_errors (an object of
 * messages for fields of the wrong JSON type, stolen) come first; a field
 * that has one is not judged by errors too. */
void api_fail_fields(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp,
                     json_t *type_errors, const struct jmb_field_errors *errors);
/* Fills input from a JSON body over defaults (base: the meeting being
 * changed, whose fields a body may leave out; NULL for a new one). Returns 0,
 * or -1 after answering 400. *type_errors_r gets the fields of the wrong JSON
 * type (an object of messages, empty when none). */
int api_read_meeting_body(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp,
                          const struct jmb_meeting *base, struct jmb_booking_input *in,
                          json_t **type_errors_r);
/* body's string `field`; NULL when absent or null, or (with a message in
 * type_errors) when not a string. */
const char *api_string_field(json_t *body, const char *field, json_t *type_errors,
                             struct jmbd *d, struct jmb_request *req);

#endif
