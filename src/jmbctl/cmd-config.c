/* jmbctl check-config and migrate. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "auth/auth-plugins.h"
#include "directory/directory.h"
#include "web/i18n.h"
#include "jmbctl.h"
#include "web/views.h"

/* Plugins only keep the host at init; nothing here serves requests. */
static const struct jmb_auth_host check_host = {.abi_version = JMB_AUTH_ABI_VERSION};

int cmd_check_config(struct jmbctl *ctl, int argc, char **argv)
{
	struct jmb_auth_plugins *plugins;
	struct jmb_directory *directory = NULL;
	struct jmb_views *views = NULL;
	struct jmb_i18n *i18n = NULL;
	struct jmb_error error;
	int status = CTL_CONFIG;

	if (argc > 1) {
		fprintf(stderr, "Usage: jmbctl check-config\n");
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
