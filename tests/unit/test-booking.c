/* Unit tests of src/lib/domain/booking.c: every rule a meeting must follow, as the
 * web form and the JSON API both check it, and the secrets a meeting gets. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "locale-fixture.h"

#include "domain/booking.h"
#include "domain/identity.h"
#include "util/memory.h"
#include "util/secret.h"

#ifndef TEST_DATA_DIR
#define TEST_DATA_DIR "data"
#endif

/* 2026-06-01T10:00:00Z, a Monday. */
#define NOW 1780308000

static const struct jmb_booking_settings rules = {
    .min_duration = 30,
    .max_duration = 480,
    .step_duration = 30,
    .default_duration = 90,
    .max_moderators = 2,
    .max_guests = 5,
    .archive_days = 365,
    .highlight_owner = 15,
    .highlight_invitee = 5,
    .max_title_length = 20,
    .max_description_length = 50,
    .max_advance_days = 730,
};

#define TITLE_FORBIDDEN                                                                            \
	"The title must not contain control characters, line breaks, invisible direction marks "   \
	"or unassigned characters."
#define DESCRIPTION_FORBIDDEN                                                                      \
	"The description must not contain control characters, invisible direction marks or "       \
	"unassigned characters."

struct fixture {
	struct jmb_pool *pool;
	struct jmb_booking_context ctx;
	struct jmb_identity *owner;
	struct jmb_booking_input in;
	struct jmb_meeting m;
	struct jmb_field_errors errors;
};

static int setup(void **state)
{
	struct fixture *f = jmb_xcalloc(1, sizeof(*f));
	static const char *mails[] = {"owner@example.org", "Owner.Alias@Example.org", NULL};

	f->pool = jmb_pool_new();
	f->ctx.rules = &rules;
	f->ctx.default_timezone = "Europe/Paris";
	f->ctx.now = NOW;
	f->owner = jmb_identity_new(f->pool, "owner", "The Owner", "owner@example.org", "test");
	f->owner->mails = mails;
	/* A valid form input; each test breaks one thing. */
	f->in.title = "Weekly sync";
	f->in.description = "Agenda:\n- one\n- two";
	f->in.date = "2026-06-02";
	f->in.time = "14:30";
	f->in.duration = "90";
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	jmb_pool_free(&f->pool);
	free(f);
	return 0;
}

static int check(struct fixture *f, const struct jmb_meeting *previous)
{
	memset(&f->m, 0, sizeof(f->m));
	return jmb_booking_check(&f->ctx, f->owner, &f->in, previous, f->pool, &f->m, &f->errors);
}

/* The message of field, or NULL. */
static const char *error_of(const struct fixture *f, const char *field)
{
	for (size_t i = 0; i < f->errors.count; i++) {
		if (strcmp(f->errors.items[i].field, field) == 0)
			return f->errors.items[i].message;
	}
	return NULL;
}

static void expect_error(struct fixture *f, const char *field, const char *message)
{
	const char *got;

	if (check(f, NULL) != -1)
		fail_msg("accepted; expected %s: %s", field, message);
	got = error_of(f, field);
	if (got == NULL)
		fail_msg("no error on %s (expected '%s'; %zu errors, first on %s: %s)", field,
		         message, f->errors.count, f->errors.count ? f->errors.items[0].field : "-",
		         f->errors.count ? f->errors.items[0].message : "-");
	if (strcmp(got, message) != 0)
		fail_msg("%s: '%s', expected '%s'", field, got, message);
}

static void expect_ok(struct fixture *f)
{
	if (check(f, NULL) != 0)
		fail_msg("refused: %s: %s", f->errors.items[0].field, f->errors.items[0].message);
	assert_int_equal(f->errors.count, 0);
}

static void test_valid_form_input(void **state)
{
	struct fixture *f = *state;

	expect_ok(f);
	assert_string_equal(f->m.title, "Weekly sync");
	assert_string_equal(f->m.description, "Agenda:\n- one\n- two");
	assert_string_equal(f->m.timezone, "Europe/Paris");
	/* 14:30 CEST = 12:30Z */
	assert_int_equal(f->m.start, 1780403400);
	assert_int_equal(f->m.duration, 90);
	assert_int_equal(f->m.end, 1780403400 + 90 * 60);
	assert_int_equal(f->m.n_attendees, 0);
}

static void test_title_rules(void **state)
{
	struct fixture *f = *state;

	f->in.title = NULL;
	expect_error(f, "title", "Please give the meeting a title.");
	f->in.title = "";
	expect_error(f, "title", "Please give the meeting a title.");
	f->in.title = " \t\n ";
	expect_error(f, "title", "Please give the meeting a title.");
	f->in.title = "123456789012345678901";
	expect_error(f, "title", "The title is too long (at most 20 characters).");
	f->in.title = "Tab\there";
	expect_error(f, "title", TITLE_FORBIDDEN);
	f->in.title = "New\nline";
	expect_error(f, "title", TITLE_FORBIDDEN);
	f->in.title = "Bell\x07";
	expect_error(f, "title", TITLE_FORBIDDEN);
	f->in.title = "Del\x7f";
	expect_error(f, "title", TITLE_FORBIDDEN);
	f->in.title = "Esc\x1b[2J";
	expect_error(f, "title", TITLE_FORBIDDEN);
	/* Exactly 20 characters, counted as characters, not bytes. */
	f->in.title =
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xe2\x82\xac";
	expect_ok(f);
	/* Surrounding white space is trimmed first. */
	f->in.title = "   12345678901234567890  \n";
	expect_ok(f);
	assert_string_equal(f->m.title, "12345678901234567890");
}

static void test_description_rules(void **state)
{
	struct fixture *f = *state;

	f->in.description = NULL;
	expect_ok(f);
	assert_string_equal(f->m.description, "");
	f->in.description = "Line one\r\nLine\ttwo\rthree\n";
	expect_ok(f);
	/* Stored with LF only: a CR would come out of HTML mails as "&#13;". */
	assert_string_equal(f->m.description, "Line one\nLine\ttwo\nthree");
	f->in.description = "123456789012345678901234567890123456789012345678901";
	expect_error(f, "description", "The description is too long (at most 50 characters).");
	f->in.description = "nul-like \x01 control";
	expect_error(f, "description", DESCRIPTION_FORBIDDEN);
	f->in.description = "escape \x1b";
	expect_error(f, "description", DESCRIPTION_FORBIDDEN);
}

/* Code points that hide or reorder text, and unassigned ones, are refused in
 * titles and descriptions; text is stored in NFC. */
static void test_unicode_rules(void **state)
{
	static const char *const hostile[] = {
	    "next\xc2\x85line",        /* U+0085 NEL */
	    "line\xe2\x80\xa8sep",     /* U+2028 */
	    "para\xe2\x80\xa9sep",     /* U+2029 */
	    "evil\xe2\x80\xaegpj.exe", /* U+202E RLO */
	    "a\xe2\x80\xaa"
	    "b", /* U+202A LRE */
	    "a\xe2\x80\xac"
	    "b", /* U+202C PDF */
	    "a\xe2\x81\xa6"
	    "b", /* U+2066 LRI */
	    "a\xe2\x81\xa9"
	    "b", /* U+2069 PDI */
	    "a\xcd\xb8"
	    "b", /* U+0378, unassigned */
	    "a\xef\xbf\xbe"
	    "b", /* U+FFFE, a noncharacter */
	    "a\xf3\xb0\x80\x80"
	    "b", /* U+F0000, private use plane: assigned, allowed below */
	};
	struct fixture *f = *state;

	size_t n = sizeof(hostile) / sizeof(hostile[0]);

	/* U+0085, U+2028 and U+2029 are line breaks readers disagree on: refused
	   in descriptions too, which keep only LF, CR and TAB. */
	for (size_t i = 0; i + 1 < n; i++) {
		f->in.title = hostile[i];
		expect_error(f, "title", TITLE_FORBIDDEN);
		f->in.title = "Weekly sync";
		f->in.description = hostile[i];
		expect_error(f, "description", DESCRIPTION_FORBIDDEN);
		f->in.description = "";
	}
	f->in.title = hostile[n - 1];
	expect_ok(f);
	/* Bytes that are not UTF-8 (overlong, surrogate, cut short). */
	f->in.title = "over\xc0\xaflong";
	expect_error(f, "title", "This text is not valid UTF-8.");
	f->in.title = "surrogate\xed\xa0\x80";
	expect_error(f, "title", "This text is not valid UTF-8.");
	f->in.title = "cut\xe2\x82";
	expect_error(f, "title", "This text is not valid UTF-8.");
	/* Joiners stay: emoji sequences and Persian need them. */
	f->in.title = "\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb team";
	expect_ok(f);
	/* "e" + COMBINING ACUTE is stored as the precomposed U+00E9. */
	f->in.title = "Caf\x65\xcc\x81";
	f->in.description = "Re\xcc\x81union\nsuite";
	expect_ok(f);
	assert_string_equal(f->m.title, "Caf\xc3\xa9");
	assert_string_equal(f->m.description, "R\xc3\xa9union\nsuite");
}

static void test_duration_rules(void **state)
{
	static const char *const not_numbers[] = {
	    "abc", "90min", "1e2", "9 0", "90 ", "0x5A", "--30", "99999999999999999999999"};
	static const char *const off_step_or_range[] = {"0", "29", "45", "-30", "510", "481", "91"};
	struct fixture *f = *state;

	f->in.duration = NULL;
	expect_error(f, "duration", "Please choose a duration.");
	f->in.duration = "";
	expect_error(f, "duration", "Please choose a duration.");
	for (size_t i = 0; i < sizeof(not_numbers) / sizeof(not_numbers[0]); i++) {
		f->in.duration = not_numbers[i];
		expect_error(f, "duration", "The duration must be a number of minutes.");
	}
	for (size_t i = 0; i < sizeof(off_step_or_range) / sizeof(off_step_or_range[0]); i++) {
		f->in.duration = off_step_or_range[i];
		expect_error(
		    f, "duration",
		    "The duration must be between 30 and 480 minutes, in steps of 30 minutes.");
	}
	static const char *const good[] = {"30", "60", "480"};
	for (size_t i = 0; i < 3; i++) {
		f->in.duration = good[i];
		expect_ok(f);
		assert_int_equal(f->m.duration, atol(good[i]));
		assert_int_equal(f->m.end - f->m.start, atol(good[i]) * 60);
	}
}

static void test_form_date_time_and_zone(void **state)
{
	struct fixture *f = *state;

	f->in.date = NULL;
	expect_error(f, "date", "Please give a valid date (YYYY-MM-DD).");
	f->in.date = "2026-02-30";
	expect_error(f, "date", "Please give a valid date (YYYY-MM-DD).");
	f->in.date = "02/06/2026";
	expect_error(f, "date", "Please give a valid date (YYYY-MM-DD).");
	f->in.date = "2026-06-02";
	f->in.time = "25:00";
	expect_error(f, "time", "Please give a valid time (HH:MM).");
	f->in.time = NULL;
	expect_error(f, "time", "Please give a valid time (HH:MM).");
	f->in.time = "14:30";
	f->in.timezone = "Mars/Olympus";
	expect_error(f, "timezone", "Unknown time zone.");
	f->in.timezone = "../../etc/passwd";
	expect_error(f, "timezone", "Unknown time zone.");
	/* Another zone: 14:30 EDT = 18:30Z. */
	f->in.timezone = "America/New_York";
	expect_ok(f);
	assert_string_equal(f->m.timezone, "America/New_York");
	assert_int_equal(f->m.start, 1780425000);
	/* An empty zone means the default one. */
	f->in.timezone = "";
	expect_ok(f);
	assert_string_equal(f->m.timezone, "Europe/Paris");
}

static void test_start_in_the_past(void **state)
{
	struct fixture *f = *state;

	f->in.date = "2026-06-01";
	f->in.time = "11:59"; /* 09:59Z, a minute ago */
	expect_error(f, "date", "The meeting cannot start in the past.");
	f->in.time = "12:00"; /* exactly now */
	expect_error(f, "date", "The meeting cannot start in the past.");
	f->in.time = "12:01";
	expect_ok(f);
	/* Through the API the field is "start". */
	f->in.has_start_utc = true;
	f->in.start_utc = NOW - 3600;
	expect_error(f, "start", "The meeting cannot start in the past.");
	f->in.start_utc = NOW + 60;
	expect_ok(f);
	assert_int_equal(f->m.start, NOW + 60);
}

/* A start more than max_advance_days ahead is refused on create and when a
 * start is changed; 9999-12-31 is the far end an attacker tries. */
static void test_start_too_far_ahead(void **state)
{
	struct fixture *f = *state;
	struct jmb_meeting previous = {0};

	f->in.has_start_utc = true;
	f->in.start_utc = NOW + 730 * 86400L;
	expect_ok(f);
	f->in.start_utc = NOW + 730 * 86400L + 1;
	expect_error(f, "start", "The meeting cannot start more than 730 days from now.");
	f->in.start_utc = 253402300799; /* 9999-12-31T23:59:59Z */
	expect_error(f, "start", "The meeting cannot start more than 730 days from now.");
	/* Moving a meeting there is refused too. */
	previous.start = NOW + 86400;
	assert_int_equal(check(f, &previous), -1);
	f->in.has_start_utc = false;
	f->in.date = "2029-01-01";
	f->in.time = "10:00";
	expect_error(f, "date", "The meeting cannot start more than 730 days from now.");
}

static void test_past_start_allowed_unchanged_on_edit(void **state)
{
	struct fixture *f = *state;
	struct jmb_meeting previous = {0};

	/* A meeting that started yesterday is edited (say, its title). */
	f->in.date = "2026-05-31";
	f->in.time = "12:00";
	previous.start = NOW - 86400;
	assert_int_equal(check(f, &previous), 0);
	assert_int_equal(f->m.start, NOW - 86400);
	/* Moving it to another past time is refused, */
	previous.start = NOW - 86400 + 1800;
	assert_int_equal(check(f, &previous), -1);
	assert_string_equal(error_of(f, "date"), "The meeting cannot start in the past.");
	/* and so is a past start on create. */
	assert_int_equal(check(f, NULL), -1);
}

static void test_unparsable_api_start(void **state)
{
	struct fixture *f = *state;

	f->in.start_text = "tomorrow at noon";
	expect_error(f, "start",
	             "The start must be a date and time such as 2030-01-31T14:00:00+01:00.");
}

static void test_invitees(void **state)
{
	struct fixture *f = *state;
	const char *moderators[] = {"Alice@Example.org", "", NULL};
	const char *guests[] = {"bob@example.org", "carol@example.net", NULL};

	f->in.moderators = moderators;
	f->in.guests = guests;
	expect_ok(f);
	assert_int_equal(f->m.n_attendees, 3);
	assert_string_equal(f->m.attendees[0].mail, "alice@example.org"); /* lower-cased */
	assert_int_equal(f->m.attendees[0].role, JMB_ROLE_MODERATOR);
	assert_int_equal(f->m.attendees[0].status, JMB_PARTSTAT_NEEDS_ACTION);
	assert_string_equal(f->m.attendees[0].name, "");
	assert_null(f->m.attendees[0].token);
	assert_string_equal(f->m.attendees[1].mail, "bob@example.org");
	assert_int_equal(f->m.attendees[1].role, JMB_ROLE_GUEST);
	assert_string_equal(f->m.attendees[2].mail, "carol@example.net");
}

static void test_invitee_limits(void **state)
{
	struct fixture *f = *state;
	const char *three[] = {"a@x.org", "b@x.org", "c@x.org", NULL};
	const char *two_and_empties[] = {"a@x.org", "", "b@x.org", "", "", NULL};
	const char *six[] = {"g1@x.org", "g2@x.org", "g3@x.org", "g4@x.org",
	                     "g5@x.org", "g6@x.org", NULL};
	const char *five[] = {"g1@x.org", "g2@x.org", "g3@x.org", "g4@x.org", "g5@x.org", NULL};

	f->in.moderators = three;
	expect_error(f, "moderators", "At most 2 moderators may be invited.");
	f->in.moderators = two_and_empties; /* empty entries do not count */
	expect_ok(f);
	f->in.moderators = NULL;
	f->in.guests = six;
	expect_error(f, "guests", "At most 5 guests may be invited.");
	f->in.guests = five;
	expect_ok(f);
	assert_int_equal(f->m.n_attendees, 5);
}

static void test_invalid_and_duplicate_addresses(void **state)
{
	struct fixture *f = *state;
	const char *bad[] = {"not-an-address", NULL};
	const char *dup_same_list[] = {"a@x.org", "A@X.ORG", NULL};
	const char *mods[] = {"Dup@Example.org", NULL};
	const char *guests[] = {"ok@example.org", "dup@example.ORG", NULL};

	f->in.guests = bad;
	expect_error(f, "guests", "'not-an-address' is not a valid e-mail address.");
	f->in.guests = NULL;
	f->in.moderators = dup_same_list;
	expect_error(f, "moderators", "a@x.org is listed more than once.");
	/* Across both lists, whatever the case: reported on the second list. */
	f->in.moderators = mods;
	f->in.guests = guests;
	expect_error(f, "guests", "dup@example.org is listed more than once.");
	assert_null(error_of(f, "moderators"));
}

static void test_owner_cannot_invite_themself(void **state)
{
	struct fixture *f = *state;
	const char *primary[] = {"OWNER@example.org", NULL};
	const char *alias[] = {"owner.alias@example.org", NULL};

	f->in.moderators = primary;
	expect_error(f, "moderators",
	             "You organise this meeting: do not invite yourself (owner@example.org).");
	f->in.moderators = NULL;
	f->in.guests = alias;
	expect_error(
	    f, "guests",
	    "You organise this meeting: do not invite yourself (owner.alias@example.org).");
}

static void test_every_problem_of_every_field(void **state)
{
	struct fixture *f = *state;
	const char *guests[] = {"bad",      "worse",    "g1@x.org", "g2@x.org",
	                        "g3@x.org", "g4@x.org", "g5@x.org", NULL};
	const char *of_guests[4] = {NULL};
	size_t n_guests = 0;

	f->in.title = "";
	f->in.description = "\x01";
	f->in.duration = "7";
	f->in.date = "nope";
	f->in.guests = guests;
	assert_int_equal(check(f, NULL), -1);
	assert_non_null(error_of(f, "title"));
	assert_non_null(error_of(f, "description"));
	assert_non_null(error_of(f, "duration"));
	assert_non_null(error_of(f, "date"));
	/* Each bad address, then the limit: everything to fix in one answer. */
	for (size_t i = 0; i < f->errors.count; i++) {
		if (strcmp(f->errors.items[i].field, "guests") == 0 && n_guests < 4)
			of_guests[n_guests++] = f->errors.items[i].message;
	}
	assert_int_equal(f->errors.count, 4 + n_guests);
	assert_true(n_guests >= 2);
	assert_string_equal(of_guests[0], "'bad' is not a valid e-mail address.");
	assert_string_equal(of_guests[1], "'worse' is not a valid e-mail address.");
}

static void test_edit_keeps_attendee_state(void **state)
{
	struct fixture *f = *state;
	struct jmb_attendee old_attendees[2] = {
	    {.mail = "bob@example.org",
	     .name = "Bob",
	     .role = JMB_ROLE_GUEST,
	     .status = JMB_PARTSTAT_ACCEPTED,
	     .token = "bobtokenbobtokenbobtokenbobtoken",
	     .joins = 3},
	    {.mail = "gone@example.org", .token = "gonetokengonetokengonetokengonet"},
	};
	struct jmb_meeting previous = {
	    .start = NOW + 86400, .attendees = old_attendees, .n_attendees = 2};
	const char *moderators[] = {"BOB@example.org", NULL};
	const char *guests[] = {"new@example.org", NULL};

	f->in.moderators = moderators; /* Bob becomes a moderator */
	f->in.guests = guests;
	assert_int_equal(check(f, &previous), 0);
	assert_int_equal(f->m.n_attendees, 2);
	assert_string_equal(f->m.attendees[0].mail, "bob@example.org");
	assert_int_equal(f->m.attendees[0].role, JMB_ROLE_MODERATOR);
	assert_string_equal(f->m.attendees[0].token, "bobtokenbobtokenbobtokenbobtoken");
	assert_int_equal(f->m.attendees[0].status, JMB_PARTSTAT_ACCEPTED);
	assert_int_equal(f->m.attendees[0].joins, 3);
	assert_string_equal(f->m.attendees[0].name, "Bob");
	assert_null(f->m.attendees[1].token);
	assert_int_equal(f->m.attendees[1].status, JMB_PARTSTAT_NEEDS_ACTION);

	jmb_booking_assign_attendee_tokens(f->pool, &f->m);
	assert_string_equal(f->m.attendees[0].token, "bobtokenbobtokenbobtokenbobtoken");
	assert_true(jmb_token_is_wellformed(f->m.attendees[1].token));
	assert_int_equal(strlen(f->m.attendees[1].token), JMB_TOKEN_LEN);
}

static void test_assign_secrets(void **state)
{
	struct fixture *f = *state;
	const char *guests[] = {"a@x.org", "b@x.org", "c@x.org", NULL};

	f->in.guests = guests;
	expect_ok(f);
	f->m.attendees[0].token = "stale";
	jmb_booking_assign_secrets(f->pool, &f->m, "meet.example.org");
	assert_int_equal(strlen(f->m.room), JMB_ROOM_NAME_LEN);
	assert_int_equal(strspn(f->m.room, "abcdefghijklmnopqrstuvwxyz0123456789"),
	                 JMB_ROOM_NAME_LEN);
	const char *at = strchr(f->m.uid, '@');
	assert_non_null(at);
	assert_int_equal(at - f->m.uid, JMB_TOKEN_LEN);
	assert_string_equal(at, "@meet.example.org");
	/* A new meeting gets new tokens for everyone, all different. */
	for (size_t i = 0; i < 3; i++) {
		assert_true(jmb_token_is_wellformed(f->m.attendees[i].token));
		for (size_t k = 0; k < i; k++)
			assert_string_not_equal(f->m.attendees[i].token, f->m.attendees[k].token);
	}
	char *room = f->m.room;
	jmb_booking_assign_secrets(f->pool, &f->m, "meet.example.org");
	assert_string_not_equal(room, f->m.room);
}

/* --- messages in French through a catalogue made by msgfmt --- */

static void test_messages_are_translated(void **state)
{
	struct fixture *f = *state;
	char *dir = locale_make_french(TEST_DATA_DIR "/i18n-fr.po");
	struct jmb_error error;
	struct jmb_i18n *i18n;

	i18n = jmb_i18n_load(dir, &error);
	if (i18n == NULL)
		fail_msg("%s", error.text);
	f->ctx.i18n = i18n;
	f->ctx.language = "fr";
	f->in.title = "";
	expect_error(f, "title", "Veuillez donner un titre \xc3\xa0 la r\xc3\xa9union.");
	/* With its argument filled in after translation. */
	f->in.title = "123456789012345678901";
	expect_error(f, "title", "Le titre est trop long (au plus 20 caract\xc3\xa8res).");
	/* A message the catalogue lacks stays in English. */
	f->in.title = "ok";
	f->in.duration = "";
	expect_error(f, "duration", "Please choose a duration.");
	f->ctx.language = "en";
	f->in.duration = "90";
	f->in.title = "";
	expect_error(f, "title", "Please give the meeting a title.");
	jmb_i18n_free(&i18n);
	locale_remove(dir);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_valid_form_input),
	    T(test_title_rules),
	    T(test_description_rules),
	    T(test_unicode_rules),
	    T(test_duration_rules),
	    T(test_form_date_time_and_zone),
	    T(test_start_in_the_past),
	    T(test_start_too_far_ahead),
	    T(test_past_start_allowed_unchanged_on_edit),
	    T(test_unparsable_api_start),
	    T(test_invitees),
	    T(test_invitee_limits),
	    T(test_invalid_and_duplicate_addresses),
	    T(test_owner_cannot_invite_themself),
	    T(test_every_problem_of_every_field),
	    T(test_edit_keeps_attendee_state),
	    T(test_assign_secrets),
	    T(test_messages_are_translated),
	};

	return cmocka_run_group_tests_name("booking", tests, NULL, NULL);
}
