/* The personal iCal feed (/feed/<token>.ics), its URL in the UI and the API,
 * and its rotation. Calendar servers poll feeds every few minutes: an
 * unchanged feed is answered 304 from a cheap fingerprint query. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "handlers.h"
#include "ical-feed.h"
#include "identity.h"
#include "log.h"
#include "meeting-actions.h"
#include "memory.h"
#include "render.h"
#include "secret.h"

static struct jmb_person person_of(const struct jmb_identity *id)
{
	struct jmb_person p = {.login = (char *)id->login, .mail = (char *)id->mail,
			       .name = (char *)id->name};
	return p;
}

/* The requester's feed token, created on first use. NULL after logging why. */
static const char *feed_token_of(struct jmbd *d, struct jmb_request *req, bool rotate)
{
	struct jmb_person person = person_of(req->identity);
	char candidate[JMB_TOKEN_LEN + 1], *json = jmb_identity_to_json(req->identity);
	char *token = NULL, *error = NULL;
	enum jmb_store_result r;

	jmb_random_token(candidate);
	if (rotate) {
		r = jmb_store_feed_token_set(d->store, &person, json, candidate, jmbd_now(), &error);
		token = jmb_pool_strdup(req->pool, candidate);
	} else {
		r = jmb_store_feed_token(d->store, req->pool, &person, json, candidate, jmbd_now(),
					 &token, &error);
	}
	free(json);
	if (r != JMB_STORE_OK) {
		jmb_log(JMB_LOG_ERROR, "feed_token", "error", error, NULL);
		free(error);
		return NULL;
	}
	if (rotate)
		jmb_log(JMB_LOG_INFO, "feed_rotated", "user", req->identity->login, NULL);
	return token;
}

/* {"url": "https://.../feed/T.ics", "webcal": "webcal://.../feed/T.ics"} */
json_t *feed_urls(struct jmbd *d, struct jmb_request *req, bool rotate)
{
	const char *public_url = d->rt->settings.server.public_url;
	const char *token = feed_token_of(d, req, rotate);
	const char *host = strstr(public_url, "://");

	if (token == NULL)
		return NULL;
	return json_pack("{s:s, s:s}", "url",
			 jmb_pool_printf(req->pool, "%s/feed/%s.ics", public_url, token), "webcal",
			 jmb_pool_printf(req->pool, "webcal%s/feed/%s.ics", host != NULL ? host : "://",
					 token));
}

void page_feed_rotate(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	json_t *urls = feed_urls(d, req, true);

	if (urls == NULL) {
		meeting_action_fail(d, req, resp, ACTION_FAILED);
		return;
	}
	json_decref(urls);
	jmb_response_redirect(resp, 303, "/meetings?feed_rotated=1#feed");
}

void api_feed_get(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	json_t *urls = feed_urls(d, req, false);

	if (urls == NULL)
		meeting_action_fail(d, req, resp, ACTION_FAILED);
	else
		render_json(resp, 200, urls);
}

void api_feed_rotate(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	json_t *urls = feed_urls(d, req, true);

	if (urls == NULL)
		meeting_action_fail(d, req, resp, ACTION_FAILED);
	else
		render_json(resp, 200, urls);
}

static void http_date(time_t t, char *buf, size_t size)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, size, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static time_t parse_http_date(const char *s)
{
	struct tm tm = {0};

	if (s == NULL || strptime(s, "%a, %d %b %Y %H:%M:%S GMT", &tm) == NULL)
		return (time_t)-1;
	return timegm(&tm);
}

/* True (and a 304 answered) when the client's copy is current. */
static bool not_modified(const struct jmb_request *req, struct jmb_response *resp,
			 const char *etag, time_t last_modified)
{
	const char *inm = jmb_request_header(req, "If-None-Match");
	time_t ims;

	if (inm != NULL) {
		if (strstr(inm, etag) == NULL && strcmp(inm, "*") != 0)
			return false;
	} else if ((ims = parse_http_date(jmb_request_header(req, "If-Modified-Since"))) ==
			   (time_t)-1 ||
		   last_modified > ims) {
		return false;
	}
	resp->status = 304;
	return true;
}

void page_feed(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	const struct jmb_settings *s = &d->rt->settings;
	const char *param = req->params[0];
	size_t len = strlen(param);
	char *token, *login = NULL, *json = NULL, *error = NULL, *body;
	char etag[64], hash[JMB_SHA256_HEX_LEN + 1], modified[64];
	struct jmb_identity *owner;
	struct jmb_feed_stamp stamp;
	struct jmb_meeting_list list;
	time_t now = jmbd_now(), since = now - s->booking.feed_past_days * 86400L;
	size_t body_len = 0;

	token = jmb_pool_strndup(req->pool, param, len > 4 && strcmp(param + len - 4, ".ics") == 0 ? len - 4 : len);
	if (!jmb_token_is_wellformed(token) ||
	    jmb_store_feed_token_lookup(d->store, req->pool, token, &login, &json, &error) != JMB_STORE_OK ||
	    (owner = jmb_identity_from_json(req->pool, json)) == NULL) {
		free(error);
		resp->status = 404;
		jmb_response_set_body(resp, "text/plain; charset=utf-8", "unknown feed\n", 13);
		return;
	}
	if (jmb_store_feed_stamp(d->store, req->pool, login, owner->mails, since, since,
				 s->reminders.mail_before, s->reminders.n_mail_before, now, &stamp,
				 &error) != JMB_STORE_OK)
		goto fail;
	snprintf(etag, sizeof(etag), "%s|%lld|%ld|%ld|%ld|%s", token,
		 (long long)stamp.last_modified, stamp.meetings, stamp.future_alarms,
		 stamp.revisions, PACKAGE_VERSION);
	jmb_sha256_hex(etag, hash);
	snprintf(etag, sizeof(etag), "\"%.32s\"", hash);
	http_date(stamp.last_modified > 0 ? stamp.last_modified : now, modified, sizeof(modified));
	jmb_response_add_header(resp, "ETag", etag);
	jmb_response_add_header(resp, "Last-Modified", modified);
	jmb_response_add_header(resp, "Cache-Control", "private, no-cache");
	if (not_modified(req, resp, etag, stamp.last_modified))
		return;
	if (jmb_store_meetings_for_feed(d->store, req->pool, login, owner->mails, since, since, &list,
					&error) != JMB_STORE_OK)
		goto fail;
	struct jmb_feed_options o = {
		.public_url = s->server.public_url,
		.calendar_name = jmb_pool_printf(req->pool, "%s — %s", tr(d, req, N_("Video meetings")),
						 *owner->name != '\0' ? owner->name : owner->login),
		.refresh_minutes = s->booking.feed_refresh_interval,
		.alarm_offsets = s->reminders.mail_before,
		.n_alarm_offsets = s->reminders.n_mail_before,
		.join_label = tr(d, req, N_("Join the meeting:")),
		.now = now,
	};
	body = jmb_ical_feed(&o, &list, login, owner->mails, &body_len);
	jmb_response_set_body(resp, "text/calendar; charset=utf-8", body, body_len);
	free(body);
	jmb_response_add_header(resp, "Content-Disposition", "inline; filename=\"jmb.ics\"");
	return;
fail:
	jmb_log(JMB_LOG_ERROR, "feed", "error", error, NULL);
	free(error);
	meeting_action_fail(d, req, resp, ACTION_FAILED);
}
