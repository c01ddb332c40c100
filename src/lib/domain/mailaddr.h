/* E-mail addresses typed by people: validation and list splitting.
 * Deliberately strict (no quoted local parts, no comments): these become SMTP
 * recipients and iCal attendees. */
#ifndef JMB_MAILADDR_H
#define JMB_MAILADDR_H

#include <stdbool.h>
#include <stddef.h>

#include "jmb/pool.h"

#define JMB_MAIL_MAX 254

bool jmb_mail_is_valid(const char *addr);
/* Lower-case copy. */
char *jmb_mail_normalize(struct jmb_pool *pool, const char *addr);
/* Splits text at commas, semicolons, spaces and new lines into trimmed, non-empty
 * items (NULL-terminated). Items are not validated. */
char **jmb_mail_split_list(struct jmb_pool *pool, const char *text, size_t *count_r);

#endif
