/* Escaping by construction (CONTRIBUTING.md): user values in LDAP filters (RFC 4515)
 * and in DNs (RFC 4514), refused when they are not valid UTF-8. */
#include "config.h"

#include <string.h>

#include "directory-private.h"
#include "web/form.h"
#include "util/memory.h"
#include "util/strbuf.h"

static bool value_is_text(const char *value)
{
	return value != NULL && jmb_utf8_is_valid(value, strlen(value));
}

static char *filter_escape(struct jmb_pool *pool, const char *value)
{
	struct berval in, out = {0, NULL};
	char *copy;

	if (!value_is_text(value))
		return NULL;
	in = (struct berval){.bv_len = strlen(value), .bv_val = (char *)value};
	if (ldap_bv2escaped_filter_value(&in, &out) != 0)
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
	LDAPAVA ava = {.la_attr = {2, (char *)"cn"}, .la_flags = LDAP_AVA_STRING};
	LDAPAVA *rdn[] = {&ava, NULL};
	LDAPRDN dn[] = {rdn, NULL};
	struct berval out = {0, NULL};
	char *copy;

	if (!value_is_text(value) || *value == '\0')
		return NULL;
	ava.la_value = (struct berval){.bv_len = strlen(value), .bv_val = (char *)value};
	if (ldap_dn2bv(dn, &out, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS)
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
