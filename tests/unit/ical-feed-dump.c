/* Prints the sample iCal feed as alice (default) or bob sees it, for
 * tests/integration/test_ical_parsers.py. Exits 1 when libical cannot read its
 * own output back or the folding is wrong, so `make check` running it means something. */
#include "config.h"

#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ical-feed-sample.h"

static int count_errors(icalcomponent *c)
{
	int n = icalcomponent_count_properties(c, ICAL_XLICERROR_PROPERTY);

	for (icalcomponent *sub = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT);
	     sub != NULL; sub = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
		n += count_errors(sub);
	return n;
}

int main(int argc, char **argv)
{
	const char *login = argc > 1 ? argv[1] : "alice";
	struct jmb_meeting_list list;
	struct jmb_feed_options options;
	const char *const *mails;
	icalcomponent *cal;
	size_t len, expected;
	char *text;
	int ret = 0;

	if ((strcmp(login, "alice") != 0 && strcmp(login, "bob") != 0) || argc > 2) {
		fprintf(stderr, "usage: %s [alice|bob]\n", argv[0]);
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
