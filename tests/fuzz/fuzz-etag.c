/* libFuzzer target: If-None-Match request headers (jmb_etag_next), whose tags
 * page-feed.c then reads as feed versions. */
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
	}
	free(header);
	return 0;
}
