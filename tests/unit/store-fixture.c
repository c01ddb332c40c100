/* The store test suite's fixture: a temp SQLite file or the PostgreSQL database in
 * $JMB_TEST_PG_CONNINFO, emptied before every test, plus raw SQL for checks. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>
#ifdef HAVE_POSTGRESQL
#include <libpq-fe.h>
#endif

#include "util/memory.h"
#include "store-fixture.h"

struct store_fixture *fixture;

int fixture_sqlite_init(struct store_fixture *f)
{
	char tmpl[] = "/tmp/jmb-test-store-XXXXXX";

	memset(f, 0, sizeof(*f));
	if (mkdtemp(tmpl) == NULL) {
		perror("mkdtemp");
		return -1;
	}
	f->name = "sqlite";
	f->tmpdir = jmb_xstrdup(tmpl);
	f->settings.driver = JMB_STORE_SQLITE;
	f->settings.path = jmb_xasprintf("%s/jmb.db", tmpl);
	f->settings.busy_timeout = 5000;
	return 0;
}

int fixture_pg_init(struct store_fixture *f, const char *conninfo)
{
	memset(f, 0, sizeof(*f));
#ifdef HAVE_POSTGRESQL
	f->name = "postgresql";
	f->settings.driver = JMB_STORE_POSTGRESQL;
	f->settings.conninfo = jmb_xstrdup(conninfo);
	f->settings.busy_timeout = 5000;
	return 0;
#else
	fprintf(stderr, "JMB_TEST_PG_CONNINFO is set but this build has no PostgreSQL driver\n");
	return -1;
#endif
}

static void sqlite_remove_files(const struct store_fixture *f)
{
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		char *path = jmb_xasprintf("%s%s", f->settings.path, suffixes[i]);
		unlink(path);
		free(path);
	}
}

void fixture_fini(struct store_fixture *f)
{
	if (f->tmpdir != NULL) {
		sqlite_remove_files(f);
		rmdir(f->tmpdir);
	}
	free(f->tmpdir);
	free(f->settings.path);
	free(f->settings.conninfo);
	memset(f, 0, sizeof(*f));
}

bool fixture_is_pg(void)
{
	return fixture->settings.driver == JMB_STORE_POSTGRESQL;
}

#ifdef HAVE_POSTGRESQL
/* DROP SCHEMA ... CASCADE lists every table it drops: not worth printing. */
static void ignore_notice(void *arg, const char *message)
{
}

static PGconn *pg_open(void)
{
	const char *keywords[] = {"dbname", "application_name", NULL};
	const char *values[] = {fixture->settings.conninfo, "jmb-test", NULL};
	PGconn *db = PQconnectdbParams(keywords, values, 1);

	if (PQstatus(db) != CONNECTION_OK)
		fail_msg("raw connection: %s", PQerrorMessage(db));
	PQsetNoticeProcessor(db, ignore_notice, NULL);
	return db;
}

static char *pg_text(const char *sql, bool want_row)
{
	PGconn *db = pg_open();
	PGresult *res = PQexec(db, sql);
	char *out = NULL;
	ExecStatusType status = PQresultStatus(res);

	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
		char *msg = jmb_xstrdup(PQresultErrorMessage(res));
		PQclear(res);
		PQfinish(db);
		fail_msg("raw SQL %s: %s", sql, msg);
	}
	if (want_row && PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
		out = jmb_xstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	PQfinish(db);
	return out;
}
#endif

static int sqlite_first(void *arg, int n, char **values, char **names)
{
	char **out = arg;

	if (*out == NULL && n > 0 && values[0] != NULL)
		*out = jmb_xstrdup(values[0]);
	return 0;
}

static char *sqlite_text(const char *sql)
{
	sqlite3 *db = NULL;
	char *out = NULL, *err = NULL;

	if (sqlite3_open(fixture->settings.path, &db) != SQLITE_OK)
		fail_msg("raw open %s: %s", fixture->settings.path, sqlite3_errmsg(db));
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_exec(db, sql, sqlite_first, &out, &err) != SQLITE_OK) {
		char *msg = jmb_xstrdup(err != NULL ? err : "?");
		sqlite3_free(err);
		sqlite3_close(db);
		fail_msg("raw SQL %s: %s", sql, msg);
	}
	sqlite3_close(db);
	return out;
}

char *raw_text(const char *sql)
{
#ifdef HAVE_POSTGRESQL
	if (fixture_is_pg())
		return pg_text(sql, true);
#endif
	return sqlite_text(sql);
}

void raw_exec(const char *sql)
{
	free(raw_text(sql));
}

long raw_long(const char *sql)
{
	char *text = raw_text(sql);
	long value;

	assert_non_null(text);
	value = strtol(text, NULL, 10);
	free(text);
	return value;
}

/* The key in store-pg.c: instances of different versions must agree on it. */
#define PG_MIGRATION_LOCK_KEY "7668893687730497394"

void fixture_pg_hold_migration_lock(bool hold)
{
#ifdef HAVE_POSTGRESQL
	static PGconn *holder;
	PGresult *res;

	if (hold && holder == NULL)
		holder = pg_open();
	assert_non_null(holder);
	res = PQexec(holder, hold ? "SELECT pg_advisory_lock(" PG_MIGRATION_LOCK_KEY ")"
	                          : "SELECT pg_advisory_unlock(" PG_MIGRATION_LOCK_KEY ")");
	assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	assert_string_equal(PQgetvalue(res, 0, 0), hold ? "" : "t");
	PQclear(res);
	if (!hold) {
		PQfinish(holder);
		holder = NULL;
	}
#else
	fail_msg("no PostgreSQL in this build");
#endif
}

void fixture_reset(void)
{
#ifdef HAVE_POSTGRESQL
	if (fixture_is_pg()) {
		/* Ends store connections a failed test may have left behind, whose
		   locks would hold up the drop. */
		raw_exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
		         "WHERE datname = current_database() AND application_name = 'jmb'");
		raw_exec("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public");
		return;
	}
#endif
	sqlite_remove_files(fixture);
}
