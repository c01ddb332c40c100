/* jmbctl check-config and migrate. */
#include "config.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "store/store.h"
#include "util/memory.h"

#include "auth/auth-plugins.h"
#include "directory/directory.h"
#include "web/i18n.h"
#include "jmbctl.h"
#include "web/views.h"

/* Plugins only keep the host at init; nothing here serves requests. */
static const struct jmb_auth_host check_host = {.abi_version = JMB_AUTH_ABI_VERSION};

/* --connect, the store: reachable and at a schema this build can use. A
 * SQLite file that does not exist yet is not created (the check would leave
 * it owned by whoever ran it): its folder must let jmbd create it. */
static int check_store(struct jmbctl *ctl)
{
	const struct jmb_store_settings *ss = &ctl->settings.store;
	struct jmb_store *store;
	struct jmb_error error;
	int version = 0, latest;

	if (ss->driver == JMB_STORE_SQLITE && access(ss->path, F_OK) != 0) {
		char *dir = jmb_pool_strdup(ctl->pool, ss->path);

		dir = dirname(dir);
		if (access(dir, W_OK | X_OK) != 0) {
			fprintf(stderr,
			        "store: %s cannot be created: %s is missing or not writable\n",
			        ss->path, dir);
			return -1;
		}
		printf("store: %s does not exist yet; jmbd will create it\n", ss->path);
		return 0;
	}
	if ((store = jmb_store_open(ss, &error)) == NULL ||
	    jmb_store_ping(store, &error) != JMB_STORE_OK ||
	    jmb_store_schema_version(store, &version, &error) != JMB_STORE_OK) {
		fprintf(stderr, "store: %s\n", error.text);
		jmb_store_close(&store);
		return -1;
	}
	latest = jmb_store_latest_schema_version(store);
	printf("store: %s answers, schema version %d of %d%s\n", jmb_store_driver_name(store),
	       version, latest, version < latest ? " (jmbd will migrate it)" : "");
	jmb_store_close(&store);
	if (version > latest) {
		fprintf(stderr,
		        "store: schema version %d is newer than this jmb (%d): upgrade jmb\n",
		        version, latest);
		return -1;
	}
	return 0;
}

/* --connect, the directory: a server answers the bind and a user search
 * (for a login nobody has: "not found" is an answer). */
static int check_directory(struct jmbctl *ctl, struct jmb_directory *directory)
{
	struct jmb_directory_person *person;
	struct jmb_error error;
	enum jmb_directory_result r =
	    jmb_directory_find_user(directory, ctl->pool, "jmb-check-config", &person, &error);

	if (r != JMB_DIRECTORY_OK && r != JMB_DIRECTORY_NOT_FOUND) {
		fprintf(stderr, "directory: %s\n", error.text);
		return -1;
	}
	printf("directory: %s answers\n", ctl->settings.ldap.uri[0]);
	return 0;
}

int cmd_check_config(struct jmbctl *ctl, int argc, char **argv)
{
	struct jmb_auth_plugins *plugins;
	struct jmb_directory *directory = NULL;
	struct jmb_views *views = NULL;
	struct jmb_i18n *i18n = NULL;
	struct jmb_error error;
	int status = CTL_CONFIG;
	bool connect = argc == 2 && strcmp(argv[1], "--connect") == 0;

	if (argc > 1 && !connect) {
		fprintf(stderr, "Usage: jmbctl check-config [--connect]\n");
		return CTL_USAGE;
	}
	plugins = jmb_auth_plugins_load(ctl->file, &ctl->settings, ctl->pool, &error);
	if (plugins == NULL || jmb_config_check_unclaimed(ctl->file, &error) < 0 ||
	    (views = jmb_views_load(ctl->settings.server.template_dir, &error)) == NULL ||
	    (i18n = jmb_i18n_load(ctl->settings.server.locale_dir, &error)) == NULL ||
	    jmb_auth_plugins_init(plugins, &check_host, &error) < 0) {
		fprintf(stderr, "%s\n", error.text);
		goto out;
	}
	/* Opening the directory connects to nothing, but checks what jmbd would
	   refuse at start-up ([ldap] ca_file). */
	if (jmb_directory_configured(&ctl->settings.ldap) &&
	    (directory = jmb_directory_new(&ctl->settings.ldap, NULL, NULL, &error)) == NULL) {
		fprintf(stderr, "%s: %s\n", ctl->config_path, error.text);
		goto out;
	}
	printf("%s: configuration is valid\n", ctl->config_path);
	status = CTL_OK;
	if (connect &&
	    (check_store(ctl) < 0 || (directory != NULL && check_directory(ctl, directory) < 0)))
		status = EX_UNAVAILABLE;
out:
	jmb_directory_free(&directory);
	jmb_i18n_free(&i18n);
	jmb_views_free(&views);
	jmb_auth_plugins_free(&plugins);
	return status;
}

int cmd_migrate(struct jmbctl *ctl, int argc, char **argv)
{
	struct jmb_store *store;
	struct jmb_error error;
	int from = 0, to = 0;

	if (argc > 1) {
		fprintf(stderr, "Usage: jmbctl migrate\n");
		return CTL_USAGE;
	}
	store = jmb_store_open(&ctl->settings.store, &error);
	if (store == NULL || jmb_store_migrate(store, &from, &to, &error) != JMB_STORE_OK) {
		fprintf(stderr, "jmbctl: migrate: %s\n", error.text);
		jmb_store_close(&store);
		return CTL_FAIL;
	}
	if (from == to)
		printf("schema is up to date (version %d, %s)\n", to, jmb_store_driver_name(store));
	else
		printf("schema migrated from version %d to %d (%s)\n", from, to,
		       jmb_store_driver_name(store));
	jmb_store_close(&store);
	return CTL_OK;
}
