/* libFuzzer target: recurrence rules (jmb_rrule_check) and their expansion
 * (jmb_rrule_each_start, jmb_meeting_occurrences, jmb_meeting_next). The
 * first input byte picks a zone and the first occurrence (DST changes
 * included); the rest is the rule text. Oracles: an accepted rule's
 * normalised form is accepted again unchanged, with the same last start; its
 * expansion starts at the first occurrence, strictly increases, stays within
 * the limits and ends where the check said; every expansion is bounded
 * (libFuzzer's -timeout catches one that is not). */
#include "config.h"

#include "domain/recurrence.h"
#include "fuzz.h"
#include "util/memory.h"
#include "util/timeutil.h"

static const char *const zones[] = {"Europe/Paris", "America/New_York",    "Asia/Tokyo",
                                    "UTC",          "Australia/Lord_Howe", "Pacific/Chatham"};
/* 2027-03-28T00:30:00Z (the night Europe moves to summer time),
   2027-11-06T05:00:00Z (the eve of New York's autumn change), a Wednesday
   and a 31st. */
static const time_t starts[] = {1806193800, 1825477200, 1801040400, 1811750400};

struct expansion {
	time_t first, previous, last;
	long n;
	bool increasing;
};

static bool note(time_t start, void *data)
{
	struct expansion *e = data;

	if (e->n == 0)
		e->first = start;
	else if (start <= e->previous)
		e->increasing = false;
	e->previous = e->last = start;
	e->n++;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct jmb_rrule_limits limits = {.max_occurrences = 260, .max_series_days = 400};
	struct jmb_pool *pool;
	const char *zone, *part;
	char *text, *normalised = NULL, *again = NULL;
	time_t start, last = 0, last_again = 0;
	struct expansion e = {.increasing = true};
	struct jmb_occurrence next;

	if (size < 1)
		return 0;
	zone = zones[data[0] % (sizeof(zones) / sizeof(zones[0]))];
	start = starts[(data[0] >> 4) % (sizeof(starts) / sizeof(starts[0]))];
	text = fuzz_cstring(data + 1, size - 1);
	pool = jmb_pool_new();
	if (jmb_rrule_check(pool, text, start, zone, &limits, &normalised, &last, &part) ==
	    JMB_RRULE_OK) {
		FUZZ_CHECK(jmb_rrule_check(pool, normalised, start, zone, &limits, &again,
		                           &last_again, &part) == JMB_RRULE_OK);
		FUZZ_CHECK(strcmp(normalised, again) == 0 && last == last_again);
		FUZZ_CHECK(jmb_rrule_each_start(normalised, start, zone, note, &e) == e.n);
		FUZZ_CHECK(e.n >= 1 && e.n <= limits.max_occurrences && e.increasing);
		FUZZ_CHECK(e.first == start && e.last == last);
		FUZZ_CHECK(last - start <= limits.max_series_days * 86400L);

		struct jmb_meeting m = {.start = start,
		                        .duration = 60,
		                        .timezone = (char *)zone,
		                        .recurrence = normalised,
		                        .title = "t",
		                        .description = ""};
		size_t n;

		m.end = start + 3600;
		jmb_meeting_occurrences(pool, &m, 0, JMB_TIME_MAX, 1000, &n);
		FUZZ_CHECK((long)n == e.n);
		FUZZ_CHECK(jmb_meeting_next(&m, start, &next) && next.start == start);
		FUZZ_CHECK(jmb_meeting_last_end(&m) == last + 3600);
	}
	jmb_pool_free(&pool);
	free(text);
	return 0;
}
