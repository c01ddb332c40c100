/* jmbctl meetings list/show and purge: read-only views of the store for
 * administrators (the legacy TODO's listing tool). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "jmbctl.h"
#include "web/json-meeting.h"
#include "util/memory.h"
#include "util/timeutil.h"

struct list_options {
	bool all, deleted, json;
};

static int parse_list_options(int argc, char **argv, struct list_options *o)
{
	static const struct option longopts[] = {
	    {"all", no_argument, NULL, 'a'},
	    {"deleted", no_argument, NULL, 'd'},
	    {"json", no_argument, NULL, 'j'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	optind = 0; /* glibc: 0 re-initialises getopt after main() used it */
	while ((c = getopt_long(argc, argv, "adj", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			o->all = true;
			break;
		case 'd':
			o->deleted = true;
			break;
		case 'j':
			o->json = true;
			break;
		default:
			return -1;
		}
	}
	return 0;
}

static void print_json(json_t *value)
{
	char *text = json_dumps(value, JSON_INDENT(2));

	if (text != NULL)
		printf("%s\n", text);
	free(text);
	json_decref(value);
}

static void print_row(const struct jmb_meeting *m)
{
	char start[40];
	long accepted = 0, declined = 0;

	for (size_t i = 0; i < m->n_attendees; i++) {
		accepted += m->attendees[i].status == JMB_PARTSTAT_ACCEPTED;
		declined += m->attendees[i].status == JMB_PARTSTAT_DECLINED;
	}
	jmb_format_rfc3339(m->start, m->timezone, start, sizeof(start));
	printf("%-6lld %-25s %4ld min  %-20s %-16s %3zu invited %3ld yes %3ld no%s  %s\n",
	       (long long)m->id, start, m->duration, m->room, m->owner.login, m->n_attendees,
	       accepted, declined, m->deleted ? " [deleted]" : "", m->title);
}

static int meetings_list(struct jmbctl *ctl, int argc, char **argv)
{
	struct list_options o = {0};
	struct jmb_meeting_list list;
	struct jmb_store *store;
	struct jmb_error error;

	if (parse_list_options(argc, argv, &o) < 0 || optind != argc) {
		fprintf(stderr, "Usage: jmbctl meetings list [--all] [--deleted] [--json]\n");
		return CTL_USAGE;
	}
	if ((store = ctl_store(ctl)) == NULL)
		return CTL_FAIL;
	if (jmb_store_meetings_all(store, ctl->pool, o.all ? 0 : time(NULL), o.deleted, &list,
	                           &error) != JMB_STORE_OK) {
		fprintf(stderr, "jmbctl: %s\n", error.text);
		return CTL_FAIL;
	}
	if (o.json) {
		json_t *items = json_array();
		for (size_t i = 0; i < list.count; i++)
			json_array_append_new(items, jmb_meeting_to_json(list.items[i], NULL, time(NULL)));
		print_json(json_pack("{s:o}", "meetings", items));
		return CTL_OK;
	}
	printf("%-6s %-25s %8s  %-20s %-16s %s\n", "ID", "START", "DURATION", "ROOM", "OWNER",
	       "INVITEES / TITLE");
	for (size_t i = 0; i < list.count; i++)
		print_row(list.items[i]);
	return CTL_OK;
}

static int meetings_show(struct jmbctl *ctl, int argc, char **argv)
{
	struct list_options o = {0};
	struct jmb_meeting *m;
	struct jmb_store *store;
	char *end;
	struct jmb_error error;
	long long id;

	if (parse_list_options(argc, argv, &o) < 0 || optind != argc - 1 ||
	    (id = strtoll(argv[optind], &end, 10)) <= 0 || *end != '\0') {
		fprintf(stderr, "Usage: jmbctl meetings show ID [--json]\n");
		return CTL_USAGE;
	}
	if ((store = ctl_store(ctl)) == NULL)
		return CTL_FAIL;
	enum jmb_store_result r = jmb_store_meeting_get(store, ctl->pool, id, &m, &error);
	if (r != JMB_STORE_OK) {
		fprintf(stderr, "jmbctl: meeting %lld: %s\n", id,
		        r == JMB_STORE_NOT_FOUND ? "not found" : error.text);
		return CTL_FAIL;
	}
	if (o.json) {
		print_json(jmb_meeting_to_json(m, NULL, time(NULL)));
		return CTL_OK;
	}
	print_row(m);
	printf("owner: %s <%s>\nuid: %s\nsequence: %ld\n", m->owner.name, m->owner.mail, m->uid,
	       m->sequence);
	for (size_t i = 0; i < m->n_attendees; i++)
		printf("  attendee=%-6lld %-9s %-12s joins=%-3ld %s\n",
		       (long long)m->attendees[i].id, jmb_role_name(m->attendees[i].role),
		       jmb_partstat_name(m->attendees[i].status), m->attendees[i].joins,
		       m->attendees[i].mail);
	return CTL_OK;
}

int cmd_meetings(struct jmbctl *ctl, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return meetings_list(ctl, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "show") == 0)
		return meetings_show(ctl, argc - 1, argv + 1);
	fprintf(stderr,
	        "Usage: jmbctl meetings list [--all] [--deleted] [--json] | show ID [--json]\n");
	return CTL_USAGE;
}

int cmd_purge(struct jmbctl *ctl, int argc, char **argv)
{
	struct jmb_store *store;
	struct jmb_error error;
	long purged = 0;

	if (argc > 1) {
		fprintf(stderr, "Usage: jmbctl purge\n");
		return CTL_USAGE;
	}
	if ((store = ctl_store(ctl)) == NULL)
		return CTL_FAIL;
	if (jmb_store_sessions_purge(store, time(NULL), &purged, &error) != JMB_STORE_OK) {
		fprintf(stderr, "jmbctl: %s\n", error.text);
		return CTL_FAIL;
	}
	printf("%ld expired sessions deleted\n", purged);
	if (jmb_store_reservations_purge(store, time(NULL), &purged, &error) != JMB_STORE_OK) {
		fprintf(stderr, "jmbctl: %s\n", error.text);
		return CTL_FAIL;
	}
	printf("%ld expired room reservations deleted\n", purged);
	if (jmb_store_presences_purge(store,
	                              time(NULL) - ctl->settings.privacy.attendance_days * 86400L,
	                              &purged, &error) != JMB_STORE_OK) {
		fprintf(stderr, "jmbctl: %s\n", error.text);
		return CTL_FAIL;
	}
	printf("%ld room presences older than [privacy] attendance_days deleted\n", purged);
	if (jmb_store_login_failures_purge(store, time(NULL), &purged, &error) != JMB_STORE_OK) {
		fprintf(stderr, "jmbctl: %s\n", error.text);
		return CTL_FAIL;
	}
	printf("%ld forgotten login failures deleted\n", purged);
	if (jmb_store_mail_in_purge(store, time(NULL) - ctl->settings.mail_in.keep_days * 86400L,
	                            &purged, &error) != JMB_STORE_OK) {
		fprintf(stderr, "jmbctl: %s\n", error.text);
		return CTL_FAIL;
	}
	printf("%ld received mails handled before [mail-in] keep_days deleted\n", purged);
	return CTL_OK;
}
