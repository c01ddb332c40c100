/* Unit tests of src/lib/mailin: reply addresses, reading received mail with
 * GMime (calendar parts, charsets, bounces, automatic mail, hostile shapes)
 * and iTIP REPLYs with libical. The client shapes of real mail programs are
 * tested end to end in tests/integration/test_mail_in.py. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "mailin/inbound-mail.h"
#include "mailin/itip-reply.h"
#include "mailin/reply-address.h"
#include "util/memory.h"
#include "util/secret.h"
#include "util/strbuf.h"

#define BASE "rsvp@booking.example.org"
#define TOKEN "abcdefghijklmnopqrstuvwxyz234567"

static int parse(struct jmb_pool *pool, const char *text, struct jmb_inbound_mail *mail)
{
	struct jmb_error error;

	return jmb_inbound_mail_parse(text, strlen(text), pool, mail, &error);
}

static void test_reply_address_round_trip(void **state)
{
	struct jmb_pool *pool = jmb_pool_new();
	char token[JMB_REPLY_TOKEN_LEN + 1];
	const char *address, *found;

	(void)state;
	jmb_random_reply_token(token);
	assert_true(jmb_reply_token_is_wellformed(token));
	for (const char *p = token; *p; p++)
		assert_non_null(strchr("abcdefghijklmnopqrstuvwxyz234567", *p));
	address = jmb_reply_address(pool, BASE, "+", token);
	assert_int_equal(jmb_reply_address_parse(pool, BASE, "+", address, &found),
	                 JMB_REPLY_TOKEN);
	assert_string_equal(found, token);
	assert_null(jmb_reply_address(pool, "", "+", token));
	jmb_pool_free(&pool);
}

static void test_reply_address_matching(void **state)
{
	struct jmb_pool *pool = jmb_pool_new();
	const char *token;

	(void)state;
	/* Mail systems may change the case of the whole address. */
	assert_int_equal(jmb_reply_address_parse(pool, BASE, "+",
	                                         "RSVP+ABCDEFGHIJKLMNOPQRSTUVWXYZ234567@Booking."
	                                         "Example.ORG",
	                                         &token),
	                 JMB_REPLY_TOKEN);
	assert_string_equal(token, TOKEN);
	assert_int_equal(
	    jmb_reply_address_parse(pool, BASE, "+", "rsvp+" TOKEN "@other.org", &token),
	    JMB_REPLY_NOT_OURS);
	assert_int_equal(
	    jmb_reply_address_parse(pool, BASE, "+", "rsvpx+" TOKEN "@booking.example.org", &token),
	    JMB_REPLY_NOT_OURS);
	assert_int_equal(
	    jmb_reply_address_parse(pool, BASE, "+", "rsvp@booking.example.org", &token),
	    JMB_REPLY_NOT_OURS);
	assert_int_equal(
	    jmb_reply_address_parse(pool, BASE, "-", "rsvp+" TOKEN "@booking.example.org", &token),
	    JMB_REPLY_NOT_OURS);
	assert_int_equal(
	    jmb_reply_address_parse(pool, BASE, "+", "rsvp+short@booking.example.org", &token),
	    JMB_REPLY_BAD_TOKEN);
	assert_int_equal(
	    jmb_reply_address_parse(pool, BASE, "+", "rsvp+" TOKEN "1@booking.example.org", &token),
	    JMB_REPLY_BAD_TOKEN);
	assert_int_equal(jmb_reply_address_parse(pool, BASE, "+", "rsvp+" TOKEN, &token),
	                 JMB_REPLY_NOT_OURS);
	jmb_pool_free(&pool);
}

static const char reply_calendar[] =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:t\r\nMETHOD:REPLY\r\n"
    "BEGIN:VTIMEZONE\r\nTZID:W. Europe Standard Time\r\n"
    "BEGIN:STANDARD\r\nDTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"
    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\n"
    "BEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"
    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
    "BEGIN:VEVENT\r\nUID:u1@example.org\r\nSEQUENCE:3\r\n"
    "DTSTART;TZID=W. Europe Standard Time:20270105T100000\r\n"
    "ATTENDEE;PARTSTAT=TENTATIVE;CN=\"Jos\xc3\xa9\":MAILTO:Jose@Example.NET\r\n"
    "COMMENT:Peut-\xc3\xaatre\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

static void test_itip_reply(void **state)
{
	struct jmb_pool *pool = jmb_pool_new();
	struct jmb_itip_reply r;
	struct jmb_error error;

	(void)state;
	assert_int_equal(jmb_itip_reply_parse(reply_calendar, pool, &r, &error), 0);
	assert_string_equal(r.method, "REPLY");
	assert_string_equal(r.uid, "u1@example.org");
	assert_int_equal(r.sequence, 3);
	assert_int_equal(r.n_attendees, 1);
	assert_string_equal(r.attendee, "jose@example.net");
	assert_true(r.answered);
	assert_int_equal(r.answer, JMB_PARTSTAT_TENTATIVE);
	/* 10:00 in the calendar's own Windows-named zone, CET in January. */
	assert_int_equal(r.start, 1799139600);
	assert_false(r.has_recurrence_id);
	assert_string_equal(r.comment, "Peut-\xc3\xaatre");
	assert_int_equal(
	    jmb_itip_reply_parse("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", pool, &r, &error), -1);
	assert_int_equal(jmb_itip_reply_parse("garbage", pool, &r, &error), -1);
	jmb_pool_free(&pool);
}

static void test_itip_reply_without_answer(void **state)
{
	struct jmb_pool *pool = jmb_pool_new();
	struct jmb_itip_reply r;
	struct jmb_error error;

	(void)state;
	assert_int_equal(
	    jmb_itip_reply_parse("BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n"
	                         "UID:x\r\nATTENDEE;PARTSTAT=DELEGATED:mailto:a@b\r\n"
	                         "ATTENDEE:mailto:c@d\r\nRECURRENCE-ID:20270105T090000Z"
	                         "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
	                         pool, &r, &error),
	    0);
	assert_false(r.answered);
	assert_string_equal(r.partstat, "DELEGATED");
	assert_int_equal(r.n_attendees, 2);
	assert_int_equal(r.sequence, 0);
	assert_true(r.has_recurrence_id);
	assert_int_equal(r.recurrence_id, 1799139600);
	jmb_pool_free(&pool);
}

/* A REPLY in base64 and ISO-8859-1 inside multipart/mixed > alternative. */
static void test_nested_calendar_part_in_latin1(void **state)
{
	static const char calendar[] =
	    "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:u\r\n"
	    "ATTENDEE;CN=Jos\xe9:mailto:j@x.org\r\nEND:VEVENT\r\n"
	    "END:VCALENDAR\r\n";
	struct jmb_pool *pool = jmb_pool_new();
	struct jmb_inbound_mail mail;
	char b64[512];
	struct jmb_strbuf sb = {0};

	(void)state;
	EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)calendar,
	                sizeof(calendar) - 1);
	jmb_strbuf_printf(&sb,
	                  "From: =?utf-8?q?Jos=C3=A9?= <Jose@Example.NET>\r\nTo: x@y\r\n"
	                  "Subject: =?iso-8859-1?q?Accept=E9?=\r\nMessage-ID: <m1@x>\r\n"
	                  "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n"
	                  "--a\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n"
	                  "--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
	                  "Content-Transfer-Encoding: quoted-printable\r\n\r\nJos=E9 accepte.\r\n"
	                  "--b\r\nContent-Type: text/calendar; charset=iso-8859-1; method=REPLY\r\n"
	                  "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n--b--\r\n--a--\r\n",
	                  b64);
	assert_int_equal(parse(pool, sb.data, &mail), 0);
	assert_string_equal(mail.message_id, "m1@x");
	assert_string_equal(mail.from, "jose@example.net");
	assert_string_equal(mail.from_name, "Jos\xc3\xa9");
	assert_string_equal(mail.subject, "Accept\xc3\xa9");
	assert_string_equal(mail.calendar_method, "REPLY");
	assert_non_null(strstr(mail.calendar, "CN=Jos\xc3\xa9:"));
	assert_string_equal(mail.text, "Jos\xc3\xa9 accepte.");
	assert_false(mail.automatic);
	assert_false(mail.is_dsn);
	jmb_strbuf_free(&sb);
	jmb_pool_free(&pool);
}

static const char postfix_dsn[] =
    "From: MAILER-DAEMON@mx.example.org (Mail Delivery System)\r\n"
    "To: rsvp+" TOKEN "@booking.example.org\r\nSubject: Undelivered Mail Returned to Sender\r\n"
    "Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
    "Content-Type: multipart/report; report-type=delivery-status; boundary=\"R\"\r\n\r\n"
    "--R\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you...\r\n"
    "--R\r\nContent-Type: message/delivery-status\r\n\r\n"
    "Reporting-MTA: dns; mx.example.org\r\nArrival-Date: Mon, 4 Jan 2027 10:00:00 +0100\r\n\r\n"
    "Final-Recipient: rfc822; ok@example.net\r\nAction: delivered\r\nStatus: 2.0.0\r\n\r\n"
    "Final-Recipient: rfc822; Nobody@Example.NET\r\nOriginal-Recipient: rfc822;nobody@example.net"
    "\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 <nobody@example.net>:"
    "\r\n    Recipient address rejected: User unknown\r\n\r\n"
    "--R\r\nContent-Type: message/rfc822\r\n\r\nFrom: a@b\r\nSubject: Invitation\r\n"
    "Content-Type: text/calendar; method=REQUEST\r\n\r\nBEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\n"
    "END:VCALENDAR\r\n--R--\r\n";

static void test_bounce(void **state)
{
	struct jmb_pool *pool = jmb_pool_new();
	struct jmb_inbound_mail mail;

	(void)state;
	assert_int_equal(parse(pool, postfix_dsn, &mail), 0);
	assert_true(mail.is_dsn);
	assert_string_equal(mail.dsn.action, "failed");
	assert_string_equal(mail.dsn.final_recipient, "Nobody@Example.NET");
	assert_string_equal(mail.dsn.status, "5.1.1");
	assert_string_equal(mail.dsn.diagnostic,
	                    "550 5.1.1 <nobody@example.net>: Recipient address rejected: User "
	                    "unknown");
	/* The invitation attached to the bounce is not the bounce's calendar. */
	assert_null(mail.calendar);
	assert_true(mail.automatic);
	assert_string_equal(mail.recipients[0], "rsvp+" TOKEN "@booking.example.org");
	jmb_pool_free(&pool);
}

static void test_automatic_marks(void **state)
{
	static const char *const automatic[] = {
	    "Auto-Submitted: auto-replied\r\n",
	    "Auto-Submitted: auto-generated; owner=x\r\n",
	    "X-Autoreply: yes\r\n",
	    "Precedence: bulk\r\n",
	    "Precedence: list\r\n",
	    "Subject: Automatic reply: Projet\r\n",
	    "Subject: =?utf-8?q?R=C3=A9ponse_automatique?=\r\n"};
	static const char *const personal[] = {
	    "Auto-Submitted: no\r\n", "Precedence: first-class\r\n", "Subject: Re: Projet\r\n"};
	struct jmb_pool *pool = jmb_pool_new();
	struct jmb_inbound_mail mail;

	(void)state;
	for (size_t i = 0; i < sizeof(automatic) / sizeof(automatic[0]); i++) {
		const char *m = jmb_pool_printf(pool, "From: a@b\r\n%s\r\nHello\r\n", automatic[i]);
		assert_int_equal(parse(pool, m, &mail), 0);
		assert_true(mail.automatic);
	}
	for (size_t i = 0; i < sizeof(personal) / sizeof(personal[0]); i++) {
		const char *m = jmb_pool_printf(pool, "From: a@b\r\n%s\r\nHello\r\n", personal[i]);
		assert_int_equal(parse(pool, m, &mail), 0);
		assert_false(mail.automatic);
		assert_string_equal(mail.text, "Hello\n");
	}
	jmb_pool_free(&pool);
}

static void test_hostile_shapes(void **state)
{
	struct jmb_pool *pool = jmb_pool_new();
	struct jmb_inbound_mail mail;
	struct jmb_strbuf sb = {0};

	(void)state;
	assert_int_equal(parse(pool, "", &mail), -1);
	/* Deep nesting is refused before GMime recurses into it. */
	jmb_strbuf_puts(&sb, "From: a@b\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n");
	for (int i = 1; i < 5000; i++)
		jmb_strbuf_printf(
		    &sb, "--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n", i - 1, i);
	assert_int_equal(parse(pool, sb.data, &mail), -1);
	jmb_strbuf_free(&sb);
	/* NUL bytes, bad UTF-8 and control characters come out clean. */
	static const char bad[] =
	    "From: \"\xff\x01\" <a@b>\r\nSubject: x\x1b[31m\xc3\r\n\r\nbody\0more";
	struct jmb_error error;
	assert_int_equal(jmb_inbound_mail_parse(bad, sizeof(bad) - 1, pool, &mail, &error), 0);
	assert_null(strchr(mail.subject, '\x1b'));
	jmb_pool_free(&pool);
}

static void test_message_key(void **state)
{
	struct jmb_pool *pool = jmb_pool_new();
	const char *a = jmb_inbound_mail_key(pool, "Rsvp+X@B", "m@x", "one", 3);

	(void)state;
	assert_int_equal(strlen(a), JMB_MAIL_IN_KEY_LEN);
	assert_string_equal(a, jmb_inbound_mail_key(pool, "rsvp+x@b", "m@x", "two", 3));
	assert_string_not_equal(a, jmb_inbound_mail_key(pool, "rsvp+y@b", "m@x", "one", 3));
	assert_string_equal(jmb_inbound_mail_key(pool, "r@b", NULL, "one", 3),
	                    jmb_inbound_mail_key(pool, "r@b", "", "one", 3));
	assert_string_not_equal(jmb_inbound_mail_key(pool, "r@b", NULL, "one", 3),
	                        jmb_inbound_mail_key(pool, "r@b", NULL, "onf", 3));
	jmb_pool_free(&pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reply_address_round_trip),
	    cmocka_unit_test(test_reply_address_matching),
	    cmocka_unit_test(test_itip_reply),
	    cmocka_unit_test(test_itip_reply_without_answer),
	    cmocka_unit_test(test_nested_calendar_part_in_latin1),
	    cmocka_unit_test(test_bounce),
	    cmocka_unit_test(test_automatic_marks),
	    cmocka_unit_test(test_hostile_shapes),
	    cmocka_unit_test(test_message_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
