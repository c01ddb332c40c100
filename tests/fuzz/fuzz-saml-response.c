/* libFuzzer target: the SAML ACS parser and checks (saml_response_check) on
 * raw response XML, plus the IdP metadata reader and request ID check on the
 * same bytes. The seeds in corpus/saml-response are signed with the key of
 * the certificate below (its private key was thrown away), at the target's
 * fixed clock, so the fuzzer also reaches the checks after the signature. */
#include "config.h"

#include <time.h>

#include <xmlsec/crypto.h>

#include "fuzz.h"
#include "util/memory.h"
#include "saml-crypto.h"
#include "saml-metadata.h"
#include "saml-request.h"
#include "saml-response.h"

static const char idp_cert_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIDBzCCAe+gAwIBAgIUc/IPZM5rztrDdMIR6bYmDtnXtbQwDQYJKoZIhvcNAQEL\n"
    "BQAwEzERMA8GA1UEAwwIZnV6ei1pZHAwHhcNMjYxMTI0MjA1OTA1WhcNMzYxMTIx\n"
    "MjA1OTA1WjATMREwDwYDVQQDDAhmdXp6LWlkcDCCASIwDQYJKoZIhvcNAQEBBQAD\n"
    "ggEPADCCAQoCggEBAM63KVJMQq5xviHLkDi3X9TlbnWztIkaUIySb0NooA9mz2D7\n"
    "c+cwQT9L/ZfroiFboNR/piwNf5zObtINeU35Iof0jDakMaV01ZAmqO5rcTgwP1+M\n"
    "q53vr2NJUIJGgFografbox1MxN4VPMrv7QMaLMFxmpHDcamn7dvckVnE6e6724Hd\n"
    "tWArfpsFBfelD+RcqmRJ7kL0FSeJB8cvPiJHo0wAzhyZz/d3KKaAiktHZSX7szL1\n"
    "jqZOMbA6VtmWcUKIehF73/rr37VzNKojq+P5xVOjnyCdFBEfFRx9kzKmKYpP1uTO\n"
    "nDLWaDqJDUOU8sGU5BYAib7f21EZoPHYX/5LX60CAwEAAaNTMFEwHQYDVR0OBBYE\n"
    "FIayN35BiQIO9AeMAvpQlF+SokZSMB8GA1UdIwQYMBaAFIayN35BiQIO9AeMAvpQ\n"
    "lF+SokZSMA8GA1UdEwEB/wQFMAMBAf8wDQYJKoZIhvcNAQELBQADggEBAIYCbUPl\n"
    "rFmuZ9AY5mhRhmvOsmVQ/5D7mY7VbmjVp8UU1yfetzwEfKHTFIfcXNDzrYCYuCCo\n"
    "ix161di7EG4whkSnrAviFr2ltgSsHdIPjntitXU2w4GlaC33gc0/PFsMMD6ho9+r\n"
    "lDAYZv6G3aR0iXjo2+DXDQb2vTrjTEYG5G+9kdqkrhK1edPrf67Gk2KofjWFvykR\n"
    "noeQD/XFFZ6J6PdR7mnbYu6WN85tJxTpU/0CskVNkJwcvVX05rJGLKqQtJw/NNQ1\n"
    "j3gWMLwuWuYzNMyuuUhiCtCH/vnYLObpxbJRQIEpwdhFR0MkB7vjzlyBniQ3kFsW\n"
    "LAddRSo1TJHBTTw=\n"
    "-----END CERTIFICATE-----\n";

static struct saml_keys keys;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (saml_crypto_init(NULL) < 0)
		abort();
	keys.items[0] = xmlSecCryptoAppKeyLoadMemory((const xmlSecByte *)idp_cert_pem,
	                                             (xmlSecSize)sizeof(idp_cert_pem) - 1,
	                                             xmlSecKeyDataFormatCertPem, NULL, NULL, NULL);
	if (keys.items[0] == NULL)
		abort();
	keys.count = 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jmb_pool *pool = jmb_pool_new();
	struct saml_expect expect = {
	    .acs_url = "https://jmb.example.org/auth/saml/acs",
	    .sp_entity_id = "https://jmb.example.org/sp",
	    .idp_entity_id = "https://idp.example.org/idp",
	    .idp_keys = &keys,
	    .sp_key = NULL,
	    .now = 1767225600, /* 2026-01-01T00:00:00Z, the seeds' clock */
	    .clock_skew = 180,
	};
	struct saml_failure failure = {0};
	struct saml_assertion a;
	struct saml_idp idp;
	char *text = fuzz_cstring(data, size);
	time_t expires;

	if (saml_response_check((const char *)data, size, &expect, pool, &a, &failure) == 0) {
		/* Accepted: it must have been signed and name the request it answers. */
		FUZZ_CHECK(a.response_signed || a.assertion_signed);
		FUZZ_CHECK(a.in_response_to != NULL && a.assertion_id != NULL);
	} else {
		FUZZ_CHECK(failure.check != NULL);
	}
	if (saml_idp_metadata_read((const char *)data, size, NULL, &idp, NULL) == 0)
		saml_idp_clear(&idp);
	(void)saml_request_id_check(text, "fuzz-secret-0123456789", expect.now, 600, 180, &expires);
	free(text);
	jmb_pool_free(&pool);
	return 0;
}
