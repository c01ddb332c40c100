/* The fixture of the store test suite: which driver the current group runs on, an
 * empty database for each test, and raw SQL access to check what the store wrote. */
#ifndef JMB_TEST_STORE_FIXTURE_H
#define JMB_TEST_STORE_FIXTURE_H

#include <stdbool.h>

#include "store/store.h"

struct store_fixture {
	const char *name; /* "sqlite" or "postgresql" */
	struct jmb_store_settings settings;
	char *tmpdir; /* sqlite: holds the database file */
};

/* The driver the running group tests; set by the group setup. */
extern struct store_fixture *fixture;

int fixture_sqlite_init(struct store_fixture *f);
/* Returns -1 when conninfo is unusable (the message is printed). */
int fixture_pg_init(struct store_fixture *f, const char *conninfo);
void fixture_fini(struct store_fixture *f);
bool fixture_is_pg(void);

/* Drops everything: the SQLite file goes, the PostgreSQL public schema is recreated. */
void fixture_reset(void);
/* Runs SQL on a connection of its own; fails the test on error. */
void raw_exec(const char *sql);
/* The first column of the first row as a malloc'd string, NULL when no row. */
char *raw_text(const char *sql);
long raw_long(const char *sql);

/* PostgreSQL: takes (or gives back) the advisory lock jmb migrates under, on a
   connection kept open in between, as another instance migrating would. */
void fixture_pg_hold_migration_lock(bool hold);

#endif
