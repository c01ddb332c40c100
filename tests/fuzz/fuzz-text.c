/* libFuzzer target: the text rules for titles, names and descriptions
 * (jmb_text_check, jmb_text_nfc, jmb_text_clean). */
#include "config.h"

#include "fuzz.h"
#include "util/memory.h"
#include "util/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool multiline = size > 0 && (data[0] & 1);
	struct jmb_pool *pool = jmb_pool_new();
	char *text = fuzz_cstring(data, size);
	enum jmb_text_verdict verdict = jmb_text_check(text, multiline);
	char *clean = jmb_text_clean(text, multiline);
	char *nfc = jmb_text_nfc(pool, text);

	/* What is cleaned passes the rules, and clean text is left as it is. */
	FUZZ_CHECK(jmb_text_check(clean, multiline) == JMB_TEXT_OK);
	if (verdict == JMB_TEXT_OK)
		FUZZ_CHECK(strcmp(clean, text) == 0);
	/* NFC exists exactly for UTF-8, is UTF-8, and is a fixed point. */
	FUZZ_CHECK((nfc == NULL) == (verdict == JMB_TEXT_NOT_UTF8));
	if (nfc != NULL) {
		FUZZ_CHECK(jmb_text_check(nfc, multiline) != JMB_TEXT_NOT_UTF8);
		FUZZ_CHECK(strcmp(jmb_text_nfc(pool, nfc), nfc) == 0);
	}
	free(clean);
	free(text);
	jmb_pool_free(&pool);
	return 0;
}
