/* libFuzzer target: RFC 3339 instants, form dates and clocks, and zone
 * names (jmb_parse_rfc3339, jmb_parse_date, jmb_parse_clock,
 * jmb_timezone_is_valid), with formatting as a round-trip oracle. */
#include "config.h"

#include "fuzz.h"
#include "util/timeutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstring(data, size), buf[64];
	struct jmb_local_time date = {0}, clock = {0}, back;
	time_t utc, again;

	/* Every formatter clamps to JMB_TIME_MIN..JMB_TIME_MAX (years 1970..2500):
	   the round trip is exact only inside that range. */
	if (jmb_parse_rfc3339(text, &utc) == 0 && utc >= JMB_TIME_MIN && utc <= JMB_TIME_MAX) {
		/* What we print, we read back as the same instant, in any zone. */
		jmb_format_rfc3339(utc, "UTC", buf, sizeof(buf));
		FUZZ_CHECK(jmb_parse_rfc3339(buf, &again) == 0 && again == utc);
		jmb_format_rfc3339(utc, "America/New_York", buf, sizeof(buf));
		FUZZ_CHECK(jmb_parse_rfc3339(buf, &again) == 0 && again == utc);
	}
	if (jmb_parse_date(text, &date) == 0) {
		FUZZ_CHECK(date.month >= 1 && date.month <= 12 && date.day >= 1 && date.day <= 31);
		if (jmb_local_to_utc(&date, "Europe/Paris", &utc) == 0 && utc >= JMB_TIME_MIN &&
		    utc <= JMB_TIME_MAX) {
			FUZZ_CHECK(jmb_utc_to_local(utc, "Europe/Paris", &back) == 0);
			FUZZ_CHECK(back.year == date.year && back.month == date.month &&
			           back.day == date.day);
		}
	}
	if (jmb_parse_clock(text, &clock) == 0)
		FUZZ_CHECK(clock.hour < 24 && clock.minute < 60 && clock.second < 60);
	/* Zone names come from forms and the API: never a path out of zoneinfo. */
	if (jmb_timezone_is_valid(text))
		FUZZ_CHECK(text[0] != '/' && strstr(text, "..") == NULL && strlen(text) <= 64);
	free(text);
	return 0;
}
