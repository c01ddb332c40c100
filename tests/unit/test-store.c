/* The store test suite: every test runs against SQLite (a temp file) and, when
 * JMB_TEST_PG_CONNINFO is set, against that PostgreSQL database as well. */
#include "config.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <assert.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "auth/login-throttle.h"
#include "util/memory.h"
#include "store-fixture.h"
/* white-box: the drivers' primitives, and a store opened on a wrapped driver */
#include "store/store-private.h"
#include "store/store.h"
#include "domain/recurrence.h"

#define T0 ((time_t)1900000000) /* "now" in these tests */
#define HOUR 3600
#define MAX_ATTENDEES 8

struct test_ctx {
	struct jmb_store *store;
	struct jmb_pool *pool;
};

/* Runs a store call that takes `&error` and checks its result; a failure must
   always come with a message. */
#define EXPECT(expected, call)                                                                     \
	do {                                                                                       \
		struct jmb_error error = {{0}};                                                    \
		enum jmb_store_result r_ = (call);                                                 \
		if (r_ != (expected))                                                              \
			fail_msg("%s: %s returned %s (%s), expected %s", fixture->name, #call,     \
			         jmb_store_result_name(r_), error.text,                            \
			         jmb_store_result_name(expected));                                 \
		if (r_ != JMB_STORE_OK && error.text[0] == '\0')                                   \
			fail_msg("%s: %s failed without a message", fixture->name, #call);         \
	} while (0)
#define OK(call) EXPECT(JMB_STORE_OK, call)

/* ---- set-up ---- */

static int setup_empty(void **state)
{
	struct test_ctx *t = jmb_xcalloc(1, sizeof(*t));
	struct jmb_error error;

	fixture_reset();
	t->store = jmb_store_open(&fixture->settings, &error);
	if (t->store == NULL) {
		fprintf(stderr, "%s: cannot open the store: %s\n", fixture->name, error.text);
		free(t);
		return -1;
	}
	t->pool = jmb_pool_new();
	*state = t;
	return 0;
}

static int setup(void **state)
{
	struct test_ctx *t;
	struct jmb_error error;
	int from, to;

	if (setup_empty(state) < 0)
		return -1;
	t = *state;
	if (jmb_store_migrate(t->store, &from, &to, &error) != JMB_STORE_OK) {
		fprintf(stderr, "%s: migrate: %s\n", fixture->name, error.text);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	struct test_ctx *t = *state;

	jmb_store_close(&t->store);
	jmb_pool_free(&t->pool);
	free(t);
	return 0;
}

static struct jmb_meeting *make_meeting(struct jmb_pool *pool, const char *tag, const char *owner,
                                        time_t start, long minutes)
{
	struct jmb_meeting *m = jmb_pool_alloc(pool, sizeof(*m));

	m->uid = jmb_pool_printf(pool, "%s@jmb.test", tag);
	m->room = jmb_pool_printf(pool, "room%s", tag);
	m->title = jmb_pool_printf(pool, "Meeting %s", tag);
	m->description = jmb_pool_strdup(pool, "");
	m->start = start;
	m->duration = minutes;
	m->end = start + minutes * 60;
	m->timezone = jmb_pool_strdup(pool, "Europe/Paris");
	m->owner.login = jmb_pool_strdup(pool, owner);
	m->owner.mail = jmb_pool_printf(pool, "%s@example.org", owner);
	m->owner.name = jmb_pool_printf(pool, "Owner %s", owner);
	m->created = m->updated = T0 - 86400;
	m->attendees = jmb_pool_calloc(pool, MAX_ATTENDEES, sizeof(*m->attendees));
	return m;
}

static struct jmb_attendee *add_attendee(struct jmb_pool *pool, struct jmb_meeting *m,
                                         const char *mail, enum jmb_role role, const char *token)
{
	struct jmb_attendee *a;

	assert_true(m->n_attendees < MAX_ATTENDEES);
	a = &m->attendees[m->n_attendees++];
	a->mail = jmb_pool_strdup(pool, mail);
	a->name = jmb_pool_strdup(pool, "");
	a->role = role;
	a->status = JMB_PARTSTAT_NEEDS_ACTION;
	a->token = jmb_pool_strdup(pool, token);
	return a;
}

static struct jmb_meeting *get_meeting(struct test_ctx *t, int64_t id)
{
	struct jmb_meeting *m = NULL;

	OK(jmb_store_meeting_get(t->store, t->pool, id, &m, &error));
	assert_non_null(m);
	return m;
}

static void assert_attendee_equal(const struct jmb_attendee *want, const struct jmb_attendee *got)
{
	assert_int_equal(got->id, want->id);
	assert_string_equal(got->mail, want->mail);
	assert_string_equal(got->name, want->name);
	assert_int_equal(got->role, want->role);
	assert_int_equal(got->status, want->status);
	assert_string_equal(got->token, want->token);
	assert_int_equal(got->joins, want->joins);
	assert_int_equal(got->responded, want->responded);
}

static void assert_meeting_equal(const struct jmb_meeting *want, const struct jmb_meeting *got)
{
	assert_int_equal(got->id, want->id);
	assert_string_equal(got->uid, want->uid);
	assert_string_equal(got->room, want->room);
	assert_string_equal(got->title, want->title);
	assert_string_equal(got->description, want->description);
	assert_int_equal(got->start, want->start);
	assert_int_equal(got->duration, want->duration);
	assert_int_equal(got->end, want->end);
	assert_string_equal(got->timezone, want->timezone);
	assert_string_equal(got->owner.login, want->owner.login);
	assert_string_equal(got->owner.mail, want->owner.mail);
	assert_string_equal(got->owner.name, want->owner.name);
	assert_int_equal(got->sequence, want->sequence);
	assert_int_equal(got->created, want->created);
	assert_int_equal(got->updated, want->updated);
	assert_int_equal(got->deleted, want->deleted);
	assert_int_equal(got->n_attendees, want->n_attendees);
	for (size_t i = 0; i < want->n_attendees; i++)
		assert_attendee_equal(&want->attendees[i], &got->attendees[i]);
}

/* ---- schema ---- */

static const struct jmb_sql_driver *fixture_driver(void)
{
#ifdef HAVE_POSTGRESQL
	if (fixture_is_pg())
		return &jmb_sql_driver_pg;
#endif
	return &jmb_sql_driver_sqlite;
}

/* After name, dialect and migrations the driver struct holds only primitives:
   walk them, so a primitive added to the vtable but not to a driver fails
   here, not as a NULL call in production. */
static void test_driver_implements_every_primitive(void **state)
{
	const struct jmb_sql_driver *driver = fixture_driver();
	const size_t first = offsetof(struct jmb_sql_driver, connect);
	const size_t op_size = sizeof(driver->connect);

	static_assert((sizeof(struct jmb_sql_driver) - first) % sizeof(driver->connect) == 0,
	              "struct jmb_sql_driver: only primitives after migrations");
	assert_string_equal(driver->name, fixture->name);
	assert_int_equal(driver->dialect, fixture_is_pg() ? JMB_SQL_POSTGRESQL : JMB_SQL_SQLITE);
	assert_non_null(driver->migrations);
	for (size_t at = first; at < sizeof(*driver); at += op_size) {
		void (*op)(void) = NULL;

		memcpy(&op, (const char *)driver + at, op_size);
		if (op == NULL)
			fail_msg("%s driver: primitive %zu of the vtable is missing", fixture->name,
			         (at - first) / op_size + 1);
	}
}

static void test_ping_and_name(void **state)
{
	struct test_ctx *t = *state;

	OK(jmb_store_ping(t->store, &error));
	assert_string_equal(jmb_store_driver_name(t->store), fixture->name);
}

static void test_migrate_from_empty(void **state)
{
	struct test_ctx *t = *state;
	int latest = jmb_store_latest_schema_version(t->store), version = -1, from = -1, to = -1;

	assert_true(latest >= 1);
	OK(jmb_store_schema_version(t->store, &version, &error));
	assert_int_equal(version, 0);
	OK(jmb_store_migrate(t->store, &from, &to, &error));
	assert_int_equal(from, 0);
	assert_int_equal(to, latest);
	OK(jmb_store_schema_version(t->store, &version, &error));
	assert_int_equal(version, latest);
	/* Idempotent: a second run has nothing to do. */
	OK(jmb_store_migrate(t->store, &from, &to, &error));
	assert_int_equal(from, latest);
	assert_int_equal(to, latest);
	assert_int_equal(raw_long("SELECT count(*) FROM schema_version"), latest);
	assert_int_equal(raw_long("SELECT count(*) FROM meetings"), 0);
}

#define MIGRATORS 6

struct migrator {
	pthread_barrier_t *barrier;
	atomic_int *finished;
	struct jmb_store *store;
	enum jmb_store_result result;
	int from, to;
	struct jmb_error error;
};

static void *migrate_thread(void *arg)
{
	struct migrator *mg = arg;

	pthread_barrier_wait(mg->barrier);
	mg->result = jmb_store_migrate(mg->store, &mg->from, &mg->to, &mg->error);
	atomic_fetch_add(mg->finished, 1);
	return NULL;
}

/* PostgreSQL: while another instance holds the migration lock nobody migrates;
   then it lets go. Returns whether everyone waited (without the lock, no one does). */
static bool waited_for_lock_holder(atomic_int *finished)
{
	struct timespec pause = {0, 300 * 1000 * 1000};
	char *meetings;
	bool waited;

	nanosleep(&pause, NULL);
	meetings = raw_text("SELECT to_regclass('meetings')");
	waited = atomic_load(finished) == 0 && meetings == NULL;
	free(meetings);
	fixture_pg_hold_migration_lock(false);
	return waited;
}

/* Several instances starting at once: each step is applied exactly once. */
static void test_migrate_concurrently(void **state)
{
	struct test_ctx *t = *state;
	struct migrator mg[MIGRATORS] = {0};
	pthread_t threads[MIGRATORS];
	pthread_barrier_t barrier;
	atomic_int finished = 0;
	bool waited = true;
	int latest = jmb_store_latest_schema_version(t->store), first = 0;

	pthread_barrier_init(&barrier, NULL, MIGRATORS);
	for (int i = 0; i < MIGRATORS; i++) {
		mg[i].barrier = &barrier;
		mg[i].finished = &finished;
		mg[i].store = jmb_store_open(&fixture->settings, &mg[i].error);
		assert_non_null(mg[i].store);
	}
	if (fixture_is_pg())
		fixture_pg_hold_migration_lock(true);
	for (int i = 0; i < MIGRATORS; i++)
		assert_int_equal(pthread_create(&threads[i], NULL, migrate_thread, &mg[i]), 0);
	if (fixture_is_pg())
		waited = waited_for_lock_holder(&finished);
	for (int i = 0; i < MIGRATORS; i++)
		pthread_join(threads[i], NULL);
	pthread_barrier_destroy(&barrier);
	assert_true(waited);
	for (int i = 0; i < MIGRATORS; i++) {
		if (mg[i].result != JMB_STORE_OK)
			fail_msg("migrator %d: %s: %s", i, jmb_store_result_name(mg[i].result),
			         mg[i].error.text);
		assert_int_equal(mg[i].to, latest);
		first += mg[i].from == 0;
		jmb_store_close(&mg[i].store);
	}
	/* With the advisory lock the whole read-and-apply is serialised; SQLite
	   serialises each step instead, so several may have read version 0. */
	if (fixture_is_pg())
		assert_int_equal(first, 1);
	assert_true(first >= 1);
	assert_int_equal(raw_long("SELECT count(*) FROM schema_version"), latest);
}

/* ---- meetings ---- */

static struct jmb_meeting *three_attendees(struct jmb_pool *pool, const char *tag)
{
	struct jmb_meeting *m = make_meeting(pool, tag, "alice", T0 + HOUR, 90);
	char *token;

	m->description = jmb_pool_strdup(pool, "Agenda:\n1. budget\n2. other");
	token = jmb_pool_printf(pool, "%s-mod", tag);
	add_attendee(pool, m, "mod@example.org", JMB_ROLE_MODERATOR, token)->name =
	    jmb_pool_strdup(pool, "Mod Erator");
	token = jmb_pool_printf(pool, "%s-g1", tag);
	add_attendee(pool, m, "g1@example.org", JMB_ROLE_GUEST, token)->name =
	    jmb_pool_strdup(pool, "Guest One");
	token = jmb_pool_printf(pool, "%s-g2", tag);
	add_attendee(pool, m, "g2@example.org", JMB_ROLE_GUEST, token);
	return m;
}

static void test_insert_and_get(void **state)
{
	struct test_ctx *t = *state;
	struct jmb_meeting *m = three_attendees(t->pool, "a1"), *got;

	OK(jmb_store_meeting_insert(t->store, m, &error));
	assert_true(m->id > 0);
	for (size_t i = 0; i < m->n_attendees; i++) {
		assert_true(m->attendees[i].id > 0);
		for (size_t k = 0; k < i; k++)
			assert_int_not_equal(m->attendees[i].id, m->attendees[k].id);
	}
	got = get_meeting(t, m->id);
	assert_meeting_equal(m, got);
	EXPECT(JMB_STORE_NOT_FOUND,
	       jmb_store_meeting_get(t->store, t->pool, m->id + 1000, &got, &error));
}

static void test_insert_conflicts(void **state)
{
	struct test_ctx *t = *state;
	struct jmb_meeting *m1 = three_attendees(t->pool, "c1");
	struct jmb_meeting *same_room = three_attendees(t->pool, "c2");
	struct jmb_meeting *same_uid = three_attendees(t->pool, "c3");
	struct jmb_meeting *same_token = three_attendees(t->pool, "c4");
	struct jmb_meeting *twin_tokens = make_meeting(t->pool, "c5", "bob", T0, 30);
	struct jmb_meeting *fine = three_attendees(t->pool, "c6");

	OK(jmb_store_meeting_insert(t->store, m1, &error));
	same_room->room = m1->room;
	EXPECT(JMB_STORE_CONFLICT, jmb_store_meeting_insert(t->store, same_room, &error));
	same_uid->uid = m1->uid;
	EXPECT(JMB_STORE_CONFLICT, jmb_store_meeting_insert(t->store, same_uid, &error));
	same_token->attendees[2].token = m1->attendees[1].token;
	EXPECT(JMB_STORE_CONFLICT, jmb_store_meeting_insert(t->store, same_token, &error));
	add_attendee(t->pool, twin_tokens, "x@example.org", JMB_ROLE_GUEST, "twin");
	add_attendee(t->pool, twin_tokens, "y@example.org", JMB_ROLE_GUEST, "twin");
	EXPECT(JMB_STORE_CONFLICT, jmb_store_meeting_insert(t->store, twin_tokens, &error));
	/* Each failed insert was one transaction, rolled back as a whole. */
	assert_int_equal(raw_long("SELECT count(*) FROM meetings"), 1);
	assert_int_equal(raw_long("SELECT count(*) FROM attendees"), 3);
	/* And the connection is usable afterwards. */
	OK(jmb_store_meeting_insert(t->store, fine, &error));
	assert_meeting_equal(fine, get_meeting(t, fine->id));
}

/* The meeting as an edit form would send it back: same id, uid, room. */
static struct jmb_meeting *edited_copy(struct jmb_pool *pool, const struct jmb_meeting *m)
{
	struct jmb_meeting *u = make_meeting(pool, "unused", m->owner.login, m->start, m->duration);
	char *sql;

	u->id = m->id;
	u->uid = m->uid;
	u->room = m->room;
	u->owner = m->owner;
	u->created = m->created;
	/* What the update writes: the stored sequence plus one. */
	sql = jmb_xasprintf("SELECT coalesce(max(sequence), 0) FROM meetings WHERE id = %lld",
	                    (long long)m->id);
	u->sequence = raw_long(sql) + 1;
	free(sql);
	return u;
}

static enum jmb_store_result add_joins(struct jmb_store *store, const char *token, long joins,
                                       struct jmb_error *error)
{
	const struct jmb_join_count count = {token, joins};

	return jmb_store_attendees_add_joins(store, &count, 1, error);
}

static void test_update_syncs_attendees(void **state)
{
	struct test_ctx *t = *state;
	struct jmb_meeting *m = three_attendees(t->pool, "u1"), *u, *got;

	OK(jmb_store_meeting_insert(t->store, m, &error));
	OK(jmb_store_attendee_set_status(t->store, "u1-g1", JMB_PARTSTAT_ACCEPTED, T0 + 5, &error));
	OK(add_joins(t->store, "u1-g1", 1, &error));
	OK(add_joins(t->store, "u1-g1", 1, &error));

	u = edited_copy(t->pool, m);
	u->title = jmb_pool_strdup(t->pool, "Renamed");
	u->description = jmb_pool_strdup(t->pool, "new text");
	u->start = T0 + 2 * HOUR;
	u->duration = 60;
	u->end = u->start + 60 * 60;
	u->timezone = jmb_pool_strdup(t->pool, "UTC");
	u->updated = T0 + 10;
	add_attendee(t->pool, u, "mod@example.org", JMB_ROLE_MODERATOR, "u1-mod");
	/* g1 stays (promoted, renamed); the form's fresh token must not replace the stored one. */
	add_attendee(t->pool, u, "g1@example.org", JMB_ROLE_MODERATOR, "form-token")->name =
	    jmb_pool_strdup(t->pool, "Gee One");
	add_attendee(t->pool, u, "new@example.org", JMB_ROLE_GUEST, "u1-new");
	OK(jmb_store_meeting_update(t->store, u, &error));

	got = get_meeting(t, m->id);
	assert_string_equal(got->title, "Renamed");
	assert_string_equal(got->description, "new text");
	assert_int_equal(got->start, T0 + 2 * HOUR);
	assert_int_equal(got->end, T0 + 3 * HOUR);
	assert_string_equal(got->timezone, "UTC");
	assert_int_equal(got->sequence, 1);
	assert_int_equal(got->updated, T0 + 10);
	assert_int_equal(got->created, m->created);
	assert_int_equal(got->n_attendees, 3);
	/* Moderators first, then by id: mod, g1 (now a moderator), new. */
	assert_string_equal(got->attendees[0].token, "u1-mod");
	assert_int_equal(got->attendees[0].id, m->attendees[0].id);
	assert_string_equal(got->attendees[1].mail, "g1@example.org");
	assert_int_equal(got->attendees[1].id, m->attendees[1].id);
	assert_int_equal(got->attendees[1].role, JMB_ROLE_MODERATOR);
	assert_string_equal(got->attendees[1].name, "Gee One");
	assert_string_equal(got->attendees[1].token, "u1-g1");
	assert_int_equal(got->attendees[1].status, JMB_PARTSTAT_ACCEPTED);
	assert_int_equal(got->attendees[1].joins, 2);
	assert_int_equal(got->attendees[1].responded, T0 + 5);
	assert_string_equal(got->attendees[2].token, "u1-new");
	assert_int_equal(got->attendees[2].joins, 0);
	/* update reports the stored ids, kept attendees included. */
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(u->attendees[i].id, got->attendees[i].id);
	/* g2 was removed: joins counted before are dropped, nothing comes back. */
	OK(add_joins(t->store, "u1-g2", 1, &error));
	assert_int_equal(raw_long("SELECT count(*) FROM attendees WHERE mail = 'g2@example.org'"),
	                 0);

	/* Every update bumps the sequence, even an identical one; one made from
	   a meeting read before another writer's is refused (RETRY: read again). */
	EXPECT(JMB_STORE_RETRY, jmb_store_meeting_update(t->store, u, &error));
	u->sequence++;
	OK(jmb_store_meeting_update(t->store, u, &error));
	assert_int_equal(get_meeting(t, m->id)->sequence, 2);
}

static void test_update_conflict_changes_nothing(void **state)
{
	struct test_ctx *t = *state;
	struct jmb_meeting *m1 = three_attendees(t->pool, "v1");
	struct jmb_meeting *m2 = three_attendees(t->pool, "v2"), *u;

	OK(jmb_store_meeting_insert(t->store, m1, &error));
	OK(jmb_store_meeting_insert(t->store, m2, &error));
	u = edited_copy(t->pool, m2);
	u->title = jmb_pool_strdup(t->pool, "Must not stick");
	add_attendee(t->pool, u, "other@example.org", JMB_ROLE_GUEST, "v1-g2");
	EXPECT(JMB_STORE_CONFLICT, jmb_store_meeting_update(t->store, u, &error));
	assert_meeting_equal(m2, get_meeting(t, m2->id));
}

static void test_update_not_found(void **state)
{
	struct test_ctx *t = *state;
	struct jmb_meeting *m = three_attendees(t->pool, "n1"), *u;

	OK(jmb_store_meeting_insert(t->store, m, &error));
	u = edited_copy(t->pool, m);
	u->id = m->id + 1000;
	EXPECT(JMB_STORE_NOT_FOUND, jmb_store_meeting_update(t->store, u, &error));
	OK(jmb_store_meeting_delete(t->store, m->id, T0, &error));
	u->id = m->id;
	u->title = jmb_pool_strdup(t->pool, "Too late");
	EXPECT(JMB_STORE_NOT_FOUND, jmb_store_meeting_update(t->store, u, &error));
	assert_string_equal(get_meeting(t, m->id)->title, m->title);
	assert_int_equal(get_meeting(t, m->id)->n_attendees, 3);
}

static void test_soft_delete(void **state)
{
	struct test_ctx *t = *state;
	struct jmb_meeting *m = three_attendees(t->pool, "d1"), *got;
	char *sql;

	OK(jmb_store_meeting_insert(t->store, m, &error));
	sql = jmb_xasprintf("INSERT INTO reminders (meeting_id, kind, offset_minutes, due_at, "
	                    "done_at) VALUES (%lld, 'mail', 10, 1, NULL), (%lld, 'xmpp', 5, 1, 2)",
	                    (long long)m->id, (long long)m->id);
	raw_exec(sql);
	free(sql);
	OK(jmb_store_meeting_delete(t->store, m->id, T0 + 20, &error));
	got = get_meeting(t, m->id);
	assert_int_equal(got->deleted, T0 + 20);
	assert_int_equal(got->updated, T0 + 20);
	assert_int_equal(got->sequence, 1);
	/* Kept with its attendees (feeds show it cancelled); pending reminders go. */
	assert_int_equal(got->n_attendees, 3);
	assert_int_equal(raw_long("SELECT count(*) FROM reminders WHERE done_at IS NULL"), 0);
	assert_int_equal(raw_long("SELECT count(*) FROM reminders"), 1);
	EXPECT(JMB_STORE_NOT_FOUND, jmb_store_meeting_delete(t->store, m->id, T0 + 30, &error));
	EXPECT(JMB_STORE_NOT_FOUND, jmb_store_meeting_delete(t->store, m->id + 1000, T0, &error));
	assert_int_equal(get_meeting(t, m->id)->deleted, T0 + 20);
}

/* ---- lists ---- */

static struct jmb_meeting *insert_simple(struct test_ctx *t, const char *tag, const char *owner,
                                         time_t start, const char *guest_mail)
{
	struct jmb_meeting *m = make_meeting(t->pool, tag, owner, start, 60);

	if (guest_mail != NULL)
		add_attendee(t->pool, m, guest_mail, JMB_ROLE_GUEST,
		             jmb_pool_printf(t->pool, "%s-guest", tag));
	add_attendee(t->pool, m, "zed@example.org", JMB_ROLE_GUEST,
	             jmb_pool_printf(t->pool, "%s-zed", tag));
	OK(jmb_store_meeting_insert(t->store, m, &error));
	return m;
}

static void assert_list(const struct jmb_meeting_list *list, const struct jmb_meeting *const *want,
                        size_t n)
{
	if (list->count != n)
		fail_msg("%s: got %zu meetings, expected %zu", fixture->name, list->count, n);
	for (size_t i = 0; i < n; i++) {
		if (list->items[i]->id != want[i]->id)
			fail_msg("%s: item %zu is %s, expected %s", fixture->name, i,
			         list->items[i]->uid, want[i]->uid);
		assert_int_equal(list->items[i]->n_attendees, want[i]->n_attendees);
	}
}

static void test_meetings_for_user(void **state)
{
	struct test_ctx *t = *state;
	const char *alice_mails[] = {"alice@example.org", "alice.alt@example.org", NULL};
	struct jmb_meeting_list list;
	struct jmb_meeting *owned = insert_simple(t, "f1", "alice", T0 + 2 * HOUR, NULL);
	struct jmb_meeting *invited =
	    insert_simple(t, "f2", "bob", T0 + 3 * HOUR, "alice.alt@example.org");
	struct jmb_meeting *earlier = insert_simple(t, "f3", "alice", T0 + HOUR, NULL);
	struct jmb_meeting *both =
	    insert_simple(t, "f4", "alice", T0 + 4 * HOUR, "alice@example.org");
	struct jmb_meeting *tie =
	    insert_simple(t, "f5", "carol", T0 + 2 * HOUR, "alice@example.org");
	struct jmb_meeting *deleted = insert_simple(t, "f6", "alice", T0 + 5 * HOUR, NULL);
	struct jmb_meeting *late = insert_simple(t, "f7", "alice", T0 + 90 * 86400, NULL);

	insert_simple(t, "f8", "carol", T0 + HOUR, "dave@example.org");
	OK(jmb_store_meeting_delete(t->store, deleted->id, T0, &error));

	OK(jmb_store_meetings_for_user(t->store, t->pool, "alice", alice_mails, T0, T0 + 86400,
	                               false, &list, &error));
	assert_list(&list, (const struct jmb_meeting *[]){earlier, owned, tie, invited, both}, 5);
	OK(jmb_store_meetings_for_user(t->store, t->pool, "alice", alice_mails, T0, T0 + 86400,
	                               true, &list, &error));
	assert_list(&list, (const struct jmb_meeting *[]){both, invited, tie, owned, earlier}, 5);
	/* The window is (ends_after, ends_before]. */
	OK(jmb_store_meetings_for_user(t->store, t->pool, "alice", alice_mails, earlier->end,
	                               owned->end, false, &list, &error));
	assert_list(&list, (const struct jmb_meeting *[]){owned, tie}, 2);
	OK(jmb_store_meetings_for_user(t->store, t->pool, "alice", alice_mails, T0, late->end,
	                               false, &list, &error));
	assert_int_equal(list.count, 6);
	/* Without her mails only what she owns; someone else sees nothing of hers. */
	OK(jmb_store_meetings_for_user(t->store, t->pool, "alice", NULL, T0, T0 + 86400, false,
	                               &list, &error));
	assert_list(&list, (const struct jmb_meeting *[]){earlier, owned, both}, 3);
	OK(jmb_store_meetings_for_user(t->store, t->pool, "mallory",
	                               (const char *[]){"mallory@example.org", NULL}, T0,
	                               T0 + 86400, false, &list, &error));
	assert_int_equal(list.count, 0);
}

static void test_meetings_all(void **state)
{
	struct test_ctx *t = *state;
	struct jmb_meeting_list list;
	struct jmb_meeting *past = insert_simple(t, "g1", "alice", T0 - 10 * HOUR, NULL);
	struct jmb_meeting *second = insert_simple(t, "g2", "bob", T0 + 2 * HOUR, "x@example.org");
	struct jmb_meeting *first = insert_simple(t, "g3", "carol", T0 + HOUR, NULL);
	struct jmb_meeting *gone = insert_simple(t, "g4", "dave", T0 + 3 * HOUR, NULL);

	OK(jmb_store_meeting_delete(t->store, gone->id, T0, &error));
	OK(jmb_store_meetings_all(t->store, t->pool, T0, false, &list, &error));
	assert_list(&list, (const struct jmb_meeting *[]){first, second}, 2);
	OK(jmb_store_meetings_all(t->store, t->pool, T0, true, &list, &error));
	assert_list(&list, (const struct jmb_meeting *[]){first, second, gone}, 3);
	assert_int_equal(list.items[2]->deleted, T0);
	OK(jmb_store_meetings_all(t->store, t->pool, 0, false, &list, &error));
	assert_list(&list, (const struct jmb_meeting *[]){past, first, second}, 3);
}

/* ---- attendees ---- */

static void test_attendee_by_token(void **state)
{
	struct test_ctx *t = *state;
	struct jmb_meeting *m = three_attendees(t->pool, "t1"), *got = NULL;
	size_t index = 99;

	insert_simple(t, "t0", "bob", T0, "g1@example.org");
	OK(jmb_store_meeting_insert(t->store, m, &error));
	OK(jmb_store_attendee_by_token(t->store, t->pool, "t1-g1", &got, &index, &error));
	assert_int_equal(got->id, m->id);
	assert_int_equal(got->n_attendees, 3);
	assert_true(index < 3);
	assert_string_equal(got->attendees[index].token, "t1-g1");
	assert_string_equal(got->attendees[index].mail, "g1@example.org");
	EXPECT(JMB_STORE_NOT_FOUND,
	       jmb_store_attendee_by_token(t->store, t->pool, "t1-nope", &got, &index, &error));
	/* Links of a deleted meeting still resolve; callers see it is deleted. */
	OK(jmb_store_meeting_delete(t->store, m->id, T0 + 1, &error));
	OK(jmb_store_attendee_by_token(t->store, t->pool, "t1-g2", &got, &index, &error));
	assert_int_equal(got->deleted, T0 + 1);
}

static void test_invitee_by_token(void **state)
{
	struct test_ctx *t = *state;
	struct jmb_meeting *m = three_attendees(t->pool, "i1"), *got = NULL;

	insert_simple(t, "i0", "bob", T0, "mod@example.org");
	OK(jmb_store_meeting_insert(t->store, m, &error));
	OK(jmb_store_attendee_set_status(t->store, "i1-mod", JMB_PARTSTAT_DECLINED, T0 + 3,
	                                 &error));
	OK(jmb_store_invitee_by_token(t->store, t->pool, "i1-mod", &got, &error));
	assert_int_equal(got->id, m->id);
	assert_string_equal(got->room, m->room);
	assert_string_equal(got->title, m->title);
	assert_int_equal(got->end, m->end);
	assert_string_equal(got->owner.login, "alice");
	assert_int_equal(got->n_attendees, 1);
	assert_string_equal(got->attendees[0].token, "i1-mod");
	assert_string_equal(got->attendees[0].mail, "mod@example.org");
	assert_string_equal(got->attendees[0].name, "Mod Erator");
	assert_int_equal(got->attendees[0].role, JMB_ROLE_MODERATOR);
	assert_int_equal(got->attendees[0].status, JMB_PARTSTAT_DECLINED);
	assert_int_equal(got->attendees[0].responded, T0 + 3);
	EXPECT(JMB_STORE_NOT_FOUND,
	       jmb_store_invitee_by_token(t->store, t->pool, "i1-nope", &got, &error));
	OK(jmb_store_meeting_delete(t->store, m->id, T0 + 1, &error));
	OK(jmb_store_invitee_by_token(t->store, t->pool, "i1-g2", &got, &error));
	assert_int_equal(got->deleted, T0 + 1);
	assert_string_equal(got->attendees[0].mail, "g2@example.org");
}

static void test_set_status(void **state)
{
	struct test_ctx *t = *state;
	struct jmb_meeting *m = three_attendees(t->pool, "s1"), *got;

	OK(jmb_store_meeting_insert(t->store, m, &error));
	OK(jmb_store_attendee_set_status(t->store, "s1-g2", JMB_PARTSTAT_ACCEPTED, T0 + 7, &error));
	got = get_meeting(t, m->id);
	assert_int_equal(got->attendees[2].status, JMB_PARTSTAT_ACCEPTED);
	assert_int_equal(got->attendees[2].responded, T0 + 7);
	assert_int_equal(got->attendees[1].status, JMB_PARTSTAT_NEEDS_ACTION);
	assert_int_equal(got->attendees[1].responded, 0);
	OK(jmb_store_attendee_set_status(t->store, "s1-g2", JMB_PARTSTAT_DECLINED, T0 + 8, &error));
	got = get_meeting(t, m->id);
	assert_int_equal(got->attendees[2].status, JMB_PARTSTAT_DECLINED);
	assert_int_equal(got->attendees[2].responded, T0 + 8);
	EXPECT(JMB_STORE_NOT_FOUND, jmb_store_attendee_set_status(
	                                t->store, "s1-nope", JMB_PARTSTAT_ACCEPTED, T0, &error));
}

static void test_add_joins(void **state)
{
	struct test_ctx *t = *state;
	struct jmb_meeting *m = three_attendees(t->pool, "j1"), *got;
	const struct jmb_join_count batch[] = {
	    {"j1-g1", 1}, {"j1-mod", 3}, {"j1-nope", 7}, /* unknown: skipped */
	};

	OK(jmb_store_meeting_insert(t->store, m, &error));
	OK(jmb_store_attendees_add_joins(t->store, batch, 3, &error));
	OK(jmb_store_attendees_add_joins(t->store, batch, 2, &error));
	OK(jmb_store_attendees_add_joins(t->store, batch, 0, &error));
	got = get_meeting(t, m->id);
	assert_string_equal(got->attendees[0].token, "j1-mod");
	assert_int_equal(got->attendees[0].joins, 6);
	assert_int_equal(got->attendees[1].joins, 2);
	assert_int_equal(got->attendees[2].joins, 0);
	assert_int_equal(raw_long("SELECT count(*) FROM attendees"), 3);
}

/* ---- feed versions (003_feed_changes triggers) ---- */

static struct jmb_feed_version feed_version(struct test_ctx *t, const char *login, const char *mail)
{
	const char *mails[] = {mail, NULL};
	struct jmb_feed_version v = {-1, -1};

	OK(jmb_store_feed_version(t->store, t->pool, login, mails, &v, &error));
	return v;
}

/* Asserts that the version of (login, mail) moved since *v, or not, and keeps the new one. */
static void expect_moved(struct test_ctx *t, const char *login, const char *mail,
                         struct jmb_feed_version *v, bool moved, const char *why)
{
	struct jmb_feed_version now = feed_version(t, login, mail);

	if ((now.changes != v->changes) != moved)
		fail_msg("%s: %s: %s's feed version %s (%lld then %lld)", fixture->name, why, mail,
		         moved ? "did not move" : "moved", (long long)v->changes,
		         (long long)now.changes);
	assert_true(now.changes >= v->changes);
	*v = now;
}

static void test_feed_versions_follow_writes(void **state)
{
	struct test_ctx *t = *state;
	struct jmb_meeting *m = three_attendees(t->pool, "fv"), *u;
	struct jmb_feed_version alice = feed_version(t, "alice", "alice@example.org");
	struct jmb_feed_version g1 = feed_version(t, "g1", "g1@example.org");
	struct jmb_feed_version g2 = feed_version(t, "g2", "g2@example.org");
	struct jmb_feed_version other = feed_version(t, "zoe", "zoe@example.org");
	const struct jmb_join_count join = {"fv-g1", 2};

	assert_int_equal(alice.changes, 0);
	assert_int_equal(alice.changed_at, 0);
	OK(jmb_store_meeting_insert(t->store, m, &error));
	expect_moved(t, "alice", "alice@example.org", &alice, true, "booked");
	assert_int_equal(alice.changed_at, m->updated);
	expect_moved(t, "g1", "g1@example.org", &g1, true, "invited");
	/* The organiser is found by login alone too (an address the store does not know). */
	assert_true(feed_version(t, "alice", "nobody@example.org").changes > 0);

	OK(jmb_store_attendee_set_status(t->store, "fv-g1", JMB_PARTSTAT_ACCEPTED, T0 + 7, &error));
	expect_moved(t, "alice", "alice@example.org", &alice, true, "an answer");
	assert_int_equal(alice.changed_at, T0 + 7);
	expect_moved(t, "g1", "g1@example.org", &g1, true, "their answer");

	OK(jmb_store_attendees_add_joins(t->store, &join, 1, &error));
	expect_moved(t, "alice", "alice@example.org", &alice, false, "a join");
	expect_moved(t, "g1", "g1@example.org", &g1, false, "a join");

	/* g2 removed: their feed changes (the meeting leaves it). */
	u = edited_copy(t->pool, m);
	u->updated = T0 + 20;
	add_attendee(t->pool, u, "mod@example.org", JMB_ROLE_MODERATOR, "fv-mod");
	add_attendee(t->pool, u, "g1@example.org", JMB_ROLE_GUEST, "fv-g1");
	OK(jmb_store_meeting_update(t->store, u, &error));
	expect_moved(t, "g2", "g2@example.org", &g2, true, "removed");
	assert_int_equal(g2.changed_at, T0 + 20);
	expect_moved(t, "g1", "g1@example.org", &g1, true, "edited");
	/* Removed, g2 is no longer concerned. */
	OK(jmb_store_meeting_delete(t->store, m->id, T0 + 30, &error));
	expect_moved(t, "g2", "g2@example.org", &g2, false, "deleted after removal");
	expect_moved(t, "g1", "g1@example.org", &g1, true, "deleted");
	expect_moved(t, "alice", "alice@example.org", &alice, true, "deleted");
	assert_int_equal(alice.changed_at, T0 + 30);
	expect_moved(t, "zoe", "zoe@example.org", &other, false, "someone else's meeting");
}

#define JOIN_THREADS 8
#define BATCHES_EACH 25
#define JOIN_ATTEMPTS 50

struct joiner {
	struct jmb_store *store;
	pthread_barrier_t *barrier;
	int failures;
	struct jmb_error error;
};

static void *join_thread(void *arg)
{
	struct joiner *j = arg;
	const struct jmb_join_count batch[] = {{"cc-g1", 1}, {"cc-g2", 2}, {"cc-mod", 3}};

	pthread_barrier_wait(j->barrier);
	for (int i = 0; i < BATCHES_EACH; i++) {
		enum jmb_store_result r = JMB_STORE_RETRY;

		/* RETRY is the store's "try again": a caller is allowed to. */
		for (int attempt = 0; r == JMB_STORE_RETRY && attempt < JOIN_ATTEMPTS; attempt++) {
			r = jmb_store_attendees_add_joins(j->store, batch, 3, &j->error);
		}
		if (r != JMB_STORE_OK)
			j->failures++;
	}
	return NULL;
}

/* The legacy lost join counts under load; here batches written at once by
 * several writers (jmbd instances) all count, once. */
static void test_add_joins_concurrently(void **state)
{
	struct test_ctx *t = *state;
	struct jmb_meeting *m = three_attendees(t->pool, "cc"), *got;
	struct joiner joiners[JOIN_THREADS] = {0};
	pthread_t threads[JOIN_THREADS];
	pthread_barrier_t barrier;

	OK(jmb_store_meeting_insert(t->store, m, &error));
	pthread_barrier_init(&barrier, NULL, JOIN_THREADS);
	for (int i = 0; i < JOIN_THREADS; i++) {
		joiners[i].store = t->store;
		joiners[i].barrier = &barrier;
		assert_int_equal(pthread_create(&threads[i], NULL, join_thread, &joiners[i]), 0);
	}
	for (int i = 0; i < JOIN_THREADS; i++)
		pthread_join(threads[i], NULL);
	pthread_barrier_destroy(&barrier);
	for (int i = 0; i < JOIN_THREADS; i++) {
		if (joiners[i].failures > 0)
			fail_msg("%s: thread %d: %d batches failed: %s", fixture->name, i,
			         joiners[i].failures, joiners[i].error.text);
	}
	got = get_meeting(t, m->id);
	assert_int_equal(got->attendees[0].joins, 3 * JOIN_THREADS * BATCHES_EACH);
	assert_int_equal(got->attendees[1].joins, 1 * JOIN_THREADS * BATCHES_EACH);
	assert_int_equal(got->attendees[2].joins, 2 * JOIN_THREADS * BATCHES_EACH);
}

/* ---- users, sessions, tokens, secrets ---- */

/* A transaction whose COMMIT fails (a deferred foreign key, set up here by a
   trigger) must not leave its connection open inside the transaction: the
   next call on that pooled connection would run inside it, and never commit. */
static void test_failed_commit_leaves_no_open_transaction(void **state)
{
	struct test_ctx *t = *state;
	struct jmb_meeting *m = three_attendees(t->pool, "trap");

	raw_exec("CREATE TABLE trap_parent (id INTEGER PRIMARY KEY)");
	raw_exec("CREATE TABLE trap (x INTEGER REFERENCES trap_parent (id) "
	         "DEFERRABLE INITIALLY DEFERRED)");
	if (fixture_is_pg()) {
		raw_exec("CREATE FUNCTION trap_fn() RETURNS trigger LANGUAGE plpgsql AS "
		         "$$BEGIN INSERT INTO trap VALUES (1); RETURN NULL; END$$");
		raw_exec("CREATE TRIGGER trap_meetings AFTER INSERT ON meetings "
		         "FOR EACH ROW EXECUTE FUNCTION trap_fn()");
	} else {
		raw_exec("CREATE TRIGGER trap_meetings AFTER INSERT ON meetings "
		         "BEGIN INSERT INTO trap VALUES (1); END");
	}
	EXPECT(JMB_STORE_ERROR, jmb_store_meeting_insert(t->store, m, &error));
	/* One connection in the pool: this call gets the one that failed. */
	OK(jmb_store_session_create(t->store, "trap-hash", "{}", T0, T0 + HOUR, &error));
	assert_int_equal(raw_long("SELECT count(*) FROM sessions"), 1);
	assert_int_equal(raw_long("SELECT count(*) FROM meetings"), 0);
}

/* A driver that fails the step of statements whose SQL contains fail_sql,
   as a broken disk or a lost server would, and is otherwise the fixture's. */
static const char *fail_sql;
static struct jmb_sql_driver failing_driver;

static struct jmb_sql_conn *failing_connect(const struct jmb_store_settings *settings,
                                            struct jmb_error *error)
{
	struct jmb_sql_conn *conn = fixture_driver()->connect(settings, error);

	if (conn != NULL)
		conn->driver = &failing_driver; /* the helpers dispatch through it */
	return conn;
}

static struct jmb_sql_stmt *failing_stmt;

static enum jmb_store_result failing_prepare(struct jmb_sql_conn *conn, const char *sql,
                                             const struct jmb_sql_value *values, size_t n_values,
                                             struct jmb_sql_stmt **stmt_r, struct jmb_error *error)
{
	enum jmb_store_result r =
	    fixture_driver()->prepare(conn, sql, values, n_values, stmt_r, error);

	if (r == JMB_STORE_OK && fail_sql != NULL && strstr(sql, fail_sql) != NULL)
		failing_stmt = *stmt_r;
	return r;
}

static enum jmb_store_result failing_step(struct jmb_sql_stmt *stmt, bool *row_r,
                                          struct jmb_error *error)
{
	if (stmt == failing_stmt) {
		*row_r = false;
		jmb_error_set(error, "injected read failure");
		return JMB_STORE_ERROR;
	}
	return fixture_driver()->step(stmt, row_r, error);
}

static void failing_release(struct jmb_sql_stmt *stmt)
{
	if (stmt == failing_stmt)
		failing_stmt = NULL;
	fixture_driver()->release(stmt);
}

static struct jmb_store *open_failing_store(void)
{
	struct jmb_error error;
	struct jmb_store *store;

	failing_driver = *fixture_driver();
	failing_driver.connect = failing_connect;
	failing_driver.prepare = failing_prepare;
	failing_driver.step = failing_step;
	failing_driver.release = failing_release;
	store = jmb_store_open_driver(&fixture->settings, &failing_driver, &error);
	if (store == NULL)
		fail_msg("%s: open: %s", fixture->name, error.text);
	return store;
}

/* When reading the user's current feed token fails, that failure is the
   answer: the token must not be written on the guess that there was none. */
static void test_feed_token_read_failure_is_returned(void **state)
{
	struct test_ctx *t = *state;
	struct jmb_store *store = open_failing_store();
	struct jmb_person bob = {"bob", "bob@example.org", "Bob"};
	char *token = NULL;

	fail_sql = "AND identity = $2";
	EXPECT(JMB_STORE_ERROR,
	       jmb_store_feed_token(store, t->pool, &bob, "{}", "cand1", T0, &token, &error));
	assert_null(token);
	assert_int_equal(raw_long("SELECT count(*) FROM users"), 0);
	fail_sql = NULL;
	OK(jmb_store_feed_token(store, t->pool, &bob, "{}", "cand1", T0, &token, &error));
	assert_string_equal(token, "cand1");
	jmb_store_close(&store);
}

static void test_user_touch(void **state)
{
	struct test_ctx *t = *state;
	struct jmb_person alice = {"alice", "alice@example.org", "Alice"};
	const char *row_sql =
	    "SELECT mail || '|' || name || '|' || coalesce(language, '-') || '|' "
	    "|| created_at || '|' || last_login_at FROM users WHERE login = 'alice'";
	char *row;

	OK(jmb_store_user_touch(t->store, &alice, "fr", T0, &error));
	row = raw_text(row_sql);
	assert_string_equal(row, "alice@example.org|Alice|fr|1900000000|1900000000");
	free(row);
	/* The directory changed her mail and name; no language given keeps hers. */
	alice.mail = "alice.new@example.org";
	alice.name = "Alice N.";
	OK(jmb_store_user_touch(t->store, &alice, NULL, T0 + 60, &error));
	row = raw_text(row_sql);
	assert_string_equal(row, "alice.new@example.org|Alice N.|fr|1900000000|1900000060");
	free(row);
	OK(jmb_store_user_touch(t->store, &alice, "en", T0 + 120, &error));
	row = raw_text(row_sql);
	assert_string_equal(row, "alice.new@example.org|Alice N.|en|1900000000|1900000120");
	free(row);
	assert_int_equal(raw_long("SELECT count(*) FROM users"), 1);
}

static void test_sessions(void **state)
{
	struct test_ctx *t = *state;
	const char *identity = "{\"uid\":\"alice\",\"name\":\"Zo\xc3\xab\"}";
	struct jmb_session_record s = {0};
	long purged = -1;

	OK(jmb_store_session_create(t->store, "hash-1", identity, T0, T0 + HOUR, &error));
	OK(jmb_store_session_get(t->store, t->pool, "hash-1", T0 + 10, &s, &error));
	assert_string_equal(s.identity_json, identity);
	assert_int_equal(s.created, T0);
	assert_int_equal(s.expires, T0 + HOUR);
	EXPECT(JMB_STORE_NOT_FOUND,
	       jmb_store_session_get(t->store, t->pool, "hash-1", T0 + HOUR, &s, &error));
	EXPECT(JMB_STORE_NOT_FOUND,
	       jmb_store_session_get(t->store, t->pool, "hash-2", T0, &s, &error));
	EXPECT(JMB_STORE_CONFLICT,
	       jmb_store_session_create(t->store, "hash-1", "{}", T0, T0 + HOUR, &error));
	OK(jmb_store_session_delete(t->store, "hash-1", &error));
	EXPECT(JMB_STORE_NOT_FOUND,
	       jmb_store_session_get(t->store, t->pool, "hash-1", T0 + 10, &s, &error));
	OK(jmb_store_session_delete(t->store, "hash-1", &error));

	OK(jmb_store_session_create(t->store, "p1", "{}", T0, T0 + 100, &error));
	OK(jmb_store_session_create(t->store, "p2", "{}", T0, T0 + 200, &error));
	OK(jmb_store_session_create(t->store, "p3", "{}", T0, T0 + 300, &error));
	OK(jmb_store_sessions_purge(t->store, T0 + 200, &purged, &error));
	assert_int_equal(purged, 2);
	OK(jmb_store_session_get(t->store, t->pool, "p3", T0 + 250, &s, &error));
	OK(jmb_store_sessions_purge(t->store, T0 + 200, &purged, &error));
	assert_int_equal(purged, 0);
	assert_int_equal(raw_long("SELECT count(*) FROM sessions"), 1);
}

/* Prosody's reservations: one per room name, replaced (same id) when asked
 * again, deleted idempotently, purged once expired; a private room's owner is
 * a user who has logged in. */
static void test_reservations(void **state)
{
	struct test_ctx *t = *state;
	struct jmb_meeting *m = insert_simple(t, "res", "alice", T0 + HOUR, NULL);
	struct jmb_reservation a = {.name = m->room,
	                            .meeting_id = m->id,
	                            .mail_owner = "x@y",
	                            .start = T0,
	                            .expires = T0 + HOUR};
	struct jmb_reservation b = {
	    .name = "alice", .mail_owner = "", .start = T0, .expires = T0 + 2 * HOUR};
	struct jmb_reservation got = {0};
	long long first;
	long purged = -1;
	bool exists = true;

	OK(jmb_store_reservation_put(t->store, &a, T0, &error));
	first = a.id;
	assert_true(first > 0);
	a.expires = T0 + 3 * HOUR;
	OK(jmb_store_reservation_put(t->store, &a, T0 + 5, &error));
	assert_int_equal(a.id, first);
	OK(jmb_store_reservation_get(t->store, t->pool, first, &got, &error));
	assert_string_equal(got.name, m->room);
	assert_int_equal(got.meeting_id, m->id);
	assert_string_equal(got.mail_owner, "x@y");
	assert_int_equal(got.start, T0);
	assert_int_equal(got.expires, T0 + 3 * HOUR);
	OK(jmb_store_reservation_put(t->store, &b, T0, &error));
	assert_true(b.id != first);
	OK(jmb_store_reservation_get(t->store, t->pool, b.id, &got, &error));
	assert_int_equal(got.meeting_id, 0);
	OK(jmb_store_reservation_delete(t->store, first, &error));
	OK(jmb_store_reservation_delete(t->store, first, &error));
	EXPECT(JMB_STORE_NOT_FOUND,
	       jmb_store_reservation_get(t->store, t->pool, first, &got, &error));
	OK(jmb_store_reservations_purge(t->store, T0 + 2 * HOUR, &purged, &error));
	assert_int_equal(purged, 1);
	assert_int_equal(raw_long("SELECT count(*) FROM reservations"), 0);

	OK(jmb_store_user_exists(t->store, "alice", &exists, &error));
	assert_false(exists);
	OK(jmb_store_user_touch(t->store, &(struct jmb_person){"alice", "a@x.org", "A"}, NULL, T0,
	                        &error));
	OK(jmb_store_user_exists(t->store, "alice", &exists, &error));
	assert_true(exists);
}

/* The login throttle's counts (rules: auth/login-throttle.c): a try is
 * counted before its password is checked, a waiting client is refused without
 * being counted, the account's total sums every address, a success clears
 * one address, a try that checked nothing is taken back, old rows expire. */
static const struct jmb_login_policy test_policy = {
    .free_tries = 2, .lock_after = 4, .lock_time = 600, .account_ceiling = 100, .memory = HOUR};

static void test_login_failures(void **state)
{
	struct test_ctx *t = *state;
	struct jmb_login_attempt a;
	long purged = -1;

	OK(jmb_store_login_attempt(t->store, "acct", "192.0.2.1", T0, &test_policy, &a, &error));
	assert_true(a.allowed);
	assert_int_equal(a.pair_failures, 1);
	assert_int_equal(a.blocked_until, T0);
	OK(jmb_store_login_attempt(t->store, "acct", "192.0.2.1", T0, &test_policy, &a, &error));
	assert_int_equal(a.pair_failures, 2);
	assert_int_equal(a.blocked_until, T0 + 1);
	/* Waiting: refused, and not counted. */
	OK(jmb_store_login_attempt(t->store, "acct", "192.0.2.1", T0, &test_policy, &a, &error));
	assert_false(a.allowed);
	assert_int_equal(a.blocked_until, T0 + 1);
	/* Another address has its own count; the account's sums both. */
	OK(jmb_store_login_attempt(t->store, "acct", "192.0.2.2", T0, &test_policy, &a, &error));
	assert_true(a.allowed);
	assert_int_equal(a.pair_failures, 1);
	assert_int_equal(a.account_failures, 3);
	/* A try that checked no password is taken back, wait included. */
	OK(jmb_store_login_attempt(t->store, "acct", "192.0.2.1", T0 + 1, &test_policy, &a,
	                           &error));
	assert_int_equal(a.pair_failures, 3);
	assert_int_equal(a.blocked_until, T0 + 1 + 2);
	OK(jmb_store_login_uncount(t->store, "acct", "192.0.2.1", &a, &error));
	OK(jmb_store_login_attempt(t->store, "acct", "192.0.2.1", T0 + 1, &test_policy, &a,
	                           &error));
	assert_true(a.allowed);
	assert_int_equal(a.pair_failures, 3);
	/* The lock. */
	OK(jmb_store_login_attempt(t->store, "acct", "192.0.2.1", T0 + 3, &test_policy, &a,
	                           &error));
	assert_int_equal(a.pair_failures, 4);
	assert_int_equal(a.blocked_until, T0 + 3 + 600);
	OK(jmb_store_login_attempt(t->store, "acct", "192.0.2.1", T0 + 602, &test_policy, &a,
	                           &error));
	assert_false(a.allowed);
	/* A success clears its own address only. */
	OK(jmb_store_login_clear(t->store, "acct", "192.0.2.1", &error));
	OK(jmb_store_login_attempt(t->store, "acct", "192.0.2.1", T0 + 10, &test_policy, &a,
	                           &error));
	assert_true(a.allowed);
	assert_int_equal(a.pair_failures, 1);
	assert_int_equal(a.account_failures, 2);
	/* Forgotten after memory: counted afresh, then purged. */
	OK(jmb_store_login_attempt(t->store, "acct", "192.0.2.2", T0 + HOUR + 1, &test_policy, &a,
	                           &error));
	assert_int_equal(a.pair_failures, 1);
	assert_int_equal(a.account_failures, 2);
	OK(jmb_store_login_failures_purge(t->store, T0 + HOUR + 10, &purged, &error));
	assert_int_equal(purged, 1);
	assert_int_equal(raw_long("SELECT count(*) FROM login_failures"), 1);
	OK(jmb_store_login_failures_purge(t->store, T0 + 3 * HOUR, &purged, &error));
	assert_int_equal(purged, 1);
}

#define LOGIN_THREADS 6
#define LOGIN_TRIES_EACH 10

struct login_guesser {
	struct jmb_store *store;
	pthread_barrier_t *barrier;
	int failures;
	struct jmb_error error;
};

static void *login_thread(void *arg)
{
	static const struct jmb_login_policy generous = {.free_tries = 1000,
	                                                 .lock_after = 2000,
	                                                 .lock_time = 600,
	                                                 .account_ceiling = 100000,
	                                                 .memory = HOUR};
	struct login_guesser *g = arg;
	struct jmb_login_attempt a;

	pthread_barrier_wait(g->barrier);
	for (int i = 0; i < LOGIN_TRIES_EACH; i++) {
		enum jmb_store_result r = JMB_STORE_RETRY;
		for (int n = 0; r == JMB_STORE_RETRY && n < JOIN_ATTEMPTS; n++)
			r = jmb_store_login_attempt(g->store, "acct", "192.0.2.9", T0, &generous,
			                            &a, &g->error);
		if (r != JMB_STORE_OK || !a.allowed)
			g->failures++;
	}
	return NULL;
}

/* Parallel tries of one client (one attacker's many connections, or several
 * instances) are all counted: none slips through uncounted. */
static void test_login_failures_concurrently(void **state)
{
	struct test_ctx *t = *state;
	struct login_guesser guessers[LOGIN_THREADS] = {0};
	pthread_t threads[LOGIN_THREADS];
	pthread_barrier_t barrier;
	struct jmb_login_attempt a;

	/* The row exists first, as it does for a client past its free tries. */
	OK(jmb_store_login_attempt(t->store, "acct", "192.0.2.9", T0, &test_policy, &a, &error));
	pthread_barrier_init(&barrier, NULL, LOGIN_THREADS);
	for (int i = 0; i < LOGIN_THREADS; i++) {
		guessers[i].store = t->store;
		guessers[i].barrier = &barrier;
		assert_int_equal(pthread_create(&threads[i], NULL, login_thread, &guessers[i]), 0);
	}
	for (int i = 0; i < LOGIN_THREADS; i++)
		pthread_join(threads[i], NULL);
	pthread_barrier_destroy(&barrier);
	for (int i = 0; i < LOGIN_THREADS; i++) {
		if (guessers[i].failures > 0)
			fail_msg("%s: thread %d: %d tries failed: %s", fixture->name, i,
			         guessers[i].failures, guessers[i].error.text);
	}
	assert_int_equal(raw_long("SELECT failures FROM login_failures"),
	                 1 + LOGIN_THREADS * LOGIN_TRIES_EACH);
}

static void test_api_tokens(void **state)
{
	struct test_ctx *t = *state;
	char *identity = NULL;

	OK(jmb_store_api_token_create(t->store, "th-1", "{\"uid\":\"ci\"}", "ci", T0, &error));
	OK(jmb_store_api_token_create(t->store, "th-2", "{\"uid\":\"bot\"}", NULL, T0, &error));
	OK(jmb_store_api_token_lookup(t->store, t->pool, "th-1", T0 + 50, &identity, &error));
	assert_string_equal(identity, "{\"uid\":\"ci\"}");
	assert_int_equal(raw_long("SELECT last_used_at FROM api_tokens WHERE token_hash = 'th-1'"),
	                 T0 + 50);
	assert_int_equal(raw_long("SELECT count(*) FROM api_tokens WHERE label = ''"), 1);
	EXPECT(JMB_STORE_NOT_FOUND,
	       jmb_store_api_token_lookup(t->store, t->pool, "th-9", T0, &identity, &error));
	EXPECT(JMB_STORE_CONFLICT,
	       jmb_store_api_token_create(t->store, "th-1", "{}", "again", T0, &error));
	raw_exec("UPDATE api_tokens SET revoked_at = 1 WHERE token_hash = 'th-1'");
	EXPECT(JMB_STORE_NOT_FOUND,
	       jmb_store_api_token_lookup(t->store, t->pool, "th-1", T0, &identity, &error));
	OK(jmb_store_api_token_lookup(t->store, t->pool, "th-2", T0, &identity, &error));
	assert_string_equal(identity, "{\"uid\":\"bot\"}");
}

static void test_secret_get(void **state)
{
	struct test_ctx *t = *state;
	char *value = NULL;

	OK(jmb_store_secret_get(t->store, t->pool, "csrf", "first", &value, &error));
	assert_string_equal(value, "first");
	OK(jmb_store_secret_get(t->store, t->pool, "csrf", "second", &value, &error));
	assert_string_equal(value, "first");
	OK(jmb_store_secret_get(t->store, t->pool, "other", "x'%s\\\"", &value, &error));
	assert_string_equal(value, "x'%s\\\"");
	assert_int_equal(raw_long("SELECT count(*) FROM secrets"), 2);
}

/* ---- text is data ---- */

#define NASTY                                                                                      \
	"Robert'); DROP TABLE meetings; -- \"q\" \\ %s %n $1 ? ?1 :x @y ; \t\n"                    \
	"R\xc3\xa9union \xe4\xbc\x9a\xe8\xae\xae \xf0\x9f\x8e\x89 \xe2\x80\xae"

static void test_text_is_stored_literally(void **state)
{
	struct test_ctx *t = *state;
	struct jmb_meeting *m = make_meeting(t->pool, "q1", "o'hara", T0 + HOUR, 60), *u;
	const char *mails[] = {"o'brien\"x\\@example.org", NULL};
	struct jmb_session_record s = {0};
	struct jmb_meeting_list list;

	m->title = jmb_pool_strdup(t->pool, NASTY);
	m->description = jmb_pool_strdup(t->pool, NASTY NASTY);
	m->owner.name = jmb_pool_strdup(t->pool, "O'Hara \"the\" \xc3\x89l\xc3\xa8ve");
	m->timezone = jmb_pool_strdup(t->pool, "America/Argentina/Buenos_Aires");
	add_attendee(t->pool, m, mails[0], JMB_ROLE_GUEST, "q1-quote")->name =
	    jmb_pool_strdup(t->pool, NASTY);
	add_attendee(t->pool, m, "plain@example.org", JMB_ROLE_GUEST, "q1-'; --");
	OK(jmb_store_meeting_insert(t->store, m, &error));
	assert_meeting_equal(m, get_meeting(t, m->id));

	/* Mail lists travel as JSON: quotes and backslashes must survive the trip. */
	OK(jmb_store_meetings_for_user(t->store, t->pool, "nobody", mails, T0, T0 + 86400, false,
	                               &list, &error));
	assert_int_equal(list.count, 1);
	OK(jmb_store_attendee_set_status(t->store, "q1-quote", JMB_PARTSTAT_ACCEPTED, T0, &error));
	u = edited_copy(t->pool, m);
	u->title = m->title;
	u->description = m->description;
	u->timezone = m->timezone;
	add_attendee(t->pool, u, mails[0], JMB_ROLE_GUEST, "q1-other")->name = m->attendees[0].name;
	OK(jmb_store_meeting_update(t->store, u, &error));
	u = get_meeting(t, m->id);
	assert_int_equal(u->n_attendees, 1);
	assert_string_equal(u->attendees[0].token, "q1-quote");
	assert_int_equal(u->attendees[0].status, JMB_PARTSTAT_ACCEPTED);
	assert_string_equal(u->title, NASTY);

	OK(jmb_store_session_create(t->store, "h'; --", NASTY, T0, T0 + HOUR, &error));
	OK(jmb_store_session_get(t->store, t->pool, "h'; --", T0, &s, &error));
	assert_string_equal(s.identity_json, NASTY);
	assert_int_equal(raw_long("SELECT count(*) FROM meetings"), 1);
}

/* ---- side effects, reminders and the outbox ---- */

/* Side effects of a change: the mails in `recipients` (NULL-terminated) and a
   plan of mail reminders at `offsets` minutes before start (0-terminated). */
static struct jmb_side_effects *make_fx(struct jmb_pool *pool, time_t now, time_t start,
                                        const char *const *recipients, const long *offsets)
{
	struct jmb_side_effects *fx = jmb_pool_calloc(pool, 1, sizeof(*fx));
	struct jmb_outbox_mail *mails = jmb_pool_calloc(pool, 8, sizeof(*mails));
	struct jmb_reminder *plan = jmb_pool_calloc(pool, 8, sizeof(*plan));

	fx->now = now;
	for (size_t i = 0; recipients != NULL && recipients[i] != NULL; i++) {
		mails[i].sender = "noreply@example.org";
		mails[i].recipient = recipients[i];
		mails[i].message = jmb_pool_printf(
		    pool, "To: %s\r\nSubject: fx %ld\r\n\r\nbody\r\n", recipients[i], (long)now);
		mails[i].message_len = strlen(mails[i].message);
		fx->n_mails++;
	}
	for (size_t i = 0; offsets != NULL && offsets[i] != 0; i++) {
		plan[i].kind = offsets[i] > 0 ? JMB_REMINDER_MAIL : JMB_REMINDER_XMPP;
		plan[i].offset = labs(offsets[i]);
		plan[i].due = start - labs(offsets[i]) * 60;
		fx->n_reminders++;
	}
	fx->mails = mails;
	fx->reminders = plan;
	return fx;
}

static long count_where(const char *table, const char *where)
{
	char *sql = jmb_xasprintf("SELECT count(*) FROM %s WHERE %s", table, where);
	long n = raw_long(sql);

	free(sql);
	return n;
}

/* The pending reminders of a meeting as "kind:offset@due" sorted, one string. */
static char *pending_plan(int64_t meeting_id)
{
	char *sql = jmb_xasprintf(
	    fixture_is_pg()
	        ? "SELECT coalesce(string_agg(kind || ':' || offset_minutes || '@' || due_at, ' ' "
	          "ORDER BY kind, offset_minutes), '') FROM reminders WHERE meeting_id = %lld "
	          "AND done_at IS NULL"
	        : "SELECT coalesce(group_concat(k, ' '), '') FROM (SELECT kind || ':' || "
	          "offset_minutes || '@' || due_at AS k FROM reminders WHERE meeting_id = %lld "
	          "AND done_at IS NULL ORDER BY kind, offset_minutes)",
	    (long long)meeting_id);
	char *text = raw_text(sql);

	free(sql);
	return text != NULL ? text : jmb_xstrdup("");
}

#define ASSERT_PLAN(meeting_id, want)                                                              \
	do {                                                                                       \
		char *plan_ = pending_plan(meeting_id);                                            \
		if (strcmp(plan_, (want)) != 0)                                                    \
			fail_msg("%s: pending reminders \"%s\", expected \"%s\"", fixture->name,   \
			         plan_, (want));                                                   \
		free(plan_);                                                                       \
	} while (0)

static char *due_text(time_t start, long minutes)
{
	static char buf[4][64];
	static int next;
	char *out = buf[next++ % 4];

	snprintf(out, sizeof(buf[0]), "%lld", (long long)(start - minutes * 60));
	return out;
}

/* Claims return their rows in no particular order: sort them to compare. */
static int by_id(const void *a, const void *b)
{
	const struct jmb_outbox_mail *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static int by_due(const void *a, const void *b)
{
	const struct jmb_reminder *x = a, *y = b;

	return x->due != y->due ? (x->due > y->due) - (x->due < y->due)
	                        : (x->id > y->id) - (x->id < y->id);
}

#define SORTED_MAILS(list) qsort((list).items, (list).count, sizeof(*(list).items), by_id)
#define SORTED_REMINDERS(list) qsort((list).items, (list).count, sizeof(*(list).items), by_due)

/* A change that fails writes neither its mails nor its reminders. */
static void test_fx_commit_with_the_change(void **state)
{
	struct test_ctx *t = *state;
	const char *const three[] = {"alice@example.org", "mod@example.org", "g1@example.org",
	                             NULL};
	const char *const one[] = {"x@example.org", NULL};
	const long offsets[] = {60, 10, 0};
	struct jmb_meeting *m1 = three_attendees(t->pool, "fx1");
	struct jmb_meeting *m2 = three_attendees(t->pool, "fx2"), *u;

	OK(jmb_store_meeting_insert_fx(t->store, m1,
	                               make_fx(t->pool, T0, m1->start, three, offsets), &error));
	assert_int_equal(raw_long("SELECT count(*) FROM outbox"), 3);
	assert_int_equal(raw_long("SELECT count(*) FROM reminders"), 2);
	assert_int_equal(count_where("outbox",
	                             "status = 'pending' AND next_attempt_at = 1900000000 "
	                             "AND attempts = 0 AND claimed_by IS NULL"),
	                 3);

	/* Insert: the room is taken. */
	m2->room = m1->room;
	EXPECT(JMB_STORE_CONFLICT,
	       jmb_store_meeting_insert_fx(t->store, m2,
	                                   make_fx(t->pool, T0, m2->start, one, offsets), &error));
	/* Update: an attendee token of another meeting. */
	m2 = three_attendees(t->pool, "fx3");
	OK(jmb_store_meeting_insert(t->store, m2, &error));
	u = edited_copy(t->pool, m1);
	u->start = m1->start + HOUR;
	u->end = u->start + u->duration * 60;
	add_attendee(t->pool, u, "new@example.org", JMB_ROLE_GUEST, "fx3-g1");
	EXPECT(JMB_STORE_CONFLICT,
	       jmb_store_meeting_update_fx(t->store, u,
	                                   make_fx(t->pool, T0, u->start, one, offsets), &error));
	/* Update and delete of a meeting that is not there. */
	u = edited_copy(t->pool, m1);
	u->id = m1->id + 1000;
	EXPECT(JMB_STORE_NOT_FOUND,
	       jmb_store_meeting_update_fx(t->store, u,
	                                   make_fx(t->pool, T0, u->start, one, offsets), &error));
	EXPECT(JMB_STORE_NOT_FOUND,
	       jmb_store_meeting_delete_fx(t->store, m1->id + 1000, T0,
	                                   make_fx(t->pool, T0, 0, one, NULL), &error));
	/* An answer with an unknown token. */
	EXPECT(JMB_STORE_NOT_FOUND,
	       jmb_store_attendee_set_status_fx(t->store, "fx-nope", JMB_PARTSTAT_ACCEPTED, T0,
	                                        make_fx(t->pool, T0, 0, one, NULL), &error));
	/* None of them left a mail, a reminder or a changed plan. */
	assert_int_equal(raw_long("SELECT count(*) FROM outbox"), 3);
	assert_int_equal(count_where("outbox", "recipients LIKE '%x@example.org%'"), 0);
	assert_int_equal(raw_long("SELECT count(*) FROM reminders"), 2);
	{
		char *want = jmb_xasprintf("mail:10@%s mail:60@%s", due_text(m1->start, 10),
		                           due_text(m1->start, 60));
		ASSERT_PLAN(m1->id, want);
		free(want);
	}
	assert_meeting_equal(m1, get_meeting(t, m1->id));

	/* The successful ones write theirs. */
	OK(jmb_store_attendee_set_status_fx(t->store, "fx1-g1", JMB_PARTSTAT_ACCEPTED, T0 + 1,
	                                    make_fx(t->pool, T0 + 1, 0, one, NULL), &error));
	assert_int_equal(count_where("outbox", "recipients LIKE '%x@example.org%'"), 1);
	OK(jmb_store_meeting_delete_fx(t->store, m1->id, T0 + 2,
	                               make_fx(t->pool, T0 + 2, 0, three, NULL), &error));
	assert_int_equal(raw_long("SELECT count(*) FROM outbox"), 7);
	assert_int_equal(count_where("reminders", "done_at IS NULL"), 0);
}

/* A series is planned occurrence by occurrence: a weekly series of six in
   Paris that crosses the start of summer time (2030-03-31) keeps its 09:00,
   so its UTC times move an hour; a cancelled occurrence has no reminders, a
   moved one has them at its new time. */
#define SERIES_FIRST ((time_t)1900224000) /* Wed 2030-03-20 08:00 UTC, 09:00 in Paris */
#define WEEK (7 * 86400)

static struct jmb_meeting *weekly_series(struct jmb_pool *pool, const char *tag)
{
	struct jmb_meeting *m = three_attendees(pool, tag);
	struct jmb_rrule_limits limits = {.max_occurrences = 100, .max_series_days = 400};
	time_t last_start = 0;
	const char *part = NULL;

	m->start = SERIES_FIRST;
	m->duration = 60;
	m->end = m->start + 3600;
	assert_int_equal(jmb_rrule_check(pool, "FREQ=WEEKLY;COUNT=6", m->start, m->timezone,
	                                 &limits, &m->recurrence, &last_start, &part),
	                 JMB_RRULE_OK);
	/* The 3rd occurrence is cancelled, the 4th moved an hour later. */
	m->overrides = jmb_pool_calloc(pool, 2, sizeof(*m->overrides));
	m->overrides[0] = (struct jmb_override){.recurrence_id = SERIES_FIRST + 2 * WEEK - HOUR,
	                                        .start = SERIES_FIRST + 2 * WEEK - HOUR,
	                                        .duration = 60,
	                                        .cancelled = true};
	m->overrides[1] = (struct jmb_override){.recurrence_id = SERIES_FIRST + 3 * WEEK - HOUR,
	                                        .start = SERIES_FIRST + 3 * WEEK,
	                                        .duration = 60};
	m->n_overrides = 2;
	m->last_end = jmb_meeting_last_end(m);
	return m;
}

static const struct jmb_reminder_settings series_settings = {
    .mail_before = {1440, 10},
    .n_mail_before = 2,
    .xmpp_before_end = {5},
    .n_xmpp_before_end = 1,
};

static struct jmb_side_effects *plan_fx(struct jmb_pool *pool, const struct jmb_meeting *m,
                                        time_t now)
{
	struct jmb_side_effects *fx = jmb_pool_calloc(pool, 1, sizeof(*fx));
	size_t n = 0;

	fx->now = now;
	fx->reminders = jmb_reminder_plan(pool, m, &series_settings, true, now, &n);
	fx->n_reminders = n;
	return fx;
}

static void test_reminder_plan_series(void **state)
{
	struct test_ctx *t = *state;
	struct jmb_meeting *m = weekly_series(t->pool, "rs"), *u;
	/* The starts of occurrences 1, 2, 4 (moved) 5 and 6; 3 is cancelled. */
	const time_t starts[] = {SERIES_FIRST, SERIES_FIRST + WEEK, SERIES_FIRST + 3 * WEEK,
	                         SERIES_FIRST + 4 * WEEK - HOUR, SERIES_FIRST + 5 * WEEK - HOUR};
	const time_t rids[] = {SERIES_FIRST, SERIES_FIRST + WEEK, SERIES_FIRST + 3 * WEEK - HOUR,
	                       SERIES_FIRST + 4 * WEEK - HOUR, SERIES_FIRST + 5 * WEEK - HOUR};
	struct jmb_side_effects *fx = plan_fx(t->pool, m, T0);
	struct jmb_reminder_list rl;
	size_t n = 0;

	/* Five occurrences, three reminders each, in occurrence order. */
	assert_int_equal(fx->n_reminders, 15);
	for (size_t o = 0; o < 5; o++) {
		const struct jmb_reminder *r = &fx->reminders[o * 3];

		assert_int_equal(r[0].recurrence_id, rids[o]);
		assert_int_equal(r[0].kind, JMB_REMINDER_MAIL);
		assert_int_equal(r[0].due, starts[o] - 1440 * 60);
		assert_int_equal(r[1].due, starts[o] - 10 * 60);
		assert_int_equal(r[2].kind, JMB_REMINDER_XMPP);
		assert_int_equal(r[2].due, starts[o] + HOUR - 5 * 60);
		assert_int_equal(r[2].recurrence_id, rids[o]);
	}
	/* A single meeting keeps recurrence id 0; planned after the first
	   occurrence's start, a series has only its XMPP message left. */
	u = three_attendees(t->pool, "rs1");
	u->start = T0 + 2 * 86400;
	u->end = u->start + u->duration * 60;
	assert_int_equal(jmb_reminder_plan(t->pool, u, &series_settings, false, T0, &n)[1].due,
	                 u->start - 600);
	assert_int_equal(n, 2);
	assert_int_equal(
	    jmb_reminder_plan(t->pool, u, &series_settings, false, T0, &n)[0].recurrence_id, 0);
	(void)jmb_reminder_plan(t->pool, m, &series_settings, true, SERIES_FIRST + 60, &n);
	assert_int_equal(n, 13);

	OK(jmb_store_meeting_insert_fx(t->store, m, fx, &error));
	assert_int_equal(count_where("reminders", "done_at IS NULL"), 15);
	/* The 2nd occurrence's day-before mail comes due (and only it) and is sent. */
	OK(jmb_store_reminders_claim(t->store, t->pool, "A", starts[1] - 1440 * 60,
	                             starts[1] - 1440 * 60 - 300, 10, &rl, &error));
	SORTED_REMINDERS(rl);
	assert_int_equal(rl.count, 4); /* the 1st occurrence's three, and this one */
	assert_int_equal(rl.items[3].recurrence_id, rids[1]);
	assert_int_equal(rl.items[3].offset, 1440);
	for (size_t i = 0; i < rl.count; i++)
		OK(jmb_store_reminder_finish(t->store, rl.items[i].id, "A", starts[1] - 1440 * 60,
		                             NULL, &error));

	/* Re-planned unchanged (a new title) the day before: the sent one stays
	   sent, every other keeps its row and time. */
	u = edited_copy(t->pool, m);
	u->title = jmb_pool_strdup(t->pool, "Renamed series");
	u->recurrence = m->recurrence;
	u->overrides = m->overrides;
	u->n_overrides = m->n_overrides;
	u->last_end = m->last_end;
	OK(jmb_store_meeting_update_fx(t->store, u, plan_fx(t->pool, u, T0 + 10), &error));
	assert_int_equal(count_where("reminders", "done_at IS NULL"), 11);
	assert_int_equal(count_where("reminders", "done_at IS NOT NULL"), 4);
	OK(jmb_store_reminders_claim(t->store, t->pool, "A", starts[1] - 1440 * 60,
	                             starts[1] - 1440 * 60 - 300, 10, &rl, &error));
	assert_int_equal(rl.count, 0);

	/* The 5th occurrence cancelled too: its three go, nothing else moves. */
	u = edited_copy(t->pool, m);
	u->recurrence = m->recurrence;
	u->overrides = jmb_pool_calloc(t->pool, 3, sizeof(*u->overrides));
	u->overrides[0] = m->overrides[0];
	u->overrides[1] = m->overrides[1];
	u->overrides[2] = (struct jmb_override){
	    .recurrence_id = rids[3], .start = starts[3], .duration = 60, .cancelled = true};
	u->n_overrides = 3;
	u->last_end = jmb_meeting_last_end(u);
	OK(jmb_store_meeting_update_fx(t->store, u, plan_fx(t->pool, u, T0 + 20), &error));
	assert_int_equal(count_where("reminders", "done_at IS NULL"), 8);
	assert_int_equal(count_where("reminders", "done_at IS NOT NULL"), 4);
	{
		char *where = jmb_xasprintf("recurrence_id = %lld", (long long)rids[3]);
		assert_int_equal(count_where("reminders", where), 0);
		free(where);
	}
	/* The last occurrence's reminders are due at their own (summer) time. */
	OK(jmb_store_reminders_claim(t->store, t->pool, "B", starts[4] - 1440 * 60,
	                             starts[4] - 1440 * 60 - 300, 10, &rl, &error));
	SORTED_REMINDERS(rl);
	assert_int_equal(rl.count, 6);
	assert_int_equal(rl.items[5].recurrence_id, rids[4]);
	assert_int_equal(rl.items[5].due, SERIES_FIRST + 5 * WEEK - HOUR - 1440 * 60);
}

/* A reminder plan replaces the previous one: an unchanged time keeps its
   state (sent stays sent), a moved one fires again, unplanned ones go. */
static void test_reminder_plan_replace(void **state)
{
	struct test_ctx *t = *state;
	struct jmb_meeting *m = three_attendees(t->pool, "rp"), *u;
	const long first[] = {1440, 60, 10, 0};
	const long second[] = {1440, 60, -5, 0}; /* 10 dropped, xmpp 5 added */
	struct jmb_reminder_list rl;
	time_t start;
	char *want;

	m->start = T0 + 3 * 86400;
	m->end = m->start + m->duration * 60;
	start = m->start;
	OK(jmb_store_meeting_insert_fx(t->store, m, make_fx(t->pool, T0, start, NULL, first),
	                               &error));
	/* Nothing is due yet. */
	OK(jmb_store_reminders_claim(t->store, t->pool, "A", T0, T0 - 300, 10, &rl, &error));
	assert_int_equal(rl.count, 0);
	/* The day-before reminder comes due and is sent. */
	OK(jmb_store_reminders_claim(t->store, t->pool, "A", start - 1440 * 60, T0 - 300, 10, &rl,
	                             &error));
	assert_int_equal(rl.count, 1);
	assert_int_equal(rl.items[0].meeting_id, m->id);
	assert_int_equal(rl.items[0].kind, JMB_REMINDER_MAIL);
	assert_int_equal(rl.items[0].offset, 1440);
	assert_int_equal(rl.items[0].due, start - 1440 * 60);
	OK(jmb_store_reminder_finish(t->store, rl.items[0].id, "A", start - 1440 * 60, NULL,
	                             &error));

	/* Edited, same start (the title changed): 1440 stays done, 60 keeps its
	   time, 10 is no longer planned, xmpp 5 is new. */
	u = edited_copy(t->pool, m);
	u->title = jmb_pool_strdup(t->pool, "Renamed");
	OK(jmb_store_meeting_update_fx(t->store, u, make_fx(t->pool, T0 + 10, start, NULL, second),
	                               &error));
	want = jmb_xasprintf("mail:60@%s xmpp:5@%s", due_text(start, 60), due_text(start, 5));
	ASSERT_PLAN(m->id, want);
	free(want);
	assert_int_equal(count_where("reminders", "offset_minutes = 1440 AND done_at IS NOT NULL"),
	                 1);
	assert_int_equal(count_where("reminders", "offset_minutes = 10"), 0);
	/* At the meeting's start every reminder still planned is due, the sent one is not. */
	OK(jmb_store_reminders_claim(t->store, t->pool, "A", start, T0 - 300, 10, &rl, &error));
	SORTED_REMINDERS(rl);
	assert_int_equal(rl.count, 2);
	assert_int_equal(rl.items[0].offset, 60);
	assert_int_equal(rl.items[1].kind, JMB_REMINDER_XMPP);
	assert_int_equal(rl.items[1].offset, 5);
	for (size_t i = 0; i < rl.count; i++)
		OK(jmb_store_reminder_finish(t->store, rl.items[i].id, "A", start, NULL, &error));
	OK(jmb_store_reminders_claim(t->store, t->pool, "A", start, T0 - 300, 10, &rl, &error));
	assert_int_equal(rl.count, 0);

	/* Moved two hours later: every planned reminder fires again, at its new time. */
	u = edited_copy(t->pool, m);
	u->start = start + 2 * HOUR;
	u->end = u->start + u->duration * 60;
	OK(jmb_store_meeting_update_fx(t->store, u,
	                               make_fx(t->pool, T0 + 20, u->start, NULL, second), &error));
	want = jmb_xasprintf("mail:60@%s mail:1440@%s xmpp:5@%s", due_text(u->start, 60),
	                     due_text(u->start, 1440), due_text(u->start, 5));
	ASSERT_PLAN(m->id, want);
	free(want);
	OK(jmb_store_reminders_claim(t->store, t->pool, "A", start, T0 - 300, 10, &rl, &error));
	assert_int_equal(rl.count, 1); /* only the moved day-before one is due already */
	assert_int_equal(rl.items[0].offset, 1440);
	OK(jmb_store_reminders_claim(t->store, t->pool, "B", u->start, T0 - 300, 10, &rl, &error));
	assert_int_equal(rl.count, 2);

	/* An empty plan drops every pending reminder; sent ones are kept. */
	u->sequence++;
	OK(jmb_store_meeting_update_fx(t->store, u, make_fx(t->pool, T0 + 30, u->start, NULL, NULL),
	                               &error));
	ASSERT_PLAN(m->id, "");
	assert_int_equal(raw_long("SELECT count(*) FROM reminders"), 0);
	/* Even claimed ones: their claimer can no longer finish them. */
	EXPECT(JMB_STORE_NOT_FOUND,
	       jmb_store_reminder_finish(t->store, rl.items[0].id, "B", u->start, NULL, &error));
}

static void add_mails(struct test_ctx *t, time_t now, const char *const *recipients)
{
	OK(jmb_store_outbox_add(t->store, make_fx(t->pool, now, 0, recipients, NULL), &error));
}

static struct jmb_outbox_mail *find_mail(struct test_ctx *t, int64_t id)
{
	struct jmb_outbox_list list;

	OK(jmb_store_outbox_list(t->store, t->pool, false, 1000, &list, &error));
	for (size_t i = 0; i < list.count; i++)
		if (list.items[i].id == id)
			return &list.items[i];
	fail_msg("%s: outbox mail %lld not listed", fixture->name, (long long)id);
	return NULL;
}

/* Claim hands each due mail to one instance; only that instance may record
   the outcome; deferred waits for next_attempt, rejected is kept as failed. */
static void test_outbox_claim_and_finish(void **state)
{
	struct test_ctx *t = *state;
	const char *const rcpts[] = {"one@example.org", "two@example.org", "three@example.org",
	                             NULL};
	struct jmb_outbox_list a, b, c;
	struct jmb_outbox_mail *got;
	int64_t id1, id2, id3;

	add_mails(t, T0, rcpts);
	OK(jmb_store_outbox_claim(t->store, t->pool, "A", T0 - 1, T0 - 301, 10, &a, &error));
	assert_int_equal(a.count, 0); /* not due before it was queued */
	OK(jmb_store_outbox_claim(t->store, t->pool, "A", T0, T0 - 300, 2, &a, &error));
	OK(jmb_store_outbox_claim(t->store, t->pool, "B", T0, T0 - 300, 10, &b, &error));
	OK(jmb_store_outbox_claim(t->store, t->pool, "C", T0, T0 - 300, 10, &c, &error));
	SORTED_MAILS(a);
	assert_int_equal(a.count, 2);
	assert_int_equal(b.count, 1);
	assert_int_equal(c.count, 0);
	id1 = a.items[0].id, id2 = a.items[1].id, id3 = b.items[0].id;
	assert_true(id1 < id2 && id2 < id3);
	assert_string_equal(a.items[0].recipient, "one@example.org");
	assert_string_equal(a.items[0].sender, "noreply@example.org");
	assert_string_equal(a.items[0].message,
	                    "To: one@example.org\r\nSubject: fx 1900000000\r\n\r\nbody\r\n");
	assert_int_equal(a.items[0].message_len, strlen(a.items[0].message));
	assert_int_equal(a.items[0].status, JMB_OUTBOX_PENDING);
	assert_int_equal(a.items[0].created, T0);
	assert_string_equal(b.items[0].recipient, "three@example.org");

	/* Only the claimer finishes, and only once. */
	EXPECT(JMB_STORE_NOT_FOUND,
	       jmb_store_outbox_finish(t->store, id1, "B", JMB_OUTBOX_DELIVERED, T0 + 1, 0, NULL,
	                               &error));
	OK(jmb_store_outbox_finish(t->store, id1, "A", JMB_OUTBOX_DELIVERED, T0 + 1, 0, NULL,
	                           &error));
	EXPECT(JMB_STORE_NOT_FOUND,
	       jmb_store_outbox_finish(t->store, id1, "A", JMB_OUTBOX_DELIVERED, T0 + 1, 0, NULL,
	                               &error));
	got = find_mail(t, id1);
	assert_int_equal(got->status, JMB_OUTBOX_SENT);
	assert_int_equal(got->attempts, 1);
	assert_int_equal(got->sent, T0 + 1);
	assert_int_equal(count_where("outbox", "claimed_by IS NOT NULL"), 2);

	/* Deferred: pending again, due at next_attempt. */
	OK(jmb_store_outbox_finish(t->store, id2, "A", JMB_OUTBOX_DEFERRED, T0 + 2, T0 + 60,
	                           "421 try later", &error));
	got = find_mail(t, id2);
	assert_int_equal(got->status, JMB_OUTBOX_PENDING);
	assert_int_equal(got->attempts, 1);
	assert_int_equal(got->next_attempt, T0 + 60);
	assert_string_equal(got->last_error, "421 try later");
	OK(jmb_store_outbox_claim(t->store, t->pool, "C", T0 + 59, T0 - 300, 10, &c, &error));
	assert_int_equal(c.count, 0);
	OK(jmb_store_outbox_claim(t->store, t->pool, "C", T0 + 60, T0 - 300, 10, &c, &error));
	assert_int_equal(c.count, 1);
	assert_int_equal(c.items[0].id, id2);
	assert_int_equal(c.items[0].attempts, 1);

	/* Rejected: failed, kept, listed, never claimed again until retried. */
	OK(jmb_store_outbox_finish(t->store, id2, "C", JMB_OUTBOX_REJECTED, T0 + 61, 0,
	                           "550 no such user", &error));
	OK(jmb_store_outbox_list(t->store, t->pool, true, 100, &c, &error));
	assert_int_equal(c.count, 1);
	assert_int_equal(c.items[0].id, id2);
	assert_int_equal(c.items[0].status, JMB_OUTBOX_FAILED);
	assert_int_equal(c.items[0].attempts, 2);
	assert_string_equal(c.items[0].last_error, "550 no such user");
	assert_int_equal(c.items[0].message_len,
	                 strlen("To: two@example.org\r\nSubject: fx 1900000000\r\n\r\nbody\r\n"));
	OK(jmb_store_outbox_claim(t->store, t->pool, "C", T0 + 5000, T0 - 300, 10, &c, &error));
	assert_int_equal(c.count, 0);
	OK(jmb_store_outbox_retry(t->store, id2, T0 + 100, &error));
	assert_int_equal(find_mail(t, id2)->status, JMB_OUTBOX_PENDING);
	OK(jmb_store_outbox_claim(t->store, t->pool, "C", T0 + 99, T0 - 300, 10, &c, &error));
	assert_int_equal(c.count, 0);
	OK(jmb_store_outbox_claim(t->store, t->pool, "C", T0 + 100, T0 - 300, 10, &c, &error));
	assert_int_equal(c.count, 1);
	assert_int_equal(c.items[0].id, id2);
	OK(jmb_store_outbox_finish(t->store, id2, "C", JMB_OUTBOX_DELIVERED, T0 + 101, 0, NULL,
	                           &error));
	/* A sent mail and an unknown id cannot be retried. */
	EXPECT(JMB_STORE_NOT_FOUND, jmb_store_outbox_retry(t->store, id1, T0, &error));
	EXPECT(JMB_STORE_NOT_FOUND, jmb_store_outbox_retry(t->store, id3 + 1000, T0, &error));
	OK(jmb_store_outbox_finish(t->store, id3, "B", JMB_OUTBOX_DELIVERED, T0 + 3, 0, NULL,
	                           &error));
	/* The list: newest first, every status, no message bodies. */
	OK(jmb_store_outbox_list(t->store, t->pool, false, 100, &c, &error));
	assert_int_equal(c.count, 3);
	assert_int_equal(c.items[0].id, id3);
	assert_int_equal(c.items[2].id, id1);
	for (size_t i = 0; i < c.count; i++) {
		assert_int_equal(c.items[i].status, JMB_OUTBOX_SENT);
		assert_null(c.items[i].message);
	}
	OK(jmb_store_outbox_list(t->store, t->pool, false, 2, &c, &error));
	assert_int_equal(c.count, 2);
	assert_int_equal(count_where("outbox", "claimed_by IS NOT NULL"), 0);
}

/* A claim left by an instance that died is taken over after the stale time;
   the old claimer can then no longer finish. */
static void test_claims_taken_over_when_stale(void **state)
{
	struct test_ctx *t = *state;
	const char *const rcpts[] = {"late@example.org", NULL};
	const char *const mails[] = {"r1@example.org", "r2@example.org", NULL};
	const long offsets[] = {60, 0};
	struct jmb_meeting *m = three_attendees(t->pool, "so");
	struct jmb_outbox_list a, b;
	struct jmb_reminder_list ra, rb;
	time_t due;

	add_mails(t, T0, rcpts);
	OK(jmb_store_outbox_claim(t->store, t->pool, "A", T0, T0 - 300, 10, &a, &error));
	assert_int_equal(a.count, 1);
	/* B at T0 + 299: A's claim is 299 s old, not stale before T0 - 1. */
	OK(jmb_store_outbox_claim(t->store, t->pool, "B", T0 + 299, T0 - 1, 10, &b, &error));
	assert_int_equal(b.count, 0);
	/* The stale time is strict: a claim made exactly at stale_before holds. */
	OK(jmb_store_outbox_claim(t->store, t->pool, "B", T0 + 300, T0, 10, &b, &error));
	assert_int_equal(b.count, 0);
	OK(jmb_store_outbox_claim(t->store, t->pool, "B", T0 + 301, T0 + 1, 10, &b, &error));
	assert_int_equal(b.count, 1);
	assert_int_equal(b.items[0].id, a.items[0].id);
	EXPECT(JMB_STORE_NOT_FOUND,
	       jmb_store_outbox_finish(t->store, a.items[0].id, "A", JMB_OUTBOX_DELIVERED, T0 + 302,
	                               0, NULL, &error));
	OK(jmb_store_outbox_finish(t->store, b.items[0].id, "B", JMB_OUTBOX_DELIVERED, T0 + 302, 0,
	                           NULL, &error));

	/* Reminders alike; the late claimer's mails are not queued. */
	m->start = T0 + 2 * HOUR;
	m->end = m->start + m->duration * 60;
	due = m->start - HOUR;
	OK(jmb_store_meeting_insert_fx(t->store, m, make_fx(t->pool, T0, m->start, NULL, offsets),
	                               &error));
	OK(jmb_store_reminders_claim(t->store, t->pool, "A", due, due - 300, 10, &ra, &error));
	assert_int_equal(ra.count, 1);
	OK(jmb_store_reminders_claim(t->store, t->pool, "B", due + 299, due - 1, 10, &rb, &error));
	assert_int_equal(rb.count, 0);
	OK(jmb_store_reminders_claim(t->store, t->pool, "B", due + 301, due + 1, 10, &rb, &error));
	assert_int_equal(rb.count, 1);
	assert_int_equal(rb.items[0].id, ra.items[0].id);
	EXPECT(JMB_STORE_NOT_FOUND,
	       jmb_store_reminder_finish(t->store, ra.items[0].id, "A", due + 302,
	                                 make_fx(t->pool, due + 302, 0, mails, NULL), &error));
	assert_int_equal(count_where("outbox", "recipients LIKE '%r1@example.org%'"), 0);
	OK(jmb_store_reminder_finish(t->store, rb.items[0].id, "B", due + 302,
	                             make_fx(t->pool, due + 302, 0, mails, NULL), &error));
	assert_int_equal(count_where("outbox", "recipients LIKE '%r_@example.org%'"), 2);
	EXPECT(JMB_STORE_NOT_FOUND,
	       jmb_store_reminder_finish(t->store, rb.items[0].id, "B", due + 303,
	                                 make_fx(t->pool, due + 303, 0, mails, NULL), &error));
	assert_int_equal(count_where("outbox", "recipients LIKE '%r_@example.org%'"), 2);
	OK(jmb_store_reminders_claim(t->store, t->pool, "C", due + 5000, due + 4000, 10, &rb,
	                             &error));
	assert_int_equal(rb.count, 0);
}

/* `jmbctl outbox retry` on a mail an instance is delivering right now must not
   free it for a second instance: that would send it twice. */
static void test_retry_keeps_a_live_claim(void **state)
{
	struct test_ctx *t = *state;
	const char *const rcpts[] = {"busy@example.org", NULL};
	struct jmb_outbox_list a, b;

	add_mails(t, T0, rcpts);
	OK(jmb_store_outbox_claim(t->store, t->pool, "A", T0, T0 - 300, 10, &a, &error));
	assert_int_equal(a.count, 1);
	OK(jmb_store_outbox_retry(t->store, a.items[0].id, T0 + 1, &error));
	OK(jmb_store_outbox_claim(t->store, t->pool, "B", T0 + 2, T0 - 298, 10, &b, &error));
	assert_int_equal(b.count, 0);
	OK(jmb_store_outbox_finish(t->store, a.items[0].id, "A", JMB_OUTBOX_DELIVERED, T0 + 3, 0,
	                           NULL, &error));
	assert_int_equal(find_mail(t, a.items[0].id)->status, JMB_OUTBOX_SENT);
}

/* Reminders of deleted meetings are never claimed, even if a row survived. */
static void test_reminders_of_deleted_meetings(void **state)
{
	struct test_ctx *t = *state;
	const long offsets[] = {60, 10, 0};
	struct jmb_meeting *gone = three_attendees(t->pool, "dm1");
	struct jmb_meeting *raw = three_attendees(t->pool, "dm2");
	struct jmb_meeting *kept = three_attendees(t->pool, "dm3");
	struct jmb_reminder_list rl;
	char *sql;

	OK(jmb_store_meeting_insert_fx(t->store, gone,
	                               make_fx(t->pool, T0, gone->start, NULL, offsets), &error));
	OK(jmb_store_meeting_insert_fx(t->store, raw,
	                               make_fx(t->pool, T0, raw->start, NULL, offsets), &error));
	OK(jmb_store_meeting_insert_fx(t->store, kept,
	                               make_fx(t->pool, T0, kept->start, NULL, offsets), &error));
	OK(jmb_store_meeting_delete_fx(t->store, gone->id, T0 + 1, NULL, &error));
	assert_int_equal(count_where("reminders", "done_at IS NULL"), 4);
	/* A deleted meeting whose reminder rows are still there (e.g. an older
	   jmbd deleted it): the claim must skip them. */
	sql = jmb_xasprintf("UPDATE meetings SET deleted_at = %lld WHERE id = %lld",
	                    (long long)(T0 + 2), (long long)raw->id);
	raw_exec(sql);
	free(sql);
	OK(jmb_store_reminders_claim(t->store, t->pool, "A", kept->start, T0 - 300, 100, &rl,
	                             &error));
	assert_int_equal(rl.count, 2);
	for (size_t i = 0; i < rl.count; i++)
		assert_int_equal(rl.items[i].meeting_id, kept->id);
	OK(jmb_store_reminders_claim(t->store, t->pool, "B", kept->start + 86400,
	                             kept->start + 86000, 100, &rl, &error));
	assert_int_equal(rl.count, 2); /* kept's, taken over; never raw's */
	for (size_t i = 0; i < rl.count; i++)
		assert_int_equal(rl.items[i].meeting_id, kept->id);
}

/* Several instances claiming at once never get the same row. */
#define CLAIM_THREADS 6
#define CLAIM_ROWS 240
#define CLAIM_LIMIT 7

struct claimer {
	struct jmb_store *store;
	pthread_barrier_t *barrier;
	bool reminders; /* claim reminders (else outbox mails) */
	char instance[16];
	int64_t ids[CLAIM_ROWS];
	size_t n_ids;
	int failures;
	struct jmb_error error;
};

static void *claim_thread(void *arg)
{
	struct claimer *cl = arg;
	int empty = 0;

	pthread_barrier_wait(cl->barrier);
	/* Until three claims in a row find nothing: every row is taken by then. */
	while (empty < 3 && cl->failures < 100) {
		struct jmb_pool *pool = jmb_pool_new();
		struct jmb_outbox_list ol = {0};
		struct jmb_reminder_list rl = {0};
		enum jmb_store_result r;
		size_t n;

		r = cl->reminders
		        ? jmb_store_reminders_claim(cl->store, pool, cl->instance, T0, T0 - 300,
		                                    CLAIM_LIMIT, &rl, &cl->error)
		        : jmb_store_outbox_claim(cl->store, pool, cl->instance, T0, T0 - 300,
		                                 CLAIM_LIMIT, &ol, &cl->error);
		if (r != JMB_STORE_OK) {
			cl->failures += r != JMB_STORE_RETRY;
			jmb_pool_free(&pool);
			continue;
		}
		n = cl->reminders ? rl.count : ol.count;
		empty = n == 0 ? empty + 1 : 0;
		for (size_t i = 0; i < n && cl->n_ids < CLAIM_ROWS; i++) {
			int64_t id = cl->reminders ? rl.items[i].id : ol.items[i].id;
			struct jmb_error e;
			struct jmb_side_effects fx = {.now = T0};
			struct jmb_outbox_mail mail = {.sender = "noreply@example.org"};

			cl->ids[cl->n_ids++] = id;
			/* Each finish is the claimer's own: it must succeed. A reminder
			   queues one mail, named after it. */
			if (cl->reminders) {
				mail.recipient =
				    jmb_pool_printf(pool, "rem%lld@example.org", (long long)id);
				mail.message = "Subject: r\r\n\r\n";
				fx.mails = &mail;
				fx.n_mails = 1;
			}
			do {
				r = cl->reminders
				        ? jmb_store_reminder_finish(cl->store, id, cl->instance, T0,
				                                    &fx, &e)
				        : jmb_store_outbox_finish(cl->store, id, cl->instance,
				                                  JMB_OUTBOX_DELIVERED, T0, 0, NULL,
				                                  &e);
			} while (r == JMB_STORE_RETRY);
			if (r != JMB_STORE_OK) {
				cl->failures++;
				cl->error = e;
			}
		}
		jmb_pool_free(&pool);
	}
	return NULL;
}

static void claim_concurrently(bool reminders)
{
	struct claimer claimers[CLAIM_THREADS] = {0};
	pthread_t threads[CLAIM_THREADS];
	pthread_barrier_t barrier;
	int seen[CLAIM_ROWS * 4] = {0};
	int64_t min_id = INT64_MAX;
	size_t total = 0;

	pthread_barrier_init(&barrier, NULL, CLAIM_THREADS);
	for (int i = 0; i < CLAIM_THREADS; i++) {
		struct jmb_error error;

		claimers[i].store = jmb_store_open(&fixture->settings, &error);
		if (claimers[i].store == NULL)
			fail_msg("%s: open: %s", fixture->name, error.text);
		claimers[i].barrier = &barrier;
		claimers[i].reminders = reminders;
		snprintf(claimers[i].instance, sizeof(claimers[i].instance), "inst%d", i);
		assert_int_equal(pthread_create(&threads[i], NULL, claim_thread, &claimers[i]), 0);
	}
	for (int i = 0; i < CLAIM_THREADS; i++)
		pthread_join(threads[i], NULL);
	pthread_barrier_destroy(&barrier);
	for (int i = 0; i < CLAIM_THREADS; i++)
		for (size_t k = 0; k < claimers[i].n_ids; k++)
			if (claimers[i].ids[k] < min_id)
				min_id = claimers[i].ids[k];
	for (int i = 0; i < CLAIM_THREADS; i++) {
		if (claimers[i].failures > 0)
			fail_msg("%s: %s: %d failures: %s", fixture->name, claimers[i].instance,
			         claimers[i].failures, claimers[i].error.text);
		jmb_store_close(&claimers[i].store);
		for (size_t k = 0; k < claimers[i].n_ids; k++) {
			int64_t slot = claimers[i].ids[k] - min_id;
			assert_in_range(slot, 0, CLAIM_ROWS * 4 - 1);
			if (seen[slot]++ > 0)
				fail_msg("%s: row %lld claimed twice", fixture->name,
				         (long long)claimers[i].ids[k]);
		}
		total += claimers[i].n_ids;
	}
	assert_int_equal(total, CLAIM_ROWS);
}

static void test_outbox_claim_concurrently(void **state)
{
	struct test_ctx *t = *state;
	const char *rcpts[8 + 1] = {NULL};

	for (int i = 0; i < 8; i++)
		rcpts[i] = jmb_pool_printf(t->pool, "c%d@example.org", i);
	for (int i = 0; i < CLAIM_ROWS / 8; i++)
		add_mails(t, T0 - i, rcpts);
	claim_concurrently(false);
	assert_int_equal(count_where("outbox", "status = 'sent' AND attempts = 1"), CLAIM_ROWS);
}

static void test_reminders_claim_concurrently(void **state)
{
	struct test_ctx *t = *state;
	const long offsets[] = {1440, 60, 30, 10, 0};

	for (int i = 0; i < CLAIM_ROWS / 4; i++) {
		struct jmb_meeting *m =
		    three_attendees(t->pool, jmb_pool_printf(t->pool, "cr%d", i));
		m->start = T0 + 2 * 86400;
		m->end = m->start + m->duration * 60;
		OK(jmb_store_meeting_insert_fx(
		    t->store, m, make_fx(t->pool, T0 - 86400, T0, NULL, offsets), &error));
	}
	claim_concurrently(true);
	/* Each reminder done once, with its one mail. */
	assert_int_equal(count_where("reminders", "done_at IS NOT NULL"), CLAIM_ROWS);
	assert_int_equal(raw_long("SELECT count(*) FROM outbox"), CLAIM_ROWS);
	assert_int_equal(raw_long("SELECT count(DISTINCT recipients) FROM outbox"), CLAIM_ROWS);
}

/* ---- PostgreSQL only ---- */

#ifdef HAVE_POSTGRESQL
/* The pooled connection dies under us: one call fails, the next reconnects. */
static void test_pg_connection_lost(void **state)
{
	struct test_ctx *t = *state;

	OK(jmb_store_ping(t->store, &error));
	assert_true(raw_long("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
	                     "WHERE datname = current_database() AND application_name = 'jmb'") >=
	            1);
	EXPECT(JMB_STORE_ERROR, jmb_store_ping(t->store, &error));
	OK(jmb_store_ping(t->store, &error));
	OK(jmb_store_secret_get(t->store, t->pool, "k", "v", &(char *){NULL}, &error));
}

static void assert_open_fails_quietly(const char *conninfo, const char *password)
{
	struct jmb_store_settings settings = {.driver = JMB_STORE_POSTGRESQL,
	                                      .conninfo = (char *)conninfo};
	struct jmb_error error = {{0}};
	struct jmb_store *store = jmb_store_open(&settings, &error);

	assert_null(store);
	assert_true(error.text[0] != '\0');
	if (strstr(error.text, password) != NULL)
		fail_msg("the password leaked into: %s", error.text);
}

static void test_pg_errors_hide_the_password(void **state)
{
	char *conninfo;

	/* Malformed: libpq quotes the piece it choked on, which may be the password. */
	assert_open_fails_quietly("postgresql://u:Secr3t-Pw%zz@127.0.0.1/x", "Secr3t-Pw");
	assert_open_fails_quietly("host=127.0.0.1 Secr3t-Pw", "Secr3t-Pw");
	/* Refused; then a password that the server's message would echo. */
	assert_open_fails_quietly("host=127.0.0.1 port=1 password=Secr3t-Pw", "Secr3t-Pw");
	conninfo = jmb_xasprintf("%s dbname=nosuchdb-Secr3t password=nosuchdb-Secr3t",
	                         fixture->settings.conninfo);
	assert_open_fails_quietly(conninfo, "nosuchdb-Secr3t");
	free(conninfo);
}
#endif

/* ---- running ---- */

#define STORE_TESTS                                                                                \
	cmocka_unit_test(test_driver_implements_every_primitive),                                  \
	    cmocka_unit_test_setup_teardown(test_ping_and_name, setup, teardown),                  \
	    cmocka_unit_test_setup_teardown(test_migrate_from_empty, setup_empty, teardown),       \
	    cmocka_unit_test_setup_teardown(test_migrate_concurrently, setup_empty, teardown),     \
	    cmocka_unit_test_setup_teardown(test_insert_and_get, setup, teardown),                 \
	    cmocka_unit_test_setup_teardown(test_insert_conflicts, setup, teardown),               \
	    cmocka_unit_test_setup_teardown(test_update_syncs_attendees, setup, teardown),         \
	    cmocka_unit_test_setup_teardown(test_update_conflict_changes_nothing, setup,           \
	                                    teardown),                                             \
	    cmocka_unit_test_setup_teardown(test_update_not_found, setup, teardown),               \
	    cmocka_unit_test_setup_teardown(test_soft_delete, setup, teardown),                    \
	    cmocka_unit_test_setup_teardown(test_meetings_for_user, setup, teardown),              \
	    cmocka_unit_test_setup_teardown(test_meetings_all, setup, teardown),                   \
	    cmocka_unit_test_setup_teardown(test_attendee_by_token, setup, teardown),              \
	    cmocka_unit_test_setup_teardown(test_invitee_by_token, setup, teardown),               \
	    cmocka_unit_test_setup_teardown(test_set_status, setup, teardown),                     \
	    cmocka_unit_test_setup_teardown(test_feed_versions_follow_writes, setup, teardown),    \
	    cmocka_unit_test_setup_teardown(test_add_joins, setup, teardown),                      \
	    cmocka_unit_test_setup_teardown(test_add_joins_concurrently, setup, teardown),         \
	    cmocka_unit_test_setup_teardown(test_failed_commit_leaves_no_open_transaction, setup,  \
	                                    teardown),                                             \
	    cmocka_unit_test_setup_teardown(test_feed_token_read_failure_is_returned, setup,       \
	                                    teardown),                                             \
	    cmocka_unit_test_setup_teardown(test_user_touch, setup, teardown),                     \
	    cmocka_unit_test_setup_teardown(test_sessions, setup, teardown),                       \
	    cmocka_unit_test_setup_teardown(test_api_tokens, setup, teardown),                     \
	    cmocka_unit_test_setup_teardown(test_reservations, setup, teardown),                   \
	    cmocka_unit_test_setup_teardown(test_login_failures, setup, teardown),                 \
	    cmocka_unit_test_setup_teardown(test_login_failures_concurrently, setup, teardown),    \
	    cmocka_unit_test_setup_teardown(test_secret_get, setup, teardown),                     \
	    cmocka_unit_test_setup_teardown(test_text_is_stored_literally, setup, teardown),       \
	    cmocka_unit_test_setup_teardown(test_fx_commit_with_the_change, setup, teardown),      \
	    cmocka_unit_test_setup_teardown(test_reminder_plan_replace, setup, teardown),          \
	    cmocka_unit_test_setup_teardown(test_reminder_plan_series, setup, teardown),           \
	    cmocka_unit_test_setup_teardown(test_outbox_claim_and_finish, setup, teardown),        \
	    cmocka_unit_test_setup_teardown(test_claims_taken_over_when_stale, setup, teardown),   \
	    cmocka_unit_test_setup_teardown(test_retry_keeps_a_live_claim, setup, teardown),       \
	    cmocka_unit_test_setup_teardown(test_reminders_of_deleted_meetings, setup, teardown),  \
	    cmocka_unit_test_setup_teardown(test_outbox_claim_concurrently, setup, teardown),      \
	    cmocka_unit_test_setup_teardown(test_reminders_claim_concurrently, setup, teardown)

static int run_sqlite(void)
{
	const struct CMUnitTest tests[] = {STORE_TESTS};
	struct store_fixture f;
	int failed;

	if (fixture_sqlite_init(&f) < 0)
		return 1;
	fixture = &f;
	failed = cmocka_run_group_tests_name("store on sqlite", tests, NULL, NULL);
	fixture_fini(&f);
	return failed;
}

static int run_pg(const char *conninfo)
{
#ifdef HAVE_POSTGRESQL
	const struct CMUnitTest tests[] = {
	    STORE_TESTS,
	    cmocka_unit_test_setup_teardown(test_pg_connection_lost, setup, teardown),
	    cmocka_unit_test(test_pg_errors_hide_the_password),
	};
	struct store_fixture f;
	int failed;

	if (fixture_pg_init(&f, conninfo) < 0)
		return 1;
	fixture = &f;
	failed = cmocka_run_group_tests_name("store on postgresql", tests, NULL, NULL);
	fixture_fini(&f);
	return failed;
#else
	fprintf(stderr, "JMB_TEST_PG_CONNINFO is set, but jmb was built without PostgreSQL\n");
	return 1;
#endif
}

int main(void)
{
	const char *conninfo = getenv("JMB_TEST_PG_CONNINFO");
	int failed = run_sqlite();

	if (conninfo != NULL && conninfo[0] != '\0')
		failed += run_pg(conninfo);
	else
		printf("store on postgresql: not run (set JMB_TEST_PG_CONNINFO to run it)\n");
	return failed == 0 ? 0 : 1;
}
