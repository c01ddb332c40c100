/* Attendance for the organiser: who answered what and who came, from
 * event_sync's records (src/lib/domain/attendance.c), as JSON
 * (/api/v1/meetings/{id}/attendance), as CSV (/meetings/{id}/attendance.csv)
 * and in the meeting page's invitee table. */
#include "config.h"

#include <string.h>

#include "attendance.h"
#include "daemon.h"
#include "domain/room.h"
#include "handlers.h"
#include "meeting-actions.h"
#include "metrics.h"
#include "render.h"
#include "util/log.h"
#include "util/memory.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

int meeting_attendance(struct jmbd *d, struct jmb_pool *pool, const struct jmb_meeting *m,
                       struct jmb_attendance *out)
{
	const struct jmb_settings *s = &d->rt->settings;
	time_t now = jmbd_now();
	struct jmb_room_window w = jmb_room_window(m, now, s->booking.link_opens_before,
	                                           s->jitsi.start_early, s->jitsi.room_grace);
	struct jmb_presence *sessions;
	struct jmb_error error;
	size_t n;

	if (jmb_store_attendance(d->store, pool, m->id, &sessions, &n, &error) != JMB_STORE_OK) {
		jmb_log(JMB_LOG_ERROR, "attendance", "error", error.text, NULL);
		metrics_count(METRICS_STORE_ERROR);
		return -1;
	}
	jmb_attendance_compute(pool, m, sessions, n, now < w.closes ? now : w.closes, out);
	return 0;
}

static json_t *time_or_null(time_t t, const char *zone)
{
	char text[40];

	if (t == 0)
		return json_null();
	jmb_format_rfc3339(t, zone, text, sizeof(text));
	return json_string(text);
}

static bool load(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp,
                 struct jmb_meeting **m_r, struct jmb_attendance *a)
{
	enum action_result r = meeting_load(d, req, req->params[0], ACCESS_OWNER, m_r);

	if (r == ACTION_OK && meeting_attendance(d, req->pool, *m_r, a) < 0)
		r = ACTION_FAILED;
	if (r != ACTION_OK)
		meeting_action_fail(d, req, resp, r);
	return r == ACTION_OK;
}

void api_meeting_attendance(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	struct jmb_meeting *m;
	struct jmb_attendance a;
	json_t *list;

	if (!load(d, req, resp, &m, &a))
		return;
	list = json_array();
	for (size_t i = 0; i < a.n; i++) {
		const struct jmb_attendance_entry *e = &a.entries[i];
		json_array_append_new(
		    list, json_pack("{s:s, s:s, s:s, s:b, s:o, s:o, s:I, s:b}", "mail", e->mail,
		                    "role", e->role, "status", jmb_partstat_name(e->status),
		                    "attended", e->first_join != 0, "first_join",
		                    time_or_null(e->first_join, m->timezone), "last_leave",
		                    time_or_null(e->last_leave, m->timezone), "seconds_present",
		                    (json_int_t)e->seconds, "present", e->present));
	}
	render_json(resp, 200,
	            json_pack("{s:o, s:I}", "attendance", list, "unknown_participants",
	                      (json_int_t)a.unknown));
}

/* A CSV field: quoted when it must be; a leading = + - @ is defused so that a
 * spreadsheet never reads a value as a formula. */
static void csv_field(struct jmb_strbuf *sb, const char *v)
{
	bool quote = strpbrk(v, ",\"\r\n") != NULL;

	if (quote)
		jmb_strbuf_putc(sb, '"');
	if (strchr("=+-@", *v) != NULL && *v != '\0')
		jmb_strbuf_putc(sb, '\'');
	for (; *v != '\0'; v++) {
		if (*v == '"')
			jmb_strbuf_putc(sb, '"');
		jmb_strbuf_putc(sb, *v);
	}
	if (quote)
		jmb_strbuf_putc(sb, '"');
}

void page_meeting_attendance_csv(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	struct jmb_strbuf sb = {0};
	struct jmb_meeting *m;
	struct jmb_attendance a;
	char first[40], last[40];

	if (!load(d, req, resp, &m, &a))
		return;
	jmb_strbuf_puts(&sb, "mail,role,answer,attended,first_join,last_leave,minutes_present\r\n");
	for (size_t i = 0; i < a.n; i++) {
		const struct jmb_attendance_entry *e = &a.entries[i];

		*first = *last = '\0';
		if (e->first_join != 0)
			jmb_format_rfc3339(e->first_join, m->timezone, first, sizeof(first));
		if (e->last_leave != 0)
			jmb_format_rfc3339(e->last_leave, m->timezone, last, sizeof(last));
		csv_field(&sb, e->mail);
		jmb_strbuf_printf(&sb, ",%s,%s,%s,%s,%s,%ld\r\n", e->role,
		                  jmb_partstat_name(e->status), e->first_join != 0 ? "yes" : "no",
		                  first, last, (e->seconds + 59) / 60);
	}
	/* People who came without a token of this meeting, counted in one row. */
	jmb_strbuf_printf(&sb, ",unknown,,%ld,,,\r\n", a.unknown);
	jmb_response_set_body(resp, "text/csv; charset=utf-8", sb.data, sb.len);
	jmb_response_add_header(resp, "Content-Disposition",
	                        jmb_pool_printf(req->pool,
	                                        "attachment; filename=\"attendance-%lld.csv\"",
	                                        (long long)m->id));
	jmb_strbuf_free(&sb);
}
