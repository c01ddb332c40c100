/* People from the directory, as jmbd uses them: identities completed from
 * LDAP, who may book, and what typed invitee addresses stand for. */
#ifndef JMBD_PEOPLE_H
#define JMBD_PEOPLE_H

#include "domain/booking.h"
#include "web/http.h"

struct jmbd;

enum people_answer { PEOPLE_YES = 1, PEOPLE_NO = 2, PEOPLE_UNAVAILABLE = 3 };

/* Completes identity (in req's pool) with the directory's addresses, name and
 * groups when [ldap] is set. A directory that does not answer leaves it as
 * it is (logged): logging in and reading one's meetings must not need LDAP. */
void people_enrich(struct jmbd *d, struct jmb_request *req, struct jmb_identity *identity);
/* [booking] editor_filter / editor_groups for the requester (asked once per request). */
enum people_answer people_may_book(struct jmbd *d, struct jmb_request *req);
/* The booking resolver: the lists file, then the directory. data is the request. */
jmb_booking_resolver people_resolve;

#endif
