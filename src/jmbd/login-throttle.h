/* The password-guessing throttle around the plugins' login forms: jmbd counts
 * refused passwords per account and client address in the store before a
 * plugin sees the password, so plugins need do nothing for it. */
#ifndef JMBD_LOGIN_THROTTLE_H
#define JMBD_LOGIN_THROTTLE_H

#include <stdbool.h>

#include "store/store.h"
#include "web/http.h"

struct jmbd;

struct login_attempt {
	bool counted; /* a password login the store counted in advance */
	const char *plugin, *login, *account, *address;
	struct jmb_login_attempt counts;
};

/* For a password login (POST /auth/<plugin>/login, the form the host renders
 * for plugins): checks the client's count for the typed account and counts
 * this try. Returns false when it answered instead of the plugin: 429 with
 * Retry-After while the client must wait, 503 when the store cannot say. */
bool login_throttle_begin(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp,
                          struct login_attempt *attempt);
/* After the plugin answered: a started session clears the client's count; a
 * 401 (credentials refused) keeps the failure, and logs an alert when it
 * starts a lock; anything else (an expired form, a directory down) did not
 * check a password and is taken back. */
void login_throttle_end(struct jmbd *d, struct jmb_request *req, const struct jmb_response *resp,
                        const struct login_attempt *attempt);

#endif
