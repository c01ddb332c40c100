/* libFuzzer target: Accept-Language request headers (jmb_accept_language_pick). */
#include "config.h"

#include "web/form.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const supported[] = {"fr", "en", NULL};
	static const char fallback[] = "fallback";
	char *header = fuzz_cstring(data, size);
	const char *picked = jmb_accept_language_pick(header, supported, fallback);

	/* Always one of ours: never a piece of the header. */
	FUZZ_CHECK(picked == supported[0] || picked == supported[1] || picked == fallback);
	free(header);
	return 0;
}
