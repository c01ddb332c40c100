/* Delivery outcomes kept in memory until the store records them. */
#include "config.h"

#include <stdlib.h>

#include "outbox-outcomes.h"
#include "util/memory.h"

struct outbox_outcome {
	int64_t id;
	enum jmb_outbox_outcome outcome;
	time_t at, next_attempt;
	char *error_text; /* NULL when delivered */
};

void outbox_outcomes_keep(struct outbox_outcomes *kept, int64_t id, enum jmb_outbox_outcome outcome,
                          time_t at, time_t next_attempt, const char *error_text)
{
	struct outbox_outcome *o;

	kept->items = jmb_xrealloc(kept->items, (kept->count + 1) * sizeof(*kept->items));
	o = &kept->items[kept->count++];
	*o = (struct outbox_outcome){.id = id,
	                             .outcome = outcome,
	                             .at = at,
	                             .next_attempt = next_attempt,
	                             .error_text =
	                                 error_text != NULL ? jmb_xstrdup(error_text) : NULL};
}

size_t outbox_outcomes_record(struct outbox_outcomes *kept, struct jmb_store *store,
                              const char *instance, struct jmb_error *error)
{
	size_t left = 0;

	for (size_t i = 0; i < kept->count; i++) {
		struct outbox_outcome *o = &kept->items[i];
		enum jmb_store_result r =
		    jmb_store_outbox_finish(store, o->id, instance, o->outcome, o->at,
		                            o->next_attempt, o->error_text, error);

		if (r == JMB_STORE_OK || r == JMB_STORE_NOT_FOUND)
			jmb_xfree(&o->error_text);
		else
			kept->items[left++] = *o;
	}
	kept->count = left;
	return left;
}

void outbox_outcomes_free(struct outbox_outcomes *kept)
{
	for (size_t i = 0; i < kept->count; i++)
		jmb_xfree(&kept->items[i].error_text);
	jmb_xfree(&kept->items);
	kept->count = 0;
}
