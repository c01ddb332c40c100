/* Booking rules shared by the web form and the JSON API. Every message is
 * translated here so both front ends say the same thing. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "domain/booking.h"
#include "domain/recurrence.h"
#include "web/form.h"
#include "domain/identity.h"
#include "domain/mailaddr.h"
#include "util/memory.h"
#include "util/secret.h"
#include "util/text.h"
#include "util/timeutil.h"

struct check {
	const struct jmb_booking_context *ctx;
	struct jmb_pool *pool;
	struct jmb_field_errors *errors;
};

static void field_error(struct check *c, const char *field, const char *msgid, ...)
    __attribute__((format(printf, 3, 4)));
static void field_error(struct check *c, const char *field, const char *msgid, ...)
{
	struct jmb_field_errors *e = c->errors;
	const char *message;
	va_list ap;

	/* Every problem of every field, each said once. */
	if (e->count == sizeof(e->items) / sizeof(e->items[0]))
		return;
	va_start(ap, msgid);
	message = jmb_pool_vprintf(c->pool, jmb_tr(c->ctx->i18n, c->ctx->language, msgid), ap);
	va_end(ap);
	for (size_t i = 0; i < e->count; i++) {
		if (strcmp(e->items[i].field, field) == 0 &&
		    strcmp(e->items[i].message, message) == 0)
			return;
	}
	e->items[e->count].field = field;
	e->items[e->count].message = message;
	e->count++;
}

static size_t utf8_length(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static char *trimmed(struct jmb_pool *pool, const char *s)
{
	size_t len;

	if (s == NULL)
		return NULL;
	while (isspace((unsigned char)*s))
		s++;
	len = strlen(s);
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	return jmb_pool_strndup(pool, s, len);
}

#define TITLE_FORBIDDEN                                                                            \
	N_("The title must not contain control characters, line breaks, invisible direction "      \
	   "marks or unassigned characters.")
#define DESCRIPTION_FORBIDDEN                                                                      \
	N_("The description must not contain control characters, invisible direction marks or "    \
	   "unassigned characters.")

/* A title or description in NFC, or NULL (with the field's message) when it is
 * not UTF-8 or holds what jmb_text_forbidden() refuses. */
static char *normalized_text(struct check *c, const char *field, const char *s, bool multiline)
{
	char *nfc = jmb_text_nfc(c->pool, s);

	if (nfc == NULL)
		field_error(c, field, N_("This text is not valid UTF-8."));
	else if (jmb_text_check(nfc, multiline) != JMB_TEXT_OK)
		field_error(c, field, multiline ? DESCRIPTION_FORBIDDEN : TITLE_FORBIDDEN);
	else
		return nfc;
	return NULL;
}

/* s with CRLF and lone CR turned into LF, in place: forms send CRLF, and a
 * CR kept in a description comes out of HTML and iCalendar as "&#13;". */
static char *unix_line_ends(char *s)
{
	char *out = s;

	for (const char *p = s; p != NULL && *p != '\0'; p++) {
		if (*p == '\r') {
			*out++ = '\n';
			if (p[1] == '\n')
				p++;
		} else {
			*out++ = *p;
		}
	}
	if (out != NULL)
		*out = '\0';
	return s;
}

static void check_texts(struct check *c, const struct jmb_booking_input *in, struct jmb_meeting *m)
{
	const struct jmb_booking_settings *rules = c->ctx->rules;
	char *title = trimmed(c->pool, in->title);
	char *description =
	    unix_line_ends(trimmed(c->pool, in->description != NULL ? in->description : ""));

	m->title = title;
	m->description = description;
	if (title == NULL || *title == '\0') {
		field_error(c, "title", N_("Please give the meeting a title."));
	} else if ((m->title = normalized_text(c, "title", title, false)) == NULL) {
		m->title = title;
	} else if (utf8_length(m->title) > (size_t)rules->max_title_length) {
		field_error(c, "title", N_("The title is too long (at most %ld characters)."),
		            rules->max_title_length);
	}
	if ((m->description = normalized_text(c, "description", description, true)) == NULL)
		m->description = description;
	else if (utf8_length(m->description) > (size_t)rules->max_description_length)
		field_error(c, "description",
		            N_("The description is too long (at most %ld characters)."),
		            rules->max_description_length);
}

static void check_duration(struct check *c, const char *text, struct jmb_meeting *m)
{
	const struct jmb_booking_settings *r = c->ctx->rules;
	char *end;
	long v;

	if (text == NULL || *text == '\0') {
		field_error(c, "duration", N_("Please choose a duration."));
		return;
	}
	errno = 0;
	v = strtol(text, &end, 10);
	if (errno != 0 || *end != '\0' || end == text) {
		field_error(c, "duration", N_("The duration must be a number of minutes."));
		return;
	}
	if (v < r->min_duration || v > r->max_duration || (v - r->min_duration) % r->step_duration)
		field_error(c, "duration",
		            N_("The duration must be between %ld and %ld minutes, in steps of %ld "
		               "minutes."),
		            r->min_duration, r->max_duration, r->step_duration);
	else
		m->duration = v;
}

/* The start, either as an instant (API) or as a wall-clock time in the zone (form). */
static void check_start(struct check *c, const struct jmb_booking_input *in,
                        const struct jmb_meeting *previous, struct jmb_meeting *m)
{
	struct jmb_local_time lt = {0}, clock = {0};
	const char *field = in->has_start_utc || in->start_text != NULL ? "start" : "date";

	m->timezone = jmb_pool_strdup(c->pool, in->timezone != NULL && *in->timezone != '\0'
	                                           ? in->timezone
	                                           : c->ctx->default_timezone);
	if (!jmb_timezone_is_valid(m->timezone)) {
		field_error(c, "timezone", N_("Unknown time zone."));
		return;
	}
	if (in->has_start_utc) {
		m->start = in->start_utc;
	} else if (in->start_text != NULL) {
		field_error(
		    c, "start",
		    N_("The start must be a date and time such as 2030-01-31T14:00:00+01:00."));
		return;
	} else if (in->date == NULL || jmb_parse_date(in->date, &lt) < 0) {
		field_error(c, "date", N_("Please give a valid date (YYYY-MM-DD)."));
		return;
	} else if (in->time == NULL || jmb_parse_clock(in->time, &clock) < 0) {
		field_error(c, "time", N_("Please give a valid time (HH:MM)."));
		return;
	} else {
		lt.hour = clock.hour;
		lt.minute = clock.minute;
		lt.second = 0;
		if (jmb_local_to_utc(&lt, m->timezone, &m->start) < 0) {
			field_error(c, "date", N_("Please give a valid date (YYYY-MM-DD)."));
			return;
		}
	}
	if (previous != NULL && previous->start == m->start)
		return; /* an unchanged start stays valid as time passes */
	if (m->start <= c->ctx->now)
		field_error(c, field, N_("The meeting cannot start in the past."));
	else if (m->start - c->ctx->now > c->ctx->rules->max_advance_days * 86400L)
		field_error(c, field, N_("The meeting cannot start more than %ld days from now."),
		            c->ctx->rules->max_advance_days);
}

static void rule_error(struct check *c, enum jmb_rrule_problem problem, const char *part)
{
	const struct jmb_booking_settings *r = c->ctx->rules;

	switch (problem) {
	case JMB_RRULE_SYNTAX:
		if (part != NULL)
			field_error(c, "recurrence",
			            N_("The repeat rule is not valid near \"%s\"."), part);
		else
			field_error(c, "recurrence", N_("The repeat rule is not valid."));
		break;
	case JMB_RRULE_UNSUPPORTED:
		field_error(
		    c, "recurrence",
		    N_("\"%s\" is not supported in a repeat rule: use FREQ (DAILY, WEEKLY, "
		       "MONTHLY or YEARLY), INTERVAL, BYDAY, BYMONTHDAY, BYMONTH, WKST, and "
		       "COUNT or UNTIL."),
		    part != NULL ? part : "");
		break;
	case JMB_RRULE_NO_END:
		field_error(c, "recurrence", N_("A series must end: give COUNT or UNTIL."));
		break;
	case JMB_RRULE_TWO_ENDS:
		field_error(c, "recurrence", N_("Give either COUNT or UNTIL, not both."));
		break;
	case JMB_RRULE_ORDINAL:
		field_error(c, "recurrence",
		            N_("Numbered weekdays (2TU, -1FR) are for monthly and yearly series, "
		               "from -5 to 5."));
		break;
	case JMB_RRULE_TOO_MANY:
		field_error(c, "recurrence", N_("A series has at most %ld occurrences."),
		            r->max_occurrences);
		break;
	case JMB_RRULE_TOO_LONG:
		field_error(
		    c, "recurrence",
		    N_("The last occurrence of a series must start at most %ld days after the "
		       "first."),
		    r->max_series_days);
		break;
	case JMB_RRULE_EMPTY:
		field_error(c, "recurrence", N_("This repeat rule gives no occurrence."));
		break;
	case JMB_RRULE_NOT_ON_START:
		field_error(
		    c, "recurrence",
		    N_("The start must be the first occurrence of the repeat rule (one of its "
		       "days)."));
		break;
	case JMB_RRULE_OK:
		break;
	}
}

/* The series' rule, checked from the start; overrides of the previous series
 * stay when the new rule still has their occurrence. */
static void check_recurrence(struct check *c, const struct jmb_booking_input *in,
                             const struct jmb_meeting *previous, struct jmb_meeting *m)
{
	const struct jmb_rrule_limits limits = {c->ctx->rules->max_occurrences,
	                                        c->ctx->rules->max_series_days};
	enum jmb_rrule_problem problem;
	const char *part = NULL;
	time_t last;

	m->recurrence = NULL;
	m->overrides = NULL;
	m->n_overrides = 0;
	if (in->recurrence == NULL || *in->recurrence == '\0' || m->start == 0)
		return;
	problem = jmb_rrule_check(c->pool, in->recurrence, m->start, m->timezone, &limits,
	                          &m->recurrence, &last, &part);
	if (problem != JMB_RRULE_OK) {
		m->recurrence = NULL;
		rule_error(c, problem, part);
		return;
	}
	for (size_t i = 0; previous != NULL && i < previous->n_overrides; i++) {
		struct jmb_occurrence occ;

		if (!jmb_meeting_occurrence(m, previous->overrides[i].recurrence_id, &occ))
			continue;
		if (m->overrides == NULL)
			m->overrides =
			    jmb_pool_calloc(c->pool, previous->n_overrides, sizeof(*m->overrides));
		m->overrides[m->n_overrides++] = previous->overrides[i];
	}
}

/* The room options; a participant limit is 2 or more (one person is no
 * meeting) and at most [jitsi] max_participants. */
static void check_options(struct check *c, const struct jmb_room_options *in, struct jmb_meeting *m)
{
	long max = c->ctx->max_participants;

	m->options = *in;
	if (in->max_participants != 0 && (in->max_participants < 2 || in->max_participants > max))
		field_error(
		    c, "max_participants",
		    N_("The participant limit must be between 2 and %ld, or empty for none."), max);
}

/* True when mail is already in the attendee list. */
static bool attendee_listed(const struct jmb_meeting *m, const char *mail)
{
	for (size_t i = 0; i < m->n_attendees; i++) {
		if (strcmp(m->attendees[i].mail, mail) == 0)
			return true;
	}
	return false;
}

/* Adds one address; strict (typed by hand) reports the owner and repeats,
 * otherwise (from a list) they are skipped. Returns 1 when added. */
static int add_invitee(struct check *c, const struct jmb_identity *owner, const char *field,
                       const char *mail, enum jmb_role role, bool strict, struct jmb_meeting *m,
                       size_t *cap)
{
	if (jmb_identity_has_mail(owner, mail)) {
		if (strict)
			field_error(c, field,
			            N_("You organise this meeting: do not invite yourself (%s)."),
			            mail);
		return 0;
	}
	if (attendee_listed(m, mail)) {
		if (strict)
			field_error(c, field, N_("%s is listed more than once."), mail);
		return 0;
	}
	struct jmb_attendee *a = jmb_attendee_append(c->pool, m, cap);
	a->mail = (char *)mail; /* in the check's pool */
	a->name = "";
	a->role = role;
	a->status = JMB_PARTSTAT_NEEDS_ACTION;
	return 1;
}

static void check_invitees(struct check *c, const struct jmb_identity *owner,
                           const char *const *list, enum jmb_role role, long max,
                           struct jmb_meeting *m, size_t *cap)
{
	const char *field = role == JMB_ROLE_MODERATOR ? "moderators" : "guests";
	size_t n = 0;

	for (size_t i = 0; list != NULL && list[i] != NULL; i++) {
		const char *raw = list[i];
		const char *const *resolved = NULL;
		enum jmb_booking_resolution how = JMB_RESOLVE_SAME;
		char *mail;

		if (*raw == '\0')
			continue;
		if (!jmb_mail_is_valid(raw)) {
			n++;
			field_error(c, field, N_("'%s' is not a valid e-mail address."), raw);
			continue;
		}
		mail = jmb_mail_normalize(c->pool, raw);
		/* Lists expand and secondary addresses become primary before the
		   max-guests rule counts. */
		if (c->ctx->resolve != NULL)
			how = c->ctx->resolve(c->ctx->resolve_data, c->pool, mail, &resolved);
		if (how == JMB_RESOLVE_LIST) {
			for (size_t j = 0; resolved[j] != NULL; j++)
				n += add_invitee(c, owner, field, resolved[j], role, false, m, cap);
			continue;
		}
		n++;
		add_invitee(c, owner, field, how == JMB_RESOLVE_REPLACED ? resolved[0] : mail, role,
		            true, m, cap);
	}
	if ((long)n > max) {
		if (role == JMB_ROLE_MODERATOR)
			field_error(c, field, N_("At most %ld moderators may be invited."), max);
		else
			field_error(c, field, N_("At most %ld guests may be invited."), max);
	}
}

int jmb_booking_check(const struct jmb_booking_context *ctx, const struct jmb_identity *owner,
                      const struct jmb_booking_input *in, const struct jmb_meeting *previous,
                      struct jmb_pool *pool, struct jmb_meeting *m, struct jmb_field_errors *errors)
{
	struct check c = {.ctx = ctx, .pool = pool, .errors = errors};
	size_t cap = 0;

	errors->count = 0;
	m->attendees = NULL;
	m->n_attendees = 0;
	m->start = 0;
	check_texts(&c, in, m);
	check_duration(&c, in->duration, m);
	check_start(&c, in, previous, m);
	check_recurrence(&c, in, previous, m);
	check_options(&c, &in->options, m);
	check_invitees(&c, owner, in->moderators, JMB_ROLE_MODERATOR, ctx->rules->max_moderators, m,
	               &cap);
	check_invitees(&c, owner, in->guests, JMB_ROLE_GUEST, ctx->rules->max_guests, m, &cap);
	m->end = m->start + m->duration * 60;
	m->last_end = jmb_meeting_last_end(m);
	/* Attendees who stay keep their token; the store matches them by address. */
	for (size_t i = 0; previous != NULL && i < m->n_attendees; i++) {
		for (size_t j = 0; j < previous->n_attendees; j++) {
			if (strcmp(previous->attendees[j].mail, m->attendees[i].mail) == 0) {
				m->attendees[i].token = previous->attendees[j].token;
				m->attendees[i].reply_token = previous->attendees[j].reply_token;
				m->attendees[i].language = previous->attendees[j].language;
				m->attendees[i].status = previous->attendees[j].status;
				m->attendees[i].joins = previous->attendees[j].joins;
				m->attendees[i].name = previous->attendees[j].name;
			}
		}
	}
	return errors->count == 0 ? 0 : -1;
}

int jmb_booking_check_occurrence(const struct jmb_booking_context *ctx,
                                 const struct jmb_meeting *m, const struct jmb_occurrence *occ,
                                 const struct jmb_occurrence_input *in, struct jmb_pool *pool,
                                 struct jmb_override *o, struct jmb_field_errors *errors)
{
	struct check c = {.ctx = ctx, .pool = pool, .errors = errors};
	struct jmb_booking_input texts = {
	    .title = in->title != NULL ? in->title : occ->title,
	    .description = in->description != NULL ? in->description : occ->description,
	};
	struct jmb_meeting scratch = {.duration = occ->duration};

	errors->count = 0;
	check_texts(&c, &texts, &scratch);
	if (in->duration != NULL)
		check_duration(&c, in->duration, &scratch);
	*o = (struct jmb_override){
	    .recurrence_id = occ->recurrence_id,
	    .start = occ->start,
	    .duration = scratch.duration,
	    /* Kept only where they differ from the series'. */
	    .title = strcmp(scratch.title, m->title) != 0 ? scratch.title : NULL,
	    .description = strcmp(scratch.description, m->description) != 0
	                       ? scratch.description
	                       : NULL,
	};
	if (in->start_text != NULL && !in->has_start)
		field_error(
		    &c, "start",
		    N_("The start must be a date and time such as 2030-01-31T14:00:00+01:00."));
	else if (in->has_start && in->start != occ->start) {
		o->start = in->start;
		if (in->start <= ctx->now)
			field_error(&c, "start", N_("The meeting cannot start in the past."));
		else if (in->start - ctx->now > ctx->rules->max_advance_days * 86400L)
			field_error(&c, "start",
			            N_("The meeting cannot start more than %ld days from now."),
			            ctx->rules->max_advance_days);
	}
	return errors->count == 0 ? 0 : -1;
}

void jmb_booking_assign_attendee_tokens(struct jmb_pool *pool, struct jmb_meeting *m)
{
	for (size_t i = 0; i < m->n_attendees; i++) {
		if (m->attendees[i].token == NULL) {
			char *token = jmb_pool_alloc(pool, JMB_TOKEN_LEN + 1);
			jmb_random_token(token);
			m->attendees[i].token = token;
		}
		if (m->attendees[i].reply_token == NULL) {
			char *reply = jmb_pool_alloc(pool, JMB_REPLY_TOKEN_LEN + 1);
			jmb_random_reply_token(reply);
			m->attendees[i].reply_token = reply;
		}
	}
}

void jmb_booking_assign_secrets(struct jmb_pool *pool, struct jmb_meeting *m,
                                const char *uid_domain)
{
	char room[JMB_ROOM_NAME_LEN + 1], token[JMB_TOKEN_LEN + 1];

	jmb_random_room_name(room);
	jmb_random_token(token);
	m->room = jmb_pool_strdup(pool, room);
	m->uid = jmb_pool_printf(pool, "%s@%s", token, uid_domain);
	for (size_t i = 0; i < m->n_attendees; i++) {
		m->attendees[i].token = NULL;
		m->attendees[i].reply_token = NULL;
	}
	jmb_booking_assign_attendee_tokens(pool, m);
}
