/* libFuzzer target: jmb.conf text (jmb_config_file_from_string, then the
 * core settings and the unclaimed-key check, as jmbd does at start-up). */
#include "config.h"

#include "config/config-file.h"
#include "fuzz.h"
#include "util/memory.h"
#include "config/settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstring(data, size);
	struct jmb_error error;
	struct jmb_config_file *file = jmb_config_file_from_string("fuzz.conf", text, &error);

	if (file == NULL) {
		/* Every syntax error names the file and the line. */
		FUZZ_CHECK(strncmp(error.text, "fuzz.conf:", 10) == 0);
	} else {
		struct jmb_pool *pool = jmb_pool_new();
		struct jmb_settings settings;

		if (jmb_settings_load(file, &settings, pool, &error) < 0)
			FUZZ_CHECK(strncmp(error.text, "fuzz.conf", 9) == 0 &&
			           memchr(error.text, '\0', sizeof(error.text)) != NULL);
		else
			FUZZ_CHECK(settings.server.public_url != NULL &&
			           settings.auth.plugins != NULL);
		if (jmb_config_check_unclaimed(file, &error) < 0)
			FUZZ_CHECK(strncmp(error.text, "fuzz.conf", 9) == 0);
		jmb_config_file_free(&file);
		jmb_pool_free(&pool);
	}
	free(text);
	return 0;
}
