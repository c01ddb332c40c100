/* The small routes: home, health check, static files, logout. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth.h"
#include "daemon.h"
#include "util/log.h"
#include "handlers.h"
#include "util/memory.h"
#include "render.h"

#define STATIC_MAX_SIZE (2 * 1024 * 1024)

void page_home(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	jmb_response_redirect(resp, 302, "/meetings");
}

void page_healthz(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	struct jmb_error error;
	enum jmb_store_result r = jmb_store_ping(d->store, &error);

	if (r == JMB_STORE_OK) {
		jmb_response_set_body(resp, "text/plain; charset=utf-8", "ok\n", 3);
		return;
	}
	jmb_log(JMB_LOG_WARNING, "healthz", "error", error.text, NULL);
	metrics_count(METRICS_STORE_ERROR);
	resp->status = 503;
	jmb_response_set_body(resp, "text/plain; charset=utf-8", "store unavailable\n", 18);
}

static const char *content_type_for(const char *name)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
	    {".css", "text/css; charset=utf-8"},
	    {".js", "text/javascript; charset=utf-8"},
	    {".svg", "image/svg+xml"},
	    {".png", "image/png"},
	    {".ico", "image/x-icon"},
	    {".woff2", "font/woff2"},
	    {".json", "application/json"},
	};
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot != NULL && i < sizeof(types) / sizeof(types[0]); i++) {
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	}
	return NULL;
}

static bool static_name_is_safe(const char *name)
{
	if (*name == '.' || strlen(name) > 100)
		return false;
	for (const char *p = name; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
			return false;
	}
	return true;
}

/* A file of [server] static_dir, with an ETag from its time and size. */
static void serve_static(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp,
                         const char *name)
{
	const char *type = content_type_for(name);
	char *path, *data = NULL, etag[64];
	struct stat st;
	int fd = -1;

	if (!static_name_is_safe(name) || type == NULL)
		goto not_found;
	path = jmb_pool_printf(req->pool, "%s/%s", d->rt->settings.server.static_dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > STATIC_MAX_SIZE)
		goto not_found;
	snprintf(etag, sizeof(etag), "\"%lx-%lx\"", (unsigned long)st.st_mtime,
	         (unsigned long)st.st_size);
	jmb_response_add_header(resp, "ETag", etag);
	jmb_response_add_header(resp, "Cache-Control", "public, max-age=3600");
	const char *inm = jmb_request_header(req, "If-None-Match");
	if (inm != NULL && strcmp(inm, etag) == 0) {
		resp->status = 304;
		close(fd);
		return;
	}
	data = jmb_pool_alloc(req->pool, (size_t)st.st_size + 1);
	if (read(fd, data, (size_t)st.st_size) != st.st_size)
		goto not_found;
	close(fd);
	resp->content_type = type;
	resp->body = data;
	resp->body_len = (size_t)st.st_size;
	return;
not_found:
	if (fd >= 0)
		close(fd);
	resp->n_headers = 0;
	resp->status = 404;
	jmb_response_set_body(resp, "text/plain; charset=utf-8", "not found\n", 10);
}

void page_logout(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	const struct jmb_identity *who = req->identity;
	bool sso = who != NULL && req->session_hash == NULL;

	auth_logout(d, req, resp);
	/* The page is shown logged out: no name, menu or logout button in its
	   header. The request log still names who logged out. */
	req->identity = NULL;
	render_page(d, req, resp, 200, "logged-out", json_pack("{s:b}", "sso", sso));
	req->identity = who;
}

void page_static(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	serve_static(d, req, resp, req->params[0]);
}

/* The OpenAPI description of /api/v1, kept beside the pages' files. */
void api_openapi(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	serve_static(d, req, resp, "openapi.json");
}
