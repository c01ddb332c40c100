/* libFuzzer target: gettext .mo catalogues (jmb_catalog_parse and lookups). */
#include "config.h"

#include "fuzz.h"
#include "web/i18n.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jmb_catalog *c = jmb_catalog_parse(data, size);
	static const char *const msgids[] = {"", "Hello", "My meetings", "%d meeting", "zzz", NULL};

	if (c == NULL)
		return 0;
	for (size_t i = 0; msgids[i] != NULL; i++) {
		const char *t = jmb_catalog_lookup(c, msgids[i]);
		FUZZ_CHECK(t != NULL);
		(void)strlen(t); /* within the catalogue's copy, and terminated */
	}
	/* Strings taken from the image itself as msgids. */
	for (size_t off = 0; off + 1 < size && off < 4096; off += 29) {
		char *msgid = fuzz_cstring(data + off, size - off > 64 ? 64 : size - off);
		(void)strlen(jmb_catalog_lookup(c, msgid));
		free(msgid);
	}
	jmb_catalog_free(&c);
	FUZZ_CHECK(c == NULL);
	return 0;
}
