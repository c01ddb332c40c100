/* libFuzzer target: If-None-Match request headers (jmb_etag_next), whose tags
 * page-feed.c then reads as feed versions (jmb_feed_etag_parse). */
#include "config.h"

#include "fuzz.h"
#include "web/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *header = fuzz_cstring(data, size);
	const char *cursor = header, *before, *tag;
	size_t len, end = strlen(header);

	for (;;) {
		before = cursor;
		tag = jmb_etag_next(&cursor, &len);
		if (tag == NULL) {
			FUZZ_CHECK(cursor == before); /* a refusal moves nothing */
			break;
		}
		/* Each tag lies inside the header, between quotes, holds none, and
		 * the cursor moves on: the loop ends. */
		FUZZ_CHECK(tag > header && tag + len < header + end + 1);
		FUZZ_CHECK(tag[-1] == '"' && tag[len] == '"');
		FUZZ_CHECK(memchr(tag, '"', len) == NULL);
		FUZZ_CHECK(cursor > before && cursor <= header + end);
		/* A feed tag is read only in its one canonical spelling: printed
		   back, the fields give the tag itself. */
		long long changes, expiry;
		char context[17], again[64];
		if (jmb_feed_etag_parse(tag, len, &changes, &expiry, context) == 0) {
			FUZZ_CHECK(changes >= 0 && expiry >= 0);
			int n = snprintf(again, sizeof(again), "%lld-%lld-%s", changes, expiry,
			                 context);
			FUZZ_CHECK(n > 0 && (size_t)n == len && memcmp(again, tag, len) == 0);
		}
	}
	free(header);
	return 0;
}
