/* Attendance from presence sessions. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "domain/attendance.h"
#include "util/memory.h"

/* Index of the entry a session belongs to, or -1: the organiser by login or
 * address, an invitee by address (jmb signs invitees' tokens with their
 * address as both id and email). */
static long entry_of(const struct jmb_meeting *m, const struct jmb_presence *p)
{
	if (*p->user_id != '\0' && strcmp(p->user_id, m->owner.login) == 0)
		return 0;
	if (*p->email != '\0' && m->owner.mail != NULL && strcasecmp(p->email, m->owner.mail) == 0)
		return 0;
	for (size_t i = 0; i < m->n_attendees; i++) {
		const char *mail = m->attendees[i].mail;
		if ((*p->email != '\0' && strcasecmp(p->email, mail) == 0) ||
		    (*p->user_id != '\0' && strcasecmp(p->user_id, mail) == 0))
			return (long)i + 1;
	}
	return -1;
}

struct interval {
	time_t from, to;
};

static int by_start(const void *a, const void *b)
{
	const struct interval *x = a, *y = b;

	return x->from < y->from ? -1 : x->from > y->from;
}

/* Seconds covered by the union of an entry's sessions. */
static long union_seconds(struct interval *iv, size_t n)
{
	long total = 0;
	time_t from, to;

	if (n == 0)
		return 0;
	qsort(iv, n, sizeof(*iv), by_start);
	from = iv[0].from;
	to = iv[0].to;
	for (size_t i = 1; i < n; i++) {
		if (iv[i].from > to) {
			total += (long)(to - from);
			from = iv[i].from;
		}
		if (iv[i].to > to)
			to = iv[i].to;
	}
	return total + (long)(to - from);
}

static void add_session(struct jmb_attendance_entry *e, const struct jmb_presence *p)
{
	if (e->first_join == 0 || p->joined < e->first_join)
		e->first_join = p->joined;
	if (p->left == 0)
		e->present = true;
	else if (p->left > e->last_leave)
		e->last_leave = p->left;
}

/* People who came without a known token: distinct bare JIDs. */
static long count_unknown(const char *const *jids, size_t n)
{
	long count = 0;

	for (size_t i = 0; i < n; i++) {
		size_t len = strcspn(jids[i], "/");
		bool seen = false;

		for (size_t j = 0; j < i && !seen; j++)
			seen = strcspn(jids[j], "/") == len && strncmp(jids[j], jids[i], len) == 0;
		count += !seen;
	}
	return count;
}

void jmb_attendance_compute(struct jmb_pool *pool, const struct jmb_meeting *m,
                            const struct jmb_presence *sessions, size_t n_sessions, time_t until,
                            struct jmb_attendance *out)
{
	size_t n = m->n_attendees + 1, n_unknown = 0;
	struct interval *iv = jmb_pool_calloc(pool, n_sessions + 1, sizeof(*iv));
	long *entry = jmb_pool_calloc(pool, n_sessions + 1, sizeof(*entry));
	const char **unknown = jmb_pool_calloc(pool, n_sessions + 1, sizeof(*unknown));

	out->entries = jmb_pool_calloc(pool, n, sizeof(*out->entries));
	out->n = n;
	out->entries[0] = (struct jmb_attendance_entry){
	    .mail = m->owner.mail, .role = "owner", .status = JMB_PARTSTAT_ACCEPTED};
	for (size_t i = 0; i < m->n_attendees; i++)
		out->entries[i + 1] =
		    (struct jmb_attendance_entry){.mail = m->attendees[i].mail,
		                                  .role = jmb_role_name(m->attendees[i].role),
		                                  .status = m->attendees[i].status};
	for (size_t s = 0; s < n_sessions; s++) {
		entry[s] = entry_of(m, &sessions[s]);
		if (entry[s] < 0)
			unknown[n_unknown++] = sessions[s].occupant_jid;
		else
			add_session(&out->entries[entry[s]], &sessions[s]);
	}
	for (size_t e = 0; e < n; e++) {
		size_t k = 0;

		for (size_t s = 0; s < n_sessions; s++) {
			time_t to = sessions[s].left != 0 ? sessions[s].left : until;
			if (entry[s] == (long)e && to > sessions[s].joined)
				iv[k++] = (struct interval){sessions[s].joined, to};
		}
		out->entries[e].seconds = union_seconds(iv, k);
		if (out->entries[e].present)
			out->entries[e].last_leave = 0;
	}
	out->unknown = count_unknown(unknown, n_unknown);
}
