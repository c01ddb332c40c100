/* jmbctl outbox list [--failed] and outbox retry ID: the durable mail outbox
 * as administrators see it. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jmbctl.h"

static const char *status_name(enum jmb_outbox_status s)
{
	return s == JMB_OUTBOX_SENT ? "sent" : s == JMB_OUTBOX_FAILED ? "failed" : "pending";
}

static int outbox_list(struct jmbctl *ctl, bool failed_only)
{
	struct jmb_outbox_list list;
	struct jmb_store *store = ctl_store(ctl);
	struct jmb_error error;

	if (store == NULL)
		return CTL_FAIL;
	if (jmb_store_outbox_list(store, ctl->pool, failed_only, 500, &list, &error) !=
	    JMB_STORE_OK) {
		fprintf(stderr, "jmbctl: %s\n", error.text);
		return CTL_FAIL;
	}
	printf("%-8s %-8s %8s %-20s %-20s %s\n", "ID", "STATUS", "ATTEMPTS", " QUEUED",
	       " NEXT/SENT", "RECIPIENT / LAST ERROR");
	for (size_t i = 0; i < list.count; i++) {
		const struct jmb_outbox_mail *m = &list.items[i];
		printf("%-8lld %-8s %8ld", (long long)m->id, status_name(m->status), m->attempts);
		ctl_print_utc(m->created);
		ctl_print_utc(m->status == JMB_OUTBOX_SENT ? m->sent : m->next_attempt);
		printf(" %s%s%s\n", m->recipient, m->last_error != NULL ? "  " : "",
		       m->last_error != NULL ? m->last_error : "");
	}
	return CTL_OK;
}

static int outbox_retry(struct jmbctl *ctl, const char *id_text)
{
	struct jmb_store *store;
	char *end;
	struct jmb_error error;
	long long id = strtoll(id_text, &end, 10);

	if (*end != '\0' || id <= 0) {
		fprintf(stderr, "jmbctl: '%s' is not an outbox id\n", id_text);
		return CTL_USAGE;
	}
	if ((store = ctl_store(ctl)) == NULL)
		return CTL_FAIL;
	if (jmb_store_outbox_retry(store, id, time(NULL), &error) != JMB_STORE_OK) {
		fprintf(stderr, "jmbctl: %s\n", error.text);
		return CTL_FAIL;
	}
	printf("mail %lld will be sent again\n", id);
	return CTL_OK;
}

int cmd_outbox(struct jmbctl *ctl, int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "list") == 0)
		return outbox_list(ctl, false);
	if (argc == 3 && strcmp(argv[1], "list") == 0 && strcmp(argv[2], "--failed") == 0)
		return outbox_list(ctl, true);
	if (argc == 3 && strcmp(argv[1], "retry") == 0)
		return outbox_retry(ctl, argv[2]);
	fprintf(stderr, "Usage: jmbctl outbox list [--failed] | outbox retry ID\n");
	return CTL_USAGE;
}
