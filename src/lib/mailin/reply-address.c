/* Reply addresses: building them for outgoing mail and reading the token back
 * from an envelope recipient. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mailin/reply-address.h"
#include "util/secret.h"

const char *jmb_reply_address(struct jmb_pool *pool, const char *base, const char *delimiter,
                              const char *token)
{
	const char *at = base != NULL ? strrchr(base, '@') : NULL;

	if (at == NULL || token == NULL)
		return NULL;
	return jmb_pool_printf(pool, "%.*s%s%s%s", (int)(at - base), base, delimiter, token, at);
}

enum jmb_reply_address_match jmb_reply_address_parse(struct jmb_pool *pool, const char *base,
                                                     const char *delimiter, const char *recipient,
                                                     const char **token_r)
{
	const char *base_at = base != NULL ? strrchr(base, '@') : NULL;
	const char *at = recipient != NULL ? strrchr(recipient, '@') : NULL;
	size_t local_len, token_len;
	char *token;

	*token_r = NULL;
	if (base_at == NULL || at == NULL || strcasecmp(at, base_at) != 0)
		return JMB_REPLY_NOT_OURS;
	local_len = (size_t)(base_at - base);
	if ((size_t)(at - recipient) <= local_len || strncasecmp(recipient, base, local_len) != 0 ||
	    recipient[local_len] != *delimiter)
		return JMB_REPLY_NOT_OURS;
	token_len = (size_t)(at - recipient) - local_len - 1;
	token = jmb_pool_strndup(pool, recipient + local_len + 1, token_len);
	for (char *p = token; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	if (!jmb_reply_token_is_wellformed(token))
		return JMB_REPLY_BAD_TOKEN;
	*token_r = token;
	return JMB_REPLY_TOKEN;
}
