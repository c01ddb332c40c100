/* Password hashing and checking with libxcrypt. */
#include "config.h"

#include <crypt.h>
#include <stdlib.h>
#include <string.h>

#include "util/memory.h"
#include "auth/password.h"
#include "util/secret.h"

char *jmb_password_hash(const char *password)
{
	struct crypt_data data;
	char *setting, *hash;

	memset(&data, 0, sizeof(data));
	setting = crypt_gensalt_ra("$y$", 0, NULL, 0);
	if (setting == NULL)
		return NULL;
	hash = crypt_r(password, setting, &data);
	free(setting);
	if (hash == NULL || hash[0] == '*')
		return NULL;
	hash = jmb_xstrdup(hash);
	explicit_bzero(&data, sizeof(data));
	return hash;
}

bool jmb_password_verify(const char *password, const char *hash)
{
	struct crypt_data data;
	const char *computed;
	bool ok;

	if (hash == NULL || hash[0] != '$')
		return false;
	memset(&data, 0, sizeof(data));
	computed = crypt_r(password, hash, &data);
	ok = computed != NULL && computed[0] != '*' && jmb_secure_streq(computed, hash);
	explicit_bzero(&data, sizeof(data));
	return ok;
}

char *jmb_password_generate(void)
{
	/* No look-alikes (0/O, 1/l/I): people copy it by hand. */
	static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	unsigned char raw[20];
	char *out = jmb_xmalloc(sizeof(raw) + 1);

	jmb_random_bytes(raw, sizeof(raw));
	for (size_t i = 0; i < sizeof(raw); i++)
		out[i] = alphabet[raw[i] % (sizeof(alphabet) - 1)];
	out[sizeof(raw)] = '\0';
	return out;
}
