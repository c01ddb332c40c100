/* jmbctl mail-in: one mail for a reply address, read on standard input and
 * queued in the store for jmbd to handle, as a Postfix pipe(8) transport,
 * procmail or Sieve would run it. The exit code tells the MTA what to do
 * (sysexits): 0 handled (queued, or already received), 75 try again later
 * (the store is unavailable), 65 / 67 never (not a mail, too large, not a
 * reply address): the MTA then bounces it. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "jmbctl.h"
#include "mailin/inbound-mail.h"
#include "mailin/reply-address.h"
#include "util/memory.h"

/* Reads standard input, at most max bytes; NULL when there is more. */
static char *read_message(struct jmb_pool *pool, long max, size_t *len_r)
{
	size_t cap = 65536, len = 0;
	char *data = jmb_xmalloc(cap + 1), *copy;

	for (;;) {
		if (len == cap) {
			cap *= 2;
			data = jmb_xrealloc(data, cap + 1);
		}
		size_t n = fread(data + len, 1, cap - len, stdin);
		len += n;
		if (len > (size_t)max) {
			free(data);
			return NULL;
		}
		if (n == 0)
			break;
	}
	copy = jmb_pool_calloc(pool, len + 1, 1);
	memcpy(copy, data, len);
	free(data);
	*len_r = len;
	return copy;
}

static const char *recipient_from(int argc, char **argv, int *usage_r)
{
	static const struct option options[] = {{"recipient", required_argument, NULL, 'r'},
	                                        {NULL, 0, NULL, 0}};
	const char *recipient = NULL;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "r:", options, NULL)) != -1) {
		if (c != 'r') {
			*usage_r = 1;
			return NULL;
		}
		recipient = optarg;
	}
	if (optind != argc) {
		*usage_r = 1;
		return NULL;
	}
	/* What Postfix's pipe(8) and local(8) put in the environment. */
	if (recipient == NULL)
		recipient = getenv("ORIGINAL_RECIPIENT");
	if (recipient == NULL || *recipient == '\0')
		recipient = getenv("RECIPIENT");
	return recipient != NULL && *recipient != '\0' ? recipient : NULL;
}

int cmd_mail_in(struct jmbctl *ctl, int argc, char **argv)
{
	const struct jmb_mail_settings *ms = &ctl->settings.mail;
	struct jmb_inbound_mail mail;
	struct jmb_error error;
	struct jmb_store *store;
	const char *recipient, *token;
	size_t len = 0;
	int usage = 0;
	char *data;

	recipient = recipient_from(argc, argv, &usage);
	if (usage) {
		fprintf(stderr, "Usage: jmbctl mail-in [--recipient ADDRESS] < MESSAGE\n");
		return CTL_USAGE;
	}
	if (*ms->reply_address == '\0') {
		fprintf(stderr, "jmbctl: mail-in: [mail] reply_address is not set\n");
		return EX_CONFIG;
	}
	if (recipient == NULL) {
		fprintf(stderr, "jmbctl: mail-in: no recipient (--recipient, ORIGINAL_RECIPIENT or "
		                "RECIPIENT)\n");
		return EX_USAGE;
	}
	if (jmb_reply_address_parse(ctl->pool, ms->reply_address, ms->recipient_delimiter,
	                            recipient, &token) == JMB_REPLY_NOT_OURS) {
		fprintf(stderr, "jmbctl: mail-in: %s is not a reply address of %s\n", recipient,
		        ms->reply_address);
		return EX_NOUSER;
	}
	data = read_message(ctl->pool, ctl->settings.mail_in.max_size, &len);
	if (data == NULL) {
		fprintf(stderr,
		        "jmbctl: mail-in: message larger than [mail-in] max_size (%ld bytes)\n",
		        ctl->settings.mail_in.max_size);
		return EX_DATAERR;
	}
	if (jmb_inbound_mail_parse(data, len, ctl->pool, &mail, &error) < 0) {
		fprintf(stderr, "jmbctl: mail-in: %s\n", error.text);
		return EX_DATAERR;
	}
	if ((store = ctl_store(ctl)) == NULL)
		return EX_TEMPFAIL;
	switch (jmb_store_mail_in_add(
	    store, jmb_inbound_mail_key(ctl->pool, recipient, mail.message_id, data, len),
	    recipient, data, len, time(NULL), &error)) {
	case JMB_STORE_OK:
		printf("queued for jmbd\n");
		return EX_OK;
	case JMB_STORE_CONFLICT:
		printf("already received: ignored\n");
		return EX_OK;
	default:
		fprintf(stderr, "jmbctl: mail-in: store: %s\n", error.text);
		return EX_TEMPFAIL;
	}
}
