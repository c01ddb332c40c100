/* Reading the legacy "list subscriber" file, again on each lookup so that
 * edits count at once (it is small, and lookups happen only when booking). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "domain/mailaddr.h"
#include "util/memory.h"
#include "directory/subscribers-file.h"

int jmb_subscribers_file_expand(const char *path, struct jmb_pool *pool, const char *list,
                                const char *const **subscribers_r, struct jmb_error *error)
{
	const char **out = jmb_pool_calloc(pool, 1, sizeof(char *));
	size_t n = 0, cap = 1;
	char line[1024];
	bool found = false;
	FILE *fp = fopen(path, "r");

	*subscribers_r = out;
	if (fp == NULL) {
		jmb_error_set(error, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		char *save = NULL;
		char *name = strtok_r(line, " \t\r\n", &save);
		char *member = name != NULL ? strtok_r(NULL, " \t\r\n", &save) : NULL;
		bool seen = false;

		if (name == NULL || *name == '#' || member == NULL || strcasecmp(name, list) != 0)
			continue;
		found = true;
		if (!jmb_mail_is_valid(member))
			continue;
		member = jmb_mail_normalize(pool, member);
		for (size_t i = 0; i < n && !seen; i++)
			seen = strcmp(out[i], member) == 0;
		if (seen)
			continue;
		if (n + 1 >= cap) {
			const char **grown = jmb_pool_calloc(pool, cap * 2 + 8, sizeof(char *));
			memcpy(grown, out, n * sizeof(char *));
			out = grown;
			cap = cap * 2 + 8;
		}
		out[n++] = member;
		out[n] = NULL;
	}
	fclose(fp);
	*subscribers_r = out;
	return found ? 1 : 0;
}
