/* Where the IdP metadata comes from: a file read at init, or a URL fetched
 * with libcurl at init (and every `refresh` seconds by a background thread),
 * kept in a cache file for the times the URL cannot be reached.
 *
 * Request threads borrow the metadata in use with saml_idp_source_get and give
 * it back with saml_idp_source_release; a refresh builds a new one aside and
 * swaps a pointer under a mutex, so what a request holds never changes under
 * it and is freed by whoever lets go of it last. */
#ifndef JMB_SAML_IDP_SOURCE_H
#define JMB_SAML_IDP_SOURCE_H

#include <stddef.h>

#include "saml-metadata.h"

struct saml_idp_source_settings {
	const char *file;      /* idp_metadata_file, or NULL */
	const char *url;       /* idp_metadata_url, or NULL: exactly one is set */
	const char *cache;     /* idp_metadata_cache: the URL's last good copy */
	const char *entity_id; /* idp_entity_id; NULL: the only IdP of the document */
	long refresh;          /* idp_metadata_refresh: seconds between fetches, 0: none */
};

/* Loads the metadata once: the file; or the URL, written to the cache, else
 * the cache with a warning. NULL and a malloc'd message naming the key at
 * fault ("idp_metadata_url: ...") in error when there is none. */
struct saml_idp_source *saml_idp_source_new(const struct saml_idp_source_settings *settings,
                                            struct jmb_error *error);
/* Stops the refresh thread (an ongoing fetch is aborted) and lets go of the
 * metadata; borrowed copies stay valid until released. */
void saml_idp_source_free(struct saml_idp_source **srcp);

/* The metadata in use (never NULL); give it back with saml_idp_source_release. */
const struct saml_idp *saml_idp_source_get(struct saml_idp_source *src);
void saml_idp_source_release(struct saml_idp_source *src, const struct saml_idp *idp);

/* 0 when url may be fetched: https, or plain http to the loopback
 * (127.0.0.1, [::1], localhost) for tests and local relays. */
int saml_metadata_url_check(const char *url, struct jmb_error *error);

#endif
