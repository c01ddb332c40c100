/* Turning results into responses. Every response passes render_finish, which
 * adds the security headers of doc/architecture.md (Security design). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "util/log.h"
#include "util/memory.h"
#include "people.h"
#include "render.h"
#include "util/timeutil.h"

const char *partstat_label(enum jmb_partstat s)
{
	switch (s) {
	case JMB_PARTSTAT_ACCEPTED:
		return N_("Accepted");
	case JMB_PARTSTAT_DECLINED:
		return N_("Declined");
	case JMB_PARTSTAT_TENTATIVE:
		return N_("Maybe");
	default:
		return N_("No answer yet");
	}
}

const char *tr(struct jmbd *d, const struct jmb_request *req, const char *msgid)
{
	return jmb_tr(d->rt->i18n, req->language, msgid);
}

char *format_datetime_lang(const struct jmbd_runtime *rt, const char *lang, struct jmb_pool *pool,
                           time_t t, const char *zone)
{
	struct jmb_local_time lt;

	if (jmb_utc_to_local(t, zone, &lt) < 0)
		jmb_utc_to_local(t, "UTC", &lt);
	/* Each language orders and punctuates its dates: "mardi 1 décembre 2026,
	   14:00", "Dienstag, 1. Dezember 2026, 14:00". */
	return jmb_pool_printf(pool,
	                       /* TRANSLATORS: weekday, day, month, year, hour, minute ("Tuesday 1
	                          December 2026, 14:00"); reorder with the numbered forms. */
	                       jmb_tr(rt->i18n, lang, N_("%1$s %2$d %3$s %4$d, %5$02d:%6$02d")),
	                       jmb_tr(rt->i18n, lang, jmb_weekday_names[lt.weekday]), lt.day,
	                       jmb_tr(rt->i18n, lang, jmb_month_names[lt.month - 1]), lt.year,
	                       lt.hour, lt.minute);
}

const char *viewer_zone(struct jmbd *d, struct jmb_request *req)
{
	const char *zone = "";
	struct jmb_error error;

	if (req->viewer_zone != NULL)
		return req->viewer_zone;
	if (req->identity != NULL &&
	    jmb_store_user_timezone(d->store, req->pool, req->identity->login, &zone, &error) ==
	        JMB_STORE_ERROR)
		jmb_log(JMB_LOG_WARNING, "user_timezone", "error", error.text, NULL);
	req->viewer_zone =
	    *zone != '\0' && jmb_timezone_is_valid(zone) ? zone : d->rt->settings.server.timezone;
	return req->viewer_zone;
}

char *format_day(struct jmbd *d, const struct jmb_request *req, time_t t, const char *zone)
{
	struct jmb_local_time lt;

	if (jmb_utc_to_local(t, zone, &lt) < 0)
		jmb_utc_to_local(t, "UTC", &lt);
	return jmb_pool_printf(req->pool, "%s %d %s", tr(d, req, jmb_weekday_names[lt.weekday]),
	                       lt.day, tr(d, req, jmb_month_names[lt.month - 1]));
}

char *format_datetime(struct jmbd *d, const struct jmb_request *req, time_t t, const char *zone)
{
	return format_datetime_lang(d->rt, req->language, req->pool, t, zone);
}

char *format_clock_pool(struct jmb_pool *pool, time_t t, const char *zone)
{
	struct jmb_local_time lt;

	if (jmb_utc_to_local(t, zone, &lt) < 0)
		jmb_utc_to_local(t, "UTC", &lt);
	return jmb_pool_printf(pool, "%02d:%02d", lt.hour, lt.minute);
}

char *format_clock(struct jmb_request *req, time_t t, const char *zone)
{
	return format_clock_pool(req->pool, t, zone);
}

char *format_duration(struct jmbd *d, const struct jmb_request *req, long minutes)
{
	if (minutes < 60)
		return jmb_pool_printf(req->pool, "%ld min", minutes);
	if (minutes % 60 == 0)
		return jmb_pool_printf(req->pool, "%ld h", minutes / 60);
	return jmb_pool_printf(req->pool, "%ld h %02ld", minutes / 60, minutes % 60);
}

static bool is_api(const struct jmb_request *req)
{
	return strncmp(req->path, "/api/", 5) == 0;
}

static json_t *common_model(struct jmbd *d, const struct jmb_request *req)
{
	json_t *m = json_object();

	json_object_set_new(m, "lang", json_string(req->language));
	json_object_set_new(m, "csrf", json_string(req->csrf_token != NULL ? req->csrf_token : ""));
	if (req->identity != NULL) {
		const char *name = req->identity->name;
		json_object_set_new(m, "user",
		                    json_pack("{s:s, s:s, s:s}", "login", req->identity->login,
		                              "name", *name != '\0' ? name : req->identity->login,
		                              "mail", req->identity->mail));
		json_object_set_new(m, "can_logout", json_boolean(req->session_hash != NULL));
		/* Shown unless the user surely may not book (a directory that
		   is down shows it: the page then says why). */
		json_object_set_new(
		    m, "can_book",
		    json_boolean(people_may_book(d, (struct jmb_request *)req) != PEOPLE_NO));
	}
	return m;
}

void render_page(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp,
                 unsigned status, const char *page, json_t *model)
{
	json_t *full = common_model(d, req);
	struct jmb_error error;
	char *html;
	size_t len = 0;

	json_object_update(full, model);
	json_decref(model);
	html = jmb_views_render(d->rt->views, page, full, d->rt->i18n, req->language, &len, &error);
	json_decref(full);
	if (html == NULL) {
		jmb_log(JMB_LOG_ERROR, "render", "page", page, "error", error.text, NULL);
		static const char fallback[] =
		    "<!DOCTYPE html>\n<title>Error</title><p>Internal error.</p>\n";
		resp->status = 500;
		jmb_response_set_body(resp, "text/html; charset=utf-8", fallback,
		                      sizeof(fallback) - 1);
		return;
	}
	resp->status = status;
	jmb_response_set_body(resp, "text/html; charset=utf-8", html, len);
	free(html);
}

void render_json(struct jmb_response *resp, unsigned status, json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT);

	json_decref(body);
	if (text == NULL)
		jmb_fatal_oom();
	resp->status = status;
	jmb_response_set_body(resp, "application/json", text, strlen(text));
	free(text);
}

void render_json_error(struct jmb_response *resp, unsigned status, const char *message,
                       json_t *fields)
{
	json_t *body = json_pack("{s:s}", "error", message);

	if (fields != NULL)
		json_object_set_new(body, "fields", fields);
	render_json(resp, status, body);
}

void render_error(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp,
                  unsigned status, const char *msgid)
{
	if (is_api(req)) {
		render_json_error(resp, status, tr(d, req, msgid), NULL);
		return;
	}
	render_page(d, req, resp, status, "error",
	            json_pack("{s:s, s:i}", "message", tr(d, req, msgid), "status", (int)status));
}

void render_finish(struct jmbd *d, const struct jmb_request *req, struct jmb_response *resp)
{
	/* Personal links must never leak through Referer; no page may be framed. */
	jmb_response_add_header(resp, "Content-Security-Policy",
	                        "default-src 'self'; img-src 'self' data:; style-src 'self'; "
	                        "script-src 'self'; object-src 'none'; base-uri 'none'; "
	                        "form-action 'self'; frame-ancestors 'none'");
	jmb_response_add_header(resp, "Referrer-Policy", "no-referrer");
	jmb_response_add_header(resp, "X-Content-Type-Options", "nosniff");
	jmb_response_add_header(resp, "X-Frame-Options", "DENY");
	if (d->rt->settings.server.secure_cookies)
		jmb_response_add_header(resp, "Strict-Transport-Security", "max-age=31536000");
	if (jmb_response_header(resp, "Cache-Control") == NULL)
		jmb_response_add_header(resp, "Cache-Control", "no-store");
	if (strncmp(req->path, "/api/", 5) != 0 && resp->content_type != NULL &&
	    strncmp(resp->content_type, "text/html", 9) == 0)
		jmb_response_add_header(resp, "Content-Language", req->language);
}
