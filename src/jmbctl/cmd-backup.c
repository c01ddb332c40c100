/* jmbctl backup FILE: a consistent copy of a live SQLite store, made with
 * SQLite's online backup API while jmbd keeps serving. The copy is written
 * beside FILE, checked, flushed to disk and only then renamed to FILE, so
 * FILE is either the previous backup or a whole new one, never half of one.
 * PostgreSQL stores are backed up with pg_dump (doc/admin-guide.md). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "jmb/error.h"
#include "jmbctl.h"

/* The whole database is copied in one step, that is inside one read
 * transaction: the copy is the database as it was when the backup began. In
 * WAL mode (jmb's) a reader never blocks writers, so jmbd keeps booking
 * meanwhile; a copy made in several steps would start over after each of
 * their writes and might never end under load. */
#define BACKUP_ALL_PAGES (-1)
#define BACKUP_BUSY_WAIT_MS 50
#define BACKUP_BUSY_TRIES 200

static int copy_database(sqlite3 *from, sqlite3 *to, struct jmb_error *error)
{
	sqlite3_backup *b = sqlite3_backup_init(to, "main", from, "main");
	int rc, tries = 0;

	if (b == NULL) {
		jmb_error_set(error, "%s", sqlite3_errmsg(to));
		return -1;
	}
	do {
		rc = sqlite3_backup_step(b, BACKUP_ALL_PAGES);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(BACKUP_BUSY_WAIT_MS);
	} while ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && ++tries < BACKUP_BUSY_TRIES);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		jmb_error_set(error, "%s", sqlite3_errstr(rc));
		return -1;
	}
	return 0;
}

/* The copy must read back whole before it replaces a previous backup. */
static int check_copy(sqlite3 *db, struct jmb_error *error)
{
	sqlite3_stmt *stmt = NULL;
	int ok = 0;

	if (sqlite3_exec(db, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, NULL) != SQLITE_OK) {
		jmb_error_set(error, "%s", sqlite3_errmsg(db));
		return -1;
	}
	if (sqlite3_step(stmt) == SQLITE_ROW &&
	    strcmp((const char *)sqlite3_column_text(stmt, 0), "ok") == 0)
		ok = 1;
	sqlite3_finalize(stmt);
	if (!ok) {
		jmb_error_set(error, "the copy failed its integrity check");
		return -1;
	}
	return 0;
}

static int sync_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

static int backup_sqlite(const char *source, const char *target)
{
	char tmp[4096];
	struct jmb_error error;
	sqlite3 *from = NULL, *to = NULL;
	int status = CTL_FAIL;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", target, (long)getpid()) >=
	    sizeof(tmp)) {
		fprintf(stderr, "jmbctl: backup: %s: path too long\n", target);
		return CTL_USAGE;
	}
	if (sqlite3_open_v2(source, &from, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		fprintf(stderr, "jmbctl: backup: cannot open the store %s: %s\n", source,
		        sqlite3_errmsg(from));
		status = EX_NOINPUT;
		goto out;
	}
	sqlite3_busy_timeout(from, 5000);
	if (sqlite3_open_v2(tmp, &to,
	                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_EXCLUSIVE,
	                    NULL) != SQLITE_OK) {
		fprintf(stderr, "jmbctl: backup: cannot create %s: %s\n", tmp, sqlite3_errmsg(to));
		status = EX_CANTCREAT;
		goto out;
	}
	if (copy_database(from, to, &error) < 0 || check_copy(to, &error) < 0) {
		fprintf(stderr, "jmbctl: backup: %s: %s\n", source, error.text);
		goto remove;
	}
	sqlite3_close(to);
	to = NULL;
	if (sync_file(tmp) < 0 || rename(tmp, target) < 0) {
		fprintf(stderr, "jmbctl: backup: cannot write %s: %s\n", target, strerror(errno));
		status = EX_IOERR;
		goto remove;
	}
	printf("%s: backup of %s\n", target, source);
	status = CTL_OK;
	goto out;
remove:
	unlink(tmp);
out:
	sqlite3_close(to);
	sqlite3_close(from);
	return status;
}

int cmd_backup(struct jmbctl *ctl, int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "Usage: jmbctl backup FILE\n");
		return CTL_USAGE;
	}
	if (ctl->settings.store.driver != JMB_STORE_SQLITE) {
		fprintf(stderr, "jmbctl: backup: the store is PostgreSQL: back it up with pg_dump "
		                "(doc/admin-guide.md, Backups)\n");
		return CTL_USAGE;
	}
	return backup_sqlite(ctl->settings.store.path, argv[1]);
}
