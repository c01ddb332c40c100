/* Jitsi room names and windows. */
#include "config.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "domain/recurrence.h"
#include "domain/room.h"
#include "util/memory.h"

bool jmb_room_name_is_valid(const char *room)
{
	size_t len = strlen(room);

	if (len == 0 || len > 64)
		return false;
	for (const char *p = room; *p != '\0'; p++) {
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) ||
		      strchr("._-", *p) != NULL))
			return false;
	}
	return true;
}

char *jmb_room_from_prosody(struct jmb_pool *pool, const char *tenant, const char *name)
{
	const char *room = name;
	char *lower;

	if (*name == '[') {
		const char *close = strchr(name, ']');
		if (close == NULL || strlen(tenant) != (size_t)(close - name - 1) ||
		    strncasecmp(name + 1, tenant, strlen(tenant)) != 0)
			return NULL;
		room = close + 1;
	}
	lower = jmb_pool_strdup(pool, room);
	for (char *p = lower; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return jmb_room_name_is_valid(lower) ? lower : NULL;
}

struct jmb_room_window jmb_room_window(const struct jmb_meeting *m, time_t now,
                                       long link_opens_before, long start_early, long grace)
{
	long before = link_opens_before > start_early ? link_opens_before : start_early;
	struct jmb_occurrence occ = {.start = m->start, .end = m->end};

	if (m->recurrence != NULL)
		jmb_meeting_focus(m, now - grace * 60, &occ);
	return (struct jmb_room_window){
	    .opens = occ.start - before * 60,
	    .closes = occ.end + grace * 60,
	};
}

enum jmb_room_state jmb_room_state(const struct jmb_room_window *w, time_t now)
{
	if (now < w->opens)
		return JMB_ROOM_NOT_YET;
	return now < w->closes ? JMB_ROOM_OPEN : JMB_ROOM_OVER;
}
