/* libFuzzer target: application/x-www-form-urlencoded bodies and query
 * strings (jmb_form_parse), with jmb_url_encode as a round-trip oracle. */
#include "config.h"

#include "web/form.h"
#include "fuzz.h"
#include "util/memory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jmb_pool *pool = jmb_pool_new();
	struct jmb_pairs pairs, again;

	/* The body is not NUL-terminated: exactly size bytes may be read. */
	if (jmb_form_parse(pool, (const char *)data, size, &pairs) == 0) {
		for (size_t i = 0; i < pairs.count; i++) {
			const char *name = pairs.items[i].name, *value = pairs.items[i].value;
			const char **all;

			/* Accepted fields are valid UTF-8 without NUL. */
			FUZZ_CHECK(jmb_utf8_is_valid(name, strlen(name)));
			FUZZ_CHECK(jmb_utf8_is_valid(value, strlen(value)));
			FUZZ_CHECK(jmb_pairs_get(&pairs, name) != NULL);
			all = jmb_pairs_get_all(pool, &pairs, name);
			FUZZ_CHECK(all[0] == jmb_pairs_get(&pairs, name));

			/* What we encode parses back to the same pair. */
			char *encoded = jmb_pool_printf(pool, "%s=%s", jmb_url_encode(pool, name),
			                                jmb_url_encode(pool, value));
			FUZZ_CHECK(jmb_form_parse(pool, encoded, strlen(encoded), &again) == 0);
			FUZZ_CHECK(again.count == 1);
			FUZZ_CHECK(strcmp(again.items[0].name, name) == 0);
			FUZZ_CHECK(strcmp(again.items[0].value, value) == 0);
		}
	}
	jmb_pool_free(&pool);
	return 0;
}
