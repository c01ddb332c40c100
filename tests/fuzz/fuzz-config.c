/* libFuzzer target: jmb.conf text (jmb_config_file_from_string, then the
 * core settings and the unclaimed-key check, as jmbd does at start-up). */
#include "config.h"

#include "config/config-file.h"
#include "fuzz.h"
#include "util/memory.h"
#include "config/settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstring(data, size), *error = NULL, *errors = NULL;
	struct jmb_config_file *file = jmb_config_file_from_string("fuzz.conf", text, &error);

	if (file == NULL) {
		/* Every syntax error names the file and the line. */
		FUZZ_CHECK(error != NULL && strncmp(error, "fuzz.conf:", 10) == 0);
		free(error);
	} else {
		struct jmb_pool *pool = jmb_pool_new();
		struct jmb_settings settings;

		if (jmb_settings_load(file, &settings, pool, &errors) < 0)
			FUZZ_CHECK(errors != NULL && strncmp(errors, "fuzz.conf", 9) == 0);
		else
			FUZZ_CHECK(settings.server.public_url != NULL &&
			           settings.auth.plugins != NULL);
		free(errors);
		errors = NULL;
		if (jmb_config_check_unclaimed(file, &errors) < 0)
			FUZZ_CHECK(errors != NULL);
		free(errors);
		jmb_config_file_free(&file);
		jmb_pool_free(&pool);
	}
	free(text);
	return 0;
}
