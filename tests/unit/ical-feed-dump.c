/* Prints the sample iCal feed as alice (default) or bob sees it, for
 * tests/integration/test_ical_parsers.py. Exits 1 when libical cannot read its
 * own output back or the folding is wrong, so `make check` running it means something.
 *
 * With --occurrences, prints instead jmb's own expansion of every sample meeting
 * (jmb_meeting_occurrences) as JSON, {uid: [{recurrence_id, start, end, cancelled}]}
 * with UTC epoch seconds, for tests/integration/test_ical_series.py. */
#include "config.h"

#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/recurrence.h"
#include "ical-feed-sample.h"
#include "util/memory.h"

static int count_errors(icalcomponent *c)
{
	int n = icalcomponent_count_properties(c, ICAL_XLICERROR_PROPERTY);

	for (icalcomponent *sub = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT);
	     sub != NULL; sub = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
		n += count_errors(sub);
	return n;
}

static int print_occurrences(const char *login)
{
	struct jmb_meeting_list list;
	struct jmb_feed_options options;
	const char *const *mails;
	struct jmb_pool *pool = jmb_pool_new();

	sample_feed_inputs(login, &list, &options, &mails);
	printf("{");
	for (size_t i = 0; i < list.count; i++) {
		const struct jmb_meeting *m = list.items[i];
		size_t n;
		struct jmb_occurrence *occ =
		    jmb_meeting_occurrences(pool, m, 0, (time_t)4102444800 /* 2100 */, 100000, &n);

		printf("%s\"%s\": [", i > 0 ? ", " : "", m->uid);
		for (size_t k = 0; k < n; k++)
			printf("%s{\"recurrence_id\": %lld, \"start\": %lld, \"end\": %lld, "
			       "\"cancelled\": %s}",
			       k > 0 ? ", " : "", (long long)occ[k].recurrence_id,
			       (long long)occ[k].start, (long long)occ[k].end,
			       occ[k].cancelled ? "true" : "false");
		printf("]");
	}
	printf("}\n");
	jmb_pool_free(&pool);
	return 0;
}

int main(int argc, char **argv)
{
	const char *login;
	struct jmb_meeting_list list;
	struct jmb_feed_options options;
	const char *const *mails;
	icalcomponent *cal;
	size_t len, expected;
	char *text;
	int ret = 0;

	if (argc > 1 && strcmp(argv[1], "--occurrences") == 0)
		return print_occurrences(argc > 2 ? argv[2] : "alice");
	login = argc > 1 ? argv[1] : "alice";
	if ((strcmp(login, "alice") != 0 && strcmp(login, "bob") != 0) || argc > 2) {
		fprintf(stderr, "usage: %s [--occurrences] [alice|bob]\n", argv[0]);
		return 2;
	}
	expected = strcmp(login, "bob") == 0 ? SAMPLE_EVENTS_BOB : SAMPLE_EVENTS_ALICE;
	sample_feed_inputs(login, &list, &options, &mails);
	text = jmb_ical_feed(&options, &list, login, mails, &len);
	if (text == NULL) {
		fprintf(stderr, "ical-feed-dump: jmb_ical_feed failed\n");
		return 1;
	}
	fwrite(text, 1, len, stdout);
	if (!jmb_ical_folding_is_clean(text, len)) {
		fprintf(stderr, "ical-feed-dump: bad folding or line ends\n");
		ret = 1;
	}
	cal = icalparser_parse_string(text);
	if (cal == NULL || count_errors(cal) != 0 ||
	    (size_t)icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT) != expected) {
		fprintf(stderr, "ical-feed-dump: libical does not read back %zu clean events\n",
		        expected);
		ret = 1;
	}
	if (cal != NULL)
		icalcomponent_free(cal);
	free(text);
	return ret;
}
