/* Changing one occurrence of a series. An occurrence is changed by writing
 * its override and the whole meeting row with the next sequence, so its
 * mails, reminder plan and feed versions follow as for any edit, and two
 * people changing two occurrences at once both keep their change (the
 * second is redone on a fresh read). */
#include "config.h"

#include <string.h>

#include "daemon.h"
#include "domain/recurrence.h"
#include "notify.h"
#include "occurrence-actions.h"
#include "render.h"
#include "util/log.h"
#include "util/memory.h"

/* m's overrides with o put in (replacing the one of its recurrence id), in
   recurrence id order. */
static void put_override(struct jmb_pool *pool, struct jmb_meeting *m, const struct jmb_override *o)
{
	struct jmb_override *all = jmb_pool_calloc(pool, m->n_overrides + 1, sizeof(*all));
	size_t n = 0;
	bool placed = false;

	for (size_t i = 0; i < m->n_overrides; i++) {
		if (!placed && o->recurrence_id <= m->overrides[i].recurrence_id) {
			all[n++] = *o;
			placed = true;
		}
		if (m->overrides[i].recurrence_id != o->recurrence_id)
			all[n++] = m->overrides[i];
	}
	if (!placed)
		all[n++] = *o;
	m->overrides = all;
	m->n_overrides = n;
}

/* One attempt on *m as read. Fills errors, or stores the change. */
static enum jmb_store_result change_once(struct jmbd *d, struct jmb_request *req,
                                         const struct jmb_meeting *m, time_t recurrence_id,
                                         const struct jmb_occurrence_input *in, bool cancel,
                                         struct jmb_field_errors *errors, struct jmb_error *error)
{
	struct jmb_booking_context ctx = meeting_booking_context(d, req);
	struct jmb_meeting *changed = jmb_pool_alloc(req->pool, sizeof(*changed));
	struct jmb_side_effects fx;
	struct jmb_occurrence occ, *now_is;
	struct jmb_override o;

	if (!jmb_meeting_occurrence(m, recurrence_id, &occ)) {
		jmb_error_set(error, "no occurrence at %lld", (long long)recurrence_id);
		return JMB_STORE_NOT_FOUND;
	}
	if (cancel) {
		const struct jmb_override *was = jmb_meeting_override(m, recurrence_id);

		o = was != NULL ? *was
		                : (struct jmb_override){.recurrence_id = recurrence_id,
		                                        .start = occ.start,
		                                        .duration = occ.duration};
		o.cancelled = true;
	} else if (jmb_booking_check_occurrence(&ctx, m, &occ, in, req->pool, &o, errors) < 0) {
		return JMB_STORE_OK;
	}
	*changed = *m;
	put_override(req->pool, changed, &o);
	changed->sequence = m->sequence + 1;
	changed->updated = ctx.now;
	now_is = jmb_pool_alloc(req->pool, sizeof(*now_is));
	jmb_meeting_occurrence(changed, recurrence_id, now_is);
	notify_occurrence_change(d, req->pool, m, changed, &occ, now_is, ctx.now, &fx);
	return jmb_store_meeting_update_fx(d->store, changed, &fx, error);
}

enum action_result occurrence_change(struct jmbd *d, struct jmb_request *req,
                                     struct jmb_meeting **m, time_t recurrence_id,
                                     const struct jmb_occurrence_input *in, bool cancel,
                                     struct jmb_field_errors *errors)
{
	enum jmb_store_result r = JMB_STORE_RETRY;
	struct jmb_error error;
	int64_t id = (*m)->id;
	char rid[20];

	errors->count = 0;
	for (int i = 0; i < STALE_RETRIES && r == JMB_STORE_RETRY; i++) {
		stale_write_pause(i);
		if (i > 0 &&
		    (r = jmb_store_meeting_get(d->store, req->pool, id, m, &error)) != JMB_STORE_OK)
			break;
		r = change_once(d, req, *m, recurrence_id, in, cancel, errors, &error);
		if (errors->count > 0)
			return ACTION_INVALID;
	}
	if (r == JMB_STORE_NOT_FOUND)
		return ACTION_NOT_FOUND;
	if (r == JMB_STORE_OK)
		r = jmb_store_meeting_get(d->store, req->pool, id, m, &error);
	if (r != JMB_STORE_OK) {
		jmb_log(JMB_LOG_ERROR, "occurrence_change", "result", jmb_store_result_name(r),
		        "error", error.text, NULL);
		metrics_count(METRICS_STORE_ERROR);
		return ACTION_FAILED;
	}
	jmb_recurrence_id_format(recurrence_id, rid, sizeof(rid));
	jmb_log(JMB_LOG_INFO, cancel ? "occurrence_cancelled" : "occurrence_changed", "meeting",
	        jmb_pool_printf(req->pool, "%lld", (long long)id), "occurrence", rid, "user",
	        req->identity->login, NULL);
	return ACTION_OK;
}

const struct jmb_booking_input *
occurrence_split_input(struct jmb_request *req, const struct jmb_meeting *m, time_t recurrence_id)
{
	struct jmb_booking_input *in = jmb_pool_alloc(req->pool, sizeof(*in));
	char *before, *after;
	struct jmb_occurrence occ;

	if (m->recurrence == NULL || !jmb_meeting_occurrence(m, recurrence_id, &occ) ||
	    jmb_rrule_split(req->pool, m->recurrence, m->start, m->timezone, recurrence_id, &before,
	                    &after) != 0)
		return NULL;
	meeting_input_from(req->pool, m, NULL, in);
	in->start_utc = occ.start;
	in->recurrence = after;
	return in;
}

/* One attempt on *m as read: the two series, their mails, stored together. */
static enum jmb_store_result split_once(struct jmbd *d, struct jmb_request *req,
                                        const struct jmb_meeting *m, time_t recurrence_id,
                                        const struct jmb_booking_input *input,
                                        struct jmb_meeting *next, struct jmb_field_errors *errors,
                                        struct jmb_error *error)
{
	struct jmb_booking_context ctx = meeting_booking_context(d, req);
	struct jmb_meeting *ended = jmb_pool_alloc(req->pool, sizeof(*ended));
	struct jmb_side_effects ended_fx, next_fx;
	char *before, *after;
	size_t kept = 0;

	if (jmb_rrule_split(req->pool, m->recurrence, m->start, m->timezone, recurrence_id, &before,
	                    &after) != 0) {
		jmb_error_set(error, "no later occurrence at %lld", (long long)recurrence_id);
		return JMB_STORE_NOT_FOUND;
	}
	if (jmb_booking_check(&ctx, req->identity, input, NULL, req->pool, next, errors) < 0)
		return JMB_STORE_OK; /* errors filled */
	/* The series as it now ends: its rule cut, the overrides of later
	   occurrences gone with them. */
	*ended = *m;
	ended->recurrence = before;
	ended->overrides =
	    jmb_pool_calloc(req->pool, m->n_overrides + 1, sizeof(*ended->overrides));
	for (size_t i = 0; i < m->n_overrides; i++)
		if (m->overrides[i].recurrence_id < recurrence_id)
			ended->overrides[kept++] = m->overrides[i];
	ended->n_overrides = kept;
	ended->sequence = m->sequence + 1;
	ended->updated = ctx.now;
	/* The series continuing in the same room, as booked anew. */
	next->owner = m->owner;
	next->created = next->updated = ctx.now;
	next->language = m->language;
	jmb_booking_assign_secrets(req->pool, next, d->rt->uid_domain);
	next->room = m->room;
	notify_meeting_change(d, req->pool, NOTIFY_UPDATED, m, ended, ctx.now, &ended_fx);
	notify_meeting_change(d, req->pool, NOTIFY_CREATED, NULL, next, ctx.now, &next_fx);
	return jmb_store_meeting_split_fx(d->store, ended, &ended_fx, next, &next_fx, error);
}

enum action_result occurrence_split(struct jmbd *d, struct jmb_request *req, struct jmb_meeting **m,
                                    time_t recurrence_id, const struct jmb_booking_input *input,
                                    struct jmb_meeting **next_r, struct jmb_field_errors *errors)
{
	struct jmb_meeting *next = jmb_pool_alloc(req->pool, sizeof(*next));
	enum jmb_store_result r = JMB_STORE_RETRY;
	struct jmb_error error;
	int64_t id = (*m)->id;
	char rid[20];

	errors->count = 0;
	/* A random UID or token taken (CONFLICT) is drawn again like a stale read. */
	for (int i = 0; i < STALE_RETRIES && (r == JMB_STORE_RETRY || r == JMB_STORE_CONFLICT);
	     i++) {
		stale_write_pause(i);
		if (i > 0 &&
		    (r = jmb_store_meeting_get(d->store, req->pool, id, m, &error)) != JMB_STORE_OK)
			break;
		r = split_once(d, req, *m, recurrence_id, input, next, errors, &error);
		if (errors->count > 0)
			return ACTION_INVALID;
	}
	if (r == JMB_STORE_NOT_FOUND)
		return ACTION_NOT_FOUND;
	if (r == JMB_STORE_OK)
		r = jmb_store_meeting_get(d->store, req->pool, id, m, &error);
	if (r == JMB_STORE_OK)
		r = jmb_store_meeting_get(d->store, req->pool, next->id, next_r, &error);
	if (r != JMB_STORE_OK) {
		jmb_log(JMB_LOG_ERROR, "occurrence_split", "result", jmb_store_result_name(r),
		        "error", error.text, NULL);
		metrics_count(METRICS_STORE_ERROR);
		return ACTION_FAILED;
	}
	jmb_recurrence_id_format(recurrence_id, rid, sizeof(rid));
	jmb_log(JMB_LOG_INFO, "series_split", "meeting",
	        jmb_pool_printf(req->pool, "%lld", (long long)id), "occurrence", rid, "new_meeting",
	        jmb_pool_printf(req->pool, "%lld", (long long)next->id), "user",
	        req->identity->login, NULL);
	return ACTION_OK;
}
