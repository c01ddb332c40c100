/* GET /api/v1/directory?q=...: the invite autocomplete. Authenticated, at
 * least 2 characters, at most 20 results; 503 when the directory is down. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "directory/directory.h"
#include "web/form.h"
#include "handlers.h"
#include "util/log.h"
#include "render.h"

#define DIRECTORY_MIN_QUERY 2
#define DIRECTORY_MAX_QUERY 100
#define DIRECTORY_MAX_RESULTS 20

static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

void api_directory_search(struct jmbd *d, struct jmb_request *req, struct jmb_response *resp)
{
	const char *q = jmb_request_query(req, "q");
	struct jmb_directory_match *matches = NULL;
	enum jmb_directory_result r;
	size_t count = 0, len;
	struct jmb_error error;
	json_t *results;

	len = q != NULL ? strlen(q) : 0;
	if (q == NULL || !jmb_utf8_is_valid(q, len) || memchr(q, '\0', len) != NULL ||
	    utf8_chars(q) < DIRECTORY_MIN_QUERY || utf8_chars(q) > DIRECTORY_MAX_QUERY) {
		render_json_error(resp, 400,
		                  tr(d, req, N_("Type at least 2 characters (and at most 100).")),
		                  NULL);
		return;
	}
	/* The same answer with or without a directory: nobody to suggest. */
	if (d->rt->directory == NULL) {
		render_json(resp, 200, json_pack("{s:[]}", "results"));
		return;
	}
	r = jmb_directory_search(d->rt->directory, req->pool, q, DIRECTORY_MAX_RESULTS, &matches,
	                         &count, &error);
	if (r == JMB_DIRECTORY_UNAVAILABLE) {
		jmb_log(jmb_directory_held_down(d->rt->directory) ? JMB_LOG_DEBUG : JMB_LOG_WARNING,
		        "directory_unavailable", "use", "autocomplete", "error", error.text, NULL);
		render_json_error(resp, 503,
		                  tr(d, req,
		                     N_("The directory is unavailable. You can still type "
		                        "addresses in full.")),
		                  NULL);
		return;
	}
	results = json_array();
	for (size_t i = 0; i < count; i++)
		json_array_append_new(results, json_pack("{s:s, s:s, s:s}", "name", matches[i].name,
		                                         "mail", matches[i].mail, "kind",
		                                         jmb_directory_kind_name(matches[i].kind)));
	render_json(resp, 200, json_pack("{s:o}", "results", results));
}
