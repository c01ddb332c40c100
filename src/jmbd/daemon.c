/* Loading and reloading the daemon's runtime, and opening the store. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "daemon.h"
#include "directory/directory.h"
#include "util/log.h"
#include "util/memory.h"
#include "util/secret.h"

/* CLOCK_REALTIME, not time(): glibc's time() reads the kernel's coarse clock,
 * which lags gettimeofday() by up to one tick, so around a second boundary a
 * token could be dated a second before a client that read the clock first. */
time_t jmbd_now(void)
{
	static long offset = -1;
	struct timespec ts;

	if (offset == -1) {
		const char *s = getenv("JMB_TEST_TIME_OFFSET");
		offset = s != NULL ? strtol(s, NULL, 10) : 0;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + offset;
}

static const char *url_host(struct jmb_pool *pool, const char *url)
{
	const char *p = strstr(url, "://");
	size_t len;

	p = p != NULL ? p + 3 : url;
	len = strcspn(p, ":/");
	return len > 0 ? jmb_pool_strndup(pool, p, len) : "localhost";
}

/* The directory's outages, logged once each way (context: the [ldap] settings). */
static void directory_changed(void *context, bool available, const char *error)
{
	const struct jmb_ldap_settings *ldap = context;
	char retry_after[24];

	if (available) {
		jmb_log(JMB_LOG_INFO, "directory_available", NULL);
		return;
	}
	snprintf(retry_after, sizeof(retry_after), "%ld", ldap->retry_after);
	jmb_log(JMB_LOG_ERROR, "directory_unavailable", "error", error, "retry_after", retry_after,
	        NULL);
}

struct jmbd_runtime *jmbd_runtime_load(const char *config_path, struct jmb_error *error)
{
	struct jmbd_runtime *rt = jmb_xcalloc(1, sizeof(*rt));
	struct jmb_config_file *file = jmb_config_file_read(config_path, error);

	atomic_init(&rt->refs, 1);
	rt->pool = jmb_pool_new();
	if (file == NULL)
		goto fail;
	if (jmb_settings_load(file, &rt->settings, rt->pool, error) < 0)
		goto fail;
	rt->plugins = jmb_auth_plugins_load(file, &rt->settings, rt->pool, error);
	if (rt->plugins == NULL)
		goto fail;
	if (jmb_config_check_unclaimed(file, error) < 0)
		goto fail;
	rt->views = jmb_views_load(rt->settings.server.template_dir, error);
	if (rt->views == NULL)
		goto fail;
	rt->i18n = jmb_i18n_load(rt->settings.server.locale_dir, error);
	if (rt->i18n == NULL)
		goto fail;
	if (jmb_auth_plugins_init(rt->plugins, &jmbd_auth_host, error) < 0)
		goto fail;
	rt->uid_domain = url_host(rt->pool, rt->settings.server.public_url);
	if (jmb_directory_configured(&rt->settings.ldap) &&
	    (rt->directory = jmb_directory_new(&rt->settings.ldap, directory_changed,
	                                       &rt->settings.ldap, error)) == NULL)
		goto fail;
	jmb_config_file_free(&file);
	return rt;
fail:
	jmb_config_file_free(&file);
	jmbd_runtime_put(&rt);
	return NULL;
}

static void runtime_free(struct jmbd_runtime **rtp)
{
	struct jmbd_runtime *rt = *rtp;

	if (rt == NULL)
		return;
	jmb_auth_plugins_free(&rt->plugins);
	jmb_directory_free(&rt->directory);
	jmb_views_free(&rt->views);
	jmb_i18n_free(&rt->i18n);
	jmb_pool_free(&rt->pool);
	free(rt);
	*rtp = NULL;
}

struct jmbd_runtime *jmbd_runtime_get(struct jmbd *d)
{
	struct jmbd_runtime *rt;

	pthread_rwlock_rdlock(&d->lock);
	rt = d->rt;
	atomic_fetch_add(&rt->refs, 1);
	pthread_rwlock_unlock(&d->lock);
	return rt;
}

void jmbd_runtime_put(struct jmbd_runtime **rtp)
{
	struct jmbd_runtime *rt = *rtp;

	*rtp = NULL;
	if (rt != NULL && atomic_fetch_sub(&rt->refs, 1) == 1)
		runtime_free(&rt);
}

void jmbd_lock_init(struct jmbd *d)
{
	pthread_rwlockattr_t attr;

	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&d->lock, &attr);
	pthread_rwlockattr_destroy(&attr);
}

int jmbd_open_store(struct jmbd *d, struct jmb_error *error)
{
	struct jmb_pool *pool = jmb_pool_new();
	char candidate[JMB_TOKEN_LEN * 2 + 1], *key = NULL;
	int from = 0, to = 0, ret = -1;

	d->store = jmb_store_open(&d->rt->settings.store, error);
	if (d->store == NULL)
		goto out;
	if (jmb_store_migrate(d->store, &from, &to, error) != JMB_STORE_OK)
		goto out;
	if (from != to) {
		char f[16], t[16];
		snprintf(f, sizeof(f), "%d", from);
		snprintf(t, sizeof(t), "%d", to);
		jmb_log(JMB_LOG_INFO, "store_migrated", "from", f, "to", t, NULL);
	}
	jmb_random_token(candidate);
	jmb_random_token(candidate + JMB_TOKEN_LEN);
	if (jmb_store_secret_get(d->store, pool, "csrf", candidate, &key, error) != JMB_STORE_OK)
		goto out;
	d->csrf_key = jmb_xstrdup(key);
	ret = 0;
out:
	explicit_bzero(candidate, sizeof(candidate));
	jmb_pool_free(&pool);
	return ret;
}

static bool store_settings_equal(const struct jmb_store_settings *a,
                                 const struct jmb_store_settings *b)
{
	return a->driver == b->driver &&
	       strcmp(a->path != NULL ? a->path : "", b->path != NULL ? b->path : "") == 0 &&
	       strcmp(a->conninfo != NULL ? a->conninfo : "",
	              b->conninfo != NULL ? b->conninfo : "") == 0;
}

int jmbd_reload(struct jmbd *d, struct jmb_error *error)
{
	struct jmbd_runtime *fresh = jmbd_runtime_load(d->config_path, error), *old;

	if (fresh == NULL)
		return -1;
	if (!store_settings_equal(&fresh->settings.store, &d->rt->settings.store))
		jmb_log(JMB_LOG_WARNING, "reload", "note",
		        "[store] changes take effect only after a restart", NULL);
	if (strcmp(fresh->settings.server.listen, d->rt->settings.server.listen) != 0)
		jmb_log(JMB_LOG_WARNING, "reload", "note",
		        "[server] listen changes take effect only after a restart", NULL);
	pthread_rwlock_wrlock(&d->lock);
	old = d->rt;
	d->rt = fresh;
	pthread_rwlock_unlock(&d->lock);
	jmbd_runtime_put(&old); /* freed now, or by the queue worker after its round */
	return 0;
}
