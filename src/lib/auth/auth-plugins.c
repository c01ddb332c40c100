/* Auth plugins: dlopen (RTLD_NOW | RTLD_LOCAL), ABI check right after dlsym,
 * config section applied from the plugin's own key table, then init. */
#include "config.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth-plugins.h"
#include "util/memory.h"

#define MAX_PLUGINS 8

#define MAX_PLUGIN_KEYS 64

struct loaded_plugin {
	void *handle;
	const struct jmb_auth_plugin *plugin;
	void *config;
	/* Where each of the plugin's keys is set ("path:line"), for init errors. */
	char *key_where[MAX_PLUGIN_KEYS];
	void *state;
	bool initialised;
};

struct jmb_auth_plugins {
	struct loaded_plugin items[MAX_PLUGINS];
	size_t count;
};

/* Plugin "header-trust" lives in auth_header_trust.so. */
static char *module_path(const char *dir, const char *name)
{
	char *file = jmb_xasprintf("%s/auth_%s.so", dir, name);

	for (char *p = file + strlen(dir) + 1; *p != '\0'; p++) {
		if (*p == '-')
			*p = '_';
	}
	return file;
}

static bool plugin_name_is_valid(const char *name)
{
	if (*name == '\0' || strlen(name) > 32)
		return false;
	for (const char *p = name; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
			return false;
	}
	return true;
}

/* False with the reason in *why when plugin at path cannot be used. */
static bool plugin_fits(const struct jmb_auth_plugin *plugin, const char *path, const char *name,
                        struct jmb_error *why)
{
	if (plugin == NULL) {
		jmb_error_set(why, "%s exports no %s symbol", path, JMB_AUTH_PLUGIN_SYMBOL);
		return false;
	}
	if (plugin->abi_version != JMB_AUTH_ABI_VERSION) {
		jmb_error_set(why,
		              "%s has plugin ABI %u, this jmbd needs %u: install the plugin "
		              "built with this jmbd",
		              path, plugin->abi_version, JMB_AUTH_ABI_VERSION);
		return false;
	}
	if (plugin->name == NULL || strcmp(plugin->name, name) != 0) {
		jmb_error_set(why, "%s calls itself '%s', not '%s'", path,
		              plugin->name != NULL ? plugin->name : "", name);
		return false;
	}
	return true;
}

static int load_one(struct jmb_auth_plugins *plugins, struct jmb_config_file *file, const char *dir,
                    const char *name, struct jmb_pool *pool, struct jmb_error *error)
{
	char *where = jmb_config_file_where(file, "auth", "plugins");
	struct loaded_plugin *lp = &plugins->items[plugins->count];
	char *path = NULL, *section = NULL;
	int ret = -1;

	if (!plugin_name_is_valid(name)) {
		jmb_error_set(error, "%s: [auth] plugins: '%s' is not a plugin name", where, name);
		goto out;
	}
	path = module_path(dir, name);
	lp->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (lp->handle == NULL) {
		jmb_error_set(error, "%s: [auth] plugins: cannot load '%s' (%s): %s", where, name,
		              path, dlerror());
		goto out;
	}
	lp->plugin = dlsym(lp->handle, JMB_AUTH_PLUGIN_SYMBOL);
	if (!plugin_fits(lp->plugin, path, name, error)) {
		jmb_error_prefix(error, "%s: [auth] plugins: ", where);
		dlclose(lp->handle);
		goto out;
	}
	plugins->count++;
	lp->config =
	    jmb_pool_alloc(pool, lp->plugin->config_size > 0 ? lp->plugin->config_size : 1);
	section = jmb_xasprintf("auth.%s", name);
	for (size_t k = 0; lp->plugin->config_keys != NULL &&
	                   lp->plugin->config_keys[k].name != NULL && k < MAX_PLUGIN_KEYS;
	     k++) {
		if (jmb_config_file_line(file, section, lp->plugin->config_keys[k].name) > 0)
			lp->key_where[k] =
			    jmb_config_file_where(file, section, lp->plugin->config_keys[k].name);
	}
	ret =
	    lp->plugin->config_keys == NULL
	        ? 0
	        : jmb_config_apply(file, section, lp->plugin->config_keys, lp->config, pool, error);
out:
	free(section);
	free(path);
	free(where);
	return ret;
}

struct jmb_auth_plugins *jmb_auth_plugins_load(struct jmb_config_file *file,
                                               const struct jmb_settings *settings,
                                               struct jmb_pool *pool, struct jmb_error *error)
{
	struct jmb_auth_plugins *plugins = jmb_xcalloc(1, sizeof(*plugins));
	int ret = 0;

	/* The first problem stops the loading: it is the one reported. */
	for (size_t i = 0; settings->auth.plugins[i] != NULL && ret == 0; i++) {
		const char *name = settings->auth.plugins[i];
		for (size_t j = 0; j < plugins->count && ret == 0; j++) {
			if (strcmp(plugins->items[j].plugin->name, name) == 0) {
				jmb_error_set(error, "%s: [auth] plugins names '%s' twice",
				              jmb_config_file_path(file), name);
				ret = -1;
			}
		}
		if (ret == 0 && plugins->count == MAX_PLUGINS) {
			jmb_error_set(error, "%s: [auth] plugins: at most %d",
			              jmb_config_file_path(file), MAX_PLUGINS);
			ret = -1;
		}
		if (ret == 0 &&
		    load_one(plugins, file, settings->auth.plugin_dir, name, pool, error) < 0)
			ret = -1;
	}
	if (ret < 0)
		jmb_auth_plugins_free(&plugins);
	return plugins;
}

/* Prefixes a plugin's init error; one that starts with "key:" names where the
   key is set. */
static void init_error(const struct loaded_plugin *lp, struct jmb_error *error)
{
	const struct jmb_config_key *keys = lp->plugin->config_keys;
	size_t len = strcspn(error->text, ":");

	for (size_t k = 0; keys != NULL && keys[k].name != NULL && k < MAX_PLUGIN_KEYS; k++) {
		if (lp->key_where[k] != NULL && strlen(keys[k].name) == len &&
		    strncmp(error->text, keys[k].name, len) == 0) {
			jmb_error_prefix(error, "%s: [auth.%s] ", lp->key_where[k],
			                 lp->plugin->name);
			return;
		}
	}
	jmb_error_prefix(error, "auth plugin %s: ", lp->plugin->name);
}

int jmb_auth_plugins_init(struct jmb_auth_plugins *plugins, const struct jmb_auth_host *host,
                          struct jmb_error *error)
{
	for (size_t i = 0; i < plugins->count; i++) {
		struct loaded_plugin *lp = &plugins->items[i];
		struct jmb_error plugin_error = {.text = "init failed"};

		if (lp->plugin->init != NULL &&
		    lp->plugin->init(host, lp->config, &lp->state, &plugin_error) < 0) {
			/* A plugin that failed without a message still gets one. */
			if (plugin_error.text[0] == '\0')
				jmb_error_set(&plugin_error, "init failed");
			init_error(lp, &plugin_error);
			jmb_error_set(error, "%s", plugin_error.text);
			return -1;
		}
		lp->initialised = true;
	}
	return 0;
}

void jmb_auth_plugins_free(struct jmb_auth_plugins **pp)
{
	struct jmb_auth_plugins *plugins = *pp;

	if (plugins == NULL)
		return;
	for (size_t i = plugins->count; i-- > 0;) {
		struct loaded_plugin *lp = &plugins->items[i];
		if (lp->initialised && lp->plugin->fini != NULL)
			lp->plugin->fini(lp->state);
		for (size_t k = 0; k < MAX_PLUGIN_KEYS; k++)
			free(lp->key_where[k]);
		dlclose(lp->handle);
	}
	free(plugins);
	*pp = NULL;
}

enum jmb_auth_result jmb_auth_plugins_authenticate(struct jmb_auth_plugins *plugins,
                                                   struct jmb_request *req)
{
	for (size_t i = 0; i < plugins->count; i++) {
		const struct loaded_plugin *lp = &plugins->items[i];
		struct jmb_identity *identity = NULL;
		enum jmb_auth_result r;

		if (lp->plugin->authenticate == NULL)
			continue;
		r = lp->plugin->authenticate(lp->state, req, &identity);
		if (r == JMB_AUTH_OK && identity != NULL) {
			identity->source = lp->plugin->name;
			req->identity = identity;
			return JMB_AUTH_OK;
		}
		if (r != JMB_AUTH_NOT_MINE)
			return r;
	}
	return JMB_AUTH_NOT_MINE;
}

bool jmb_auth_plugins_challenge(struct jmb_auth_plugins *plugins, struct jmb_request *req,
                                struct jmb_response *resp)
{
	for (size_t i = 0; i < plugins->count; i++) {
		const struct loaded_plugin *lp = &plugins->items[i];
		if (lp->plugin->challenge != NULL &&
		    lp->plugin->challenge(lp->state, req, resp) == JMB_AUTH_RESPOND)
			return true;
	}
	return false;
}

bool jmb_auth_plugins_route(struct jmb_auth_plugins *plugins, struct jmb_request *req,
                            struct jmb_response *resp)
{
	const char *method = strcmp(req->method, "HEAD") == 0 ? "GET" : req->method;

	for (size_t i = 0; i < plugins->count; i++) {
		const struct loaded_plugin *lp = &plugins->items[i];
		size_t plen = strlen(lp->plugin->name);
		const char *rest;

		if (strncmp(req->path, "/auth/", 6) != 0 ||
		    strncmp(req->path + 6, lp->plugin->name, plen) != 0)
			continue;
		rest = req->path + 6 + plen;
		for (const struct jmb_auth_route *r = lp->plugin->routes;
		     r != NULL && r->path != NULL; r++) {
			if (strcmp(r->path, rest) == 0 && strcmp(r->method, method) == 0) {
				r->handle(lp->state, req, resp);
				return true;
			}
		}
	}
	return false;
}
