/* The hold-down state machine: up → (outage) down, refusing → (period over)
 * one probe → up on success, down for another period on an outage. */
#include "config.h"

#include "util/holddown.h"

void jmb_holddown_init(struct jmb_holddown *h, int64_t period_ms)
{
	*h = (struct jmb_holddown){.period_ms = period_ms};
	pthread_mutex_init(&h->lock, NULL);
}

void jmb_holddown_destroy(struct jmb_holddown *h)
{
	pthread_mutex_destroy(&h->lock);
}

enum jmb_holddown_pass jmb_holddown_enter(struct jmb_holddown *h, int64_t now_ms)
{
	enum jmb_holddown_pass pass = JMB_HOLDDOWN_GO;

	pthread_mutex_lock(&h->lock);
	if (h->down && h->period_ms > 0) {
		if (h->probing || now_ms < h->retry_at_ms) {
			pass = JMB_HOLDDOWN_REFUSE;
		} else {
			h->probing = true;
			pass = JMB_HOLDDOWN_PROBE;
		}
	}
	pthread_mutex_unlock(&h->lock);
	return pass;
}

enum jmb_holddown_change jmb_holddown_leave(struct jmb_holddown *h, enum jmb_holddown_pass pass,
                                            bool outage, int64_t now_ms)
{
	enum jmb_holddown_change change = JMB_HOLDDOWN_SAME;

	pthread_mutex_lock(&h->lock);
	if (pass == JMB_HOLDDOWN_PROBE)
		h->probing = false;
	if (outage) {
		/* Calls that were already under way may fail later: each pushes
		   the next probe back, but only the first one is news. */
		h->retry_at_ms = now_ms + h->period_ms;
		if (!h->down)
			change = JMB_HOLDDOWN_WENT_DOWN;
		h->down = true;
	} else if (h->down) {
		h->down = false;
		change = JMB_HOLDDOWN_CAME_BACK;
	}
	pthread_mutex_unlock(&h->lock);
	return change;
}

bool jmb_holddown_active(struct jmb_holddown *h)
{
	bool active;

	pthread_mutex_lock(&h->lock);
	active = h->down && h->period_ms > 0;
	pthread_mutex_unlock(&h->lock);
	return active;
}
