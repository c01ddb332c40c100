-- 001_initial: the jmb schema. Released migrations are never edited; add a new file.
-- Times are UTC epoch seconds. Secrets (sessions, API tokens) are stored as SHA-256 hashes.

CREATE TABLE users (
	login TEXT PRIMARY KEY,
	mail TEXT NOT NULL DEFAULT '',
	name TEXT NOT NULL DEFAULT '',
	language TEXT,
	identity TEXT,
	feed_token TEXT UNIQUE,
	feed_rotated_at INTEGER,
	created_at INTEGER NOT NULL,
	last_login_at INTEGER NOT NULL
);

CREATE TABLE meetings (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	uid TEXT NOT NULL UNIQUE,
	room TEXT NOT NULL UNIQUE,
	title TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	start_at INTEGER NOT NULL,
	duration INTEGER NOT NULL CHECK (duration > 0),
	end_at INTEGER NOT NULL,
	timezone TEXT NOT NULL,
	owner_login TEXT NOT NULL,
	owner_mail TEXT NOT NULL,
	owner_name TEXT NOT NULL DEFAULT '',
	sequence INTEGER NOT NULL DEFAULT 0,
	revision INTEGER NOT NULL DEFAULT 0, -- bumped by every write, answers included (feed ETags)
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	deleted_at INTEGER
);
CREATE INDEX meetings_owner_end ON meetings (owner_login, end_at);
CREATE INDEX meetings_end ON meetings (end_at);

CREATE TABLE attendees (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
	mail TEXT NOT NULL,
	name TEXT NOT NULL DEFAULT '',
	role TEXT NOT NULL CHECK (role IN ('moderator', 'guest')),
	status TEXT NOT NULL DEFAULT 'needs-action'
		CHECK (status IN ('needs-action', 'accepted', 'declined')),
	token TEXT NOT NULL UNIQUE,
	joins INTEGER NOT NULL DEFAULT 0,
	responded_at INTEGER,
	UNIQUE (meeting_id, mail)
);
CREATE INDEX attendees_mail ON attendees (mail);

-- Who was removed from which meeting, when: their feed changed (Last-Modified).
CREATE TABLE attendee_removals (
	mail TEXT NOT NULL,
	meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
	removed_at INTEGER NOT NULL
);
CREATE INDEX attendee_removals_mail ON attendee_removals (mail);

CREATE TABLE sessions (
	id_hash TEXT PRIMARY KEY,
	identity TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	token_hash TEXT NOT NULL UNIQUE,
	identity TEXT NOT NULL,
	label TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	last_used_at INTEGER,
	revoked_at INTEGER
);

CREATE TABLE secrets (
	name TEXT PRIMARY KEY,
	value TEXT NOT NULL,
	created_at INTEGER NOT NULL
);

CREATE TABLE private_rooms (
	login TEXT PRIMARY KEY,
	uses INTEGER NOT NULL DEFAULT 0,
	last_used_at INTEGER
);

CREATE TABLE reminders (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
	kind TEXT NOT NULL CHECK (kind IN ('mail', 'xmpp')),
	offset_minutes INTEGER NOT NULL,
	due_at INTEGER NOT NULL,
	claimed_by TEXT,
	claimed_at INTEGER,
	done_at INTEGER,
	UNIQUE (meeting_id, kind, offset_minutes)
);
CREATE INDEX reminders_due ON reminders (due_at) WHERE done_at IS NULL;

CREATE TABLE outbox (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	created_at INTEGER NOT NULL,
	envelope_from TEXT NOT NULL,
	recipients TEXT NOT NULL,
	message TEXT NOT NULL,
	status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt_at INTEGER NOT NULL,
	last_error TEXT,
	claimed_by TEXT,
	claimed_at INTEGER,
	sent_at INTEGER
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';
