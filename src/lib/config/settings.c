/* Key tables of the core config sections and the checks that span several keys.
 * Key names are a contract with deployment tooling: never rename one. */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/memory.h"
#include "config/settings.h"
#include "web/i18n.h"
#include "domain/policy.h"
#include "util/strbuf.h"
#include "domain/mailaddr.h"
#include "util/timeutil.h"
#include "util/listen.h"

const char jmb_default_plugin_dir[] = JMB_PLUGIN_DIR;
const char jmb_default_template_dir[] = JMB_DATA_DIR "/templates";
const char jmb_default_static_dir[] = JMB_DATA_DIR "/static";
const char jmb_default_locale_dir[] = JMB_LOCALE_DIR;

#define S(field) offsetof(struct jmb_server_settings, field)
static const struct jmb_config_key server_keys[] = {
    {"listen", JMB_CONF_STRING, S(listen), "127.0.0.1:8080", 0, 0, 0, NULL},
    {"public_url", JMB_CONF_STRING, S(public_url), "http://127.0.0.1:8080", 0, 0, 0, NULL},
    {"default_language", JMB_CONF_STRING, S(default_language), "fr", 0, 0, 0, NULL},
    {"timezone", JMB_CONF_STRING, S(timezone), "Europe/Paris", 0, 0, 0, NULL},
    {"threads", JMB_CONF_INT, S(threads), "8", 0, 1, 256, NULL},
    {"max_body_size", JMB_CONF_INT, S(max_body_size), "65536", 0, 1024, 16777216, NULL},
    {"connection_timeout", JMB_CONF_INT, S(connection_timeout), "30", 0, 1, 3600, NULL},
    {"max_connections", JMB_CONF_INT, S(max_connections), "1000", 0, 16, 1000000, NULL},
    {"max_connections_per_address", JMB_CONF_INT, S(max_connections_per_address), "64", 0, 0,
     1000000, NULL},
    {"request_head_timeout", JMB_CONF_INT, S(request_head_timeout), "10", 0, 1, 3600, NULL},
    {"request_body_timeout", JMB_CONF_INT, S(request_body_timeout), "20", 0, 1, 3600, NULL},
    {"template_dir", JMB_CONF_STRING, S(template_dir), jmb_default_template_dir, JMB_CONF_PATH, 0,
     0, NULL},
    {"static_dir", JMB_CONF_STRING, S(static_dir), jmb_default_static_dir, JMB_CONF_PATH, 0, 0,
     NULL},
    {"locale_dir", JMB_CONF_STRING, S(locale_dir), jmb_default_locale_dir, JMB_CONF_PATH, 0, 0,
     NULL},
    {"close_url", JMB_CONF_STRING, S(close_url), "", 0, 0, 0, NULL},
    {"session_lifetime", JMB_CONF_INT, S(session_lifetime), "43200", 0, 300, 31 * 86400, NULL},
    JMB_CONF_END,
};
#undef S

static const char *const store_drivers[] = {"sqlite", "postgresql", NULL};
#define S(field) offsetof(struct jmb_store_settings, field)
static const struct jmb_config_key store_keys[] = {
    {"driver", JMB_CONF_ENUM, S(driver), "sqlite", 0, 0, 0, store_drivers},
    {"path", JMB_CONF_STRING, S(path), "/var/lib/jmb/jmb.db", JMB_CONF_PATH, 0, 0, NULL},
    {"conninfo", JMB_CONF_SECRET, S(conninfo), NULL, 0, 0, 0, NULL},
    {"busy_timeout", JMB_CONF_INT, S(busy_timeout), "5000", 0, 0, 600000, NULL},
    JMB_CONF_END,
};
#undef S

#define S(field) offsetof(struct jmb_auth_settings, field)
static const struct jmb_config_key auth_keys[] = {
    {"plugins", JMB_CONF_LIST, S(plugins), "local", 0, 0, 0, NULL},
    {"plugin_dir", JMB_CONF_STRING, S(plugin_dir), jmb_default_plugin_dir, JMB_CONF_PATH, 0, 0,
     NULL},
    /* The password-guessing throttle: doc/jmb.conf.5 says why these figures. */
    {"login_free_tries", JMB_CONF_INT, S(login.free_tries), "5", 0, 1, 100, NULL},
    {"login_lock_after", JMB_CONF_INT, S(login.lock_after), "10", 0, 2, 1000, NULL},
    {"login_lock_time", JMB_CONF_INT, S(login.lock_time), "900", 0, 1, 86400, NULL},
    {"login_account_ceiling", JMB_CONF_INT, S(login.account_ceiling), "50", 0, 1, 1000000, NULL},
    {"login_memory", JMB_CONF_INT, S(login.memory), "3600", 0, 60, 7 * 86400, NULL},
    {"login_trusted_proxies", JMB_CONF_LIST, S(login_trusted_proxies), "127.0.0.1/32, ::1/128", 0,
     0, 0, NULL},
    JMB_CONF_END,
};
#undef S

#define S(field) offsetof(struct jmb_booking_settings, field)
static const struct jmb_config_key booking_keys[] = {
    {"min_duration", JMB_CONF_INT, S(min_duration), "30", 0, 1, 1440, NULL},
    {"max_duration", JMB_CONF_INT, S(max_duration), "480", 0, 1, 10080, NULL},
    {"step_duration", JMB_CONF_INT, S(step_duration), "30", 0, 1, 1440, NULL},
    {"default_duration", JMB_CONF_INT, S(default_duration), "90", 0, 1, 10080, NULL},
    {"max_moderators", JMB_CONF_INT, S(max_moderators), "2", 0, 0, 1000, NULL},
    {"max_guests", JMB_CONF_INT, S(max_guests), "50", 0, 0, 10000, NULL},
    {"archive_days", JMB_CONF_INT, S(archive_days), "365", 0, 0, 36500, NULL},
    {"highlight_owner", JMB_CONF_INT, S(highlight_owner), "15", 0, 0, 1440, NULL},
    {"highlight_invitee", JMB_CONF_INT, S(highlight_invitee), "5", 0, 0, 1440, NULL},
    {"max_title_length", JMB_CONF_INT, S(max_title_length), "200", 0, 1, 10000, NULL},
    {"max_description_length", JMB_CONF_INT, S(max_description_length), "4000", 0, 0, 100000, NULL},
    {"max_advance_days", JMB_CONF_INT, S(max_advance_days), "730", 0, 1, 3650, NULL},
    {"max_occurrences", JMB_CONF_INT, S(max_occurrences), "260", 0, 1, 5000, NULL},
    {"max_series_days", JMB_CONF_INT, S(max_series_days), "400", 0, 1, 3650, NULL},
    {"link_opens_before", JMB_CONF_INT, S(link_opens_before), "30", 0, 0, 5256000, NULL},
    {"feed_past_days", JMB_CONF_INT, S(feed_past_days), "30", 0, 0, 3650, NULL},
    {"feed_refresh_interval", JMB_CONF_INT, S(feed_refresh_interval), "15", 0, 1, 10080, NULL},
    {"editor_filter", JMB_CONF_STRING, S(editor_filter), "", 0, 0, 0, NULL},
    {"editor_groups", JMB_CONF_LIST, S(editor_groups), "", 0, 0, 0, NULL},
    {"subscribers_file", JMB_CONF_STRING, S(subscribers_file), "", JMB_CONF_PATH, 0, 0, NULL},
    JMB_CONF_END,
};
#undef S

static const char *const guest_token_modes[] = {"none", "member", NULL};
#define S(field) offsetof(struct jmb_jitsi_settings, field)
static const struct jmb_config_key jitsi_keys[] = {
    {"base_url", JMB_CONF_STRING, S(base_url), "https://meet.example.org", 0, 0, 0, NULL},
    {"domain", JMB_CONF_STRING, S(domain), "meet.example.org", 0, 0, 0, NULL},
    {"tenant", JMB_CONF_STRING, S(tenant), "", 0, 0, 0, NULL},
    {"app_id", JMB_CONF_STRING, S(app_id), "jmb", 0, 0, 0, NULL},
    {"app_secret", JMB_CONF_SECRET, S(app_secret), NULL, 0, 0, 0, NULL},
    {"private_key_file", JMB_CONF_STRING, S(private_key_file), "", JMB_CONF_PATH, 0, 0, NULL},
    {"key_id", JMB_CONF_STRING, S(key_id), "", 0, 0, 0, NULL},
    {"audience", JMB_CONF_STRING, S(audience), "jmb", 0, 0, 0, NULL},
    {"owner_token_lifetime", JMB_CONF_INT, S(owner_token_lifetime), "900", 0, 60, 86400, NULL},
    {"external_token_lifetime", JMB_CONF_INT, S(external_token_lifetime), "1800", 0, 60, 86400,
     NULL},
    {"token_skew", JMB_CONF_INT, S(token_skew), "60", 0, 0, 3600, NULL},
    {"guest_tokens", JMB_CONF_ENUM, S(guest_tokens), "none", 0, 0, 0, guest_token_modes},
    {"start_early", JMB_CONF_INT, S(start_early), "15", 0, 0, 1440, NULL},
    {"private_rooms", JMB_CONF_BOOL, S(private_rooms), "yes", 0, 0, 0, NULL},
    {"allow_adhoc_rooms", JMB_CONF_BOOL, S(allow_adhoc_rooms), "no", 0, 0, 0, NULL},
    {"prosody_token", JMB_CONF_SECRET, S(prosody_token), NULL, 0, 0, 0, NULL},
    {"room_grace", JMB_CONF_INT, S(room_grace), "10", 0, 0, 1440, NULL},
    {"max_participants", JMB_CONF_INT, S(max_participants), "500", 0, 2, 100000, NULL},
    {"open_room_hours", JMB_CONF_INT, S(open_room_hours), "12", 0, 1, 168, NULL},
    JMB_CONF_END,
};
#undef S

#define S(field) offsetof(struct jmb_mail_settings, field)
static const struct jmb_config_key mail_keys[] = {
    {"transport", JMB_CONF_STRING, S(transport), "", 0, 0, 0, NULL},
    {"starttls", JMB_CONF_BOOL, S(starttls), "no", 0, 0, 0, NULL},
    {"username", JMB_CONF_STRING, S(username), "", 0, 0, 0, NULL},
    {"password", JMB_CONF_SECRET, S(password), NULL, 0, 0, 0, NULL},
    {"from", JMB_CONF_STRING, S(from), "", 0, 0, 0, NULL},
    {"from_name", JMB_CONF_STRING, S(from_name), "", 0, 0, 0, NULL},
    {"local_domains", JMB_CONF_LIST, S(local_domains), "", 0, 0, 0, NULL},
    {"notify_organiser", JMB_CONF_BOOL, S(notify_organiser), "yes", 0, 0, 0, NULL},
    {"retry_max_hours", JMB_CONF_INT, S(retry_max_hours), "72", 0, 1, 720, NULL},
    {"reply_address", JMB_CONF_STRING, S(reply_address), "", 0, 0, 0, NULL},
    {"recipient_delimiter", JMB_CONF_STRING, S(recipient_delimiter), "+", 0, 0, 0, NULL},
    JMB_CONF_END,
};
#undef S

#define S(field) offsetof(struct jmb_mail_in_settings, field)
static const struct jmb_config_key mail_in_keys[] = {
    {"max_size", JMB_CONF_INT, S(max_size), "10485760", 0, 4096, 104857600, NULL},
    {"imap_url", JMB_CONF_STRING, S(imap_url), "", 0, 0, 0, NULL},
    {"imap_username", JMB_CONF_STRING, S(imap_username), "", 0, 0, 0, NULL},
    {"imap_password", JMB_CONF_SECRET, S(imap_password), NULL, 0, 0, 0, NULL},
    {"imap_ca_file", JMB_CONF_STRING, S(imap_ca_file), "", JMB_CONF_PATH, 0, 0, NULL},
    {"imap_move_to", JMB_CONF_STRING, S(imap_move_to), "", 0, 0, 0, NULL},
    {"poll_interval", JMB_CONF_INT, S(poll_interval), "60", 0, 1, 3600, NULL},
    {"keep_days", JMB_CONF_INT, S(keep_days), "30", 0, 1, 3650, NULL},
    JMB_CONF_END,
};
#undef S

#define S(field) offsetof(struct jmb_policy_settings, field)
static const struct jmb_config_key policy_keys[] = {
    {"recording", JMB_CONF_LIST, S(recording), "", 0, 0, 0, NULL},
    {"livestreaming", JMB_CONF_LIST, S(livestreaming), "", 0, 0, 0, NULL},
    {"transcription", JMB_CONF_LIST, S(transcription), "", 0, 0, 0, NULL},
    {"outbound_call", JMB_CONF_LIST, S(outbound_call), "", 0, 0, 0, NULL},
    {"sip_outbound_call", JMB_CONF_LIST, S(sip_outbound_call), "", 0, 0, 0, NULL},
    {"lobby_bypass", JMB_CONF_LIST, S(lobby_bypass), "", 0, 0, 0, NULL},
    JMB_CONF_END,
};
#undef S

#define S(field) offsetof(struct jmb_privacy_settings, field)
static const struct jmb_config_key privacy_keys[] = {
    {"attendance_days", JMB_CONF_INT, S(attendance_days), "30", 0, 0, 3650, NULL},
    JMB_CONF_END,
};
#undef S

#define S(field) offsetof(struct jmb_reminder_settings, field)
static const struct jmb_config_key reminder_keys[] = {
    {"mail_before", JMB_CONF_LIST, S(mail_before_text), "10080, 1440, 60, 10", 0, 0, 0, NULL},
    {"xmpp_before_end", JMB_CONF_LIST, S(xmpp_before_end_text), "15, 5, 0", 0, 0, 0, NULL},
    JMB_CONF_END,
};
#undef S

#define S(field) offsetof(struct jmb_ldap_settings, field)
static const struct jmb_config_key ldap_keys[] = {
    {"uri", JMB_CONF_LIST, S(uri), "", 0, 0, 0, NULL},
    {"starttls", JMB_CONF_BOOL, S(starttls), "no", 0, 0, 0, NULL},
    {"ca_file", JMB_CONF_STRING, S(ca_file), "", JMB_CONF_PATH, 0, 0, NULL},
    {"bind_dn", JMB_CONF_STRING, S(bind_dn), "", 0, 0, 0, NULL},
    {"bind_password", JMB_CONF_SECRET, S(bind_password), NULL, 0, 0, 0, NULL},
    {"base", JMB_CONF_STRING, S(base), "", 0, 0, 0, NULL},
    {"user_filter", JMB_CONF_STRING, S(user_filter), "(uid=%s)", 0, 0, 0, NULL},
    {"login_attribute", JMB_CONF_STRING, S(login_attribute), "uid", 0, 0, 0, NULL},
    {"mail_attributes", JMB_CONF_LIST, S(mail_attributes), "mail, mailAlternateAddress", 0, 0, 0,
     NULL},
    {"name_attribute", JMB_CONF_STRING, S(name_attribute), "displayName", 0, 0, 0, NULL},
    {"person_filter", JMB_CONF_STRING, S(person_filter), "(objectClass=inetOrgPerson)", 0, 0, 0,
     NULL},
    {"group_filter", JMB_CONF_STRING, S(group_filter),
     "(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=posixGroup))", 0, 0,
     0, NULL},
    {"member_attributes", JMB_CONF_LIST, S(member_attributes), "member, uniqueMember, memberUid", 0,
     0, 0, NULL},
    {"group_name_attribute", JMB_CONF_STRING, S(group_name_attribute), "cn", 0, 0, 0, NULL},
    {"external_filter", JMB_CONF_STRING, S(external_filter), "(objectClass=jmbExternalContact)", 0,
     0, 0, NULL},
    {"search_attributes", JMB_CONF_LIST, S(search_attributes), "cn, displayName, sn, mail", 0, 0, 0,
     NULL},
    {"timeout", JMB_CONF_INT, S(timeout), "5", 0, 1, 300, NULL},
    {"retry_after", JMB_CONF_INT, S(retry_after), "10", 0, 0, 3600, NULL},
    {"cache_ttl", JMB_CONF_INT, S(cache_ttl), "60", 0, 0, 86400, NULL},
    {"size_limit", JMB_CONF_INT, S(size_limit), "200", 0, 1, 100000, NULL},
    JMB_CONF_END,
};
#undef S

#define S(field) offsetof(struct jmb_metrics_settings, field)
static const struct jmb_config_key metrics_keys[] = {
    {"allow", JMB_CONF_LIST, S(allow), "127.0.0.1/32, ::1/128", 0, 0, 0, NULL},
    JMB_CONF_END,
};
#undef S

/* The file being checked, so that a message about "[section] key" can name
   the line that sets the key. Settings are loaded by one thread at a time. */
static const struct jmb_config_file *checked_file;

/* "path: msg", or "path:line: msg" when msg starts with "[section] key" and
   the file sets that key. */
static char *locate(const char *path, const char *msg)
{
	char section[64], key[64];

	if (checked_file != NULL && sscanf(msg, "[%63[^]]] %63[a-z_]", section, key) == 2) {
		int line = jmb_config_file_line(checked_file, section, key);
		if (line > 0)
			return jmb_xasprintf("%s:%d: %s", path, line, msg);
	}
	return jmb_xasprintf("%s: %s", path, msg);
}

static const char *const xmpp_tls_modes[] = {"required", "optional", "off", NULL};
#define S(field) offsetof(struct jmb_xmpp_settings, field)
static const struct jmb_config_key xmpp_keys[] = {
    {"jid", JMB_CONF_STRING, S(jid), "", 0, 0, 0, NULL},
    {"password", JMB_CONF_SECRET, S(password), NULL, 0, 0, 0, NULL},
    {"muc_domain", JMB_CONF_STRING, S(muc_domain), "", 0, 0, 0, NULL},
    {"nickname", JMB_CONF_STRING, S(nickname), "jmb", 0, 0, 0, NULL},
    {"server", JMB_CONF_STRING, S(server), "", 0, 0, 0, NULL},
    {"port", JMB_CONF_INT, S(port), "0", 0, 0, 65535, NULL},
    {"tls", JMB_CONF_ENUM, S(tls), "required", 0, 0, 0, xmpp_tls_modes},
    {"timeout", JMB_CONF_INT, S(timeout), "10", 0, 1, 300, NULL},
    JMB_CONF_END,
};
#undef S

static void add_error(struct jmb_error *error, int *n_errors, const char *path, const char *msg)
{
	char *located = locate(path, msg);

	jmb_config_error_add(error, n_errors, "%s", located);
	free(located);
}

static bool is_http_url(const char *url)
{
	return strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0;
}

static void strip_trailing_slash(char *url)
{
	size_t len = strlen(url);

	while (len > 0 && url[len - 1] == '/')
		url[--len] = '\0';
}

/* Reads a key file (at most 64 KiB) into pool; NULL when it cannot. */
static char *read_small_file(struct jmb_pool *pool, const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf;
	size_t len;

	if (fp == NULL)
		return NULL;
	buf = jmb_pool_alloc(pool, 65537);
	len = fread(buf, 1, 65536, fp);
	fclose(fp);
	if (len == 0 || len == 65536)
		return NULL;
	buf[len] = '\0';
	return buf;
}

static int compare_desc(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

/* "10080, 1440, 60" → {10080, 1440, 60}, sorted largest first, no duplicates. */
static int parse_minutes(char **items, long *out, size_t *n_r)
{
	size_t n = 0;

	for (size_t i = 0; items[i] != NULL; i++) {
		char *end;
		long v = strtol(items[i], &end, 10);

		if (*end != '\0' || end == items[i] || v < 0 || v > 525600 ||
		    n == JMB_MAX_REMINDERS)
			return -1;
		out[n++] = v;
	}
	qsort(out, n, sizeof(long), compare_desc);
	for (size_t i = 1; i < n; i++) {
		if (out[i] == out[i - 1])
			return -1;
	}
	*n_r = n;
	return 0;
}

/* [xmpp]: a bare JID with a password, and a MUC domain (by default the
 * Jitsi domain's conference component). */
static int xmpp_check(const char *path, struct jmb_settings *s, struct jmb_pool *pool,
                      struct jmb_error *error, int *n_errors)
{
	struct jmb_xmpp_settings *x = &s->xmpp;
	const char *at = strchr(x->jid, '@');
	int ret = 0;

	if (*x->muc_domain == '\0')
		x->muc_domain = jmb_pool_printf(pool, "conference.%s", s->jitsi.domain);
	if (*x->jid == '\0')
		return 0;
	if (at == NULL || at == x->jid || at[1] == '\0' || strchr(at + 1, '@') != NULL ||
	    strpbrk(x->jid, "/ \t\"'<>&") != NULL) {
		add_error(error, n_errors, path,
		          "[xmpp] jid must be a bare JID such as jmb@meet.example.org");
		ret = -1;
	}
	if (x->password == NULL) {
		add_error(error, n_errors, path, "[xmpp] jid needs password (or password_file)");
		ret = -1;
	}
	if (*x->nickname == '\0' || strpbrk(x->nickname, "/@\"'<>&") != NULL ||
	    strpbrk(x->muc_domain, "/@ \"'<>&") != NULL) {
		add_error(
		    error, n_errors, path,
		    "[xmpp] nickname and muc_domain must not be empty nor hold / @ or quotes");
		ret = -1;
	}
	return ret;
}

/* An allow-list of address blocks ([metrics] allow, [auth]
   login_trusted_proxies), parsed as [auth.header-trust] trusted_proxies is. */
static int parse_blocks(const char *path, const char *name, char **list, struct jmb_pool *pool,
                        struct jmb_cidr **blocks_r, size_t *n_r, struct jmb_error *error,
                        int *n_errors)
{
	size_t n = 0;

	while (list[n] != NULL)
		n++;
	*blocks_r = jmb_pool_calloc(pool, n + 1, sizeof(**blocks_r));
	for (size_t i = 0; i < n; i++) {
		if (jmb_cidr_parse(list[i], &(*blocks_r)[i]) < 0) {
			char *msg = jmb_xasprintf("%s: '%s' is not an address or CIDR block", name,
			                          list[i]);
			add_error(error, n_errors, path, msg);
			free(msg);
			return -1;
		}
	}
	*n_r = n;
	return 0;
}

/* A lock must come after the free tries, and a failure be remembered at
   least as long as the lock it may start. */
static int auth_check(const char *path, struct jmb_auth_settings *a, struct jmb_pool *pool,
                      struct jmb_error *error, int *n_errors)
{
	int ret = 0;

	if (a->login.lock_after <= a->login.free_tries) {
		add_error(error, n_errors, path,
		          "[auth] login_lock_after must be greater than login_free_tries");
		ret = -1;
	}
	if (a->login.memory < a->login.lock_time) {
		add_error(error, n_errors, path,
		          "[auth] login_memory must be at least login_lock_time");
		ret = -1;
	}
	if (parse_blocks(path, "[auth] login_trusted_proxies", a->login_trusted_proxies, pool,
	                 &a->login_proxy_blocks, &a->n_login_proxy_blocks, error, n_errors) < 0)
		ret = -1;
	return ret;
}

static bool filter_is_wrapped(const char *filter)
{
	size_t len = strlen(filter);

	return len >= 3 && filter[0] == '(' && filter[len - 1] == ')';
}

/* [ldap] and the keys of other sections that need it. */
static int ldap_check(const char *path, const struct jmb_settings *s, struct jmb_error *error,
                      int *n_errors)
{
	const struct jmb_ldap_settings *l = &s->ldap;
	bool configured = l->uri[0] != NULL;
	int ret = 0;

	for (size_t i = 0; configured && l->uri[i] != NULL; i++) {
		if (strncmp(l->uri[i], "ldap://", 7) != 0 &&
		    strncmp(l->uri[i], "ldaps://", 8) != 0 &&
		    strncmp(l->uri[i], "ldapi://", 8) != 0) {
			add_error(error, n_errors, path,
			          "[ldap] uri must start with ldap://, ldaps:// or ldapi://");
			ret = -1;
		}
	}
	if (configured &&
	    (strstr(l->user_filter, "%s") == NULL || !filter_is_wrapped(l->user_filter))) {
		add_error(error, n_errors, path,
		          "[ldap] user_filter must be a filter in parentheses with %s");
		ret = -1;
	}
	if (configured && (l->mail_attributes[0] == NULL || l->member_attributes[0] == NULL)) {
		add_error(error, n_errors, path,
		          "[ldap] mail_attributes and member_attributes must not be empty");
		ret = -1;
	}
	if (configured && *l->bind_dn != '\0' && l->bind_password == NULL) {
		add_error(error, n_errors, path,
		          "[ldap] bind_dn needs bind_password (or bind_password_file)");
		ret = -1;
	}
	if (*s->booking.editor_filter != '\0' && !filter_is_wrapped(s->booking.editor_filter)) {
		add_error(error, n_errors, path,
		          "[booking] editor_filter must be a filter in parentheses");
		ret = -1;
	}
	if (!configured &&
	    (*s->booking.editor_filter != '\0' || s->booking.editor_groups[0] != NULL)) {
		add_error(error, n_errors, path,
		          "[booking] editor_filter and editor_groups need [ldap] uri");
		ret = -1;
	}
	for (size_t i = 0; !configured && s->auth.plugins[i] != NULL; i++) {
		if (strcmp(s->auth.plugins[i], "ldap-bind") == 0) {
			add_error(error, n_errors, path,
			          "[auth] plugin ldap-bind needs [ldap] uri");
			ret = -1;
		}
	}
	return ret;
}

/* Every [policy] entry must be a form jmb knows: a typo must not silently
 * grant (or withhold) recording. */
static int check_policy(const char *path, const struct jmb_policy_settings *p,
                        struct jmb_pool *pool, struct jmb_error *error, int *n_errors)
{
	char **const lists[] = {p->recording,     p->livestreaming,     p->transcription,
	                        p->outbound_call, p->sip_outbound_call, p->lobby_bypass};
	int ret = 0;

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		for (size_t j = 0; lists[i] != NULL && lists[i][j] != NULL; j++) {
			if (jmb_policy_entry_is_valid(lists[i][j]))
				continue;
			add_error(error, n_errors, path,
			          jmb_pool_printf(pool,
			                          "[policy] '%s' is not anyone, owner, moderators, "
			                          "guests, group:<name> or login:<login>",
			                          lists[i][j]));
			ret = -1;
		}
	}
	return ret;
}

/* Checks that involve more than one key, or the meaning of a value. */
/* [mail] reply_address and [mail-in]: a plain address whose local part does
 * not hold the delimiter, and an IMAP mailbox only to read its replies. */
static int mail_in_check(const char *path, const struct jmb_settings *s, struct jmb_error *error,
                         int *n_errors)
{
	const struct jmb_mail_settings *m = &s->mail;
	const struct jmb_mail_in_settings *in = &s->mail_in;
	const char *at = strrchr(m->reply_address, '@');
	int ret = 0;

	if (strlen(m->recipient_delimiter) != 1 ||
	    strchr("+-_.=", *m->recipient_delimiter) == NULL) {
		add_error(error, n_errors, path,
		          "[mail] recipient_delimiter must be one of + - _ . =");
		ret = -1;
	}
	if (*m->reply_address != '\0' &&
	    (at == NULL || at == m->reply_address || at[1] == '\0' ||
	     strpbrk(m->reply_address, " \t\"'<>()[],;:\\") != NULL ||
	     memchr(m->reply_address, *m->recipient_delimiter, (size_t)(at - m->reply_address)))) {
		add_error(error, n_errors, path,
		          "[mail] reply_address must be a plain address such as rsvp@example.org, "
		          "without the recipient_delimiter in its local part");
		ret = -1;
	}
	if (*in->imap_url == '\0')
		return ret;
	if (strncmp(in->imap_url, "imap://", 7) != 0 && strncmp(in->imap_url, "imaps://", 8) != 0) {
		add_error(error, n_errors, path,
		          "[mail-in] imap_url must start with imap:// or imaps://");
		ret = -1;
	}
	if (strpbrk(in->imap_move_to, "\r\n") != NULL) {
		add_error(error, n_errors, path, "[mail-in] imap_move_to must be one line");
		ret = -1;
	}
	if (*m->reply_address == '\0') {
		add_error(error, n_errors, path, "[mail-in] imap_url needs [mail] reply_address");
		ret = -1;
	}
	if (*in->imap_username == '\0' || in->imap_password == NULL) {
		add_error(error, n_errors, path,
		          "[mail-in] imap_url needs imap_username and imap_password "
		          "(or imap_password_file)");
		ret = -1;
	}
	return ret;
}

static int settings_check(const char *path, struct jmb_settings *s, struct jmb_pool *pool,
                          struct jmb_error *error, int *n_errors)
{
	const struct jmb_booking_settings *b = &s->booking;
	int ret = 0;

	if (!is_http_url(s->server.public_url)) {
		add_error(error, n_errors, path,
		          "[server] public_url must start with http:// or https://");
		ret = -1;
	}
	strip_trailing_slash(s->server.public_url);
	s->server.secure_cookies = strncmp(s->server.public_url, "https://", 8) == 0;
	if (jmb_i18n_known_language(s->server.default_language) == NULL) {
		add_error(error, n_errors, path,
		          "[server] default_language must be fr, en, de, es, it or nl");
		ret = -1;
	}
	/* One address filling a quarter of the slots still leaves room for everyone
	   else (the shedding of slow connections does the rest). */
	if (s->server.max_connections_per_address * 4 > s->server.max_connections) {
		add_error(error, n_errors, path,
		          "[server] max_connections_per_address must be at most a quarter of "
		          "max_connections (0: no limit per address)");
		ret = -1;
	}
	struct sockaddr_storage listen_address;
	struct jmb_error listen_error;

	if (jmb_listen_parse(s->server.listen, &listen_address, &listen_error) < 0) {
		add_error(error, n_errors, path, listen_error.text);
		ret = -1;
	}
	if (!jmb_timezone_is_valid(s->server.timezone)) {
		add_error(error, n_errors, path, "[server] timezone is not a known IANA time zone");
		ret = -1;
	}
	if (b->min_duration > b->max_duration || b->default_duration < b->min_duration ||
	    b->default_duration > b->max_duration) {
		add_error(error, n_errors, path,
		          "[booking] need min_duration <= default_duration <= max_duration");
		ret = -1;
	}
	if ((b->default_duration - b->min_duration) % b->step_duration != 0) {
		add_error(error, n_errors, path,
		          "[booking] default_duration must be min_duration plus whole steps");
		ret = -1;
	}
	if (s->store.driver == JMB_STORE_POSTGRESQL && s->store.conninfo == NULL) {
		add_error(error, n_errors, path, "[store] driver = postgresql needs conninfo");
		ret = -1;
	}
	if (s->jitsi.app_secret == NULL && *s->jitsi.private_key_file == '\0') {
		add_error(error, n_errors, path,
		          "[jitsi] needs app_secret (or app_secret_file) or private_key_file to "
		          "sign tokens");
		ret = -1;
	}
	if (*s->jitsi.private_key_file != '\0' && *s->jitsi.key_id == '\0') {
		add_error(error, n_errors, path, "[jitsi] private_key_file (RS256) needs key_id");
		ret = -1;
	}
	if (*s->jitsi.private_key_file != '\0' &&
	    (s->jitsi.private_key_pem = read_small_file(pool, s->jitsi.private_key_file)) == NULL) {
		add_error(error, n_errors, path, "[jitsi] private_key_file cannot be read");
		ret = -1;
	}
	strip_trailing_slash(s->jitsi.base_url);
	if (parse_minutes(s->reminders.mail_before_text, s->reminders.mail_before,
	                  &s->reminders.n_mail_before) < 0) {
		add_error(error, n_errors, path,
		          "[reminders] mail_before must be up to 8 minute counts (0 to 525600)");
		ret = -1;
	}
	if (parse_minutes(s->reminders.xmpp_before_end_text, s->reminders.xmpp_before_end,
	                  &s->reminders.n_xmpp_before_end) < 0) {
		add_error(
		    error, n_errors, path,
		    "[reminders] xmpp_before_end must be up to 8 minute counts (0 to 525600)");
		ret = -1;
	}
	if (mail_in_check(path, s, error, n_errors) < 0)
		ret = -1;
	if (*s->mail.transport != '\0' && strncmp(s->mail.transport, "smtp://", 7) != 0 &&
	    strncmp(s->mail.transport, "smtps://", 8) != 0 &&
	    strncmp(s->mail.transport, "file:", 5) != 0) {
		add_error(error, n_errors, path,
		          "[mail] transport must be smtp://HOST:PORT, smtps://HOST:PORT "
		          "or file:/FOLDER");
		ret = -1;
	}
	if (*s->mail.transport != '\0' && !jmb_mail_is_valid(s->mail.from)) {
		add_error(error, n_errors, path,
		          "[mail] from must be a valid address when transport is set");
		ret = -1;
	}
	if (!is_http_url(s->jitsi.base_url)) {
		add_error(error, n_errors, path,
		          "[jitsi] base_url must start with http:// or https://");
		ret = -1;
	}
	if (xmpp_check(path, s, pool, error, n_errors) < 0)
		ret = -1;
	if (ldap_check(path, s, error, n_errors) < 0)
		ret = -1;
	if (parse_blocks(path, "[metrics] allow", s->metrics.allow, pool, &s->metrics.allow_blocks,
	                 &s->metrics.n_allow_blocks, error, n_errors) < 0)
		ret = -1;
	if (auth_check(path, &s->auth, pool, error, n_errors) < 0)
		ret = -1;
	if (s->auth.plugins[0] == NULL) {
		add_error(error, n_errors, path, "[auth] plugins must name at least one plugin");
		ret = -1;
	}
	if (check_policy(path, &s->policy, pool, error, n_errors) < 0)
		ret = -1;
	return ret;
}

/* One section's table applied, its error lines added to the others'. */
static int apply_section(struct jmb_config_file *file, const char *section,
                         const struct jmb_config_key *keys, void *settings, struct jmb_pool *pool,
                         struct jmb_error *error, int *n_errors)
{
	struct jmb_error section_error;

	if (jmb_config_apply(file, section, keys, settings, pool, &section_error) == 0)
		return 0;
	jmb_config_error_add(error, n_errors, "%s", section_error.text);
	return -1;
}

int jmb_settings_load(struct jmb_config_file *file, struct jmb_settings *s, struct jmb_pool *pool,
                      struct jmb_error *error)
{
	int ret = 0, n_errors = 0;

	memset(s, 0, sizeof(*s));
	ret |= apply_section(file, "server", server_keys, &s->server, pool, error, &n_errors);
	ret |= apply_section(file, "store", store_keys, &s->store, pool, error, &n_errors);
	ret |= apply_section(file, "auth", auth_keys, &s->auth, pool, error, &n_errors);
	ret |= apply_section(file, "booking", booking_keys, &s->booking, pool, error, &n_errors);
	ret |= apply_section(file, "jitsi", jitsi_keys, &s->jitsi, pool, error, &n_errors);
	ret |= apply_section(file, "mail", mail_keys, &s->mail, pool, error, &n_errors);
	ret |=
	    apply_section(file, "reminders", reminder_keys, &s->reminders, pool, error, &n_errors);
	ret |= apply_section(file, "ldap", ldap_keys, &s->ldap, pool, error, &n_errors);
	ret |= apply_section(file, "xmpp", xmpp_keys, &s->xmpp, pool, error, &n_errors);
	ret |= apply_section(file, "metrics", metrics_keys, &s->metrics, pool, error, &n_errors);
	ret |= apply_section(file, "policy", policy_keys, &s->policy, pool, error, &n_errors);
	ret |= apply_section(file, "privacy", privacy_keys, &s->privacy, pool, error, &n_errors);
	ret |= apply_section(file, "mail-in", mail_in_keys, &s->mail_in, pool, error, &n_errors);
	if (ret != 0)
		return -1;
	checked_file = file;
	ret = settings_check(jmb_config_file_path(file), s, pool, error, &n_errors);
	checked_file = NULL;
	return ret;
}
