/* libFuzzer target: a received mail, as `jmbctl mail-in` and the IMAP poller
 * take it from strangers (jmb_inbound_mail_parse, with GMime), then its
 * calendar part as an iTIP REPLY (jmb_itip_reply_parse, with libical), and
 * the delivery-status fields read by hand. */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "mailin/inbound-mail.h"
#include "mailin/itip-reply.h"
#include "util/text.h"

static void check_text(const char *s)
{
	/* Everything read from outside comes out as valid, clean UTF-8. */
	FUZZ_CHECK(s == NULL || jmb_text_check(s, true) == JMB_TEXT_OK);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jmb_pool *pool = jmb_pool_new();
	struct jmb_inbound_mail mail;
	struct jmb_itip_reply reply;
	struct jmb_inbound_dsn dsn;
	struct jmb_error error;

	if (jmb_inbound_mail_parse((const char *)data, size, pool, &mail, &error) == 0) {
		check_text(mail.subject);
		check_text(mail.from_name);
		check_text(mail.text);
		check_text(mail.calendar);
		FUZZ_CHECK(mail.text == NULL || strlen(mail.text) <= JMB_INBOUND_TEXT_MAX);
		FUZZ_CHECK(mail.calendar == NULL ||
		           strlen(mail.calendar) <= JMB_INBOUND_CALENDAR_MAX);
		for (size_t i = 0; mail.recipients[i] != NULL; i++)
			FUZZ_CHECK(i < 32);
		if (mail.calendar != NULL &&
		    jmb_itip_reply_parse(mail.calendar, pool, &reply, &error) == 0) {
			check_text(reply.uid);
			check_text(reply.attendee);
			FUZZ_CHECK(!reply.answered || reply.n_attendees >= 1);
		}
	}
	char *text = fuzz_cstring(data, size);
	jmb_inbound_dsn_parse(text, strlen(text), pool, &dsn);
	FUZZ_CHECK(dsn.action != NULL && dsn.diagnostic != NULL);
	free(text);
	jmb_pool_free(&pool);
	return 0;
}
