/* The IdP metadata of the saml plugin: from idp_metadata_file, or from
 * idp_metadata_url (libcurl, TLS verified, size-limited, redirects followed by
 * hand so each hop is checked), cached in idp_metadata_cache and refreshed by
 * a background thread. A document is used (and cached) only once it reads as
 * metadata of the configured IdP, through the same code as a file. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "jmb/log.h"
#include "jmb/memory.h"
#include "saml-idp-source.h"
#include "saml-xml.h"

#define CONNECT_TIMEOUT 10L  /* seconds */
#define TOTAL_TIMEOUT 60L    /* seconds, for the whole download */
#define LOW_SPEED_LIMIT 512L /* bytes per second ... */
#define LOW_SPEED_TIME 20L   /* ... sustained this long, else the transfer is abandoned */
#define MAX_REDIRECTS 5
#define RETRY_AFTER 300L /* seconds before another try after a failed refresh, at most */

/* The metadata in use, counted: the source holds one reference, every request
 * thread that borrowed it one more. idp comes first so a borrowed pointer
 * leads back to its holder. */
struct idp_ref {
	struct saml_idp idp;
	unsigned refs;
};

struct saml_idp_source {
	struct saml_idp_source_settings s; /* strings owned by the config pool */
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct idp_ref *current; /* under lock */
	bool stopping;           /* under lock */
	atomic_bool abort_fetch; /* read by libcurl's progress callback */
	long first_wait;         /* seconds before the first refresh */
	bool thread_started;
	bool curl_initialised;
	pthread_t thread;
};

static struct idp_ref *ref_new(void)
{
	struct idp_ref *r = jmb_xcalloc(1, sizeof(*r));

	r->refs = 1;
	return r;
}

static void ref_release(struct saml_idp_source *src, struct idp_ref *r)
{
	bool last;

	if (r == NULL)
		return;
	pthread_mutex_lock(&src->lock);
	last = --r->refs == 0;
	pthread_mutex_unlock(&src->lock);
	if (last) {
		saml_idp_clear(&r->idp);
		free(r);
	}
}

const struct saml_idp *saml_idp_source_get(struct saml_idp_source *src)
{
	struct idp_ref *r;

	pthread_mutex_lock(&src->lock);
	r = src->current;
	r->refs++;
	pthread_mutex_unlock(&src->lock);
	return &r->idp;
}

void saml_idp_source_release(struct saml_idp_source *src, const struct saml_idp *idp)
{
	if (idp != NULL)
		ref_release(src, (struct idp_ref *)(void *)idp);
}

/* ------------------------------------------------------------ documents */

static char *read_file(const char *path, size_t *len_r, struct jmb_error *error)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf;
	size_t n = 0;

	if (fd < 0) {
		jmb_error_set(error, "%s: cannot open (%s)", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    st.st_size > SAML_METADATA_MAX_SIZE) {
		close(fd);
		jmb_error_set(error, "%s: not a file, empty or larger than %d MiB", path,
		              SAML_METADATA_MAX_SIZE / (1024 * 1024));
		return NULL;
	}
	buf = jmb_xmalloc((size_t)st.st_size + 1);
	while (n < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + n, (size_t)st.st_size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (n != (size_t)st.st_size) {
		free(buf);
		jmb_error_set(error, "%s: cannot read", path);
		return NULL;
	}
	buf[n] = '\0';
	*len_r = n;
	return buf;
}

/* The document as metadata of the configured IdP, or NULL and *error. */
static struct idp_ref *read_metadata(const struct saml_idp_source *src, const char *xml, size_t len,
                                     struct jmb_error *error)
{
	struct idp_ref *r = ref_new();

	if (saml_idp_metadata_read(xml, len, src->s.entity_id, &r->idp, error) < 0) {
		free(r);
		return NULL;
	}
	return r;
}

static struct idp_ref *load_file(const struct saml_idp_source *src, const char *path,
                                 struct jmb_error *error)
{
	size_t len = 0;
	char *xml = read_file(path, &len, error);
	struct idp_ref *r;

	if (xml == NULL)
		return NULL;
	r = read_metadata(src, xml, len, error);
	free(xml);
	if (r == NULL)
		jmb_error_prefix(error, "%s: ", path);
	return r;
}

/* Writes the cache as a whole or not at all: a temporary file beside it,
 * flushed, then renamed over it. */
static int write_cache(const char *path, const char *buf, size_t len, struct jmb_error *error)
{
	char *tmp = jmb_xasprintf("%s.XXXXXX", path), *dir;
	size_t done = 0;
	int fd = mkstemp(tmp), dfd, saved;
	bool ok;

	if (fd < 0) {
		jmb_error_set(error, "%s: cannot create a file (%s)", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	(void)fchmod(fd, 0644); /* metadata is public */
	errno = 0;
	while (done < len) {
		ssize_t w = write(fd, buf + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	ok = done == len && fsync(fd) == 0;
	saved = errno;
	if (close(fd) < 0 && ok) {
		ok = false;
		saved = errno;
	}
	if (ok && rename(tmp, path) < 0) {
		ok = false;
		saved = errno;
	}
	if (!ok) {
		jmb_error_set(error, "%s: cannot write (%s)", path,
		              saved != 0 ? strerror(saved) : "short write");
		unlink(tmp);
		free(tmp);
		return -1;
	}
	/* The rename itself survives a crash once the folder is flushed. */
	dir = dirname(tmp);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	free(tmp);
	return 0;
}

/* ------------------------------------------------------------- fetching */

/* What a URL may be: https (http_ok: or plain http to the loopback). The
 * scheme and host come from libcurl's own parser, the one that fetches. */
static int check_url(const char *url, bool http_ok, bool *https_r, struct jmb_error *error)
{
	CURLU *h = curl_url();
	char *scheme = NULL, *host = NULL;
	int ret = -1;

	if (h == NULL)
		jmb_fatal_oom();
	if (curl_url_set(h, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
		jmb_error_set(error, "not an absolute URL");
	} else if (curl_url_get(h, CURLUPART_HOST, &host, 0) != CURLUE_OK || *host == '\0') {
		jmb_error_set(error, "no host (https only)");
	} else if (strcasecmp(scheme, "https") == 0) {
		*https_r = true;
		ret = 0;
	} else if (strcasecmp(scheme, "http") == 0 && http_ok &&
	           (strcmp(host, "127.0.0.1") == 0 || strcmp(host, "[::1]") == 0 ||
	            strcasecmp(host, "localhost") == 0)) {
		*https_r = false;
		ret = 0;
	} else {
		jmb_error_set(error, "%s",
		              http_ok ? "https only (plain http only to 127.0.0.1, [::1] "
		                        "or localhost)"
		                      : "a redirect from https must stay on https");
	}
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(h);
	return ret;
}

int saml_metadata_url_check(const char *url, struct jmb_error *error)
{
	bool https;

	return check_url(url, true, &https, error);
}

struct download {
	char *buf;
	size_t len, cap;
	bool too_large;
	atomic_bool *abort;
};

static size_t on_data(char *data, size_t size, size_t count, void *userdata)
{
	struct download *d = userdata;
	size_t n = size * count;

	if (n > SAML_METADATA_MAX_SIZE - d->len) {
		d->too_large = true;
		return 0; /* CURLE_WRITE_ERROR */
	}
	if (d->len + n + 1 > d->cap) {
		d->cap = d->cap == 0 ? 64 * 1024 : d->cap;
		while (d->cap < d->len + n + 1)
			d->cap *= 2;
		d->buf = jmb_xrealloc(d->buf, d->cap);
	}
	memcpy(d->buf + d->len, data, n);
	d->len += n;
	d->buf[d->len] = '\0';
	return n;
}

static int on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
	const struct download *d = userdata;

	return atomic_load(d->abort) ? 1 : 0;
}

static void restrict_protocol(CURL *c, bool https)
{
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85.0 */
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, https ? "https" : "http");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
#else
	curl_easy_setopt(c, CURLOPT_PROTOCOLS, https ? CURLPROTO_HTTPS : CURLPROTO_HTTP);
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS, CURLPROTO_HTTPS);
#endif
}

/* GETs the URL, following up to MAX_REDIRECTS redirects, each checked like
 * the configured URL except that https never leads to plain http. The body
 * of a 200 (malloc'd, NUL-terminated), or NULL and *error. */
static char *fetch(struct saml_idp_source *src, size_t *len_r, struct jmb_error *error)
{
	char errbuf[CURL_ERROR_SIZE], *url = jmb_xstrdup(src->s.url);
	struct download d = {.abort = &src->abort_fetch};
	struct curl_slist *headers = NULL;
	CURL *c = curl_easy_init();
	bool https = false, was_https = false;
	long status = 0;

	if (c == NULL)
		jmb_fatal_oom();
	headers = curl_slist_append(
	    headers, "Accept: application/samlmetadata+xml, application/xml;q=0.9, */*;q=0.1");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, TOTAL_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, LOW_SPEED_LIMIT);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, LOW_SPEED_TIME);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)SAML_METADATA_MAX_SIZE);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, ""); /* the limit holds after decoding */
	curl_easy_setopt(c, CURLOPT_USERAGENT, "jmbd/" PACKAGE_VERSION);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &d);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, &d);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);

	for (int hop = 0;; hop++) {
		const char *next = NULL;
		CURLcode rc;

		if (check_url(url, hop == 0 || !was_https, &https, error) < 0) {
			jmb_error_prefix(error, "redirected to %s: ", url);
			goto fail;
		}
		was_https = was_https || https;
		restrict_protocol(c, https);
		curl_easy_setopt(c, CURLOPT_URL, url);
		d.len = 0;
		errbuf[0] = '\0';
		rc = curl_easy_perform(c);
		if (rc != CURLE_OK) {
			if (d.too_large || rc == CURLE_FILESIZE_EXCEEDED)
				jmb_error_set(error, "%s: larger than %d MiB", url,
				              SAML_METADATA_MAX_SIZE / (1024 * 1024));
			else
				jmb_error_set(error, "%s: %s", url,
				              errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc));
			goto fail;
		}
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		if (status != 301 && status != 302 && status != 303 && status != 307 &&
		    status != 308)
			break;
		if (curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &next) != CURLE_OK ||
		    next == NULL) {
			jmb_error_set(error, "%s: HTTP %ld without a usable Location", url, status);
			goto fail;
		}
		if (hop == MAX_REDIRECTS) {
			jmb_error_set(error, "%s: more than %d redirects", src->s.url,
			              MAX_REDIRECTS);
			goto fail;
		}
		free(url);
		url = jmb_xstrdup(next);
	}
	if (status != 200) {
		jmb_error_set(error, "%s: HTTP %ld", url, status);
		goto fail;
	}
	if (d.len == 0) {
		jmb_error_set(error, "%s: empty answer", url);
		goto fail;
	}
	curl_slist_free_all(headers);
	curl_easy_cleanup(c);
	free(url);
	*len_r = d.len;
	return d.buf;
fail:
	free(d.buf);
	curl_slist_free_all(headers);
	curl_easy_cleanup(c);
	free(url);
	return NULL;
}

/* Fetches and reads the URL's metadata; a good one is written to the cache
 * (a cache that cannot be written is only a warning). */
static struct idp_ref *load_url(struct saml_idp_source *src, struct jmb_error *error)
{
	size_t len = 0;
	char *xml = fetch(src, &len, error);
	struct jmb_error why;
	struct idp_ref *r;

	if (xml == NULL)
		return NULL;
	r = read_metadata(src, xml, len, error);
	if (r == NULL) {
		jmb_error_prefix(error, "%s: ", src->s.url);
	} else if (write_cache(src->s.cache, xml, len, &why) < 0) {
		jmb_log(JMB_LOG_WARNING, "saml_metadata_cache", "error", why.text, "note",
		        "the fetched metadata is used, but a restart while the URL is unreachable "
		        "will find no copy",
		        NULL);
	}
	free(xml);
	return r;
}

/* ------------------------------------------------------------- refreshes */

static void log_in_use(const char *event, enum jmb_log_level level, const struct saml_idp *idp,
                       const char *source)
{
	char keys[8];

	snprintf(keys, sizeof(keys), "%zu", idp->keys.count);
	jmb_log(level, event, "source", source, "idp", idp->entity_id, "sso_url", idp->sso_url,
	        "signing_keys", keys, NULL);
}

static bool refresh_once(struct saml_idp_source *src)
{
	struct jmb_error error;
	struct idp_ref *fresh = load_url(src, &error), *old;

	if (fresh == NULL) {
		if (!atomic_load(&src->abort_fetch))
			jmb_log(JMB_LOG_WARNING, "saml_metadata_refresh_failed", "url", src->s.url,
			        "error", error.text, "note", "keeping the metadata in use", NULL);
		return false;
	}
	pthread_mutex_lock(&src->lock);
	old = src->current;
	src->current = fresh;
	pthread_mutex_unlock(&src->lock);
	ref_release(src, old);
	log_in_use("saml_metadata_refreshed", JMB_LOG_INFO, &fresh->idp, src->s.url);
	return true;
}

static void *refresh_main(void *arg)
{
	struct saml_idp_source *src = arg;
	long wait;

	pthread_mutex_lock(&src->lock);
	wait = src->first_wait;
	while (!src->stopping) {
		struct timespec deadline;
		bool ok;

		clock_gettime(CLOCK_MONOTONIC, &deadline);
		deadline.tv_sec += wait;
		while (!src->stopping &&
		       pthread_cond_timedwait(&src->wake, &src->lock, &deadline) != ETIMEDOUT)
			;
		if (src->stopping)
			break;
		pthread_mutex_unlock(&src->lock);
		ok = refresh_once(src);
		pthread_mutex_lock(&src->lock);
		wait = ok || src->s.refresh < RETRY_AFTER ? src->s.refresh : RETRY_AFTER;
	}
	pthread_mutex_unlock(&src->lock);
	return NULL;
}

/* The thread blocks every signal: jmbd's main thread takes them with sigwait. */
static int start_refresh(struct saml_idp_source *src, struct jmb_error *error)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&src->thread, NULL, refresh_main, src);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		jmb_error_set(error, "idp_metadata_refresh: cannot start the refresh thread");
		return -1;
	}
	src->thread_started = true;
	return 0;
}

/* ----------------------------------------------------------------- setup */

static void format_mtime(const char *path, char *out, size_t size)
{
	struct stat st;
	struct tm tm;

	if (stat(path, &st) < 0 || gmtime_r(&st.st_mtime, &tm) == NULL ||
	    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, size, "unknown");
}

static int load_first(struct saml_idp_source *src, bool *from_cache_r, struct jmb_error *error)
{
	struct jmb_error url_error, cache_error;
	char when[32];

	*from_cache_r = false;
	if (src->s.file != NULL) {
		src->current = load_file(src, src->s.file, error);
		if (src->current == NULL) {
			jmb_error_prefix(error, "idp_metadata_file: ");
			return -1;
		}
		log_in_use("saml_metadata", JMB_LOG_INFO, &src->current->idp, src->s.file);
		return 0;
	}
	src->current = load_url(src, &url_error);
	if (src->current != NULL) {
		log_in_use("saml_metadata", JMB_LOG_INFO, &src->current->idp, src->s.url);
		return 0;
	}
	src->current = load_file(src, src->s.cache, &cache_error);
	if (src->current == NULL) {
		jmb_error_set(error,
		              "idp_metadata_url: cannot get the IdP metadata (%s), and "
		              "idp_metadata_cache has no usable copy (%s)",
		              url_error.text, cache_error.text);
		return -1;
	}
	format_mtime(src->s.cache, when, sizeof(when));
	jmb_log(JMB_LOG_WARNING, "saml_metadata_fetch_failed", "url", src->s.url, "error",
	        url_error.text, "note", "using the cached copy", "cache", src->s.cache, "cached_at",
	        when, NULL);
	log_in_use("saml_metadata", JMB_LOG_INFO, &src->current->idp, src->s.cache);
	*from_cache_r = true;
	return 0;
}

struct saml_idp_source *saml_idp_source_new(const struct saml_idp_source_settings *settings,
                                            struct jmb_error *error)
{
	struct saml_idp_source *src = jmb_xcalloc(1, sizeof(*src));
	pthread_condattr_t attr;
	bool from_cache = false;

	src->s = *settings;
	pthread_mutex_init(&src->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&src->wake, &attr);
	pthread_condattr_destroy(&attr);
	atomic_init(&src->abort_fetch, false);
	if ((src->s.file == NULL) == (src->s.url == NULL)) {
		jmb_error_set(error, "%s",
		              src->s.file == NULL
		                  ? "idp_metadata_file: required (or idp_metadata_url)"
		                  : "idp_metadata_url: give idp_metadata_file or "
		                    "idp_metadata_url, not both");
		goto fail;
	}
	if (src->s.url != NULL) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			jmb_error_set(error, "idp_metadata_url: cannot initialise libcurl");
			goto fail;
		}
		src->curl_initialised = true;
		if (saml_metadata_url_check(src->s.url, error) < 0) {
			jmb_error_prefix(error, "idp_metadata_url: ");
			goto fail;
		}
		if (src->s.cache == NULL || *src->s.cache == '\0') {
			jmb_error_set(error, "idp_metadata_cache: required with idp_metadata_url");
			goto fail;
		}
	}
	if (load_first(src, &from_cache, error) < 0)
		goto fail;
	/* After a start from the cache, the first retry comes sooner. */
	src->first_wait = from_cache && src->s.refresh > RETRY_AFTER ? RETRY_AFTER : src->s.refresh;
	if (src->s.url != NULL && src->s.refresh > 0 && start_refresh(src, error) < 0)
		goto fail;
	return src;
fail:
	saml_idp_source_free(&src);
	return NULL;
}

void saml_idp_source_free(struct saml_idp_source **srcp)
{
	struct saml_idp_source *src = *srcp;

	if (src == NULL)
		return;
	if (src->thread_started) {
		atomic_store(&src->abort_fetch, true);
		pthread_mutex_lock(&src->lock);
		src->stopping = true;
		pthread_cond_signal(&src->wake);
		pthread_mutex_unlock(&src->lock);
		pthread_join(src->thread, NULL);
	}
	ref_release(src, src->current);
	if (src->curl_initialised)
		curl_global_cleanup();
	pthread_cond_destroy(&src->wake);
	pthread_mutex_destroy(&src->lock);
	free(src);
	*srcp = NULL;
}
