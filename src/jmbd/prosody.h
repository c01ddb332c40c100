/* Prosody's calls into jmb: authentication and answers. */
#ifndef JMBD_PROSODY_H
#define JMBD_PROSODY_H

#include <stdbool.h>

#include "daemon.h"

/* {"message": message} with status. */
void prosody_answer(struct jmb_response *resp, unsigned status, const char *message);

/* True when [jitsi] prosody_token is set and the request carries it as a
 * bearer token (compared in constant time); otherwise answers 404 (the
 * endpoints are off) or 401 and returns false. */
bool prosody_may_call(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp);

#endif
