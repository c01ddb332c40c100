/* Who is and was in a room, from Prosody's event_sync events: live
 * occupancy and attendance. Every write is an upsert on what the event
 * carries, so duplicates and reordering change nothing. */
#include "config.h"

#include "store/store-private.h"
#include "store/store-sql.h"
#include "util/memory.h"

#include <string.h>

static const struct jmb_sql sql_presence_record = {
    .sqlite =
        "INSERT INTO presences (room, breakout, occupant_jid, joined_at, left_at, "
        "meeting_id, user_id, email, name) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
        "ON CONFLICT (room, breakout, occupant_jid, joined_at) DO UPDATE SET "
        "left_at = nullif(max(coalesce(excluded.left_at, 0), coalesce(presences.left_at, 0)), "
        "0), "
        "user_id = CASE WHEN presences.user_id = '' THEN excluded.user_id "
        "ELSE presences.user_id END, "
        "email = CASE WHEN presences.email = '' THEN excluded.email "
        "ELSE presences.email END, "
        "name = CASE WHEN presences.name = '' THEN excluded.name ELSE presences.name END",
    .pg = "INSERT INTO presences (room, breakout, occupant_jid, joined_at, left_at, "
          "meeting_id, user_id, email, name) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
          "ON CONFLICT (room, breakout, occupant_jid, joined_at) DO UPDATE SET "
          "left_at = nullif(greatest(coalesce(excluded.left_at, 0), "
          "coalesce(presences.left_at, 0)), 0), "
          "user_id = CASE WHEN presences.user_id = '' THEN excluded.user_id "
          "ELSE presences.user_id END, "
          "email = CASE WHEN presences.email = '' THEN excluded.email "
          "ELSE presences.email END, "
          "name = CASE WHEN presences.name = '' THEN excluded.name ELSE presences.name END",
};
static const struct jmb_sql sql_room_closed = {
    .sqlite = "INSERT INTO room_closings (room, breakout, destroyed_at) VALUES ($1, $2, $3) "
              "ON CONFLICT (room, breakout) DO UPDATE SET "
              "destroyed_at = max(room_closings.destroyed_at, excluded.destroyed_at)",
    .pg = "INSERT INTO room_closings (room, breakout, destroyed_at) VALUES ($1, $2, $3) "
          "ON CONFLICT (room, breakout) DO UPDATE SET "
          "destroyed_at = greatest(room_closings.destroyed_at, excluded.destroyed_at)",
};
/* Sessions of the room that ended with it: their leave may never come (a
 * join that arrives after the room's end is closed when read, see
 * sql_attendance). */
static const struct jmb_sql sql_close_sessions =
    JMB_SQL_ANY("UPDATE presences SET left_at = $3 WHERE room = $1 AND breakout = $2 "
                "AND left_at IS NULL AND joined_at <= $3");

/* A session is live when it has not left and began after its room's last
 * destruction; "since" is the first join after the main room's. */
#define LIVE_SESSION                                                                               \
	"p.left_at IS NULL AND (c.destroyed_at IS NULL OR p.joined_at > c.destroyed_at)"
#define CLOSINGS                                                                                   \
	" FROM presences p LEFT JOIN room_closings c ON c.room = p.room AND c.breakout = "         \
	"p.breakout LEFT JOIN room_closings m ON m.room = p.room AND m.breakout = '' "
static const struct jmb_sql sql_room_live =
    JMB_SQL_ANY("SELECT count(DISTINCT CASE WHEN " LIVE_SESSION " THEN p.occupant_jid END), "
                "min(CASE WHEN m.destroyed_at IS NULL OR p.joined_at > m.destroyed_at THEN "
                "p.joined_at END)" CLOSINGS "WHERE p.room = $1 AND p.joined_at > $2");
static const struct jmb_sql sql_live_totals = JMB_SQL_ANY(
    "SELECT count(DISTINCT p.room), count(DISTINCT p.room || ' ' || p.occupant_jid)" CLOSINGS
    "WHERE " LIVE_SESSION " AND p.joined_at > $1");
static const struct jmb_sql sql_attendance =
    JMB_SQL_ANY("SELECT p.user_id, p.email, p.name, p.occupant_jid, p.joined_at, "
                "coalesce(p.left_at, CASE WHEN c.destroyed_at >= p.joined_at "
                "THEN c.destroyed_at END, 0) FROM presences p LEFT JOIN room_closings c "
                "ON c.room = p.room AND c.breakout = p.breakout WHERE p.meeting_id = $1 "
                "ORDER BY p.joined_at, p.id");
static const struct jmb_sql sql_presences_purge =
    JMB_SQL_ANY("DELETE FROM presences WHERE joined_at < $1");

enum jmb_store_result jmb_store_presence_record(struct jmb_store *store,
                                                const struct jmb_presence *p,
                                                struct jmb_error *error)
{
	return jmb_store_exec(store, &sql_presence_record,
	                      SQL_ARGS(sql_text(p->room), sql_text_or_empty(p->breakout),
	                               sql_text(p->occupant_jid), sql_int(p->joined),
	                               p->left != 0 ? sql_int(p->left) : sql_text(NULL),
	                               p->meeting_id != 0 ? sql_int(p->meeting_id) : sql_text(NULL),
	                               sql_text_or_empty(p->user_id), sql_text_or_empty(p->email),
	                               sql_text_or_empty(p->name)),
	                      NULL, error);
}

enum jmb_store_result jmb_store_room_closed(struct jmb_store *store, const char *room,
                                            const char *breakout, time_t destroyed,
                                            struct jmb_error *error)
{
	enum jmb_store_result r = jmb_store_exec(
	    store, &sql_room_closed,
	    SQL_ARGS(sql_text(room), sql_text_or_empty(breakout), sql_int(destroyed)), NULL, error);

	if (r == JMB_STORE_OK)
		r = jmb_store_exec(
		    store, &sql_close_sessions,
		    SQL_ARGS(sql_text(room), sql_text_or_empty(breakout), sql_int(destroyed)), NULL,
		    error);
	return r;
}

struct live_read {
	long *a, *b;
};

static void read_two(struct jmb_sql_stmt *stmt, void *ctx)
{
	struct live_read *rd = ctx;

	*rd->a = (long)jmb_sql_int(stmt, 0);
	*rd->b = (long)jmb_sql_int(stmt, 1);
}

enum jmb_store_result jmb_store_room_live(struct jmb_store *store, const char *room, time_t after,
                                          long *participants_r, time_t *since_r,
                                          struct jmb_error *error)
{
	long since = 0;
	struct live_read rd = {.a = participants_r, .b = &since};
	enum jmb_store_result r =
	    jmb_store_first_row(store, &sql_room_live, SQL_ARGS(sql_text(room), sql_int(after)),
	                        read_two, &rd, "room", error);

	*since_r = *participants_r > 0 ? (time_t)since : 0;
	return r;
}

enum jmb_store_result jmb_store_live_totals(struct jmb_store *store, time_t after, long *rooms_r,
                                            long *participants_r, struct jmb_error *error)
{
	struct live_read rd = {.a = rooms_r, .b = participants_r};

	return jmb_store_first_row(store, &sql_live_totals, SQL_ARGS(sql_int(after)), read_two, &rd,
	                           "live rooms", error);
}

enum jmb_store_result jmb_store_attendance(struct jmb_store *store, struct jmb_pool *pool,
                                           long long meeting_id, struct jmb_presence **list_r,
                                           size_t *n_r, struct jmb_error *error)
{
	struct jmb_sql_conn *conn = jmb_store_acquire(store, error);
	struct jmb_sql_stmt *stmt = NULL;
	size_t cap = 0;
	bool row = false;
	enum jmb_store_result r;

	*list_r = NULL;
	*n_r = 0;
	if (conn == NULL)
		return JMB_STORE_ERROR;
	r = jmb_sql_query(conn, &sql_attendance, SQL_ARGS(sql_int(meeting_id)), &stmt, error);
	while (r == JMB_STORE_OK && (r = jmb_sql_next(stmt, &row, error)) == JMB_STORE_OK && row) {
		struct jmb_presence *p;

		if (*n_r == cap) {
			struct jmb_presence *grown;

			cap = cap != 0 ? cap * 2 : 16;
			grown = jmb_pool_calloc(pool, cap, sizeof(*grown));
			if (*n_r > 0)
				memcpy(grown, *list_r, *n_r * sizeof(*grown));
			*list_r = grown;
		}
		p = &(*list_r)[(*n_r)++];
		p->meeting_id = meeting_id;
		p->user_id = jmb_sql_text(pool, stmt, 0);
		p->email = jmb_sql_text(pool, stmt, 1);
		p->name = jmb_sql_text(pool, stmt, 2);
		p->occupant_jid = jmb_sql_text(pool, stmt, 3);
		p->joined = (time_t)jmb_sql_int(stmt, 4);
		p->left = (time_t)jmb_sql_int(stmt, 5);
	}
	jmb_sql_release(stmt);
	jmb_store_release(store, conn);
	return r;
}

enum jmb_store_result jmb_store_presences_purge(struct jmb_store *store, time_t before,
                                                long *purged_r, struct jmb_error *error)
{
	return jmb_store_exec(store, &sql_presences_purge, SQL_ARGS(sql_int(before)), purged_r,
	                      error);
}
