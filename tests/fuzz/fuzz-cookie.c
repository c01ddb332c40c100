/* libFuzzer target: Cookie request headers (jmb_cookie_parse). */
#include "config.h"

#include "web/form.h"
#include "fuzz.h"
#include "util/memory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jmb_pool *pool = jmb_pool_new();
	char *header = fuzz_cstring(data, size);
	struct jmb_pairs cookies;

	jmb_cookie_parse(pool, header, &cookies);
	for (size_t i = 0; i < cookies.count; i++) {
		const char *name = cookies.items[i].name, *value = cookies.items[i].value;

		/* Pieces never span the ';' that separates them, and names are not empty. */
		FUZZ_CHECK(*name != '\0' && strchr(name, ';') == NULL && strchr(name, '=') == NULL);
		FUZZ_CHECK(strchr(value, ';') == NULL);
		FUZZ_CHECK(strlen(name) + strlen(value) < strlen(header));
		FUZZ_CHECK(jmb_pairs_get(&cookies, name) != NULL);
	}
	free(header);
	jmb_pool_free(&pool);
	return 0;
}
