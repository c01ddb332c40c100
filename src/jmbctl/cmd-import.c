/* jmbctl import-legacy: reads a jitsi-jmb SQLite database (the bash CGIs'
 * store) into the current store, keeping room names, personal hashes and feed
 * hashes so links and feed URLs already sent keep working. Idempotent: a room
 * already in the store is skipped. */
#include "config.h"

#include <getopt.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain/identity.h"
#include "jmbctl.h"
#include "domain/mailaddr.h"
#include "util/memory.h"
#include "auth/users-file.h"

struct import_counts {
	long meetings, meetings_skipped, attendees, attendees_skipped, feeds, feeds_skipped,
	    owner_links, private_rooms;
};

/* The login ↔ mail pairs known from the local users file and --map. */
struct mail_map {
	char **logins;
	char **mails;
	size_t count;
};

static const char *map_mail_of(const struct mail_map *map, const char *login)
{
	for (size_t i = 0; i < map->count; i++) {
		if (strcmp(map->logins[i], login) == 0)
			return map->mails[i];
	}
	return NULL;
}

static void map_add(struct jmb_pool *pool, struct mail_map *map, const char *login,
                    const char *mail)
{
	char **logins = jmb_pool_calloc(pool, map->count + 1, sizeof(char *));
	char **mails = jmb_pool_calloc(pool, map->count + 1, sizeof(char *));

	if (map->count > 0) {
		memcpy(logins, map->logins, map->count * sizeof(char *));
		memcpy(mails, map->mails, map->count * sizeof(char *));
	}
	logins[map->count] = jmb_pool_strdup(pool, login);
	mails[map->count] = jmb_mail_normalize(pool, mail);
	map->logins = logins;
	map->mails = mails;
	map->count++;
}

/* "login mail" per line; '#' comments. */
static int read_map(struct jmb_pool *pool, const char *path, struct mail_map *map)
{
	FILE *fp = fopen(path, "r");
	char line[512], login[256], mail[256];
	int lineno = 0;

	if (fp == NULL) {
		fprintf(stderr, "jmbctl: %s: cannot open\n", path);
		return -1;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%255s %255s", login, mail) != 2 || !jmb_mail_is_valid(mail)) {
			fprintf(stderr, "jmbctl: %s:%d: expected 'login mail'\n", path, lineno);
			fclose(fp);
			return -1;
		}
		map_add(pool, map, login, mail);
	}
	fclose(fp);
	return 0;
}

static bool is_legacy_database(sqlite3 *db)
{
	static const char *const required[] = {"meetings", "attendees", "ical", NULL};
	sqlite3_stmt *stmt;
	int found = 0;

	if (sqlite3_prepare_v2(db,
	                       "SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?",
	                       -1, &stmt, NULL) != SQLITE_OK)
		return false;
	for (size_t i = 0; required[i] != NULL; i++) {
		sqlite3_reset(stmt);
		sqlite3_bind_text(stmt, 1, required[i], -1, SQLITE_STATIC);
		found += sqlite3_step(stmt) == SQLITE_ROW;
	}
	sqlite3_finalize(stmt);
	if (found != 3)
		return false;
	/* The columns the legacy CGIs wrote. */
	if (sqlite3_prepare_v2(db,
	                       "SELECT meeting_id, meeting_name, meeting_object, meeting_begin, "
	                       "meeting_duration, meeting_create FROM meetings LIMIT 0",
	                       -1, &stmt, NULL) != SQLITE_OK)
		return false;
	sqlite3_finalize(stmt);
	if (sqlite3_prepare_v2(
	        db,
	        "SELECT attendee_meeting_id, attendee_meeting_hash, attendee_role, "
	        "attendee_email, attendee_count, attendee_partstat FROM attendees LIMIT 0",
	        -1, &stmt, NULL) != SQLITE_OK)
		return false;
	sqlite3_finalize(stmt);
	return true;
}

static const char *text_col(sqlite3_stmt *stmt, int col)
{
	const unsigned char *s = sqlite3_column_text(stmt, col);

	return s != NULL ? (const char *)s : "";
}

/* Reads one legacy meeting's attendees into m; the owner row gives the owner. */
static int load_attendees(struct jmbctl *ctl, sqlite3 *db, long long legacy_id,
                          struct jmb_meeting *m, struct import_counts *counts)
{
	sqlite3_stmt *stmt;
	size_t cap = 0;

	if (sqlite3_prepare_v2(db,
	                       "SELECT attendee_role, attendee_email, attendee_meeting_hash, "
	                       "attendee_count, attendee_partstat FROM attendees "
	                       "WHERE attendee_meeting_id = ? ORDER BY attendee_id",
	                       -1, &stmt, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(stmt, 1, legacy_id);
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		const char *role = text_col(stmt, 0), *mail = text_col(stmt, 1);
		const char *hash = text_col(stmt, 2);
		int partstat = sqlite3_column_int(stmt, 4);

		if (strcmp(role, "owner") == 0) {
			m->owner.mail = jmb_mail_normalize(ctl->pool, mail);
			counts->owner_links += *hash != '\0';
			continue;
		}
		if (!jmb_mail_is_valid(mail) || *hash == '\0' ||
		    (strcmp(role, "moderator") != 0 && strcmp(role, "guest") != 0)) {
			counts->attendees_skipped++;
			continue;
		}
		struct jmb_attendee *a = jmb_attendee_append(ctl->pool, m, &cap);
		a->mail = jmb_mail_normalize(ctl->pool, mail);
		a->name = "";
		a->role = strcmp(role, "moderator") == 0 ? JMB_ROLE_MODERATOR : JMB_ROLE_GUEST;
		a->status = partstat == 1   ? JMB_PARTSTAT_ACCEPTED
		            : partstat == 2 ? JMB_PARTSTAT_DECLINED
		                            : JMB_PARTSTAT_NEEDS_ACTION;
		a->token = jmb_pool_strdup(ctl->pool, hash);
		a->joins = sqlite3_column_int64(stmt, 3);
	}
	sqlite3_finalize(stmt);
	return 0;
}

/* Two attendees of one meeting may not share an address: keep the first. */
static void drop_duplicate_attendees(struct jmb_meeting *m, struct import_counts *counts)
{
	size_t kept = 0;

	for (size_t i = 0; i < m->n_attendees; i++) {
		bool seen = false;
		for (size_t j = 0; j < kept; j++)
			seen |= strcmp(m->attendees[j].mail, m->attendees[i].mail) == 0;
		if (seen)
			counts->attendees_skipped++;
		else
			m->attendees[kept++] = m->attendees[i];
	}
	m->n_attendees = kept;
}

static int import_meetings(struct jmbctl *ctl, sqlite3 *db, struct jmb_store *store,
                           const struct mail_map *map, const char *uid_domain,
                           struct import_counts *counts)
{
	sqlite3_stmt *stmt;
	struct jmb_error error;

	if (sqlite3_prepare_v2(db,
	                       "SELECT meeting_id, meeting_name, meeting_object, meeting_begin, "
	                       "meeting_duration, meeting_create FROM meetings ORDER BY meeting_id",
	                       -1, &stmt, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		struct jmb_meeting *m = jmb_pool_alloc(ctl->pool, sizeof(*m));
		long long legacy_id = sqlite3_column_int64(stmt, 0);

		m->room = jmb_pool_strdup(ctl->pool, text_col(stmt, 1));
		m->title = jmb_pool_strdup(ctl->pool, text_col(stmt, 2));
		m->description = "";
		m->start = (time_t)sqlite3_column_int64(stmt, 3);
		m->duration = (long)(sqlite3_column_int64(stmt, 4) / 60); /* legacy: seconds */
		m->end = m->start + m->duration * 60;
		m->created = m->updated = (time_t)sqlite3_column_int64(stmt, 5);
		m->timezone = ctl->settings.server.timezone;
		m->uid =
		    jmb_pool_printf(ctl->pool, "legacy-%lld-%s@%s", legacy_id, m->room, uid_domain);
		if (load_attendees(ctl, db, legacy_id, m, counts) < 0 || m->owner.mail == NULL ||
		    *m->room == '\0' || m->duration <= 0) {
			counts->meetings_skipped++;
			continue;
		}
		/* The legacy store knew owners by address only. */
		m->owner.login = m->owner.mail;
		for (size_t i = 0; i < map->count; i++) {
			if (strcmp(map->mails[i], m->owner.mail) == 0)
				m->owner.login = map->logins[i];
		}
		m->owner.name = "";
		drop_duplicate_attendees(m, counts);
		enum jmb_store_result r = jmb_store_meeting_import(store, m, &error);
		if (r == JMB_STORE_CONFLICT) {
			counts->meetings_skipped++; /* imported before */
		} else if (r != JMB_STORE_OK) {
			fprintf(stderr, "jmbctl: meeting %lld (%s): %s\n", legacy_id, m->room,
			        error.text);
			sqlite3_finalize(stmt);
			return -1;
		} else {
			counts->meetings++;
			counts->attendees += (long)m->n_attendees;
		}
	}
	sqlite3_finalize(stmt);
	return 0;
}

/* One legacy feed hash. A hash already in the store (a second run) is skipped,
 * not written again. Returns the store's answer. */
static enum jmb_store_result import_feed(struct jmbctl *ctl, struct jmb_store *store,
                                         const char *login, const char *hash, const char *mail,
                                         bool *already_r, struct jmb_error *error)
{
	struct jmb_identity *id = jmb_identity_new(ctl->pool, login, "", mail, "legacy");
	struct jmb_person person = {
	    .login = (char *)login, .mail = (char *)(mail ? mail : ""), .name = ""};
	char *owner = NULL, *owner_json = NULL, *json;
	enum jmb_store_result r;

	*already_r = false;
	r = jmb_store_feed_token_lookup(store, ctl->pool, hash, &owner, &owner_json, error);
	if (r != JMB_STORE_NOT_FOUND) {
		*already_r = r == JMB_STORE_OK;
		return r;
	}
	/* Only a user without a feed gets the legacy one: a re-import must not bring
	   back an address the user has since rotated away. */
	json = jmb_identity_to_json(id);
	r = jmb_store_feed_token(store, ctl->pool, &person, json, hash, time(NULL), &owner, error);
	free(json);
	if (r == JMB_STORE_OK && strcmp(owner, hash) != 0) {
		fprintf(stderr, "jmbctl: feed of %s: kept the user's current feed address\n",
		        login);
		*already_r = true;
	}
	return r;
}

static int import_feeds(struct jmbctl *ctl, sqlite3 *db, struct jmb_store *store,
                        const struct mail_map *map, struct import_counts *counts)
{
	sqlite3_stmt *stmt;
	struct jmb_error error;
	int ret = 0;

	if (sqlite3_prepare_v2(db, "SELECT ical_owner, ical_hash FROM ical ORDER BY ical_id", -1,
	                       &stmt, NULL) != SQLITE_OK)
		return -1;
	while (ret == 0 && sqlite3_step(stmt) == SQLITE_ROW) {
		const char *login = text_col(stmt, 0), *hash = text_col(stmt, 1);
		const char *mail = map_mail_of(map, login);
		enum jmb_store_result r = JMB_STORE_NOT_FOUND;
		bool already = false;

		if (*login != '\0' && *hash != '\0')
			r = import_feed(ctl, store, login, hash, mail, &already, &error);
		if (r == JMB_STORE_OK && !already) {
			counts->feeds++;
			/* Owners are matched by login or address: without an address the
			   feed stays empty until its owner logs in. */
			if (mail == NULL)
				fprintf(stderr,
				        "jmbctl: feed of %s: no address known for this login "
				        "(give it with --map or the local users file): the feed "
				        "shows nothing until %s logs in\n",
				        login, login);
		} else if (r == JMB_STORE_OK || r == JMB_STORE_NOT_FOUND ||
		           r == JMB_STORE_CONFLICT) {
			counts
			    ->feeds_skipped++; /* imported before, incomplete, or someone else's */
		} else {
			fprintf(stderr, "jmbctl: feed of %s: %s\n", login, error.text);
			ret = -1;
		}
	}
	sqlite3_finalize(stmt);
	return ret;
}

static long count_rows(sqlite3 *db, const char *table)
{
	char *sql = jmb_xasprintf("SELECT count(*) FROM \"%s\"", table);
	sqlite3_stmt *stmt;
	long n = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK) {
		if (sqlite3_step(stmt) == SQLITE_ROW)
			n = (long)sqlite3_column_int64(stmt, 0);
		sqlite3_finalize(stmt);
	}
	free(sql);
	return n;
}

static void load_local_users(struct jmbctl *ctl, struct mail_map *map)
{
	static const struct jmb_config_key key[] = {
	    {"users_file", JMB_CONF_STRING, 0, "/etc/jmb/users", JMB_CONF_PATH, 0, 0, NULL},
	    JMB_CONF_END,
	};
	struct jmb_users_file users = {0};
	char *path = NULL;

	/* no users file, or an unreadable one: logins are mapped from --map only */
	if (jmb_config_apply(ctl->file, "auth.local", key, &path, ctl->pool, NULL) == 0 &&
	    jmb_users_file_read(path, true, &users, NULL) == 0) {
		for (size_t i = 0; i < users.count; i++) {
			if (*users.users[i].mail != '\0')
				map_add(ctl->pool, map, users.users[i].login, users.users[i].mail);
		}
	}
	jmb_users_file_free(&users);
}

int cmd_import_legacy(struct jmbctl *ctl, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"map", required_argument, NULL, 'm'},
	    {NULL, 0, NULL, 0},
	};
	struct import_counts counts = {0};
	struct mail_map map = {0};
	struct jmb_store *store;
	const char *host;
	sqlite3 *db = NULL;
	int c, status = CTL_FAIL;

	optind = 0;
	while ((c = getopt_long(argc, argv, "m:", longopts, NULL)) != -1) {
		if (c != 'm' || read_map(ctl->pool, optarg, &map) < 0) {
			fprintf(stderr,
			        "Usage: jmbctl import-legacy [--map LOGINS_FILE] LEGACY.db\n");
			return CTL_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "Usage: jmbctl import-legacy [--map LOGINS_FILE] LEGACY.db\n");
		return CTL_USAGE;
	}
	if (sqlite3_open_v2(argv[optind], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    !is_legacy_database(db)) {
		fprintf(stderr,
		        "jmbctl: %s is not a jitsi-jmb database (tables meetings, attendees "
		        "and ical with the legacy columns were not found)\n",
		        argv[optind]);
		sqlite3_close(db);
		return CTL_FAIL;
	}
	if ((store = ctl_store(ctl)) == NULL)
		goto out;
	load_local_users(ctl, &map);
	host = strstr(ctl->settings.server.public_url, "://");
	host = host != NULL ? jmb_pool_strndup(ctl->pool, host + 3, strcspn(host + 3, ":/"))
	                    : "localhost";
	if (import_meetings(ctl, db, store, &map, host, &counts) < 0 ||
	    import_feeds(ctl, db, store, &map, &counts) < 0) {
		if (sqlite3_errcode(db) != SQLITE_OK && sqlite3_errcode(db) != SQLITE_DONE &&
		    sqlite3_errcode(db) != SQLITE_ROW)
			fprintf(stderr, "jmbctl: import stopped: %s\n", sqlite3_errmsg(db));
		else
			fprintf(stderr, "jmbctl: import stopped\n");
		goto out;
	}
	counts.private_rooms = count_rows(db, "private");
	printf("meetings: %ld imported, %ld skipped (already imported or incomplete)\n"
	       "invitees: %ld imported with their personal links, %ld skipped\n"
	       "feeds: %ld imported, %ld skipped\n"
	       "owner links: %ld not imported (owners start from /start/<room>, which "
	       "/token.cgi?room= redirects to)\n"
	       "reminders: recomputed from [reminders], legacy rows not imported\n",
	       counts.meetings, counts.meetings_skipped, counts.attendees, counts.attendees_skipped,
	       counts.feeds, counts.feeds_skipped, counts.owner_links);
	if (counts.private_rooms >= 0)
		printf("private room counters: %ld not imported (usage statistics only)\n",
		       counts.private_rooms);
	status = CTL_OK;
out:
	sqlite3_close(db);
	return status;
}
