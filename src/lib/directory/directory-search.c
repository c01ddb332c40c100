/* Directory groups and lists: the groups a person is in, what a typed address
 * stands for (a list's members, a person's primary address), and the invite
 * autocomplete. Filters are built from config pieces and escaped values only. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "directory-private.h"
#include "domain/mailaddr.h"
#include "util/memory.h"
#include "util/strbuf.h"

static bool is_uid_attribute(const char *attr)
{
	return strcasecmp(attr, "memberUid") == 0;
}

/* (&group_filter(|(member=dn)(uniqueMember=dn)(memberUid=login)...)) over several members. */
static char *group_of_filter(struct jmb_directory *dir, struct jmb_pool *pool,
                             const char *const *dns, const char *login)
{
	const struct jmb_ldap_settings *s = dir->settings;
	struct jmb_strbuf sb = {0};
	char *out = NULL;
	size_t terms = 0;

	jmb_strbuf_printf(&sb, "(&%s(|", s->group_filter);
	for (size_t i = 0; s->member_attributes[i] != NULL; i++) {
		const char *attr = s->member_attributes[i];
		if (is_uid_attribute(attr)) {
			char *v = login != NULL && *login != '\0'
			              ? jmb_ldap_filter_format(pool, "%s", login)
			              : NULL;
			if (v != NULL) {
				jmb_strbuf_printf(&sb, "(%s=%s)", attr, v);
				terms++;
			}
			continue;
		}
		for (size_t j = 0; dns[j] != NULL; j++) {
			char *v = jmb_ldap_filter_format(pool, "%s", dns[j]);
			if (v != NULL) {
				jmb_strbuf_printf(&sb, "(%s=%s)", attr, v);
				terms++;
			}
		}
	}
	jmb_strbuf_puts(&sb, "))");
	if (terms > 0)
		out = jmb_pool_strdup(pool, sb.data);
	jmb_strbuf_free(&sb);
	return out;
}

struct group_names {
	struct jmb_directory *dir;
	struct jmb_pool *pool;
	const char **names, **dns;
	size_t n_names, cap_names, n_dns, cap_dns;
};

static int keep_group(void *context, LDAP *ld, LDAPMessage *entry, struct jmb_error *error)
{
	struct group_names *g = context;
	const char *name =
	    directory_first_value(g->pool, ld, entry, g->dir->settings->group_name_attribute);

	if (name != NULL)
		directory_list_add(g->pool, &g->names, &g->n_names, &g->cap_names, name);
	directory_list_add(g->pool, &g->dns, &g->n_dns, &g->cap_dns,
	                   directory_entry_dn(g->pool, ld, entry));
	return 0;
}

enum jmb_directory_result jmb_directory_user_groups(struct jmb_directory *dir,
                                                    struct jmb_pool *pool,
                                                    const struct jmb_directory_person *person,
                                                    const char *const **groups_r,
                                                    struct jmb_error *error)
{
	const struct jmb_ldap_settings *s = dir->settings;
	const char *attrs[] = {s->group_name_attribute, NULL};
	const char *const self[] = {person->dn, NULL};
	struct group_names g = {.dir = dir, .pool = pool};
	enum jmb_directory_result r = JMB_DIRECTORY_OK;
	char *filter = group_of_filter(dir, pool, self, person->login);
	size_t count = 0, direct;

	g.names = jmb_pool_calloc(pool, 1, sizeof(char *));
	*groups_r = g.names;
	if (filter == NULL)
		return JMB_DIRECTORY_OK;
	r = directory_search(dir, s->base, LDAP_SCOPE_SUBTREE, filter, attrs, s->size_limit,
	                     keep_group, &g, &count, error);
	direct = g.n_dns;
	/* One level of nesting: the groups that hold those groups. */
	if (r == JMB_DIRECTORY_OK && direct > 0) {
		const char **dns = jmb_pool_calloc(pool, direct + 1, sizeof(char *));
		memcpy(dns, g.dns, direct * sizeof(char *));
		filter = group_of_filter(dir, pool, dns, NULL);
		if (filter != NULL)
			r = directory_search(dir, s->base, LDAP_SCOPE_SUBTREE, filter, attrs,
			                     s->size_limit, keep_group, &g, &count, error);
	}
	*groups_r = g.names;
	return r;
}

/* ---- what a typed address stands for ----------------------------------- */

struct members {
	struct jmb_directory *dir;
	struct jmb_pool *pool;
	const char **dns, **uids;
	size_t n_dns, cap_dns, n_uids, cap_uids;
	bool found;
};

static int keep_members(void *context, LDAP *ld, LDAPMessage *entry, struct jmb_error *error)
{
	struct members *m = context;
	const struct jmb_ldap_settings *s = m->dir->settings;

	m->found = true;
	for (size_t i = 0; s->member_attributes[i] != NULL; i++) {
		const char **values = directory_values(m->pool, ld, entry, s->member_attributes[i]);
		bool uid = is_uid_attribute(s->member_attributes[i]);
		for (size_t j = 0; values[j] != NULL; j++) {
			if (uid)
				directory_list_add(m->pool, &m->uids, &m->n_uids, &m->cap_uids,
				                   values[j]);
			else
				directory_list_add(m->pool, &m->dns, &m->n_dns, &m->cap_dns,
				                   values[j]);
		}
	}
	return 0;
}

struct one_person {
	struct jmb_directory *dir;
	struct jmb_pool *pool;
	struct jmb_directory_person *person;
};

static int keep_one_person(void *context, LDAP *ld, LDAPMessage *entry, struct jmb_error *error)
{
	struct one_person *op = context;

	if (op->person == NULL)
		op->person = directory_person_from_entry(op->dir, op->pool, ld, entry);
	return 0;
}

/* The group with this address (its member values in *m), if any. */
static enum jmb_directory_result find_group(struct jmb_directory *dir, struct jmb_pool *pool,
                                            const char *base, int scope, const char *mail,
                                            struct members *m, struct jmb_error *error)
{
	const struct jmb_ldap_settings *s = dir->settings;
	const char *filter = s->group_filter;
	size_t count = 0;

	if (mail != NULL) {
		char *any =
		    directory_any_of(pool, (const char *const *)s->mail_attributes, mail, false);
		if (any == NULL)
			return JMB_DIRECTORY_NOT_FOUND;
		filter = jmb_pool_printf(pool, "(&%s%s)", s->group_filter, any);
	}
	return directory_search(dir, base, scope, filter, (const char *const *)s->member_attributes,
	                        2, keep_members, m, &count, error);
}

/* Adds the primary address of each member of m (groups among them expanded
 * when nested is set) to the list. */
static enum jmb_directory_result add_members(struct jmb_directory *dir, struct jmb_pool *pool,
                                             const struct members *m, bool nested,
                                             const char ***mails, size_t *n, size_t *cap,
                                             struct jmb_error *error)
{
	const struct jmb_ldap_settings *s = dir->settings;
	enum jmb_directory_result r;
	size_t count;

	for (size_t i = 0; i < m->n_dns && *n < (size_t)s->size_limit; i++) {
		struct members inner = {.dir = dir, .pool = pool};
		struct one_person op = {.dir = dir, .pool = pool};
		r = nested ? find_group(dir, pool, m->dns[i], LDAP_SCOPE_BASE, NULL, &inner, error)
		           : JMB_DIRECTORY_OK;
		if (r == JMB_DIRECTORY_UNAVAILABLE)
			return r;
		if (r == JMB_DIRECTORY_OK && inner.found) {
			r = add_members(dir, pool, &inner, false, mails, n, cap, error);
			if (r != JMB_DIRECTORY_OK)
				return r;
			continue;
		}
		r = directory_search(dir, m->dns[i], LDAP_SCOPE_BASE, "(objectClass=*)",
		                     directory_person_attrs(dir, pool), 1, keep_one_person, &op,
		                     &count, error);
		if (r == JMB_DIRECTORY_UNAVAILABLE)
			return r;
		if (op.person != NULL && *op.person->mail != '\0')
			directory_list_add(pool, mails, n, cap, op.person->mail);
	}
	for (size_t i = 0; i < m->n_uids && *n < (size_t)s->size_limit; i++) {
		struct jmb_directory_person *p = NULL;
		r = jmb_directory_find_user(dir, pool, m->uids[i], &p, error);
		if (r == JMB_DIRECTORY_UNAVAILABLE)
			return r;
		if (p != NULL && *p->mail != '\0')
			directory_list_add(pool, mails, n, cap, p->mail);
	}
	return JMB_DIRECTORY_OK;
}

enum jmb_directory_result jmb_directory_resolve_mail(struct jmb_directory *dir,
                                                     struct jmb_pool *pool, const char *mail,
                                                     const char *const **mails_r, bool *is_group_r,
                                                     struct jmb_error *error)
{
	const struct jmb_ldap_settings *s = dir->settings;
	struct members m = {.dir = dir, .pool = pool};
	struct one_person op = {.dir = dir, .pool = pool};
	const char **mails = jmb_pool_calloc(pool, 1, sizeof(char *));
	size_t n = 0, cap = 1, count = 0;
	enum jmb_directory_result r;
	char *any;

	*mails_r = mails;
	*is_group_r = false;
	r = find_group(dir, pool, s->base, LDAP_SCOPE_SUBTREE, mail, &m, error);
	if (r != JMB_DIRECTORY_OK && r != JMB_DIRECTORY_NOT_FOUND)
		return r;
	if (m.found) {
		*is_group_r = true;
		r = add_members(dir, pool, &m, true, &mails, &n, &cap, error);
		*mails_r = mails;
		return r;
	}
	any = directory_any_of(pool, (const char *const *)s->mail_attributes, mail, false);
	if (any == NULL)
		return JMB_DIRECTORY_NOT_FOUND;
	r = directory_search(
	    dir, s->base, LDAP_SCOPE_SUBTREE,
	    jmb_pool_printf(pool, "(&(|%s%s)%s)", s->person_filter, s->external_filter, any),
	    directory_person_attrs(dir, pool), 2, keep_one_person, &op, &count, error);
	if (r != JMB_DIRECTORY_OK)
		return r;
	if (op.person == NULL || *op.person->mail == '\0')
		return JMB_DIRECTORY_NOT_FOUND;
	directory_list_add(pool, &mails, &n, &cap, op.person->mail);
	*mails_r = mails;
	return JMB_DIRECTORY_OK;
}

/* ---- autocomplete ------------------------------------------------------ */

struct matches {
	struct jmb_directory *dir;
	struct jmb_pool *pool;
	enum jmb_directory_kind kind;
	struct jmb_directory_match *items;
	size_t count, max;
};

static int keep_match(void *context, LDAP *ld, LDAPMessage *entry, struct jmb_error *error)
{
	struct matches *m = context;
	struct jmb_directory_person *p = directory_person_from_entry(m->dir, m->pool, ld, entry);

	if (*p->mail == '\0' || m->count == m->max)
		return 0;
	for (size_t i = 0; i < m->count; i++) {
		if (strcmp(m->items[i].mail, p->mail) == 0)
			return 0;
	}
	m->items[m->count].name = p->name;
	m->items[m->count].mail = p->mail;
	m->items[m->count].kind = m->kind;
	m->count++;
	return 0;
}

static int compare_matches(const void *a, const void *b)
{
	const struct jmb_directory_match *x = a, *y = b;
	int c = strcasecmp(x->name, y->name);

	return c != 0 ? c : strcmp(x->mail, y->mail);
}

enum jmb_directory_result jmb_directory_search(struct jmb_directory *dir, struct jmb_pool *pool,
                                               const char *text, size_t max,
                                               struct jmb_directory_match **matches_r,
                                               size_t *count_r, struct jmb_error *error)
{
	const struct jmb_ldap_settings *s = dir->settings;
	char *any = directory_any_of(pool, (const char *const *)s->search_attributes, text, true);
	struct matches m = {.dir = dir, .pool = pool, .max = max};
	const char *filters[3];
	enum jmb_directory_result r;
	size_t count;

	*matches_r = NULL;
	*count_r = 0;
	if (any == NULL)
		return JMB_DIRECTORY_NOT_FOUND;
	m.items = jmb_pool_calloc(pool, max + 1, sizeof(*m.items));
	filters[JMB_DIRECTORY_PERSON] =
	    jmb_pool_printf(pool, "(&%s(!%s)%s)", s->person_filter, s->external_filter, any);
	filters[JMB_DIRECTORY_GROUP] = jmb_pool_printf(pool, "(&%s%s)", s->group_filter, any);
	filters[JMB_DIRECTORY_EXTERNAL] = jmb_pool_printf(pool, "(&%s%s)", s->external_filter, any);
	for (int kind = JMB_DIRECTORY_PERSON; kind <= JMB_DIRECTORY_EXTERNAL; kind++) {
		m.kind = (enum jmb_directory_kind)kind;
		r = directory_search(dir, s->base, LDAP_SCOPE_SUBTREE, filters[kind],
		                     directory_person_attrs(dir, pool), (long)max, keep_match, &m,
		                     &count, error);
		if (r != JMB_DIRECTORY_OK)
			return r;
	}
	qsort(m.items, m.count, sizeof(*m.items), compare_matches);
	*matches_r = m.items;
	*count_r = m.count;
	return JMB_DIRECTORY_OK;
}
