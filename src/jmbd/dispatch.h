/* The request pipeline, independent of libmicrohttpd: route, identify,
 * CSRF, authorise, handle, finish. */
#ifndef JMBD_DISPATCH_H
#define JMBD_DISPATCH_H

#include "web/http.h"
#include "router.h"

struct jmbd;

extern const struct route jmbd_routes[];

void dispatch(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp);

#endif
