/* The PostgreSQL driver's connection layer: connecting with sane defaults,
 * named prepared statements cached per connection, SQLSTATE to store codes. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/memory.h"
#include "store-pg-private.h"
#include "util/strbuf.h"

#define PG_MAX_PARAMS 16
#define PG_DEFAULT_CONNECT_TIMEOUT "10"

/* Notices ("relation already exists, skipping") are not errors, and a library
   does not write to stderr. */
static void ignore_notice(void *arg, const char *message)
{
}

/* Copies message with every occurrence of secret replaced, so that no error we
   return can carry the password, whatever libpq chose to quote. */
static char *redact(const char *message, const char *secret)
{
	struct jmb_strbuf sb = {0};
	size_t secret_len = secret != NULL ? strlen(secret) : 0;
	const char *p = message, *hit;

	if (secret_len == 0)
		return jmb_xstrdup(message);
	while ((hit = strstr(p, secret)) != NULL) {
		jmb_strbuf_append(&sb, p, (size_t)(hit - p));
		jmb_strbuf_puts(&sb, "***");
		p = hit + secret_len;
	}
	jmb_strbuf_puts(&sb, p);
	return jmb_strbuf_steal(&sb, NULL);
}

/* libpq messages end with a newline; store errors are one line. */
static char *one_line(const char *prefix, const char *message, const char *secret)
{
	char *clean = redact(message != NULL ? message : "", secret), *out;
	size_t len = strlen(clean);

	while (len > 0 && (clean[len - 1] == '\n' || clean[len - 1] == ' '))
		clean[--len] = '\0';
	for (char *p = clean; *p != '\0'; p++) {
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	}
	out = jmb_xasprintf("%s%s", prefix, clean);
	free(clean);
	return out;
}

/* The parsed conninfo plus our defaults: a connect timeout unless one is given,
   UTF-8 always (the store speaks UTF-8), and an application name for pg_stat. */
static PGconn *connect_with_defaults(const PQconninfoOption *options, const char **password_r)
{
	const char *keywords[64], *values[64];
	bool has_timeout = getenv("PGCONNECT_TIMEOUT") != NULL;
	size_t n = 0;

	for (const PQconninfoOption *o = options; o->keyword != NULL && n < 60; o++) {
		if (o->val == NULL || strcmp(o->keyword, "client_encoding") == 0)
			continue;
		if (strcmp(o->keyword, "connect_timeout") == 0)
			has_timeout = true;
		if (strcmp(o->keyword, "password") == 0)
			*password_r = o->val;
		keywords[n] = o->keyword;
		values[n++] = o->val;
	}
	if (!has_timeout) {
		keywords[n] = "connect_timeout";
		values[n++] = PG_DEFAULT_CONNECT_TIMEOUT;
	}
	keywords[n] = "client_encoding";
	values[n++] = "UTF8";
	keywords[n] = "fallback_application_name";
	values[n++] = "jmb";
	keywords[n] = NULL;
	values[n] = NULL;
	return PQconnectdbParams(keywords, values, 0);
}

void *jmb_pg_connect(const struct jmb_store_settings *settings, char **error_r)
{
	PQconninfoOption *options;
	const char *password = NULL;
	char *parse_error = NULL;
	struct pg_conn *c;

	options =
	    PQconninfoParse(settings->conninfo != NULL ? settings->conninfo : "", &parse_error);
	if (options == NULL) {
		/* libpq quotes the offending part, which may be the password. */
		PQfreemem(parse_error);
		*error_r = jmb_xstrdup("pg: the conninfo string is malformed "
		                       "(details not shown: it may contain a password)");
		return NULL;
	}
	c = jmb_xcalloc(1, sizeof(*c));
	c->db = connect_with_defaults(options, &password);
	if (c->db == NULL)
		jmb_fatal_oom();
	if (PQstatus(c->db) != CONNECTION_OK) {
		*error_r = one_line("pg: cannot connect: ", PQerrorMessage(c->db), password);
		PQconninfoFree(options);
		jmb_pg_disconnect(c);
		return NULL;
	}
	PQconninfoFree(options);
	PQsetNoticeProcessor(c->db, ignore_notice, NULL);
	return c;
}

void jmb_pg_disconnect(void *conn)
{
	struct pg_conn *c = conn;

	PQfinish(c->db);
	free(c);
}

bool jmb_pg_is_broken(void *conn)
{
	struct pg_conn *c = conn;

	return c->broken || PQstatus(c->db) != CONNECTION_OK ||
	       PQtransactionStatus(c->db) != PQTRANS_IDLE;
}

static bool sqlstate_is(const char *state, const char *wanted)
{
	return state != NULL && strcmp(state, wanted) == 0;
}

enum jmb_store_result jmb_pg_check(struct pg_conn *c, const PGresult *res, char **error_r)
{
	ExecStatusType status = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	const char *state, *message;

	if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
		return JMB_STORE_OK;
	if (res == NULL || PQstatus(c->db) != CONNECTION_OK) {
		c->broken = true;
		*error_r = one_line("pg: connection lost: ", PQerrorMessage(c->db), NULL);
		return JMB_STORE_ERROR;
	}
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	/* The primary message only: the detail quotes key values, which may be tokens. */
	message = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	*error_r =
	    jmb_xasprintf("pg: %s (SQLSTATE %s)", message != NULL ? message : PQresStatus(status),
	                  state != NULL ? state : "none");
	if (sqlstate_is(state, "23505"))
		return JMB_STORE_CONFLICT;
	if (sqlstate_is(state, "40001") || sqlstate_is(state, "40P01") ||
	    sqlstate_is(state, "55P03"))
		return JMB_STORE_RETRY;
	/* Connection exceptions and server shutdown: this connection is done. */
	if (state != NULL && (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0))
		c->broken = true;
	return JMB_STORE_ERROR;
}

static enum jmb_store_result prepare_once(struct pg_conn *c, const struct pg_statement *st,
                                          const char *name, int n_params, char **error_r)
{
	enum jmb_store_result r;
	PGresult *res;

	if (c->prepared[st->slot])
		return JMB_STORE_OK;
	/* Prepared statements outlive a rolled-back transaction, so the flag
	   stays true even when the prepare ran inside one. */
	res = PQprepare(c->db, name, st->sql, n_params, NULL);
	r = jmb_pg_check(c, res, error_r);
	PQclear(res);
	if (r == JMB_STORE_OK)
		c->prepared[st->slot] = true;
	return r;
}

static enum jmb_store_result query_v(struct pg_conn *c, const struct pg_statement *st,
                                     PGresult **res_r, char **error_r, va_list ap)
{
	const char *values[PG_MAX_PARAMS];
	char numbers[PG_MAX_PARAMS][24];
	int n = (int)strlen(st->types);
	char name[16];
	enum jmb_store_result r;

	*res_r = NULL;
	if (n > PG_MAX_PARAMS) {
		*error_r = jmb_xasprintf("pg: statement %d has too many parameters", st->slot);
		return JMB_STORE_ERROR;
	}
	snprintf(name, sizeof(name), "jmb_%d", (int)st->slot);
	r = prepare_once(c, st, name, n, error_r);
	if (r != JMB_STORE_OK)
		return r;
	for (int i = 0; i < n; i++) {
		if (st->types[i] == 'i') {
			snprintf(numbers[i], sizeof(numbers[i]), "%lld",
			         (long long)va_arg(ap, int64_t));
			values[i] = numbers[i];
		} else if (st->types[i] == 'b') {
			values[i] = va_arg(ap, int) ? "true" : "false";
		} else {
			values[i] = va_arg(ap, const char *);
		}
	}
	*res_r = PQexecPrepared(c->db, name, n, values, NULL, NULL, 0);
	r = jmb_pg_check(c, *res_r, error_r);
	if (r != JMB_STORE_OK) {
		PQclear(*res_r);
		*res_r = NULL;
	}
	return r;
}

enum jmb_store_result jmb_pg_query(struct pg_conn *c, const struct pg_statement *st,
                                   PGresult **res_r, char **error_r, ...)
{
	enum jmb_store_result r;
	va_list ap;

	va_start(ap, error_r);
	r = query_v(c, st, res_r, error_r, ap);
	va_end(ap);
	return r;
}

enum jmb_store_result jmb_pg_exec(struct pg_conn *c, const struct pg_statement *st, long *changed_r,
                                  char **error_r, ...)
{
	enum jmb_store_result r;
	PGresult *res;
	va_list ap;

	va_start(ap, error_r);
	r = query_v(c, st, &res, error_r, ap);
	va_end(ap);
	if (changed_r != NULL)
		*changed_r = r == JMB_STORE_OK ? strtol(PQcmdTuples(res), NULL, 10) : 0;
	PQclear(res);
	return r;
}

enum jmb_store_result jmb_pg_exec_plain(struct pg_conn *c, const char *sql, char **error_r)
{
	PGresult *res = PQexec(c->db, sql);
	enum jmb_store_result r = jmb_pg_check(c, res, error_r);

	PQclear(res);
	return r;
}

enum jmb_store_result jmb_pg_begin(struct pg_conn *c, char **error_r)
{
	return jmb_pg_exec_plain(c, "BEGIN", error_r);
}

enum jmb_store_result jmb_pg_finish(struct pg_conn *c, enum jmb_store_result r, char **error_r)
{
	char *ignored = NULL;

	if (r == JMB_STORE_OK)
		return jmb_pg_exec_plain(c, "COMMIT", error_r);
	jmb_pg_exec_plain(c, "ROLLBACK", &ignored);
	free(ignored);
	/* A connection still inside a transaction must not go back to the pool. */
	if (PQtransactionStatus(c->db) != PQTRANS_IDLE)
		c->broken = true;
	return r;
}

char *jmb_pg_text(struct jmb_pool *pool, const PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col))
		return NULL;
	return jmb_pool_strdup(pool, PQgetvalue(res, row, col));
}

int64_t jmb_pg_int(const PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col))
		return 0;
	return (int64_t)strtoll(PQgetvalue(res, row, col), NULL, 10);
}
