/* libFuzzer target: identity JSON as stored in sessions and API tokens
 * (jmb_identity_from_json), and identities built from raw header bytes. */
#include "config.h"

#include "fuzz.h"
#include "domain/identity.h"
#include "util/memory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jmb_pool *pool = jmb_pool_new();
	char *text = fuzz_cstring(data, size), *json;
	struct jmb_identity *id = jmb_identity_from_json(pool, text), *back;

	if (id != NULL) {
		/* What was read writes back and reads again to the same identity. */
		json = jmb_identity_to_json(id);
		back = jmb_identity_from_json(pool, json);
		FUZZ_CHECK(back != NULL);
		FUZZ_CHECK(strcmp(back->login, id->login) == 0);
		FUZZ_CHECK(strcmp(back->mail, id->mail) == 0);
		FUZZ_CHECK(strcmp(back->name, id->name) == 0);
		for (size_t i = 0; id->mails[i] != NULL; i++)
			FUZZ_CHECK(jmb_identity_has_mail(back, id->mails[i]));
		free(json);
	}
	/* Plugins build identities from header bytes that may not be UTF-8. */
	if (*text != '\0') {
		id = jmb_identity_new(pool, text, text, text, text);
		json = jmb_identity_to_json(id);
		back = jmb_identity_from_json(pool, json);
		FUZZ_CHECK(back != NULL);
		free(json);
	}
	free(text);
	jmb_pool_free(&pool);
	return 0;
}
