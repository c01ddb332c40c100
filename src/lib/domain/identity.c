/* Identities: construction, and the JSON form sessions and API tokens store. */
#include "config.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "web/form.h"
#include "domain/identity.h"
#include "util/memory.h"
#include "util/text.h"
#include "util/strbuf.h"

static char *lower_dup(struct jmb_pool *pool, const char *s)
{
	char *out = jmb_pool_strdup(pool, s != NULL ? s : "");

	for (char *p = out; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return out;
}

struct jmb_identity *jmb_identity_new(struct jmb_pool *pool, const char *login, const char *name,
                                      const char *mail, const char *source)
{
	struct jmb_identity *id = jmb_pool_alloc(pool, sizeof(*id));
	const char **mails = jmb_pool_calloc(pool, 2, sizeof(char *));

	char *clean = jmb_text_clean(name != NULL ? name : "", false);

	id->login = jmb_pool_strdup(pool, login);
	/* Names come from directories and identity providers: whatever could hide
	   or reorder text on a page, in a token or in a mail is dropped. */
	id->name = jmb_pool_strdup(pool, clean);
	free(clean);
	id->mail = lower_dup(pool, mail);
	if (*id->mail != '\0')
		mails[0] = id->mail;
	id->mails = mails;
	id->groups = jmb_pool_calloc(pool, 1, sizeof(char *));
	id->source = jmb_pool_strdup(pool, source != NULL ? source : "");
	return id;
}

/* A JSON string of s. Jansson refuses bytes that are not UTF-8 (a Latin-1 name in
 * a proxy header or the users file); those become U+FFFD rather than failing. */
static json_t *json_text(const char *s)
{
	struct jmb_strbuf sb = {0};
	json_t *j;
	char *fixed;

	if (s == NULL)
		s = "";
	if ((j = json_string(s)) != NULL)
		return j;
	for (const char *p = s; *p != '\0';) {
		unsigned char c = (unsigned char)*p;
		size_t n = c < 0x80                 ? 1
		           : c >= 0xc2 && c <= 0xf4 ? 2 + (c >= 0xe0) + (c >= 0xf0)
		                                    : 0;
		if (n > 0 && strnlen(p, n) == n && jmb_utf8_is_valid(p, n)) {
			jmb_strbuf_append(&sb, p, n);
			p += n;
		} else {
			jmb_strbuf_puts(&sb, "\xef\xbf\xbd");
			p++;
		}
	}
	fixed = jmb_strbuf_steal(&sb, NULL);
	j = json_string(fixed);
	free(fixed);
	return j;
}

static json_t *string_array(const char *const *list)
{
	json_t *a = json_array();

	for (size_t i = 0; list != NULL && list[i] != NULL; i++)
		json_array_append_new(a, json_text(list[i]));
	return a;
}

char *jmb_identity_to_json(const struct jmb_identity *id)
{
	json_t *o = json_object();
	char *s;

	json_object_set_new(o, "login", json_text(id->login));
	json_object_set_new(o, "name", json_text(id->name));
	json_object_set_new(o, "mail", json_text(id->mail));
	json_object_set_new(o, "source", json_text(id->source));
	json_object_set_new(o, "mails", string_array(id->mails));
	json_object_set_new(o, "groups", string_array(id->groups));
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (s == NULL)
		jmb_fatal_oom();
	return s;
}

static const char **string_list_from_json(struct jmb_pool *pool, json_t *a, bool lower)
{
	size_t n = json_is_array(a) ? json_array_size(a) : 0, k = 0;
	const char **list = jmb_pool_calloc(pool, n + 1, sizeof(char *));

	for (size_t i = 0; i < n; i++) {
		const char *s = json_string_value(json_array_get(a, i));
		if (s != NULL)
			list[k++] = lower ? lower_dup(pool, s) : jmb_pool_strdup(pool, s);
	}
	list[k] = NULL;
	return list;
}

struct jmb_identity *jmb_identity_from_json(struct jmb_pool *pool, const char *text)
{
	json_t *o = json_loads(text, 0, NULL);
	struct jmb_identity *id = NULL;
	const char *login;

	if (!json_is_object(o))
		goto out;
	login = json_string_value(json_object_get(o, "login"));
	if (login == NULL || *login == '\0')
		goto out;
	id = jmb_identity_new(pool, login, json_string_value(json_object_get(o, "name")),
	                      json_string_value(json_object_get(o, "mail")),
	                      json_string_value(json_object_get(o, "source")));
	if (json_array_size(json_object_get(o, "mails")) > 0)
		id->mails = string_list_from_json(pool, json_object_get(o, "mails"), true);
	id->groups = string_list_from_json(pool, json_object_get(o, "groups"), false);
out:
	json_decref(o);
	return id;
}

bool jmb_identity_has_mail(const struct jmb_identity *id, const char *mail)
{
	for (size_t i = 0; id->mails != NULL && id->mails[i] != NULL; i++) {
		if (strcasecmp(id->mails[i], mail) == 0)
			return true;
	}
	return false;
}
