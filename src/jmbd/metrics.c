/* jmbd's metrics: relaxed atomic counters bumped on the hot path, and the
 * /metrics route that reads them into Prometheus text (src/lib/web/metrics-text.c). */
#include "config.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "handlers.h"
#include "web/metrics-text.h"
#include "metrics.h"
#include "render.h"

/* Route classes: a fixed set, so that label cardinality stays bounded
 * whatever paths clients make up. Personal tokens never become labels. */
enum route_class {
	ROUTE_CLASS_JOIN,
	ROUTE_CLASS_START,
	ROUTE_CLASS_INVITATION,
	ROUTE_CLASS_FEED,
	ROUTE_CLASS_API,
	ROUTE_CLASS_AUTH,
	ROUTE_CLASS_STATIC,
	ROUTE_CLASS_SYSTEM,
	ROUTE_CLASS_LEGACY,
	ROUTE_CLASS_PAGE, /* everything else, unknown paths included */
	ROUTE_CLASS_COUNT,
};

static const char *const route_class_names[ROUTE_CLASS_COUNT] = {
    "join", "start", "invitation", "feed", "api", "auth", "static", "system", "legacy", "page",
};

/* A prefix ending in '/' matches what follows; any other matches exactly. */
static const struct {
	const char *prefix;
	enum route_class class;
} route_prefixes[] = {
    {"/j/", ROUTE_CLASS_JOIN},
    {"/start/", ROUTE_CLASS_START},
    {"/r/", ROUTE_CLASS_INVITATION},
    {"/feed/", ROUTE_CLASS_FEED},
    {"/api/", ROUTE_CLASS_API},
    {"/auth/", ROUTE_CLASS_AUTH},
    {"/logout", ROUTE_CLASS_AUTH},
    {"/static/", ROUTE_CLASS_STATIC},
    {"/healthz", ROUTE_CLASS_SYSTEM},
    {"/metrics", ROUTE_CLASS_SYSTEM},
    {"/booking.cgi", ROUTE_CLASS_LEGACY},
    {"/token.cgi", ROUTE_CLASS_LEGACY},
    {"/join.cgi", ROUTE_CLASS_LEGACY},
    {"/invitation.cgi", ROUTE_CLASS_LEGACY},
    {"/ical.cgi", ROUTE_CLASS_LEGACY},
    {"/close.cgi", ROUTE_CLASS_LEGACY},
};

#define STATUS_LIMIT 600 /* HTTP status codes are 100 to 599 */

/* Request duration buckets, in nanoseconds: 1 ms to 10 s. */
static const uint64_t duration_bounds[] = {
    1000000,   2500000,   5000000,    10000000,   25000000,   50000000,    100000000,
    250000000, 500000000, 1000000000, 2500000000, 5000000000, 10000000000,
};
#define N_BOUNDS (sizeof(duration_bounds) / sizeof(duration_bounds[0]))

struct duration_histogram {
	atomic_uint_least64_t counts[N_BOUNDS + 1]; /* per bucket, the last above 10 s */
	atomic_uint_least64_t sum;                  /* nanoseconds */
};

/* One metric family per run of events in enum order; label NULL: no label. */
static const struct {
	const char *name, *help, *label, *value;
} event_samples[METRICS_EVENT_COUNT] = {
    [METRICS_JOIN] = {"jmb_joins_total",
                      "Redirects into a Jitsi room, from personal links (/j/) and /start/.", NULL,
                      NULL},
    [METRICS_MAIL_SENT] = {"jmb_mail_deliveries_total",
                           "Mail delivery attempts by the queue worker: sent; deferred (SMTP "
                           "4xx or no connection, retried later); failed (SMTP 5xx, or given "
                           "up after [mail] retry_max_hours).",
                           "outcome", "sent"},
    [METRICS_MAIL_DEFERRED] = {"jmb_mail_deliveries_total", NULL, "outcome", "deferred"},
    [METRICS_MAIL_FAILED] = {"jmb_mail_deliveries_total", NULL, "outcome", "failed"},
    [METRICS_REMINDER_MAIL] = {"jmb_reminders_sent_total",
                               "Reminders sent: mails queued for a meeting, or messages "
                               "posted in its Jitsi room.",
                               "channel", "mail"},
    [METRICS_REMINDER_XMPP] = {"jmb_reminders_sent_total", NULL, "channel", "xmpp"},
    [METRICS_MAIL_IN_ANSWER] = {"jmb_mail_in_total",
                                "Mails received for reply addresses, by what jmb did: an "
                                "answer recorded, a bounce recorded, passed on to the "
                                "organiser, or ignored (the log says why).",
                                "outcome", "answer"},
    [METRICS_MAIL_IN_BOUNCE] = {"jmb_mail_in_total", NULL, "outcome", "bounce"},
    [METRICS_MAIL_IN_FORWARDED] = {"jmb_mail_in_total", NULL, "outcome", "forwarded"},
    [METRICS_MAIL_IN_IGNORED] = {"jmb_mail_in_total", NULL, "outcome", "ignored"},
    [METRICS_LOGIN_SUCCESS] = {"jmb_logins_total",
                               "Logins through a login plugin: sessions opened (success), "
                               "credentials refused by the local or ldap-bind form (failure).",
                               "outcome", "success"},
    [METRICS_LOGIN_FAILURE] = {"jmb_logins_total", NULL, "outcome", "failure"},
    [METRICS_LOGIN_THROTTLED] = {"jmb_login_throttled_total",
                                 "Password logins answered 429 by the login throttle, without "
                                 "checking the password.",
                                 NULL, NULL},
    [METRICS_LOGIN_LOCK] = {"jmb_login_locks_total",
                            "Locks started by the login throttle: a client reached [auth] "
                            "login_lock_after failures for one account.",
                            NULL, NULL},
    [METRICS_STORE_ERROR] = {"jmb_store_errors_total",
                             "Store calls that failed (error or retry), not counting "
                             "\"not found\".",
                             NULL, NULL},
    [METRICS_CONN_HEAD_DEADLINE] = {"jmb_http_connections_closed_total",
                                    "Client connections jmbd closed: request line and headers "
                                    "not complete in [server] request_head_timeout "
                                    "(head_deadline), body not complete in "
                                    "request_body_timeout (body_deadline), or shed to make "
                                    "room near max_connections (shed).",
                                    "reason", "head_deadline"},
    [METRICS_CONN_BODY_DEADLINE] = {"jmb_http_connections_closed_total", NULL, "reason",
                                    "body_deadline"},
    [METRICS_CONN_SHED] = {"jmb_http_connections_closed_total", NULL, "reason", "shed"},
};

static atomic_uint_least64_t events[METRICS_EVENT_COUNT];
static atomic_uint_least64_t requests[ROUTE_CLASS_COUNT][STATUS_LIMIT];
static struct duration_histogram durations[ROUTE_CLASS_COUNT];
static time_t start_time;

void metrics_init(void)
{
	start_time = time(NULL);
}

void metrics_count(enum metrics_event event)
{
	atomic_fetch_add_explicit(&events[event], 1, memory_order_relaxed);
}

uint64_t metrics_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static enum route_class route_class_of(const char *path)
{
	for (size_t i = 0; i < sizeof(route_prefixes) / sizeof(route_prefixes[0]); i++) {
		const char *prefix = route_prefixes[i].prefix;
		size_t len = strlen(prefix);

		if (strncmp(path, prefix, len) == 0 &&
		    (prefix[len - 1] == '/' || path[len] == '\0'))
			return route_prefixes[i].class;
	}
	return ROUTE_CLASS_PAGE;
}

void metrics_http_request(const char *path, unsigned status, uint64_t started)
{
	enum route_class class = route_class_of(path);
	uint64_t elapsed = metrics_clock() - started;
	struct duration_histogram *h = &durations[class];
	size_t bucket = 0;

	if (status < STATUS_LIMIT)
		atomic_fetch_add_explicit(&requests[class][status], 1, memory_order_relaxed);
	while (bucket < N_BOUNDS && elapsed > duration_bounds[bucket])
		bucket++;
	atomic_fetch_add_explicit(&h->counts[bucket], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->sum, elapsed, memory_order_relaxed);
}

static uint64_t load(atomic_uint_least64_t *counter)
{
	return atomic_load_explicit(counter, memory_order_relaxed);
}

/* Only the (route, code) pairs seen so far: most of the table stays zero. */
static void write_requests(struct jmb_strbuf *out)
{
	jmb_metrics_text_family(out, "jmb_http_requests_total", "counter",
	                        "HTTP requests answered, by route class and status code.");
	for (size_t r = 0; r < ROUTE_CLASS_COUNT; r++) {
		for (unsigned status = 100; status < STATUS_LIMIT; status++) {
			uint64_t n = load(&requests[r][status]);
			char code[8];

			if (n == 0)
				continue;
			snprintf(code, sizeof(code), "%u", status);
			const char *labels[] = {"route", route_class_names[r], "code", code, NULL};
			jmb_metrics_text_sample(out, "jmb_http_requests_total", labels, n);
		}
	}
}

static void write_durations(struct jmb_strbuf *out)
{
	jmb_metrics_text_family(out, "jmb_http_request_duration_seconds", "histogram",
	                        "Time from a complete request to its queued response, "
	                        "by route class.");
	for (size_t r = 0; r < ROUTE_CLASS_COUNT; r++) {
		uint64_t counts[N_BOUNDS + 1], total = 0;
		const char *labels[] = {"route", route_class_names[r], NULL};

		for (size_t i = 0; i <= N_BOUNDS; i++)
			total += counts[i] = load(&durations[r].counts[i]);
		if (total == 0)
			continue;
		struct jmb_histogram_view view = {.bounds = duration_bounds,
		                                  .n_bounds = N_BOUNDS,
		                                  .counts = counts,
		                                  .sum = load(&durations[r].sum)};
		jmb_metrics_text_histogram(out, "jmb_http_request_duration_seconds", labels, &view);
	}
}

/* Every event series, zeros included, so that rate() sees each from the start. */
static void write_events(struct jmb_strbuf *out)
{
	for (size_t e = 0; e < METRICS_EVENT_COUNT; e++) {
		const char *labels[] = {event_samples[e].label, event_samples[e].value, NULL};

		if (e == 0 || strcmp(event_samples[e].name, event_samples[e - 1].name) != 0)
			jmb_metrics_text_family(out, event_samples[e].name, "counter",
			                        event_samples[e].help);
		jmb_metrics_text_sample(out, event_samples[e].name,
		                        event_samples[e].label != NULL ? labels : NULL,
		                        load(&events[e]));
	}
}

/* process_start_time_seconds keeps the name every Prometheus client library
 * uses, so that the usual "time() - process_start_time_seconds" works. */
static void write_process(struct jmb_strbuf *out)
{
	const char *version[] = {"version", PACKAGE_VERSION, NULL};

	jmb_metrics_text_family(out, "jmb_build_info", "gauge", "Always 1; the version of jmbd.");
	jmb_metrics_text_sample(out, "jmb_build_info", version, 1);
	jmb_metrics_text_family(out, "process_start_time_seconds", "gauge",
	                        "Start time of the process since the Unix epoch, in seconds.");
	jmb_metrics_text_sample(out, "process_start_time_seconds", NULL, (uint64_t)start_time);
}

/* Rooms in use and the people in them, from event_sync (sessions of the last
 * day: older ones are stale records of a Prosody that never said goodbye).
 * Left out when the store cannot answer: a missing gauge is not a zero. */
static void write_live(struct jmbd *d, struct jmb_strbuf *out)
{
	long rooms = 0, participants = 0;
	struct jmb_error error;

	if (jmb_store_live_totals(d->store, jmbd_now() - 86400, &rooms, &participants, &error) !=
	    JMB_STORE_OK)
		return;
	jmb_metrics_text_family(out, "jmb_live_rooms", "gauge",
	                        "Jitsi rooms with people in them, as event_sync reports.");
	jmb_metrics_text_sample(out, "jmb_live_rooms", NULL, (uint64_t)rooms);
	jmb_metrics_text_family(out, "jmb_live_participants", "gauge",
	                        "People in Jitsi rooms (breakout rooms included).");
	jmb_metrics_text_sample(out, "jmb_live_participants", NULL, (uint64_t)participants);
}

/* GET /metrics: only for peers in [metrics] allow (403 otherwise); an empty
 * allow list turns the route off (404, as for any unknown path). */
void page_metrics(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	static const char forbidden[] = "forbidden: not in [metrics] allow\n";
	const struct jmb_metrics_settings *s = &d->rt->settings.metrics;
	struct jmb_strbuf out = {0};

	if (s->n_allow_blocks == 0) {
		render_error(d, req, resp, 404, N_("This page does not exist."));
		return;
	}
	if (!jmb_cidr_list_has_peer(s->allow_blocks, s->n_allow_blocks, req)) {
		resp->status = 403;
		jmb_response_set_body(resp, "text/plain; charset=utf-8", forbidden,
		                      sizeof(forbidden) - 1);
		return;
	}
	write_requests(&out);
	write_durations(&out);
	write_events(&out);
	write_live(d, &out);
	write_process(&out);
	jmb_response_set_body(resp, JMB_METRICS_TEXT_CONTENT_TYPE, out.data, out.len);
	jmb_strbuf_free(&out);
}
