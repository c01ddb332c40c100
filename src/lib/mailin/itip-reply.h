/* An iTIP REPLY (RFC 5546 section 3.2.3) read with libical: what an invitee's
 * calendar client says of one event. Only the first VEVENT of the first
 * VCALENDAR is read: one calendar object per message. */
#ifndef JMB_ITIP_REPLY_H
#define JMB_ITIP_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "domain/meeting.h"
#include "jmb/error.h"
#include "util/memory.h"

struct jmb_itip_reply {
	const char *method;   /* upper case; "" when the calendar has none */
	const char *uid;      /* "" when none */
	long sequence;        /* 0 when absent (RFC 5545's default) */
	size_t n_attendees;   /* a REPLY has exactly one */
	const char *attendee; /* its address, mailto: removed, lower case; "" when none */
	const char *partstat; /* its PARTSTAT as written, upper case; "" when none */
	bool answered;        /* partstat is ACCEPTED, DECLINED or TENTATIVE: */
	enum jmb_partstat answer;
	time_t start; /* DTSTART as the client has it; 0: none or floating */
	bool has_recurrence_id;
	time_t recurrence_id; /* 0 when floating */
	const char *comment;  /* COMMENT, "" when none */
};

/* -1 with error set when text holds no VCALENDAR with a VEVENT. */
int jmb_itip_reply_parse(const char *text, struct jmb_pool *pool, struct jmb_itip_reply *reply,
                         struct jmb_error *error);

#endif
