/* The LDAP directory with libldap: a pool of service-bound connections,
 * escaping of every user value, people and password checks. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include "directory-private.h"
#include "form.h"
#include "identity.h"
#include "mailaddr.h"
#include "memory.h"
#include "strbuf.h"

bool jmb_directory_configured(const struct jmb_ldap_settings *s)
{
	return s->uri != NULL && s->uri[0] != NULL;
}

const char *jmb_directory_result_name(enum jmb_directory_result r)
{
	switch (r) {
	case JMB_DIRECTORY_OK: return "ok";
	case JMB_DIRECTORY_NOT_FOUND: return "not found";
	case JMB_DIRECTORY_REJECT: return "reject";
	case JMB_DIRECTORY_UNAVAILABLE: return "unavailable";
	}
	return "unavailable";
}

const char *jmb_directory_kind_name(enum jmb_directory_kind kind)
{
	switch (kind) {
	case JMB_DIRECTORY_PERSON: return "person";
	case JMB_DIRECTORY_GROUP: return "group";
	case JMB_DIRECTORY_EXTERNAL: return "external";
	}
	return "person";
}

/* ---- escaping ---------------------------------------------------------- */

static bool value_is_text(const char *value)
{
	return value != NULL && jmb_utf8_is_valid(value, strlen(value));
}

static char *filter_escape(struct jmb_pool *pool, const char *value)
{
	struct berval in = {.bv_len = strlen(value), .bv_val = (char *)value}, out = {0, NULL};
	char *copy;

	if (!value_is_text(value) || ldap_bv2escaped_filter_value(&in, &out) != 0)
		return NULL;
	copy = jmb_pool_strndup(pool, out.bv_val, out.bv_len);
	ber_memfree(out.bv_val);
	return copy;
}

char *jmb_ldap_filter_format(struct jmb_pool *pool, const char *template, const char *value)
{
	char *escaped = filter_escape(pool, value), *out;
	struct jmb_strbuf sb = {0};

	if (escaped == NULL)
		return NULL;
	for (const char *p = template; *p != '\0'; p++) {
		if (p[0] == '%' && p[1] == 's') {
			jmb_strbuf_puts(&sb, escaped);
			p++;
		} else if (p[0] == '%' && p[1] == '%') {
			jmb_strbuf_putc(&sb, '%');
			p++;
		} else {
			jmb_strbuf_putc(&sb, *p);
		}
	}
	out = jmb_pool_strdup(pool, sb.data != NULL ? sb.data : "");
	jmb_strbuf_free(&sb);
	return out;
}

char *jmb_ldap_dn_value_escape(struct jmb_pool *pool, const char *value)
{
	LDAPAVA ava = {.la_attr = {2, (char *)"cn"},
		       .la_value = {strlen(value), (char *)value},
		       .la_flags = LDAP_AVA_STRING};
	LDAPAVA *rdn[] = {&ava, NULL};
	LDAPRDN dn[] = {rdn, NULL};
	struct berval out = {0, NULL};
	char *copy;

	if (!value_is_text(value) || *value == '\0' ||
	    ldap_dn2bv(dn, &out, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS)
		return NULL;
	copy = jmb_pool_strndup(pool, out.bv_val + 3, out.bv_len - 3); /* past "cn=" */
	ber_memfree(out.bv_val);
	return copy;
}

char *directory_any_of(struct jmb_pool *pool, const char *const *attrs, const char *value,
		       bool substring)
{
	char *escaped = filter_escape(pool, value), *out;
	struct jmb_strbuf sb = {0};

	if (escaped == NULL)
		return NULL;
	jmb_strbuf_puts(&sb, "(|");
	for (size_t i = 0; attrs[i] != NULL; i++)
		jmb_strbuf_printf(&sb, "(%s=%s%s%s)", attrs[i], substring ? "*" : "", escaped,
				  substring ? "*" : "");
	jmb_strbuf_puts(&sb, ")");
	out = jmb_pool_strdup(pool, sb.data);
	jmb_strbuf_free(&sb);
	return out;
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

/* A new connection with timeouts and TLS set, StartTLS done, and bound as the
 * service account when service_bind. */
static LDAP *connection_open(struct jmb_directory *dir, bool service_bind, char **error_r)
{
	const struct jmb_ldap_settings *s = dir->settings;
	struct timeval tv = {.tv_sec = s->timeout, .tv_usec = 0};
	int version = LDAP_VERSION3, demand = LDAP_OPT_X_TLS_DEMAND, zero = 0, rc;
	LDAP *ld = NULL;

	rc = ldap_initialize(&ld, dir->uris);
	if (rc != LDAP_SUCCESS) {
		*error_r = jmb_xasprintf("ldap_initialize: %s", ldap_err2string(rc));
		return NULL;
	}
	ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version);
	ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
	ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv);
	ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv);
	ldap_set_option(ld, LDAP_OPT_TIMELIMIT, &(int){(int)s->timeout});
	if (*s->ca_file != '\0') {
		ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, s->ca_file);
		ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand);
		ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &zero);
	}
	if (s->starttls && (rc = ldap_start_tls_s(ld, NULL, NULL)) != LDAP_SUCCESS) {
		*error_r = jmb_xasprintf("StartTLS: %s", ldap_err2string(rc));
		goto fail;
	}
	if (service_bind && *s->bind_dn != '\0' &&
	    (rc = simple_bind(ld, s->bind_dn, s->bind_password)) != LDAP_SUCCESS) {
		*error_r = jmb_xasprintf("bind as %s: %s", s->bind_dn, ldap_err2string(rc));
		goto fail;
	}
	if (!service_bind || *s->bind_dn == '\0') {
		/* Connect now, so that a dead server shows here and not later. */
		rc = ldap_connect(ld);
		if (rc != LDAP_SUCCESS) {
			*error_r = jmb_xasprintf("connect: %s", ldap_err2string(rc));
			goto fail;
		}
	}
	return ld;
fail:
	ldap_unbind_ext_s(ld, NULL, NULL);
	return NULL;
}

static LDAP *connection_acquire(struct jmb_directory *dir, bool *reused_r, char **error_r)
{
	LDAP *ld = NULL;

	pthread_mutex_lock(&dir->lock);
	if (dir->n_idle > 0)
		ld = dir->idle[--dir->n_idle];
	pthread_mutex_unlock(&dir->lock);
	*reused_r = ld != NULL;
	return ld != NULL ? ld : connection_open(dir, true, error_r);
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

struct jmb_directory *jmb_directory_new(const struct jmb_ldap_settings *s, char **error_r)
{
	struct jmb_directory *dir;
	struct jmb_strbuf sb = {0};

	if (!jmb_directory_configured(s)) {
		*error_r = jmb_xstrdup("[ldap] uri is not set");
		return NULL;
	}
	dir = jmb_xcalloc(1, sizeof(*dir));
	dir->settings = s;
	for (size_t i = 0; s->uri[i] != NULL; i++)
		jmb_strbuf_printf(&sb, "%s%s", i > 0 ? " " : "", s->uri[i]);
	dir->uris = jmb_strbuf_steal(&sb, NULL);
	pthread_mutex_init(&dir->lock, NULL);
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
	free(dir->uris);
	free(dir);
	*dirp = NULL;
}

enum jmb_directory_result directory_search(struct jmb_directory *dir, const char *base, int scope,
					   const char *filter, const char *const *attrs,
					   long size_limit, directory_entry_fn *each,
					   void *context, size_t *count_r, char **error_r)
{
	struct timeval tv = {.tv_sec = dir->settings->timeout, .tv_usec = 0};
	LDAPMessage *res = NULL;
	bool reused = false;
	int rc = LDAP_SERVER_DOWN;

	*count_r = 0;
	for (int attempt = 0; attempt < 2; attempt++) {
		LDAP *ld = connection_acquire(dir, &reused, error_r);
		if (ld == NULL)
			return JMB_DIRECTORY_UNAVAILABLE;
		rc = ldap_search_ext_s(ld, base, scope, filter, (char **)attrs, 0, NULL, NULL, &tv,
				       (int)size_limit, &res);
		if (rc == LDAP_SUCCESS || rc == LDAP_SIZELIMIT_EXCEEDED) {
			int stop = 0;
			for (LDAPMessage *e = ldap_first_entry(ld, res); e != NULL && stop == 0;
			     e = ldap_next_entry(ld, e)) {
				(*count_r)++;
				stop = each != NULL ? each(context, ld, e, error_r) : 0;
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
	*error_r = jmb_xasprintf("search %s: %s", filter, ldap_err2string(rc));
	return JMB_DIRECTORY_UNAVAILABLE;
}

/* ---- reading entries --------------------------------------------------- */

const char **directory_values(struct jmb_pool *pool, LDAP *ld, LDAPMessage *entry,
			      const char *attr)
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

static int keep_person(void *context, LDAP *ld, LDAPMessage *entry, char **error_r)
{
	struct person_search *ps = context;

	if (ps->person == NULL)
		ps->person = directory_person_from_entry(ps->dir, ps->pool, ld, entry);
	return 0;
}

enum jmb_directory_result jmb_directory_find_user(struct jmb_directory *dir, struct jmb_pool *pool,
						  const char *login,
						  struct jmb_directory_person **person_r,
						  char **error_r)
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
			     directory_person_attrs(dir, pool), 2, keep_person, &ps, &count,
			     error_r);
	if (r != JMB_DIRECTORY_OK)
		return r;
	if (count != 1) {
		if (count > 1)
			*error_r = jmb_xasprintf("user_filter finds several entries for one login");
		return JMB_DIRECTORY_NOT_FOUND;
	}
	*person_r = ps.person;
	return JMB_DIRECTORY_OK;
}

enum jmb_directory_result jmb_directory_check_password(struct jmb_directory *dir,
						       struct jmb_pool *pool, const char *login,
						       const char *password,
						       struct jmb_directory_person **person_r,
						       char **error_r)
{
	enum jmb_directory_result r;
	const char *dn, *escaped;
	LDAP *ld;
	int rc;

	*person_r = NULL;
	/* An empty password would make a simple bind "unauthenticated": refuse it here. */
	if (password == NULL || *password == '\0' || !value_is_text(password))
		return JMB_DIRECTORY_REJECT;
	r = jmb_directory_find_user(dir, pool, login, person_r, error_r);
	if (r == JMB_DIRECTORY_UNAVAILABLE)
		return r;
	/* An unknown user still costs one bind, to a DN that cannot exist, so that
	   the answer and its timing are the same as for a wrong password. */
	escaped = login != NULL ? jmb_ldap_dn_value_escape(pool, login) : NULL;
	dn = *person_r != NULL ? (*person_r)->dn
			       : jmb_pool_printf(pool, "cn=%s,ou=jmb-no-such-user,%s",
						 escaped != NULL ? escaped : "x", dir->settings->base);
	ld = connection_open(dir, false, error_r);
	if (ld == NULL)
		return JMB_DIRECTORY_UNAVAILABLE;
	rc = simple_bind(ld, dn, password);
	ldap_unbind_ext_s(ld, NULL, NULL);
	if (rc == LDAP_SUCCESS && *person_r != NULL)
		return JMB_DIRECTORY_OK;
	if (rc == LDAP_SUCCESS || rc == LDAP_INVALID_CREDENTIALS || rc == LDAP_INVALID_DN_SYNTAX ||
	    rc == LDAP_INAPPROPRIATE_AUTH || rc == LDAP_UNWILLING_TO_PERFORM) {
		*person_r = NULL;
		return JMB_DIRECTORY_REJECT;
	}
	*person_r = NULL;
	*error_r = jmb_xasprintf("bind: %s", ldap_err2string(rc));
	return JMB_DIRECTORY_UNAVAILABLE;
}

enum jmb_directory_result jmb_directory_user_matches(struct jmb_directory *dir,
						     struct jmb_pool *pool, const char *login,
						     const char *filter, char **error_r)
{
	char *user = jmb_ldap_filter_format(pool, dir->settings->user_filter,
					    login != NULL ? login : "");
	static const char *const no_attrs[] = {LDAP_NO_ATTRS, NULL};
	enum jmb_directory_result r;
	size_t count = 0;

	if (user == NULL || login == NULL || *login == '\0')
		return JMB_DIRECTORY_NOT_FOUND;
	r = directory_search(dir, dir->settings->base, LDAP_SCOPE_SUBTREE,
			     jmb_pool_printf(pool, "(&%s%s)", user, filter), no_attrs, 1, NULL, NULL,
			     &count, error_r);
	if (r != JMB_DIRECTORY_OK)
		return r;
	return count > 0 ? JMB_DIRECTORY_OK : JMB_DIRECTORY_NOT_FOUND;
}

enum jmb_directory_result jmb_directory_enrich(struct jmb_directory *dir, struct jmb_pool *pool,
					       struct jmb_identity *id, char **error_r)
{
	struct jmb_directory_person *p = NULL;
	const char *const *groups = NULL;
	const char **mails = NULL;
	size_t n = 0, cap = 0;
	enum jmb_directory_result r;

	r = jmb_directory_find_user(dir, pool, id->login, &p, error_r);
	if (r != JMB_DIRECTORY_OK)
		return r;
	r = jmb_directory_user_groups(dir, pool, p, &groups, error_r);
	if (r != JMB_DIRECTORY_OK)
		return r;
	/* The directory's primary address first, then every other one known. */
	for (size_t i = 0; p->mails[i] != NULL; i++)
		directory_list_add(pool, &mails, &n, &cap, p->mails[i]);
	for (size_t i = 0; id->mails != NULL && id->mails[i] != NULL; i++)
		directory_list_add(pool, &mails, &n, &cap, id->mails[i]);
	if (n > 0) {
		id->mails = mails;
		id->mail = mails[0];
	}
	if (*p->name != '\0')
		id->name = p->name;
	id->groups = groups;
	return JMB_DIRECTORY_OK;
}
