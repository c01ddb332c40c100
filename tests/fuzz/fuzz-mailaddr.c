/* libFuzzer target: typed e-mail addresses and address lists
 * (jmb_mail_is_valid, jmb_mail_normalize, jmb_mail_split_list). */
#include "config.h"

#include "fuzz.h"
#include "domain/mailaddr.h"
#include "util/memory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jmb_pool *pool = jmb_pool_new();
	char *text = fuzz_cstring(data, size);
	size_t count = 0;
	char **items = jmb_mail_split_list(pool, text, &count);

	for (size_t i = 0; i < count; i++) {
		/* Items are trimmed, non-empty, and hold no separator. */
		FUZZ_CHECK(items[i] != NULL && *items[i] != '\0');
		FUZZ_CHECK(strpbrk(items[i], ",; \t\r\n") == NULL);
		if (jmb_mail_is_valid(items[i])) {
			char *lower = jmb_mail_normalize(pool, items[i]);
			/* Valid addresses stay valid once lower-cased, and fit SMTP. */
			FUZZ_CHECK(jmb_mail_is_valid(lower));
			FUZZ_CHECK(strlen(lower) <= JMB_MAIL_MAX && strchr(lower, '@') != NULL);
			FUZZ_CHECK(strcmp(jmb_mail_normalize(pool, lower), lower) == 0);
		}
	}
	FUZZ_CHECK(items[count] == NULL);
	if (jmb_mail_is_valid(text))
		FUZZ_CHECK(count == 1 && strcmp(items[0], text) == 0);
	free(text);
	jmb_pool_free(&pool);
	return 0;
}
