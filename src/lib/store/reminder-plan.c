/* The plan of reminders of a meeting: for each occurrence still to come (a
 * single meeting has one), mails before its start and XMPP messages before
 * its end. The store writes it with the change (jmb_store_plan_reminders). */
#include "config.h"

#include "domain/recurrence.h"
#include "util/memory.h"
#include "store/store.h"

struct jmb_reminder *jmb_reminder_plan(struct jmb_pool *pool, const struct jmb_meeting *m,
                                       const struct jmb_reminder_settings *r, bool xmpp, time_t now,
                                       size_t *n_r)
{
	size_t per = r->n_mail_before + (xmpp ? r->n_xmpp_before_end : 0), n_occ = 0, n = 0;
	/* Every occurrence ending after now: one that started may still have
	   XMPP messages to come. The expansion is bounded by the rule's checks
	   (JMB_SERIES_MAX_OCCURRENCES, JMB_SERIES_MAX_DAYS). */
	struct jmb_occurrence *occ =
	    per > 0 ? jmb_meeting_occurrences(pool, m, now, (time_t)INT64_MAX,
	                                      JMB_SERIES_MAX_OCCURRENCES, &n_occ)
	            : NULL;
	struct jmb_reminder *plan = jmb_pool_calloc(pool, n_occ * per + 1, sizeof(*plan));

	for (size_t o = 0; o < n_occ; o++) {
		const struct jmb_occurrence *x = &occ[o];
		time_t rid = m->recurrence != NULL ? x->recurrence_id : 0;

		if (x->cancelled)
			continue;
		for (size_t i = 0; i < r->n_mail_before; i++) {
			time_t due = x->start - r->mail_before[i] * 60;
			if (due > now)
				plan[n++] = (struct jmb_reminder){.kind = JMB_REMINDER_MAIL,
				                                  .offset = r->mail_before[i],
				                                  .due = due,
				                                  .recurrence_id = rid};
		}
		for (size_t i = 0; xmpp && i < r->n_xmpp_before_end; i++) {
			time_t due = x->end - r->xmpp_before_end[i] * 60;
			if (due > now)
				plan[n++] = (struct jmb_reminder){.kind = JMB_REMINDER_XMPP,
				                                  .offset = r->xmpp_before_end[i],
				                                  .due = due,
				                                  .recurrence_id = rid};
		}
	}
	*n_r = n;
	return plan;
}
