/* Auth plugins: loading them with dlopen, applying their config sections,
 * and calling them in the configured order. Used by jmbd and jmbctl check-config. */
#ifndef JMB_AUTH_PLUGINS_H
#define JMB_AUTH_PLUGINS_H

#include <stdbool.h>

#include "config/config-file.h"
#include "web/http.h"
#include "jmb/auth-plugin.h"
#include "config/settings.h"

struct jmb_auth_plugins;

/* dlopens every plugin named in [auth] plugins, checks its ABI and applies its
 * [auth.<name>] keys from file. Does not call init yet. NULL when one cannot
 * be used: error says why (the first problem found). */
struct jmb_auth_plugins *jmb_auth_plugins_load(struct jmb_config_file *file,
                                               const struct jmb_settings *settings,
                                               struct jmb_pool *pool, struct jmb_error *error);
int jmb_auth_plugins_init(struct jmb_auth_plugins *plugins, const struct jmb_auth_host *host,
                          struct jmb_error *error);
void jmb_auth_plugins_free(struct jmb_auth_plugins **plugins);

/* Asks each plugin in turn; JMB_AUTH_NOT_MINE when none knows the request. */
enum jmb_auth_result jmb_auth_plugins_authenticate(struct jmb_auth_plugins *plugins,
                                                   struct jmb_request *req);
/* Lets the first plugin able to answer an anonymous request do so. */
bool jmb_auth_plugins_challenge(struct jmb_auth_plugins *plugins, struct jmb_request *req,
                                struct jmb_response *resp);
/* Runs the plugin route matching /auth/<name>/...; false when there is none. */
bool jmb_auth_plugins_route(struct jmb_auth_plugins *plugins, struct jmb_request *req,
                            struct jmb_response *resp);

#endif
