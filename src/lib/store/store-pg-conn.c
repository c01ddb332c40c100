/* The PostgreSQL driver's connections: connecting with sane defaults, telling
 * a connection fit for the pool, and SQLSTATEs mapped to store results. No
 * message we return carries the password, whatever libpq quoted. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/memory.h"
#include "store-pg-private.h"
#include "util/strbuf.h"

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
static void set_one_line(struct jmb_error *error, const char *prefix, const char *message,
                         const char *secret)
{
	char *clean = redact(message != NULL ? message : "", secret);
	size_t len = strlen(clean);

	while (len > 0 && (clean[len - 1] == '\n' || clean[len - 1] == ' '))
		clean[--len] = '\0';
	for (char *p = clean; *p != '\0'; p++) {
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	}
	jmb_error_set(error, "%s%s", prefix, clean);
	free(clean);
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

struct jmb_sql_conn *jmb_pg_connect(const struct jmb_store_settings *settings,
                                    struct jmb_error *error)
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
		jmb_error_set(error, "pg: the conninfo string is malformed "
		                     "(details not shown: it may contain a password)");
		return NULL;
	}
	c = jmb_xcalloc(1, sizeof(*c));
	c->base.driver = &jmb_sql_driver_pg;
	c->db = connect_with_defaults(options, &password);
	if (c->db == NULL)
		jmb_fatal_oom();
	if (PQstatus(c->db) != CONNECTION_OK) {
		set_one_line(error, "pg: cannot connect: ", PQerrorMessage(c->db), password);
		PQconninfoFree(options);
		jmb_pg_disconnect(&c->base);
		return NULL;
	}
	PQconninfoFree(options);
	PQsetNoticeProcessor(c->db, ignore_notice, NULL);
	return &c->base;
}

void jmb_pg_disconnect(struct jmb_sql_conn *conn)
{
	struct pg_conn *c = pg_conn(conn);

	PQfinish(c->db);
	free(c);
}

bool jmb_pg_reset(struct jmb_sql_conn *conn)
{
	struct pg_conn *c = pg_conn(conn);

	return !c->base.broken && PQstatus(c->db) == CONNECTION_OK &&
	       PQtransactionStatus(c->db) == PQTRANS_IDLE;
}

static bool sqlstate_is(const char *state, const char *wanted)
{
	return state != NULL && strcmp(state, wanted) == 0;
}

enum jmb_store_result jmb_pg_check(struct pg_conn *c, const PGresult *res, struct jmb_error *error)
{
	ExecStatusType status = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	const char *state, *message;

	if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
		return JMB_STORE_OK;
	if (res == NULL || PQstatus(c->db) != CONNECTION_OK) {
		c->base.broken = true;
		set_one_line(error, "pg: connection lost: ", PQerrorMessage(c->db), NULL);
		return JMB_STORE_ERROR;
	}
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	/* The primary message only: the detail quotes key values, which may be tokens. */
	message = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	jmb_error_set(error, "pg: %s (SQLSTATE %s)",
	              message != NULL ? message : PQresStatus(status),
	              state != NULL ? state : "none");
	if (sqlstate_is(state, "23505"))
		return JMB_STORE_CONFLICT;
	if (sqlstate_is(state, "40001") || sqlstate_is(state, "40P01") ||
	    sqlstate_is(state, "55P03"))
		return JMB_STORE_RETRY;
	/* Connection exceptions and server shutdown: this connection is done. */
	if (state != NULL && (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0))
		c->base.broken = true;
	return JMB_STORE_ERROR;
}
