/* The driver-neutral store API: meetings, attendees, users, sessions, tokens.
 * Results are allocated from the caller's pool; every call is safe from any thread. */
#ifndef JMB_STORE_H
#define JMB_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "jmb/pool.h"
#include "meeting.h"
#include "settings.h"

enum jmb_store_result {
	JMB_STORE_OK = 0,
	JMB_STORE_NOT_FOUND,
	JMB_STORE_CONFLICT, /* a unique value is taken (retry with a new one) */
	JMB_STORE_RETRY,    /* transient (busy, serialisation failure) */
	JMB_STORE_ERROR,
};

struct jmb_store;

struct jmb_meeting_list {
	struct jmb_meeting **items;
	size_t count;
};

struct jmb_session_record {
	char *identity_json; /* the identity as stored at login */
	time_t created;
	time_t expires;
};

const char *jmb_store_result_name(enum jmb_store_result result);

/* Opens the store described by settings and checks that it answers. */
struct jmb_store *jmb_store_open(const struct jmb_store_settings *settings, char **error_r);
void jmb_store_close(struct jmb_store **store);
const char *jmb_store_driver_name(const struct jmb_store *store);

/* Brings the schema to the newest version; *from_r and *to_r say what was done. */
enum jmb_store_result jmb_store_migrate(struct jmb_store *store, int *from_r, int *to_r,
					char **error_r);
/* The schema version in the database (0: empty) and the newest this build knows. */
enum jmb_store_result jmb_store_schema_version(struct jmb_store *store, int *version_r,
					       char **error_r);
int jmb_store_latest_schema_version(const struct jmb_store *store);
enum jmb_store_result jmb_store_ping(struct jmb_store *store, char **error_r);

/* Meetings. insert fills m->id and attendee ids; uid, room and tokens come
 * filled by the caller (CONFLICT when one is taken). update writes every field,
 * bumps the sequence and makes the attendee set equal to m's, keeping the
 * token, status and joins of attendees whose mail stays. */
enum jmb_store_result jmb_store_meeting_insert(struct jmb_store *store, struct jmb_meeting *m,
					       char **error_r);
enum jmb_store_result jmb_store_meeting_update(struct jmb_store *store, struct jmb_meeting *m,
					       char **error_r);
/* Marks the meeting deleted (kept for feeds as cancelled) and bumps its sequence. */
enum jmb_store_result jmb_store_meeting_delete(struct jmb_store *store, int64_t id, time_t now,
					       char **error_r);
enum jmb_store_result jmb_store_meeting_get(struct jmb_store *store, struct jmb_pool *pool,
					    int64_t id, struct jmb_meeting **m_r, char **error_r);
/* Meetings not deleted, owned by login or with an attendee among mails, whose end
 * is in (ends_after, ends_before], sorted by start (descending when newest_first). */
enum jmb_store_result jmb_store_meetings_for_user(struct jmb_store *store, struct jmb_pool *pool,
						  const char *login, const char *const *mails,
						  time_t ends_after, time_t ends_before,
						  bool newest_first, struct jmb_meeting_list *list_r,
						  char **error_r);
/* All meetings (for the admin CLI), deleted ones included when asked. */
enum jmb_store_result jmb_store_meetings_all(struct jmb_store *store, struct jmb_pool *pool,
					     time_t ends_after, bool include_deleted,
					     struct jmb_meeting_list *list_r, char **error_r);

/* Attendees by personal token. */
enum jmb_store_result jmb_store_attendee_by_token(struct jmb_store *store, struct jmb_pool *pool,
						  const char *token, struct jmb_meeting **m_r,
						  size_t *index_r, char **error_r);
enum jmb_store_result jmb_store_attendee_set_status(struct jmb_store *store, const char *token,
						    enum jmb_partstat status, time_t now,
						    char **error_r);
/* Adds one to the join counter atomically and returns the new count. */
enum jmb_store_result jmb_store_attendee_count_join(struct jmb_store *store, const char *token,
						    long *joins_r, char **error_r);

/* A meeting by its Jitsi room name; deleted ones are NOT_FOUND. */
enum jmb_store_result jmb_store_meeting_by_room(struct jmb_store *store, struct jmb_pool *pool,
						const char *room, struct jmb_meeting **m_r,
						char **error_r);
/* Inserts a meeting exactly as given (room, uid, sequence, attendee tokens,
 * statuses and join counts kept): for `jmbctl import-legacy`. CONFLICT when
 * the room, the UID or a token exists already. */
enum jmb_store_result jmb_store_meeting_import(struct jmb_store *store, struct jmb_meeting *m,
					       char **error_r);

/* What a personal iCal feed holds: meetings owned by login (or whose owner
 * address is among mails) or with an attendee among mails, that end after
 * ends_after and are not deleted, or were deleted after deleted_after (they
 * appear as cancelled). Sorted by start. */
enum jmb_store_result jmb_store_meetings_for_feed(struct jmb_store *store, struct jmb_pool *pool,
						  const char *login, const char *const *mails,
						  time_t ends_after, time_t deleted_after,
						  struct jmb_meeting_list *list_r, char **error_r);

/* A cheap fingerprint of the same set, for ETag and Last-Modified without
 * building the feed: the newest change, the number of meetings, and the number
 * of reminders (offsets in minutes before the start) still in the future. */
struct jmb_feed_stamp {
	time_t last_modified;
	long meetings;
	long future_alarms;
};
enum jmb_store_result jmb_store_feed_stamp(struct jmb_store *store, struct jmb_pool *pool,
					   const char *login, const char *const *mails,
					   time_t ends_after, time_t deleted_after,
					   const long *alarm_offsets, size_t n_offsets, time_t now,
					   struct jmb_feed_stamp *stamp_r, char **error_r);

/* Users who logged in at least once (kept for feeds and mail language). */
enum jmb_store_result jmb_store_user_touch(struct jmb_store *store, const struct jmb_person *user,
					   const char *language, time_t now, char **error_r);

/* Feed tokens. feed_token returns the user's token, storing candidate first
 * when the user has none (creating the user row if needed: header-trust users
 * never open a session). identity_json keeps every address of the user, which
 * the feed matches. rotate replaces it (the old URL stops working). set is
 * for imports: CONFLICT when the token belongs to someone else. by_token
 * returns the owner's login and stored identity. */
enum jmb_store_result jmb_store_feed_token(struct jmb_store *store, struct jmb_pool *pool,
					   const struct jmb_person *user, const char *identity_json,
					   const char *candidate, time_t now, char **token_r,
					   char **error_r);
enum jmb_store_result jmb_store_feed_token_set(struct jmb_store *store,
					       const struct jmb_person *user,
					       const char *identity_json, const char *token,
					       time_t now, char **error_r);
enum jmb_store_result jmb_store_feed_token_lookup(struct jmb_store *store, struct jmb_pool *pool,
						  const char *token, char **login_r,
						  char **identity_json_r, char **error_r);

/* Counts one use of the private room named after login; returns the new count. */
enum jmb_store_result jmb_store_private_room_use(struct jmb_store *store, const char *login,
						 time_t now, long *uses_r, char **error_r);

/* Sessions, keyed by the SHA-256 of the cookie value. get returns NOT_FOUND for expired ones. */
enum jmb_store_result jmb_store_session_create(struct jmb_store *store, const char *id_hash,
					       const char *identity_json, time_t created,
					       time_t expires, char **error_r);
enum jmb_store_result jmb_store_session_get(struct jmb_store *store, struct jmb_pool *pool,
					    const char *id_hash, time_t now,
					    struct jmb_session_record *session_r, char **error_r);
enum jmb_store_result jmb_store_session_delete(struct jmb_store *store, const char *id_hash,
					       char **error_r);
enum jmb_store_result jmb_store_sessions_purge(struct jmb_store *store, time_t now,
					       long *purged_r, char **error_r);

/* API bearer tokens, keyed by the SHA-256 of the token. */
enum jmb_store_result jmb_store_api_token_create(struct jmb_store *store, const char *token_hash,
						 const char *identity_json, const char *label,
						 time_t now, char **error_r);
enum jmb_store_result jmb_store_api_token_lookup(struct jmb_store *store, struct jmb_pool *pool,
						 const char *token_hash, time_t now,
						 char **identity_json_r, char **error_r);

/* Server-wide secrets shared by every instance (e.g. the CSRF key): returns the
 * stored value, creating it from candidate when there is none yet. */
enum jmb_store_result jmb_store_secret_get(struct jmb_store *store, struct jmb_pool *pool,
					   const char *name, const char *candidate,
					   char **value_r, char **error_r);

#endif
