/* The personal iCal feed (/feed/<token>.ics), its URL in the UI and the API,
 * and its rotation. Calendar servers poll feeds every few minutes: an
 * unchanged feed is answered 304 from its version in the store (one indexed
 * lookup, see sql/sqlite/003_feed_changes.sql), without reading a meeting. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "handlers.h"
#include "publish/ical-feed.h"
#include "domain/identity.h"
#include "util/log.h"
#include "meeting-actions.h"
#include "util/memory.h"
#include "render.h"
#include "util/timeutil.h"
#include "util/secret.h"
#include "util/strbuf.h"

#define FEED_CONTEXT_LEN 16 /* hex digits of SHA-256 in the ETag */

static struct jmb_person person_of(const struct jmb_identity *id)
{
	struct jmb_person p = {
	    .login = (char *)id->login, .mail = (char *)id->mail, .name = (char *)id->name};
	return p;
}

/* The requester's feed token, created on first use. NULL after logging why. */
static const char *feed_token_of(struct jmbd *d, struct jmb_request *req, bool rotate)
{
	struct jmb_person person = person_of(req->identity);
	char candidate[JMB_TOKEN_LEN + 1], *json = jmb_identity_to_json(req->identity);
	char *token = NULL;
	struct jmb_error error;
	enum jmb_store_result r;

	jmb_random_token(candidate);
	if (rotate) {
		r = jmb_store_feed_token_set(d->store, &person, json, candidate, jmbd_now(),
		                             &error);
		token = jmb_pool_strdup(req->pool, candidate);
	} else {
		r = jmb_store_feed_token(d->store, req->pool, &person, json, candidate, jmbd_now(),
		                         &token, &error);
	}
	free(json);
	if (r != JMB_STORE_OK) {
		jmb_log(JMB_LOG_ERROR, "feed_token", "error", error.text, NULL);
		metrics_count(METRICS_STORE_ERROR);
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
	return json_pack(
	    "{s:s, s:s}", "url", jmb_pool_printf(req->pool, "%s/feed/%s.ics", public_url, token),
	    "webcal",
	    jmb_pool_printf(req->pool, "webcal%s/feed/%s.ics", host != NULL ? host : "://", token));
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

	t = jmb_time_clamp(t);
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

/* What shapes a feed besides its meetings: jmb's version, the token, the
 * user's identity (their addresses select the meetings), the language of the
 * request and the settings the feed is built with. Hashed into the ETag. */
static void feed_context(struct jmbd *d, const struct jmb_request *req, const char *token,
                         const char *identity_json, char out[FEED_CONTEXT_LEN + 1])
{
	const struct jmb_settings *s = &d->rt->settings;
	char hash[JMB_SHA256_HEX_LEN + 1];
	struct jmb_strbuf b = {0};

	jmb_strbuf_printf(&b, "%s|%s|%s|%s|%s|%ld|%ld|", PACKAGE_VERSION, token, identity_json,
	                  req->language != NULL ? req->language : "", s->server.public_url,
	                  s->booking.feed_past_days, s->booking.feed_refresh_interval);
	for (size_t i = 0; i < s->reminders.n_mail_before; i++)
		jmb_strbuf_printf(&b, "%ld,", s->reminders.mail_before[i]);
	jmb_sha256_hex(b.data, hash);
	jmb_strbuf_free(&b);
	memcpy(out, hash, FEED_CONTEXT_LEN);
	out[FEED_CONTEXT_LEN] = '\0';
}

/* A feed's ETag: "<changes>-<expiry>-<context>", the version in the store
 * (read before the meetings), until when the clock leaves the body as it is
 * (0: for ever), and the context hash. */
static const char *feed_etag(struct jmb_pool *pool, const struct jmb_feed_version *v, time_t expiry,
                             const char *context)
{
	return jmb_pool_printf(pool, "\"%lld-%lld-%s\"", (long long)v->changes, (long long)expiry,
	                       context);
}

/* The tag of If-None-Match that still names the current feed, or NULL: same
 * version and context, and its expiry not reached. */
static const char *current_etag(struct jmb_pool *pool, const char *if_none_match,
                                const struct jmb_feed_version *v, const char *context, time_t now)
{
	const char *cursor = if_none_match, *tag;
	size_t len;

	while ((tag = jmb_etag_next(&cursor, &len)) != NULL) {
		long long changes, expiry;
		char ctx[FEED_CONTEXT_LEN + 1];

		if (jmb_feed_etag_parse(tag, len, &changes, &expiry, ctx) == 0 &&
		    changes == v->changes && strcmp(ctx, context) == 0 &&
		    (expiry == 0 || now < expiry))
			return feed_etag(pool, v, (time_t)expiry, context);
	}
	return NULL;
}

/* A 304 from the store's version of the feed alone, without reading a
 * meeting. If-Modified-Since alone compares with the newest write: it misses
 * what only the clock changes (a reminder's VALARM gone once its time is past,
 * a meeting leaving the window), which only ever removes the past; clients
 * that send ETags miss nothing. A 304 carries the ETag (RFC 9110 §15.4.5);
 * when the client sent none to echo, its expiry is now, as the expiry of this
 * version is not known without the meetings: the tag is then good for
 * nothing but a 200, which brings the real one. */
static bool not_modified(const struct jmb_request *req, struct jmb_response *resp,
                         const struct jmb_feed_version *v, const char *context, time_t now)
{
	const char *inm = jmb_request_header(req, "If-None-Match");
	const char *etag = NULL;
	time_t ims;

	if (inm != NULL) {
		if (strcmp(inm, "*") != 0 &&
		    (etag = current_etag(req->pool, inm, v, context, now)) == NULL)
			return false;
	} else if (v->changed_at == 0 ||
	           (ims = parse_http_date(jmb_request_header(req, "If-Modified-Since"))) ==
	               (time_t)-1 ||
	           v->changed_at > ims) {
		return false;
	}
	resp->status = 304;
	jmb_response_add_header(resp, "ETag",
	                        etag != NULL ? etag : feed_etag(req->pool, v, now, context));
	return true;
}

static void feed_headers(struct jmb_response *resp, const struct jmb_feed_version *v, time_t now)
{
	char modified[64];

	http_date(v->changed_at > 0 ? v->changed_at : now, modified, sizeof(modified));
	jmb_response_add_header(resp, "Last-Modified", modified);
	jmb_response_add_header(resp, "Cache-Control", "private, no-cache");
	jmb_response_add_header(resp, "Vary", "Accept-Language");
}

static void unknown_feed(struct jmb_response *resp)
{
	resp->status = 404;
	jmb_response_set_body(resp, "text/plain; charset=utf-8", "unknown feed\n", 13);
}

struct jmb_feed_options calendar_options(struct jmbd *d, struct jmb_request *req,
                                         const char *calendar_name, time_t now)
{
	const struct jmb_settings *s = &d->rt->settings;

	return (struct jmb_feed_options){
	    .public_url = s->server.public_url,
	    .calendar_name = calendar_name,
	    .refresh_minutes = s->booking.feed_refresh_interval,
	    .alarm_offsets = s->reminders.mail_before,
	    .n_alarm_offsets = s->reminders.n_mail_before,
	    .join_label = tr(d, req, N_("Join the meeting:")),
	    .now = now,
	};
}

void page_feed(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	const struct jmb_settings *s = &d->rt->settings;
	const char *param = req->params[0];
	size_t len = strlen(param);
	char *token, *login = NULL, *json = NULL, *body;
	struct jmb_error error;
	char context[FEED_CONTEXT_LEN + 1];
	struct jmb_identity *owner;
	struct jmb_feed_version version;
	struct jmb_meeting_list list;
	long window = s->booking.feed_past_days * 86400L;
	time_t now = jmbd_now();
	size_t body_len = 0;

	token = jmb_pool_strndup(req->pool, param,
	                         len > 4 && strcmp(param + len - 4, ".ics") == 0 ? len - 4 : len);
	if (!jmb_token_is_wellformed(token) ||
	    jmb_store_feed_token_lookup(d->store, req->pool, token, &login, &json, &error) !=
	        JMB_STORE_OK ||
	    (owner = jmb_identity_from_json(req->pool, json)) == NULL) {
		unknown_feed(resp);
		return;
	}
	/* The version first: a write committed after it shows in a newer one. */
	if (jmb_store_feed_version(d->store, req->pool, login, owner->mails, &version, &error) !=
	    JMB_STORE_OK)
		goto fail;
	feed_context(d, req, token, json, context);
	feed_headers(resp, &version, now);
	if (not_modified(req, resp, &version, context, now))
		return;
	if (jmb_store_meetings_for_feed(d->store, req->pool, login, owner->mails, now - window,
	                                now - window, &list, &error) != JMB_STORE_OK)
		goto fail;
	struct jmb_feed_options o =
	    calendar_options(d, req,
	                     jmb_pool_printf(req->pool, "%s — %s", tr(d, req, N_("Video meetings")),
	                                     *owner->name != '\0' ? owner->name : owner->login),
	                     now);
	body = jmb_ical_feed(&o, &list, login, owner->mails, &body_len);
	jmb_response_set_body(resp, "text/calendar; charset=utf-8", body, body_len);
	free(body);
	jmb_response_add_header(
	    resp, "ETag",
	    feed_etag(req->pool, &version, jmb_ical_feed_expiry(&o, &list, window), context));
	jmb_response_add_header(resp, "Content-Disposition", "inline; filename=\"jmb.ics\"");
	return;
fail:
	jmb_log(JMB_LOG_ERROR, "feed", "error", error.text, NULL);
	metrics_count(METRICS_STORE_ERROR);
	meeting_action_fail(d, req, resp, ACTION_FAILED);
}
