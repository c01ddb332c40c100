/* E-mail address validation (a practical subset of RFC 5321 mailbox syntax). */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "domain/mailaddr.h"
#include "util/memory.h"

static bool local_char_ok(unsigned char c)
{
	return isalnum(c) || strchr("!#$%&'*+-/=?^_`{|}~.", c) != NULL;
}

static bool domain_is_valid(const char *d)
{
	size_t label = 0, labels = 0;
	const char *p;

	if (*d == '\0' || strlen(d) > 253)
		return false;
	for (p = d; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '.') {
			if (label == 0 || p[-1] == '-')
				return false;
			label = 0;
			labels++;
		} else if (isalnum(c) || (c == '-' && label > 0)) {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return label > 0 && p[-1] != '-' && labels >= 1;
}

bool jmb_mail_is_valid(const char *addr)
{
	const char *at = strrchr(addr, '@');
	size_t local_len;

	if (at == NULL || strlen(addr) > JMB_MAIL_MAX)
		return false;
	local_len = (size_t)(at - addr);
	if (local_len == 0 || local_len > 64 || addr[0] == '.' || at[-1] == '.')
		return false;
	for (const char *p = addr; p < at; p++) {
		if (!local_char_ok((unsigned char)*p) || (*p == '.' && p[1] == '.'))
			return false;
	}
	return domain_is_valid(at + 1);
}

char *jmb_mail_normalize(struct jmb_pool *pool, const char *addr)
{
	char *out = jmb_pool_strdup(pool, addr);

	for (char *p = out; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return out;
}

char **jmb_mail_split_list(struct jmb_pool *pool, const char *text, size_t *count_r)
{
	static const char separators[] = ",; \t\r\n";
	size_t cap = 1, n = 0;
	char **items;

	for (const char *p = text; *p != '\0'; p++)
		cap += strchr(separators, *p) != NULL;
	items = jmb_pool_calloc(pool, cap + 1, sizeof(char *));
	for (const char *p = text; *p != '\0';) {
		size_t len = strcspn(p, separators);
		if (len > 0 && n < cap)
			items[n++] = jmb_pool_strndup(pool, p, len);
		p += len;
		p += strspn(p, separators);
	}
	items[n] = NULL;
	if (count_r != NULL)
		*count_r = n;
	return items;
}
