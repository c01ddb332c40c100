/* jmbctl: the admin CLI. Global options, then one command; each command lives
 * in its own file. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "config/config-file.h"
#include "jmbctl.h"
#include "util/log.h"
#include "util/memory.h"

#define DEFAULT_CONFIG "/etc/jmb/jmb.conf"

static const struct {
	const char *name;
	int (*run)(struct jmbctl *ctl, int argc, char **argv);
	const char *help;
} commands[] = {
    {"check-config", cmd_check_config,
     "check-config [--connect]  validate the configuration (--connect: and reach the store\n"
     "                            and the directory)"},
    {"migrate", cmd_migrate, "migrate                   bring the database schema up to date"},
    {"user", cmd_user,
     "user add LOGIN --mail M --name N [--password-stdin]\n"
     "                            add or replace a user of the local plugin\n"
     "  user list                 the local plugin's users (never their hashes)\n"
     "  user passwd LOGIN [--password-stdin]\n"
     "                            a new password; the user's sessions end\n"
     "  user delete LOGIN         remove the user; their sessions end"},
    {"api-token", cmd_api_token,
     "api-token create LOGIN [--label L] [--mail M] [--name N]\n"
     "                            create a bearer token for the JSON API\n"
     "  api-token list            the tokens: id, login, dates, label (never the secret)\n"
     "  api-token revoke ID       refuse a token from now on"},
    {"meetings", cmd_meetings,
     "meetings list [--all] [--deleted] [--json] | meetings show ID [--json]"},
    {"outbox", cmd_outbox,
     "outbox list [--failed] | outbox retry ID\n"
     "                            the mail outbox, and sending a failed mail again"},
    {"send-xmpp", cmd_send_xmpp,
     "send-xmpp ROOM MESSAGE    post a message in a Jitsi room with the [xmpp] bot"},
    {"mail-in", cmd_mail_in,
     "mail-in [--recipient ADDRESS] < MESSAGE\n"
     "                            queue a mail sent to a reply address (for the MTA)"},
    {"purge", cmd_purge, "purge                     delete expired sessions and records"},
    {"backup", cmd_backup,
     "backup FILE               a consistent copy of the live SQLite store in FILE"},
    {"import-legacy", cmd_import_legacy,
     "import-legacy [--map LOGINS_FILE] LEGACY.db\n"
     "                            import a jitsi-jmb SQLite database, keeping its links"},
};

static void usage(FILE *out)
{
	fprintf(out, "Usage: jmbctl [--config FILE] COMMAND [ARGS]\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %s\n", commands[i].help);
	fprintf(out, "\nThe configuration defaults to " DEFAULT_CONFIG ".\n");
}

void ctl_print_utc(time_t t)
{
	char buf[32] = "-";
	struct tm tm;

	if (t > 0 && gmtime_r(&t, &tm) != NULL)
		strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	printf(" %-20s", buf);
}

struct jmb_store *ctl_store(struct jmbctl *ctl)
{
	struct jmb_error error;
	int from, to;

	if (ctl->store != NULL)
		return ctl->store;
	ctl->store = jmb_store_open(&ctl->settings.store, &error);
	if (ctl->store == NULL ||
	    jmb_store_migrate(ctl->store, &from, &to, &error) != JMB_STORE_OK) {
		fprintf(stderr, "jmbctl: store: %s\n", error.text);
		jmb_store_close(&ctl->store);
		return NULL;
	}
	return ctl->store;
}

/* Reads the config; plugin sections are claimed by check-config only (it
 * loads the plugins), so other commands accept any [auth.*] section. */
static int load_config(struct jmbctl *ctl)
{
	struct jmb_error error;

	ctl->file = jmb_config_file_read(ctl->config_path, &error);
	if (ctl->file == NULL ||
	    jmb_settings_load(ctl->file, &ctl->settings, ctl->pool, &error) < 0) {
		fprintf(stderr, "%s\n", error.text);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	struct jmbctl ctl = {.config_path = DEFAULT_CONFIG};
	int c, status = CTL_USAGE;

	while ((c = getopt_long(argc, argv, "+c:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			ctl.config_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return CTL_OK;
		case 'V':
			printf("jmbctl %s\n", PACKAGE_VERSION);
			return CTL_OK;
		default:
			usage(stderr);
			return CTL_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return CTL_USAGE;
	}
	jmb_log_setup("jmbctl", false, JMB_LOG_WARNING);
	ctl.pool = jmb_pool_new();
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[optind], commands[i].name) != 0)
			continue;
		if (load_config(&ctl) < 0) {
			status = CTL_CONFIG;
			goto out;
		}
		optind++;
		status = commands[i].run(&ctl, argc - optind + 1, argv + optind - 1);
		goto out;
	}
	fprintf(stderr, "jmbctl: unknown command '%s'\n", argv[optind]);
	usage(stderr);
out:
	jmb_store_close(&ctl.store);
	jmb_config_file_free(&ctl.file);
	jmb_pool_free(&ctl.pool);
	return status;
}
