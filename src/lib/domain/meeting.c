/* Names of roles and answers as they appear in the store, the API and iCal-facing code. */
#include "config.h"

#include <string.h>

#include "domain/meeting.h"
#include "util/memory.h"

static const char *const role_names[] = {"guest", "moderator"};
static const char *const partstat_names[] = {"needs-action", "accepted", "declined", "tentative"};

const char *jmb_role_name(enum jmb_role role)
{
	return role == JMB_ROLE_MODERATOR ? role_names[1] : role_names[0];
}

int jmb_role_parse(const char *s, enum jmb_role *role_r)
{
	for (int i = 0; i < 2; i++) {
		if (strcmp(s, role_names[i]) == 0) {
			*role_r = (enum jmb_role)i;
			return 0;
		}
	}
	return -1;
}

const char *jmb_partstat_name(enum jmb_partstat status)
{
	if ((unsigned)status >= JMB_PARTSTAT_COUNT)
		return partstat_names[0];
	return partstat_names[status];
}

int jmb_partstat_parse(const char *s, enum jmb_partstat *status_r)
{
	for (int i = 0; i < JMB_PARTSTAT_COUNT; i++) {
		if (strcmp(s, partstat_names[i]) == 0) {
			*status_r = (enum jmb_partstat)i;
			return 0;
		}
	}
	return -1;
}

struct jmb_attendee *jmb_attendee_append(struct jmb_pool *pool, struct jmb_meeting *m, size_t *cap)
{
	if (m->n_attendees >= *cap) {
		size_t ncap = *cap > m->n_attendees ? *cap : (m->n_attendees + 1) * 2;
		struct jmb_attendee *grown = jmb_pool_calloc(pool, ncap, sizeof(*grown));

		if (m->n_attendees > 0)
			memcpy(grown, m->attendees, m->n_attendees * sizeof(*grown));
		m->attendees = grown;
		*cap = ncap;
	}
	return &m->attendees[m->n_attendees++];
}
