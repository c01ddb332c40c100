/* People from the directory in jmbd. The directory handle belongs to the
 * runtime (it follows SIGHUP reloads); nothing here blocks longer than
 * [ldap] timeout, and a directory that is down is never taken for "no". */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemon.h"
#include "directory/directory.h"
#include "util/log.h"
#include "people.h"
#include "directory/subscribers-file.h"

static void log_unavailable(struct jmbd *d, const char *what, const char *login,
                            const struct jmb_error *error)
{
	/* While held down, the outage has been logged once (daemon.c). */
	jmb_log(jmb_directory_held_down(d->rt->directory) ? JMB_LOG_DEBUG : JMB_LOG_WARNING,
	        "directory_unavailable", "use", what, "user", login != NULL ? login : "-", "error",
	        error->text, NULL);
}

void people_enrich(struct jmbd *d, struct jmb_request *req, struct jmb_identity *identity)
{
	struct jmb_error error;
	enum jmb_directory_result r;

	if (d->rt->directory == NULL || identity == NULL || identity->login == NULL)
		return;
	r = jmb_directory_enrich(d->rt->directory, req->pool, identity, &error);
	if (r == JMB_DIRECTORY_UNAVAILABLE)
		log_unavailable(d, "identity", identity->login, &error);
}

static bool in_editor_groups(const struct jmb_booking_settings *b, const struct jmb_identity *id)
{
	for (size_t i = 0; b->editor_groups[i] != NULL; i++) {
		for (size_t j = 0; id->groups != NULL && id->groups[j] != NULL; j++) {
			if (strcasecmp(b->editor_groups[i], id->groups[j]) == 0)
				return true;
		}
	}
	return false;
}

static enum people_answer may_book(struct jmbd *d, struct jmb_request *req)
{
	const struct jmb_booking_settings *b = &d->rt->settings.booking;
	enum jmb_directory_result r;
	struct jmb_error error;

	if (*b->editor_filter == '\0' && b->editor_groups[0] == NULL)
		return PEOPLE_YES;
	if (req->identity == NULL)
		return PEOPLE_NO;
	if (in_editor_groups(b, req->identity))
		return PEOPLE_YES;
	if (*b->editor_filter == '\0' || d->rt->directory == NULL)
		return PEOPLE_NO;
	r = jmb_directory_user_matches(d->rt->directory, req->pool, req->identity->login,
	                               b->editor_filter, &error);
	if (r == JMB_DIRECTORY_UNAVAILABLE) {
		log_unavailable(d, "editor_filter", req->identity->login, &error);
		return PEOPLE_UNAVAILABLE;
	}
	return r == JMB_DIRECTORY_OK ? PEOPLE_YES : PEOPLE_NO;
}

enum people_answer people_may_book(struct jmbd *d, struct jmb_request *req)
{
	if (req->may_book == 0)
		req->may_book = may_book(d, req);
	return (enum people_answer)req->may_book;
}

enum jmb_booking_resolution people_resolve(void *data, struct jmb_pool *pool, const char *mail,
                                           const char *const **mails_r)
{
	struct jmb_request *req = data;
	struct jmbd *d = req->daemon;
	const char *file = d->rt->settings.booking.subscribers_file;
	enum jmb_directory_result r;
	struct jmb_error dir_error;
	bool is_group = false;

	if (file != NULL && *file != '\0') {
		struct jmb_error file_error;
		int found = jmb_subscribers_file_expand(file, pool, mail, mails_r, &file_error);
		if (found < 0) {
			jmb_log(JMB_LOG_ERROR, "subscribers_file", "error", file_error.text, NULL);
		} else if (found > 0 && (*mails_r)[0] != NULL) {
			return JMB_RESOLVE_LIST;
		}
	}
	if (d->rt->directory == NULL)
		return JMB_RESOLVE_SAME;
	r = jmb_directory_resolve_mail(d->rt->directory, pool, mail, mails_r, &is_group,
	                               &dir_error);
	if (r == JMB_DIRECTORY_UNAVAILABLE) {
		/* Booking with plain addresses goes on without the directory. */
		log_unavailable(d, "resolve", req->identity != NULL ? req->identity->login : NULL,
		                &dir_error);
		return JMB_RESOLVE_SAME;
	}
	if (r != JMB_DIRECTORY_OK || (*mails_r)[0] == NULL)
		return JMB_RESOLVE_SAME;
	if (is_group)
		return JMB_RESOLVE_LIST;
	return strcmp((*mails_r)[0], mail) != 0 ? JMB_RESOLVE_REPLACED : JMB_RESOLVE_SAME;
}
