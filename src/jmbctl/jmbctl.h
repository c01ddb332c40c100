/* jmbctl: shared state of the admin CLI's commands. */
#ifndef JMBCTL_H
#define JMBCTL_H

#include <time.h>

#include "config/settings.h"
#include "store/store.h"

struct jmbctl {
	const char *config_path;
	struct jmb_pool *pool;
	struct jmb_config_file *file;
	struct jmb_settings settings;
	struct jmb_store *store; /* opened on demand by ctl_store() */
};

/* Exit codes: 0 ok, 1 failure, 2 usage, 78 bad configuration; a few commands
   say more with <sysexits.h> codes (jmbctl(8)). */
#define CTL_OK 0
#define CTL_FAIL 1
#define CTL_USAGE 2
#define CTL_CONFIG 78

/* Prints " " and t as RFC 3339 UTC in a column of 20 ("-" for 0: never). */
void ctl_print_utc(time_t t);

/* Opens (once) and migrates the store; NULL after printing why. */
struct jmb_store *ctl_store(struct jmbctl *ctl);

int cmd_check_config(struct jmbctl *ctl, int argc, char **argv);
int cmd_migrate(struct jmbctl *ctl, int argc, char **argv);
int cmd_user(struct jmbctl *ctl, int argc, char **argv);
int cmd_api_token(struct jmbctl *ctl, int argc, char **argv);
int cmd_meetings(struct jmbctl *ctl, int argc, char **argv);
int cmd_purge(struct jmbctl *ctl, int argc, char **argv);
int cmd_import_legacy(struct jmbctl *ctl, int argc, char **argv);
int cmd_outbox(struct jmbctl *ctl, int argc, char **argv);
int cmd_send_xmpp(struct jmbctl *ctl, int argc, char **argv);
int cmd_backup(struct jmbctl *ctl, int argc, char **argv);
int cmd_mail_in(struct jmbctl *ctl, int argc, char **argv);

#endif
