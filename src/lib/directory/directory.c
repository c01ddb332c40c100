/* The LDAP directory with libldap: a pool of service-bound connections,
 * escaping of every user value, people and password checks. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>

#include "directory-private.h"
#include "web/form.h"
#include "domain/identity.h"
#include "domain/mailaddr.h"
#include "util/memory.h"
#include "util/strbuf.h"

bool jmb_directory_configured(const struct jmb_ldap_settings *s)
{
	return s->uri != NULL && s->uri[0] != NULL;
}

const char *jmb_directory_result_name(enum jmb_directory_result r)
{
	switch (r) {
	case JMB_DIRECTORY_OK:
		return "ok";
	case JMB_DIRECTORY_NOT_FOUND:
		return "not found";
	case JMB_DIRECTORY_REJECT:
		return "reject";
	case JMB_DIRECTORY_UNAVAILABLE:
		return "unavailable";
	}
	return "unavailable";
}

const char *jmb_directory_kind_name(enum jmb_directory_kind kind)
{
	switch (kind) {
	case JMB_DIRECTORY_PERSON:
		return "person";
	case JMB_DIRECTORY_GROUP:
		return "group";
	case JMB_DIRECTORY_EXTERNAL:
		return "external";
	}
	return "person";
}

void directory_list_add(struct jmb_pool *pool, const char ***list, size_t *count, size_t *cap,
                        const char *s)
{
	for (size_t i = 0; i < *count; i++) {
		if (strcasecmp((*list)[i], s) == 0)
			return;
	}
	if (*count + 1 >= *cap) {
		size_t bigger = *cap < 8 ? 8 : *cap * 2;
		const char **grown = jmb_pool_calloc(pool, bigger, sizeof(char *));
		if (*count > 0)
			memcpy(grown, *list, *count * sizeof(char *));
		*list = grown;
		*cap = bigger;
	}
	(*list)[(*count)++] = s;
	(*list)[*count] = NULL;
}

/* ---- connections ------------------------------------------------------- */

static bool is_connection_error(int rc)
{
	return rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR || rc == LDAP_TIMEOUT ||
	       rc == LDAP_TIMELIMIT_EXCEEDED || rc == LDAP_UNAVAILABLE || rc == LDAP_BUSY ||
	       rc == LDAP_LOCAL_ERROR || rc == LDAP_OTHER || rc == LDAP_NO_MEMORY;
}

static int simple_bind(LDAP *ld, const char *dn, const char *password)
{
	struct berval cred = {.bv_len = password != NULL ? strlen(password) : 0,
	                      .bv_val = (char *)(password != NULL ? password : "")};

	return ldap_sasl_bind_s(ld, dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
}

/* One ldap_set_option whose failure is an error naming the setting (what). */
static int set_option(LDAP *ld, int option, const void *value, const char *what,
                      struct jmb_error *error)
{
	if (ldap_set_option(ld, option, value) == LDAP_OPT_SUCCESS)
		return 0;
	jmb_error_set(error, "%s: libldap refuses the setting", what);
	return -1;
}

/* Trust exactly the CAs of ca_file, and build the TLS context now: that is
   when libldap reads the file, and a file it cannot read must be an error,
   not a silent fall-back to the system's CAs. */
static int set_tls_options(LDAP *ld, const char *ca_file, struct jmb_error *error)
{
	int demand = LDAP_OPT_X_TLS_DEMAND, zero = 0;

	if (set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, ca_file, "[ldap] ca_file", error) < 0 ||
	    set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand, "[ldap] ca_file", error) < 0)
		return -1;
	if (ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &zero) != LDAP_OPT_SUCCESS) {
		jmb_error_set(error,
		              "[ldap] ca_file: %s: libldap cannot load CA certificates from it",
		              ca_file);
		return -1;
	}
	return 0;
}

/* Whether ca_file can work, before any connection: it must be readable and
   hold a PEM certificate (libldap takes a file without one, then every
   StartTLS fails), and libldap must load it. */
static int check_ca_file(const char *uris, const char *ca_file, struct jmb_error *error)
{
	char *line = NULL;
	size_t cap = 0;
	bool found = false;
	LDAP *ld = NULL;
	FILE *fp;
	int rc;

	fp = fopen(ca_file, "r");
	if (fp == NULL) {
		jmb_error_set(error, "[ldap] ca_file: %s: %s", ca_file, strerror(errno));
		return -1;
	}
	while (!found && getline(&line, &cap, fp) >= 0)
		found = strncmp(line, "-----BEGIN CERTIFICATE-----", 27) == 0;
	if (!found && ferror(fp)) {
		jmb_error_set(error, "[ldap] ca_file: %s: cannot read: %s", ca_file,
		              strerror(errno));
		free(line);
		fclose(fp);
		return -1;
	}
	free(line);
	fclose(fp);
	if (!found) {
		jmb_error_set(error, "[ldap] ca_file: %s: no PEM certificate in it", ca_file);
		return -1;
	}
	rc = ldap_initialize(&ld, uris); /* connects to nothing yet */
	if (rc != LDAP_SUCCESS) {
		jmb_error_set(error, "[ldap] uri: %s", ldap_err2string(rc));
		return -1;
	}
	rc = set_tls_options(ld, ca_file, error);
	ldap_unbind_ext_s(ld, NULL, NULL);
	return rc;
}

/* A new connection in *ld_r with timeouts and TLS set, StartTLS done, and
 * bound as the service account when service_bind. Returns the libldap code. */
static int connection_open(struct jmb_directory *dir, bool service_bind, LDAP **ld_r,
                           struct jmb_error *error)
{
	const struct jmb_ldap_settings *s = dir->settings;
	struct timeval tv = {.tv_sec = s->timeout, .tv_usec = 0};
	int version = LDAP_VERSION3, timelimit = (int)s->timeout, rc;
	LDAP *ld = NULL;

	*ld_r = NULL;
	rc = ldap_initialize(&ld, dir->uris);
	if (rc != LDAP_SUCCESS) {
		jmb_error_set(error, "ldap_initialize: %s", ldap_err2string(rc));
		return rc;
	}
	/* Any setting libldap refuses is an error: going on would talk to the
	   server with libldap's defaults (no timeout, other CAs). */
	if (set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version, "LDAP version 3", error) < 0 ||
	    set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF, "referrals off", error) < 0 ||
	    set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv, "[ldap] timeout", error) < 0 ||
	    set_option(ld, LDAP_OPT_TIMEOUT, &tv, "[ldap] timeout", error) < 0 ||
	    set_option(ld, LDAP_OPT_TIMELIMIT, &timelimit, "[ldap] timeout", error) < 0 ||
	    (*s->ca_file != '\0' && set_tls_options(ld, s->ca_file, error) < 0)) {
		rc = LDAP_LOCAL_ERROR;
		goto fail;
	}
	if (s->starttls && (rc = ldap_start_tls_s(ld, NULL, NULL)) != LDAP_SUCCESS) {
		jmb_error_set(error, "StartTLS: %s", ldap_err2string(rc));
		goto fail;
	}
	if (service_bind && *s->bind_dn != '\0' &&
	    (rc = simple_bind(ld, s->bind_dn, s->bind_password)) != LDAP_SUCCESS) {
		jmb_error_set(error, "bind as %s: %s", s->bind_dn, ldap_err2string(rc));
		goto fail;
	}
	if (!service_bind || *s->bind_dn == '\0') {
		/* Connect now, so that a dead server shows here and not later. */
		rc = ldap_connect(ld);
		if (rc != LDAP_SUCCESS) {
			jmb_error_set(error, "connect: %s", ldap_err2string(rc));
			goto fail;
		}
	}
	*ld_r = ld;
	return LDAP_SUCCESS;
fail:
	ldap_unbind_ext_s(ld, NULL, NULL);
	return rc;
}

static int connection_acquire(struct jmb_directory *dir, LDAP **ld_r, bool *reused_r,
                              struct jmb_error *error)
{
	LDAP *ld = NULL;

	pthread_mutex_lock(&dir->lock);
	if (dir->n_idle > 0)
		ld = dir->idle[--dir->n_idle];
	pthread_mutex_unlock(&dir->lock);
	*reused_r = ld != NULL;
	*ld_r = ld;
	return ld != NULL ? LDAP_SUCCESS : connection_open(dir, true, ld_r, error);
}

static void connection_release(struct jmb_directory *dir, LDAP *ld, bool broken)
{
	if (!broken) {
		pthread_mutex_lock(&dir->lock);
		if (dir->n_idle < DIRECTORY_MAX_IDLE) {
			dir->idle[dir->n_idle++] = ld;
			ld = NULL;
		}
		pthread_mutex_unlock(&dir->lock);
	}
	if (ld != NULL)
		ldap_unbind_ext_s(ld, NULL, NULL);
}

/* ---- hold-down after an outage ----------------------------------------- */

static int64_t monotonic_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* No server answered (libldap has tried every uri): each call would wait up
   to [ldap] timeout for nothing, so this starts a hold-down. */
static bool is_outage(int rc)
{
	return rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR || rc == LDAP_TIMEOUT;
}

/* Whether a call may go to the servers; false with error set while held down. */
static bool directory_enter(struct jmb_directory *dir, enum jmb_holddown_pass *pass_r,
                            struct jmb_error *error)
{
	*pass_r = jmb_holddown_enter(&dir->holddown, monotonic_ms());
	if (*pass_r != JMB_HOLDDOWN_REFUSE)
		return true;
	jmb_error_set(error, "no server answered; next try within %ld s ([ldap] retry_after)",
	              dir->settings->retry_after);
	return false;
}

/* After a call directory_enter() let through, ended by the libldap code rc
   (error, when set, says more). */
static void directory_leave(struct jmb_directory *dir, enum jmb_holddown_pass pass, int rc,
                            const struct jmb_error *error)
{
	const char *why =
	    error != NULL && error->text[0] != '\0' ? error->text : ldap_err2string(rc);

	switch (jmb_holddown_leave(&dir->holddown, pass, is_outage(rc), monotonic_ms())) {
	case JMB_HOLDDOWN_WENT_DOWN:
		if (dir->notify != NULL)
			dir->notify(dir->notify_context, false, why);
		break;
	case JMB_HOLDDOWN_CAME_BACK:
		if (dir->notify != NULL)
			dir->notify(dir->notify_context, true, NULL);
		break;
	case JMB_HOLDDOWN_SAME:
		break;
	}
}

bool jmb_directory_held_down(struct jmb_directory *dir)
{
	return jmb_holddown_active(&dir->holddown);
}

struct jmb_directory *jmb_directory_new(const struct jmb_ldap_settings *s,
                                        jmb_directory_notify_fn *notify, void *context,
                                        struct jmb_error *error)
{
	struct jmb_directory *dir;
	struct jmb_strbuf sb = {0};
	char *uris;

	if (!jmb_directory_configured(s)) {
		jmb_error_set(error, "[ldap] uri is not set");
		return NULL;
	}
	for (size_t i = 0; s->uri[i] != NULL; i++)
		jmb_strbuf_printf(&sb, "%s%s", i > 0 ? " " : "", s->uri[i]);
	uris = jmb_strbuf_steal(&sb, NULL);
	if (*s->ca_file != '\0' && check_ca_file(uris, s->ca_file, error) < 0) {
		free(uris);
		return NULL;
	}
	dir = jmb_xcalloc(1, sizeof(*dir));
	dir->settings = s;
	dir->uris = uris;
	pthread_mutex_init(&dir->lock, NULL);
	jmb_holddown_init(&dir->holddown, (int64_t)s->retry_after * 1000);
	dir->notify = notify;
	dir->notify_context = context;
	if (s->cache_ttl > 0)
		dir->identities = jmb_ttl_cache_new(DIRECTORY_CACHE_MAX);
	return dir;
}

void jmb_directory_free(struct jmb_directory **dirp)
{
	struct jmb_directory *dir = *dirp;

	if (dir == NULL)
		return;
	for (size_t i = 0; i < dir->n_idle; i++)
		ldap_unbind_ext_s(dir->idle[i], NULL, NULL);
	pthread_mutex_destroy(&dir->lock);
	jmb_holddown_destroy(&dir->holddown);
	jmb_ttl_cache_free(&dir->identities);
	free(dir->uris);
	free(dir);
	*dirp = NULL;
}

/* directory_search() once let through: *rc_r is the libldap code that ended it. */
static enum jmb_directory_result search_pooled(struct jmb_directory *dir, const char *base,
                                               int scope, const char *filter,
                                               const char *const *attrs, long size_limit,
                                               directory_entry_fn *each, void *context,
                                               size_t *count_r, int *rc_r, struct jmb_error *error)
{
	struct timeval tv = {.tv_sec = dir->settings->timeout, .tv_usec = 0};
	LDAPMessage *res = NULL;
	bool reused = false;
	int rc = LDAP_SERVER_DOWN;

	for (int attempt = 0; attempt < 2; attempt++) {
		LDAP *ld = NULL;
		rc = *rc_r = connection_acquire(dir, &ld, &reused, error);
		if (rc != LDAP_SUCCESS)
			return JMB_DIRECTORY_UNAVAILABLE;
		rc = *rc_r = ldap_search_ext_s(ld, base, scope, filter, (char **)attrs, 0, NULL,
		                               NULL, &tv, (int)size_limit, &res);
		if (rc == LDAP_SUCCESS || rc == LDAP_SIZELIMIT_EXCEEDED) {
			int stop = 0;
			for (LDAPMessage *e = ldap_first_entry(ld, res); e != NULL && stop == 0;
			     e = ldap_next_entry(ld, e)) {
				(*count_r)++;
				stop = each != NULL ? each(context, ld, e, error) : 0;
			}
			ldap_msgfree(res);
			connection_release(dir, ld, false);
			return stop == 0 ? JMB_DIRECTORY_OK : JMB_DIRECTORY_UNAVAILABLE;
		}
		ldap_msgfree(res);
		res = NULL;
		connection_release(dir, ld, is_connection_error(rc));
		if (rc == LDAP_NO_SUCH_OBJECT)
			return JMB_DIRECTORY_NOT_FOUND;
		/* A reused connection the server has since closed: try a fresh one. */
		if (!(reused && is_connection_error(rc) && rc != LDAP_TIMEOUT))
			break;
	}
	jmb_error_set(error, "search %s: %s", filter, ldap_err2string(rc));
	return JMB_DIRECTORY_UNAVAILABLE;
}

enum jmb_directory_result directory_search(struct jmb_directory *dir, const char *base, int scope,
                                           const char *filter, const char *const *attrs,
                                           long size_limit, directory_entry_fn *each, void *context,
                                           size_t *count_r, struct jmb_error *error)
{
	struct jmb_error local;
	enum jmb_holddown_pass pass;
	enum jmb_directory_result r;
	int rc = LDAP_SUCCESS;

	/* The message is needed here (for notify) even when the caller wants none. */
	if (error == NULL)
		error = &local;
	error->text[0] = '\0';
	*count_r = 0;
	if (!directory_enter(dir, &pass, error))
		return JMB_DIRECTORY_UNAVAILABLE;
	r = search_pooled(dir, base, scope, filter, attrs, size_limit, each, context, count_r, &rc,
	                  error);
	directory_leave(dir, pass, rc, error);
	return r;
}

/* ---- reading entries --------------------------------------------------- */

const char **directory_values(struct jmb_pool *pool, LDAP *ld, LDAPMessage *entry, const char *attr)
{
	struct berval **vals = ldap_get_values_len(ld, entry, attr);
	size_t n = ldap_count_values_len(vals), k = 0;
	const char **out = jmb_pool_calloc(pool, n + 1, sizeof(char *));

	for (size_t i = 0; i < n; i++) {
		const struct berval *v = vals[i];
		if (v->bv_len == 0 || memchr(v->bv_val, '\0', v->bv_len) != NULL ||
		    !jmb_utf8_is_valid(v->bv_val, v->bv_len))
			continue;
		out[k++] = jmb_pool_strndup(pool, v->bv_val, v->bv_len);
	}
	ldap_value_free_len(vals);
	return out;
}

const char *directory_first_value(struct jmb_pool *pool, LDAP *ld, LDAPMessage *entry,
                                  const char *attr)
{
	return directory_values(pool, ld, entry, attr)[0];
}

const char *directory_entry_dn(struct jmb_pool *pool, LDAP *ld, LDAPMessage *entry)
{
	char *dn = ldap_get_dn(ld, entry);
	const char *copy = jmb_pool_strdup(pool, dn != NULL ? dn : "");

	ldap_memfree(dn);
	return copy;
}

const char *const *directory_person_attrs(struct jmb_directory *dir, struct jmb_pool *pool)
{
	const struct jmb_ldap_settings *s = dir->settings;
	const char **attrs = NULL;
	size_t n = 0, cap = 0;

	directory_list_add(pool, &attrs, &n, &cap, s->login_attribute);
	directory_list_add(pool, &attrs, &n, &cap, s->name_attribute);
	for (size_t i = 0; s->mail_attributes[i] != NULL; i++)
		directory_list_add(pool, &attrs, &n, &cap, s->mail_attributes[i]);
	directory_list_add(pool, &attrs, &n, &cap, "cn");
	directory_list_add(pool, &attrs, &n, &cap, "givenName");
	directory_list_add(pool, &attrs, &n, &cap, "sn");
	return attrs;
}

static const char *person_name(struct jmb_directory *dir, struct jmb_pool *pool, LDAP *ld,
                               LDAPMessage *entry)
{
	const char *name = directory_first_value(pool, ld, entry, dir->settings->name_attribute);
	const char *given, *sn;

	if (name == NULL)
		name = directory_first_value(pool, ld, entry, "cn");
	if (name != NULL)
		return name;
	given = directory_first_value(pool, ld, entry, "givenName");
	sn = directory_first_value(pool, ld, entry, "sn");
	if (given != NULL && sn != NULL)
		return jmb_pool_printf(pool, "%s %s", given, sn);
	return given != NULL ? given : sn != NULL ? sn : "";
}

struct jmb_directory_person *directory_person_from_entry(struct jmb_directory *dir,
                                                         struct jmb_pool *pool, LDAP *ld,
                                                         LDAPMessage *entry)
{
	const struct jmb_ldap_settings *s = dir->settings;
	struct jmb_directory_person *p = jmb_pool_calloc(pool, 1, sizeof(*p));
	const char **mails = jmb_pool_calloc(pool, 1, sizeof(char *));
	size_t n = 0, cap = 1;
	const char *login;

	p->dn = directory_entry_dn(pool, ld, entry);
	login = directory_first_value(pool, ld, entry, s->login_attribute);
	p->login = login != NULL ? login : "";
	p->name = person_name(dir, pool, ld, entry);
	for (size_t i = 0; s->mail_attributes[i] != NULL; i++) {
		const char **values = directory_values(pool, ld, entry, s->mail_attributes[i]);
		for (size_t j = 0; values[j] != NULL; j++) {
			if (jmb_mail_is_valid(values[j]))
				directory_list_add(pool, &mails, &n, &cap,
				                   jmb_mail_normalize(pool, values[j]));
		}
	}
	p->mails = mails;
	p->mail = mails[0] != NULL ? mails[0] : "";
	return p;
}

/* ---- people ------------------------------------------------------------ */

struct person_search {
	struct jmb_directory *dir;
	struct jmb_pool *pool;
	struct jmb_directory_person *person;
};

static int keep_person(void *context, LDAP *ld, LDAPMessage *entry, struct jmb_error *error)
{
	struct person_search *ps = context;

	if (ps->person == NULL)
		ps->person = directory_person_from_entry(ps->dir, ps->pool, ld, entry);
	return 0;
}

enum jmb_directory_result jmb_directory_find_user(struct jmb_directory *dir, struct jmb_pool *pool,
                                                  const char *login,
                                                  struct jmb_directory_person **person_r,
                                                  struct jmb_error *error)
{
	const struct jmb_ldap_settings *s = dir->settings;
	char *filter = jmb_ldap_filter_format(pool, s->user_filter, login != NULL ? login : "");
	struct person_search ps = {.dir = dir, .pool = pool};
	enum jmb_directory_result r;
	size_t count = 0;

	*person_r = NULL;
	if (filter == NULL || login == NULL || *login == '\0')
		return JMB_DIRECTORY_NOT_FOUND; /* not UTF-8, or empty: no one has that login */
	r = directory_search(dir, s->base, LDAP_SCOPE_SUBTREE, filter,
	                     directory_person_attrs(dir, pool), 2, keep_person, &ps, &count, error);
	if (r != JMB_DIRECTORY_OK)
		return r;
	if (count != 1) {
		if (count > 1)
			jmb_error_set(error, "user_filter finds several entries for one login");
		return JMB_DIRECTORY_NOT_FOUND;
	}
	*person_r = ps.person;
	return JMB_DIRECTORY_OK;
}

enum jmb_directory_result jmb_directory_check_password(struct jmb_directory *dir,
                                                       struct jmb_pool *pool, const char *login,
                                                       const char *password,
                                                       struct jmb_directory_person **person_r,
                                                       struct jmb_error *error)
{
	struct jmb_error local;
	enum jmb_holddown_pass pass;
	enum jmb_directory_result r;
	const char *dn, *escaped;
	LDAP *ld;
	int rc;

	if (error == NULL)
		error = &local;
	error->text[0] = '\0';
	*person_r = NULL;
	/* An empty password would make a simple bind "unauthenticated": refuse it here. */
	if (password == NULL || *password == '\0' || !jmb_utf8_is_valid(password, strlen(password)))
		return JMB_DIRECTORY_REJECT;
	r = jmb_directory_find_user(dir, pool, login, person_r, error);
	if (r == JMB_DIRECTORY_UNAVAILABLE)
		return r;
	/* An unknown user still costs one bind, to a DN that cannot exist, so that
	   the answer and its timing are the same as for a wrong password. */
	escaped = login != NULL ? jmb_ldap_dn_value_escape(pool, login) : NULL;
	dn = *person_r != NULL
	         ? (*person_r)->dn
	         : jmb_pool_printf(pool, "cn=%s,ou=jmb-no-such-user,%s",
	                           escaped != NULL ? escaped : "x", dir->settings->base);
	if (!directory_enter(dir, &pass, error)) {
		*person_r = NULL;
		return JMB_DIRECTORY_UNAVAILABLE;
	}
	rc = connection_open(dir, false, &ld, error);
	if (rc != LDAP_SUCCESS) {
		directory_leave(dir, pass, rc, error);
		*person_r = NULL;
		return JMB_DIRECTORY_UNAVAILABLE;
	}
	rc = simple_bind(ld, dn, password);
	ldap_unbind_ext_s(ld, NULL, NULL);
	directory_leave(dir, pass, rc, NULL);
	if (rc == LDAP_SUCCESS && *person_r != NULL)
		return JMB_DIRECTORY_OK;
	if (rc == LDAP_SUCCESS || rc == LDAP_INVALID_CREDENTIALS || rc == LDAP_INVALID_DN_SYNTAX ||
	    rc == LDAP_INAPPROPRIATE_AUTH || rc == LDAP_UNWILLING_TO_PERFORM) {
		*person_r = NULL;
		return JMB_DIRECTORY_REJECT;
	}
	*person_r = NULL;
	jmb_error_set(error, "bind: %s", ldap_err2string(rc));
	return JMB_DIRECTORY_UNAVAILABLE;
}

enum jmb_directory_result jmb_directory_user_matches(struct jmb_directory *dir,
                                                     struct jmb_pool *pool, const char *login,
                                                     const char *filter, struct jmb_error *error)
{
	char *user =
	    jmb_ldap_filter_format(pool, dir->settings->user_filter, login != NULL ? login : "");
	static const char *const no_attrs[] = {LDAP_NO_ATTRS, NULL};
	enum jmb_directory_result r;
	size_t count = 0;

	if (user == NULL || login == NULL || *login == '\0')
		return JMB_DIRECTORY_NOT_FOUND;
	r = directory_search(dir, dir->settings->base, LDAP_SCOPE_SUBTREE,
	                     jmb_pool_printf(pool, "(&%s%s)", user, filter), no_attrs, 1, NULL,
	                     NULL, &count, error);
	if (r != JMB_DIRECTORY_OK)
		return r;
	return count > 0 ? JMB_DIRECTORY_OK : JMB_DIRECTORY_NOT_FOUND;
}

/* ---- identities -------------------------------------------------------- */

/* What the directory says of login: name, addresses (primary first), groups. */
static enum jmb_directory_result user_identity(struct jmb_directory *dir, struct jmb_pool *pool,
                                               const char *login, struct jmb_identity **found_r,
                                               struct jmb_error *error)
{
	struct jmb_directory_person *p = NULL;
	const char *const *groups = NULL;
	enum jmb_directory_result r;

	r = jmb_directory_find_user(dir, pool, login, &p, error);
	if (r == JMB_DIRECTORY_OK)
		r = jmb_directory_user_groups(dir, pool, p, &groups, error);
	if (r != JMB_DIRECTORY_OK)
		return r;
	*found_r = jmb_pool_alloc(pool, sizeof(**found_r));
	**found_r = (struct jmb_identity){.login = login,
	                                  .name = p->name,
	                                  .mail = p->mail,
	                                  .mails = p->mails,
	                                  .groups = groups,
	                                  .source = ""};
	return JMB_DIRECTORY_OK;
}

/* user_identity() through the cache ([ldap] cache_ttl): answers are kept as
   identity JSON, "no such user" (NULL) for a shorter time, failures not at all. */
static enum jmb_directory_result cached_user_identity(struct jmb_directory *dir,
                                                      struct jmb_pool *pool, const char *login,
                                                      struct jmb_identity **found_r,
                                                      struct jmb_error *error)
{
	int64_t now = monotonic_ms(), ttl_ms = (int64_t)dir->settings->cache_ttl * 1000;
	enum jmb_directory_result r;
	const char *kept;
	char *json;

	*found_r = NULL;
	if (dir->identities == NULL || login == NULL)
		return user_identity(dir, pool, login, found_r, error);
	if (jmb_ttl_cache_get(dir->identities, login, now, pool, &kept) > 0) {
		if (kept != NULL)
			*found_r = jmb_identity_from_json(pool, kept);
		return *found_r != NULL ? JMB_DIRECTORY_OK : JMB_DIRECTORY_NOT_FOUND;
	}
	r = user_identity(dir, pool, login, found_r, error);
	if (r == JMB_DIRECTORY_OK) {
		json = jmb_identity_to_json(*found_r);
		jmb_ttl_cache_put(dir->identities, login, json, now, ttl_ms);
		free(json);
	} else if (r == JMB_DIRECTORY_NOT_FOUND) {
		if (ttl_ms > DIRECTORY_NOT_FOUND_TTL_MS)
			ttl_ms = DIRECTORY_NOT_FOUND_TTL_MS;
		jmb_ttl_cache_put(dir->identities, login, NULL, now, ttl_ms);
	}
	return r;
}

enum jmb_directory_result jmb_directory_enrich(struct jmb_directory *dir, struct jmb_pool *pool,
                                               struct jmb_identity *id, struct jmb_error *error)
{
	struct jmb_identity *found;
	const char **mails = NULL;
	size_t n = 0, cap = 0;
	enum jmb_directory_result r;

	r = cached_user_identity(dir, pool, id->login, &found, error);
	if (r != JMB_DIRECTORY_OK)
		return r;
	/* The directory's primary address first, then every other one known. */
	for (size_t i = 0; found->mails[i] != NULL; i++)
		directory_list_add(pool, &mails, &n, &cap, found->mails[i]);
	for (size_t i = 0; id->mails != NULL && id->mails[i] != NULL; i++)
		directory_list_add(pool, &mails, &n, &cap, id->mails[i]);
	if (n > 0) {
		id->mails = mails;
		id->mail = mails[0];
	}
	if (*found->name != '\0')
		id->name = found->name;
	id->groups = found->groups;
	return JMB_DIRECTORY_OK;
}
