/* The driver-neutral store API: meetings, attendees, users, sessions, tokens.
 * Results are allocated from the caller's pool; every call is safe from any thread. */
#ifndef JMB_STORE_H
#define JMB_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "jmb/error.h"
#include "jmb/pool.h"
#include "domain/meeting.h"
#include "config/settings.h"

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

/* One mail of the durable outbox: the whole RFC 5322 message, stored before
 * any SMTP attempt, so an MTA outage loses nothing. */
enum jmb_outbox_status { JMB_OUTBOX_PENDING, JMB_OUTBOX_SENT, JMB_OUTBOX_FAILED };

struct jmb_outbox_mail {
	int64_t id;
	const char *sender;    /* envelope sender (MAIL FROM) */
	const char *recipient; /* envelope recipient (RCPT TO) */
	const char *message;
	size_t message_len;
	const char *kind; /* "invitation", "update", "reminder"...: for the log */
	/* read back from the store */
	enum jmb_outbox_status status;
	long attempts;
	time_t created;
	time_t next_attempt;
	time_t sent;
	const char *last_error;
};

struct jmb_outbox_list {
	struct jmb_outbox_mail *items;
	size_t count;
};

enum jmb_reminder_kind { JMB_REMINDER_MAIL = 0, JMB_REMINDER_XMPP = 1 };

struct jmb_reminder {
	int64_t id;
	int64_t meeting_id;
	enum jmb_reminder_kind kind;
	long offset; /* minutes before the start (mail) or the end (xmpp) */
	time_t due;
	/* The occurrence it is about, by the start the rule gives it (its
	   RECURRENCE-ID); 0 for a single meeting. */
	time_t recurrence_id;
};

struct jmb_reminder_list {
	struct jmb_reminder *items;
	size_t count;
};

/* What a change brings with it, written in the same transaction: mails to
 * queue and, for meetings, the complete plan of reminders still to come
 * (pending reminders not in the plan are dropped; one whose time did not
 * change keeps its state, so editing a title never re-sends a reminder). */
struct jmb_side_effects {
	time_t now; /* when the mails are queued */
	const struct jmb_outbox_mail *mails;
	size_t n_mails;
	const struct jmb_reminder *reminders;
	size_t n_reminders;
};

/* The plan of reminders still to come (due after now) for m: for each
 * occurrence not cancelled (moved ones at their new time; a single meeting
 * has one), a mail at each of r's mail_before minutes before its start and,
 * when xmpp, a message at each of xmpp_before_end minutes before its end.
 * In pool; *n_r is set to its length. */
struct jmb_reminder *jmb_reminder_plan(struct jmb_pool *pool, const struct jmb_meeting *m,
                                       const struct jmb_reminder_settings *r, bool xmpp, time_t now,
                                       size_t *n_r);

struct jmb_session_record {
	char *identity_json; /* the identity as stored at login */
	time_t created;
	time_t expires;
};

const char *jmb_store_result_name(enum jmb_store_result result);

/* Opens the store described by settings and checks that it answers. */
struct jmb_store *jmb_store_open(const struct jmb_store_settings *settings,
                                 struct jmb_error *error);
void jmb_store_close(struct jmb_store **store);
const char *jmb_store_driver_name(const struct jmb_store *store);

/* Brings the schema to the newest version; *from_r and *to_r say what was done. */
enum jmb_store_result jmb_store_migrate(struct jmb_store *store, int *from_r, int *to_r,
                                        struct jmb_error *error);
/* The schema version in the database (0: empty) and the newest this build knows. */
enum jmb_store_result jmb_store_schema_version(struct jmb_store *store, int *version_r,
                                               struct jmb_error *error);
int jmb_store_latest_schema_version(const struct jmb_store *store);
enum jmb_store_result jmb_store_ping(struct jmb_store *store, struct jmb_error *error);

/* Meetings. insert fills m->id and attendee ids; uid, room and tokens come
 * filled by the caller (CONFLICT when one is taken). update writes every field,
 * the series' rule and overrides included, makes the attendee set equal to
 * m's, keeping the token, status and joins of attendees whose mail stays, and
 * sets the sequence to m->sequence, which must be the stored one plus one:
 * RETRY when another writer changed the meeting since it was read. */
enum jmb_store_result jmb_store_meeting_insert(struct jmb_store *store, struct jmb_meeting *m,
                                               struct jmb_error *error);
enum jmb_store_result jmb_store_meeting_update(struct jmb_store *store, struct jmb_meeting *m,
                                               struct jmb_error *error);
/* Marks the meeting deleted (kept for feeds as cancelled) and bumps its sequence. */
enum jmb_store_result jmb_store_meeting_delete(struct jmb_store *store, int64_t id, time_t now,
                                               struct jmb_error *error);
/* The same three with their side effects (fx may be NULL). */
enum jmb_store_result jmb_store_meeting_insert_fx(struct jmb_store *store, struct jmb_meeting *m,
                                                  const struct jmb_side_effects *fx,
                                                  struct jmb_error *error);
enum jmb_store_result jmb_store_meeting_update_fx(struct jmb_store *store, struct jmb_meeting *m,
                                                  const struct jmb_side_effects *fx,
                                                  struct jmb_error *error);
enum jmb_store_result jmb_store_meeting_delete_fx(struct jmb_store *store, int64_t id, time_t now,
                                                  const struct jmb_side_effects *fx,
                                                  struct jmb_error *error);
/* "This and the following occurrences": old is the series as it now ends (its
 * rule cut before the split, updated as by jmb_store_meeting_update_fx) and
 * next the series that continues from there in the same room (inserted, its
 * room shared with old), in one transaction. */
enum jmb_store_result jmb_store_meeting_split_fx(struct jmb_store *store, struct jmb_meeting *old,
                                                 const struct jmb_side_effects *old_fx,
                                                 struct jmb_meeting *next,
                                                 const struct jmb_side_effects *next_fx,
                                                 struct jmb_error *error);
enum jmb_store_result jmb_store_meeting_get(struct jmb_store *store, struct jmb_pool *pool,
                                            int64_t id, struct jmb_meeting **m_r,
                                            struct jmb_error *error);
/* Meetings not deleted, owned by login or with an attendee among mails, whose end
 * is in (ends_after, ends_before], sorted by start (descending when newest_first). */
enum jmb_store_result jmb_store_meetings_for_user(struct jmb_store *store, struct jmb_pool *pool,
                                                  const char *login, const char *const *mails,
                                                  time_t ends_after, time_t ends_before,
                                                  bool newest_first,
                                                  struct jmb_meeting_list *list_r,
                                                  struct jmb_error *error);
/* All meetings (for the admin CLI), deleted ones included when asked. */
enum jmb_store_result jmb_store_meetings_all(struct jmb_store *store, struct jmb_pool *pool,
                                             time_t ends_after, bool include_deleted,
                                             struct jmb_meeting_list *list_r,
                                             struct jmb_error *error);

/* Attendees by personal token. */
enum jmb_store_result jmb_store_attendee_by_token(struct jmb_store *store, struct jmb_pool *pool,
                                                  const char *token, struct jmb_meeting **m_r,
                                                  size_t *index_r, struct jmb_error *error);
/* Remembers the language an invitee used on their invitation page. */
enum jmb_store_result jmb_store_attendee_set_language(struct jmb_store *store, const char *token,
                                                      const char *language,
                                                      struct jmb_error *error);

/* The languages users chose (users.language), for writing each mail in its
 * recipient's: the user login and those whose primary address is in mails. */
struct jmb_user_language {
	const char *login;
	const char *mail;
	const char *language;
};
struct jmb_user_language_list {
	struct jmb_user_language *items;
	size_t count;
};
enum jmb_store_result jmb_store_user_languages(struct jmb_store *store, struct jmb_pool *pool,
                                               const char *login, const char *const *mails,
                                               size_t n_mails,
                                               struct jmb_user_language_list *list_r,
                                               struct jmb_error *error);
/* The zone a user reads times in ("" when none chosen, or no such user:
 * NOT_FOUND), and setting it. */
enum jmb_store_result jmb_store_user_timezone(struct jmb_store *store, struct jmb_pool *pool,
                                              const char *login, const char **zone_r,
                                              struct jmb_error *error);
enum jmb_store_result jmb_store_user_set_timezone(struct jmb_store *store, const char *login,
                                                  const char *zone, struct jmb_error *error);
/* A logged-in user's explicit choice of language (?lang=). */
enum jmb_store_result jmb_store_user_set_language(struct jmb_store *store, const char *login,
                                                  const char *language, struct jmb_error *error);

/* Attendees by the token of their reply address (lower case). */
enum jmb_store_result jmb_store_attendee_by_reply_token(struct jmb_store *store,
                                                        struct jmb_pool *pool, const char *token,
                                                        struct jmb_meeting **m_r, size_t *index_r,
                                                        struct jmb_error *error);
/* The meeting of a personal token with only that invitee (n_attendees = 1):
 * one indexed read, what a join needs. */
enum jmb_store_result jmb_store_invitee_by_token(struct jmb_store *store, struct jmb_pool *pool,
                                                 const char *token, struct jmb_meeting **m_r,
                                                 struct jmb_error *error);
enum jmb_store_result jmb_store_attendee_set_status(struct jmb_store *store, const char *token,
                                                    enum jmb_partstat status, time_t now,
                                                    struct jmb_error *error);
/* The same, queueing mails (the organiser's notice) in the same transaction. */
enum jmb_store_result jmb_store_attendee_set_status_fx(struct jmb_store *store, const char *token,
                                                       enum jmb_partstat status, time_t now,
                                                       const struct jmb_side_effects *fx,
                                                       struct jmb_error *error);
/* An invitee's answer for the occurrence of their series that the rule
 * starts at recurrence_id (it wins over their answer for the series). */
enum jmb_store_result jmb_store_occurrence_answer_fx(struct jmb_store *store, const char *token,
                                                     time_t recurrence_id, enum jmb_partstat status,
                                                     time_t now, const struct jmb_side_effects *fx,
                                                     struct jmb_error *error);
/* Joins of one personal link not yet written: jmbd counts joins in memory
 * and writes them in batches (src/jmbd/join-counter.c). */
struct jmb_join_count {
	const char *token;
	long joins;
};
/* Adds each count to its attendee's join counter (joins = joins + n, so
 * concurrent writers lose nothing), all in one transaction. Pass them sorted
 * by token: concurrent batches then lock rows in one order. Tokens that no
 * longer exist (the invitee was removed meanwhile) are skipped. */
enum jmb_store_result jmb_store_attendees_add_joins(struct jmb_store *store,
                                                    const struct jmb_join_count *counts, size_t n,
                                                    struct jmb_error *error);

/* A meeting by its Jitsi room name; deleted ones are NOT_FOUND. A room a
 * series passed on to the series continuing it (a split) is the first of them
 * still running after active_after, else the last to have run. */
enum jmb_store_result jmb_store_meeting_by_room(struct jmb_store *store, struct jmb_pool *pool,
                                                const char *room, time_t active_after,
                                                struct jmb_meeting **m_r,
                                                struct jmb_error *error);
/* Inserts a meeting exactly as given (room, uid, sequence, attendee tokens,
 * statuses and join counts kept): for `jmbctl import-legacy`. CONFLICT when
 * the room, the UID or a token exists already. */
enum jmb_store_result jmb_store_meeting_import(struct jmb_store *store, struct jmb_meeting *m,
                                               struct jmb_error *error);

/* What a personal iCal feed holds: meetings owned by login (or whose owner
 * address is among mails) or with an attendee among mails, that end after
 * ends_after and are not deleted, or were deleted after deleted_after (they
 * appear as cancelled). Sorted by start. */
enum jmb_store_result jmb_store_meetings_for_feed(struct jmb_store *store, struct jmb_pool *pool,
                                                  const char *login, const char *const *mails,
                                                  time_t ends_after, time_t deleted_after,
                                                  struct jmb_meeting_list *list_r,
                                                  struct jmb_error *error);

/* What a feed's ETag and Last-Modified rest on, without reading its meetings:
 * the number of changes ever made to meetings of the user's login or
 * addresses (it grows with every write that changes the feed), and the newest
 * of those writes. Kept by triggers (sql/<driver>/003_feed_changes.sql). */
struct jmb_feed_version {
	int64_t changes;
	time_t changed_at;
};
enum jmb_store_result jmb_store_feed_version(struct jmb_store *store, struct jmb_pool *pool,
                                             const char *login, const char *const *mails,
                                             struct jmb_feed_version *version_r,
                                             struct jmb_error *error);

/* Users who logged in at least once (kept for feeds and mail language). */
enum jmb_store_result jmb_store_user_touch(struct jmb_store *store, const struct jmb_person *user,
                                           const char *language, time_t now,
                                           struct jmb_error *error);

/* Feed tokens. feed_token returns the user's token, storing candidate first
 * when the user has none (creating the user row if needed: header-trust users
 * never open a session). identity_json keeps every address of the user, which
 * the feed matches. rotate replaces it (the old URL stops working). set is
 * for imports: CONFLICT when the token belongs to someone else. by_token
 * returns the owner's login and stored identity. */
enum jmb_store_result jmb_store_feed_token(struct jmb_store *store, struct jmb_pool *pool,
                                           const struct jmb_person *user, const char *identity_json,
                                           const char *candidate, time_t now, char **token_r,
                                           struct jmb_error *error);
enum jmb_store_result jmb_store_feed_token_set(struct jmb_store *store,
                                               const struct jmb_person *user,
                                               const char *identity_json, const char *token,
                                               time_t now, struct jmb_error *error);
enum jmb_store_result jmb_store_feed_token_lookup(struct jmb_store *store, struct jmb_pool *pool,
                                                  const char *token, char **login_r,
                                                  char **identity_json_r, struct jmb_error *error);

/* Counts one use of the private room named after login; returns the new count. */
enum jmb_store_result jmb_store_private_room_use(struct jmb_store *store, const char *login,
                                                 time_t now, long *uses_r, struct jmb_error *error);

/* A room reservation granted to Prosody (mod_reservations). */
struct jmb_reservation {
	long long id;
	const char *name;       /* the room as Prosody names it ("[tenant]room" with a tenant) */
	long long meeting_id;   /* 0: a private or ad-hoc room */
	const char *mail_owner; /* whoever entered first, as Prosody says: not trusted */
	time_t start;           /* when Prosody asked */
	time_t expires;         /* when Prosody closes the room */
	long max_occupants;     /* the meeting's participant limit, 0: none */
	bool lobby;             /* the meeting's lobby */
};

/* Stores res (its id set on return); a reservation of the same room name is
 * replaced and keeps its id: Prosody retries and, after a restart, asks again
 * without having deleted the old one. */
enum jmb_store_result jmb_store_reservation_put(struct jmb_store *store,
                                                struct jmb_reservation *res, time_t now,
                                                struct jmb_error *error);
enum jmb_store_result jmb_store_reservation_get(struct jmb_store *store, struct jmb_pool *pool,
                                                long long id, struct jmb_reservation *res_r,
                                                struct jmb_error *error);
/* OK whether or not it existed. */
enum jmb_store_result jmb_store_reservation_delete(struct jmb_store *store, long long id,
                                                   struct jmb_error *error);
enum jmb_store_result jmb_store_reservations_purge(struct jmb_store *store, time_t now,
                                                   long *purged_r, struct jmb_error *error);
/* True when login has logged in at least once (has a users row). */
enum jmb_store_result jmb_store_user_exists(struct jmb_store *store, const char *login,
                                            bool *exists_r, struct jmb_error *error);

/* One occupant's time in a room (event_sync): identified by room, breakout
 * ("" for the main room), occupant JID and join time, as the events say. */
struct jmb_presence {
	const char *room;
	const char *breakout;
	const char *occupant_jid;
	time_t joined;
	time_t left;          /* 0: not known to have left */
	long long meeting_id; /* 0: no meeting's room */
	const char *user_id;  /* the token's context.user.id, "" without a token */
	const char *email;
	const char *name;
};

/* A join (left 0) or a leave, recorded once however often it comes. */
enum jmb_store_result jmb_store_presence_record(struct jmb_store *store,
                                                const struct jmb_presence *p,
                                                struct jmb_error *error);
/* The room (or one breakout room) was destroyed: sessions still open in it end then. */
enum jmb_store_result jmb_store_room_closed(struct jmb_store *store, const char *room,
                                            const char *breakout, time_t destroyed,
                                            struct jmb_error *error);
/* How many are in room now (breakout rooms included), counting sessions begun
 * after `after`, and since when the room has been in use (0 when empty). */
enum jmb_store_result jmb_store_room_live(struct jmb_store *store, const char *room, time_t after,
                                          long *participants_r, time_t *since_r,
                                          struct jmb_error *error);
/* Rooms in use and people in them, over sessions begun after `after`. */
enum jmb_store_result jmb_store_live_totals(struct jmb_store *store, time_t after, long *rooms_r,
                                            long *participants_r, struct jmb_error *error);
/* Every recorded session of a meeting, by join time (left 0: still there or unknown). */
enum jmb_store_result jmb_store_attendance(struct jmb_store *store, struct jmb_pool *pool,
                                           long long meeting_id, struct jmb_presence **list_r,
                                           size_t *n_r, struct jmb_error *error);
enum jmb_store_result jmb_store_presences_purge(struct jmb_store *store, time_t before,
                                                long *purged_r, struct jmb_error *error);

/* Sessions, keyed by the SHA-256 of the cookie value. get returns NOT_FOUND for expired ones. */
enum jmb_store_result jmb_store_session_create(struct jmb_store *store, const char *id_hash,
                                               const char *identity_json, time_t created,
                                               time_t expires, struct jmb_error *error);
enum jmb_store_result jmb_store_session_get(struct jmb_store *store, struct jmb_pool *pool,
                                            const char *id_hash, time_t now,
                                            struct jmb_session_record *session_r,
                                            struct jmb_error *error);
enum jmb_store_result jmb_store_session_delete(struct jmb_store *store, const char *id_hash,
                                               struct jmb_error *error);
/* Ends every session of the user with that login (a deleted account, a new
 * password): their next request is anonymous. */
enum jmb_store_result jmb_store_sessions_end_for(struct jmb_store *store, const char *login,
                                                 long *ended_r, struct jmb_error *error);
enum jmb_store_result jmb_store_sessions_purge(struct jmb_store *store, time_t now, long *purged_r,
                                               struct jmb_error *error);

/* The password-guessing throttle's counts (store-logins.c), per account (a
 * key from jmb_login_account_key) and client address; the rules are
 * auth/login-throttle.h's. */
struct jmb_login_policy;
struct jmb_login_attempt {
	bool allowed;                  /* false: the client must wait until blocked_until */
	long pair_failures;            /* the client's failures for the account */
	long account_failures;         /* the account's, from every address */
	time_t blocked_until;          /* when the client may try again should this try fail */
	time_t previous_blocked_until; /* before this try, for jmb_store_login_uncount */
};
/* Looks at the client's count for the account and, unless it must wait,
 * counts this try as a failure in advance (in one transaction, so parallel
 * tries of one client are counted one after the other). */
enum jmb_store_result jmb_store_login_attempt(struct jmb_store *store, const char *account,
                                              const char *address, time_t now,
                                              const struct jmb_login_policy *policy,
                                              struct jmb_login_attempt *attempt_r,
                                              struct jmb_error *error);
/* Takes back an allowed try that checked no password (an expired form, the
 * directory down). */
enum jmb_store_result jmb_store_login_uncount(struct jmb_store *store, const char *account,
                                              const char *address,
                                              const struct jmb_login_attempt *attempt,
                                              struct jmb_error *error);
/* A successful login forgets the client's failures for the account (not the
 * other addresses'). */
enum jmb_store_result jmb_store_login_clear(struct jmb_store *store, const char *account,
                                            const char *address, struct jmb_error *error);
enum jmb_store_result jmb_store_login_failures_purge(struct jmb_store *store, time_t now,
                                                     long *purged_r, struct jmb_error *error);

/* API bearer tokens, keyed by the SHA-256 of the token. */
enum jmb_store_result jmb_store_api_token_create(struct jmb_store *store, const char *token_hash,
                                                 const char *identity_json, const char *label,
                                                 time_t now, struct jmb_error *error);
enum jmb_store_result jmb_store_api_token_lookup(struct jmb_store *store, struct jmb_pool *pool,
                                                 const char *token_hash, time_t now,
                                                 char **identity_json_r, struct jmb_error *error);

/* The tokens as jmbctl lists them, newest first (never their secret, which
 * the store does not have). revoke refuses a token for good; NOT_FOUND when
 * no token has that id or it was revoked already. */
struct jmb_api_token_info {
	int64_t id;
	char *identity_json;
	char *label;
	time_t created_at, last_used_at, revoked_at; /* 0: never */
};
struct jmb_api_token_list {
	struct jmb_api_token_info *items;
	size_t count;
};
enum jmb_store_result jmb_store_api_tokens_list(struct jmb_store *store, struct jmb_pool *pool,
                                                struct jmb_api_token_list *list_r,
                                                struct jmb_error *error);
enum jmb_store_result jmb_store_api_token_revoke(struct jmb_store *store, int64_t id, time_t now,
                                                 struct jmb_error *error);

/* The outbox. claim hands up to limit due mails to `instance` (a claim older
 * than stale_before, left by an instance that died, is taken over); with
 * several instances each mail goes to exactly one. finish records the outcome
 * of a claimed mail (only its claimer may). */
enum jmb_outbox_outcome { JMB_OUTBOX_DELIVERED, JMB_OUTBOX_DEFERRED, JMB_OUTBOX_REJECTED };
enum jmb_store_result jmb_store_outbox_add(struct jmb_store *store,
                                           const struct jmb_side_effects *fx,
                                           struct jmb_error *error);
enum jmb_store_result jmb_store_outbox_claim(struct jmb_store *store, struct jmb_pool *pool,
                                             const char *instance, time_t now, time_t stale_before,
                                             long limit, struct jmb_outbox_list *list_r,
                                             struct jmb_error *error);
enum jmb_store_result jmb_store_outbox_finish(struct jmb_store *store, int64_t id,
                                              const char *instance, enum jmb_outbox_outcome outcome,
                                              time_t now, time_t next_attempt,
                                              const char *error_text, struct jmb_error *error);
/* For jmbctl: the newest mails (only failed ones when asked), and a retry. */
enum jmb_store_result jmb_store_outbox_list(struct jmb_store *store, struct jmb_pool *pool,
                                            bool failed_only, long limit,
                                            struct jmb_outbox_list *list_r,
                                            struct jmb_error *error);
enum jmb_store_result jmb_store_outbox_retry(struct jmb_store *store, int64_t id, time_t now,
                                             struct jmb_error *error);

/* Mail received for reply addresses (store-mail-in.c). */
struct jmb_mail_in {
	int64_t id;
	const char *recipient; /* the envelope recipient, rsvp+<token>@... */
	const char *message;   /* the message as received (any bytes, NUL-terminated) */
	size_t message_len;
	time_t received;
};

struct jmb_mail_in_list {
	struct jmb_mail_in *items;
	size_t count;
};

/* What handling a received mail changes, besides the mails in fx. */
enum jmb_mail_in_kind {
	JMB_MAIL_IN_IGNORED, /* nothing (fx may still forward it) */
	JMB_MAIL_IN_ANSWER,  /* attendee_id answered `answer` */
	JMB_MAIL_IN_BOUNCE,  /* mail to attendee_id bounced with bounce_error */
};

struct jmb_mail_in_result {
	enum jmb_mail_in_kind kind;
	const char *outcome; /* for the record and jmbctl: "answer accepted", "ignored: ..." */
	int64_t attendee_id;
	enum jmb_partstat answer;
	bool for_occurrence;  /* an answer for one occurrence of a series: */
	time_t recurrence_id; /* this one */
	const char *bounce_error;
	const struct jmb_side_effects *fx; /* mails to queue; NULL: none */
};

/* Queues a received message under key (the recipient and its Message-ID, or
 * a digest): JMB_STORE_CONFLICT when that key was received before. */
enum jmb_store_result jmb_store_mail_in_add(struct jmb_store *store, const char *key,
                                            const char *recipient, const char *message, size_t len,
                                            time_t now, struct jmb_error *error);
/* Claims received mails not yet handled, like outbox mails. */
enum jmb_store_result jmb_store_mail_in_claim(struct jmb_store *store, struct jmb_pool *pool,
                                              const char *instance, time_t now, time_t stale_before,
                                              long limit, struct jmb_mail_in_list *list_r,
                                              struct jmb_error *error);
/* Records a claimed mail as handled with result, in one transaction. A bounce
 * queues result->fx only for the first bounce since the invitee's last answer. */
enum jmb_store_result jmb_store_mail_in_finish(struct jmb_store *store, int64_t id,
                                               const char *instance, time_t now,
                                               const struct jmb_mail_in_result *result,
                                               struct jmb_error *error);
/* Forgets mails handled before `before`. */
enum jmb_store_result jmb_store_mail_in_purge(struct jmb_store *store, time_t before,
                                              long *purged_r, struct jmb_error *error);

/* Reminders due at now, claimed like outbox mails; finish marks one done and
 * queues its mails in the same transaction, so each is handled exactly once. */
enum jmb_store_result jmb_store_reminders_claim(struct jmb_store *store, struct jmb_pool *pool,
                                                const char *instance, time_t now,
                                                time_t stale_before, long limit,
                                                struct jmb_reminder_list *list_r,
                                                struct jmb_error *error);
enum jmb_store_result jmb_store_reminder_finish(struct jmb_store *store, int64_t id,
                                                const char *instance, time_t now,
                                                const struct jmb_side_effects *fx,
                                                struct jmb_error *error);
/* Gives a claimed reminder back, due again at retry_at (its sender could not
 * reach its server); only its claimer may. */
enum jmb_store_result jmb_store_reminder_release(struct jmb_store *store, int64_t id,
                                                 const char *instance, time_t retry_at,
                                                 struct jmb_error *error);

/* Server-wide secrets shared by every instance (e.g. the CSRF key): returns the
 * stored value, creating it from candidate when there is none yet. */
enum jmb_store_result jmb_store_secret_get(struct jmb_store *store, struct jmb_pool *pool,
                                           const char *name, const char *candidate, char **value_r,
                                           struct jmb_error *error);

#endif
