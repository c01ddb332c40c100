-- 001_initial: the jmb schema. Released migrations are never edited; add a new file.
-- Times are UTC epoch seconds. Secrets (sessions, API tokens) are stored as SHA-256 hashes.

CREATE TABLE users (
	login TEXT PRIMARY KEY,
	mail TEXT NOT NULL DEFAULT '',
	name TEXT NOT NULL DEFAULT '',
	language TEXT,
	identity TEXT,
	feed_token TEXT UNIQUE,
	feed_rotated_at BIGINT,
	created_at BIGINT NOT NULL,
	last_login_at BIGINT NOT NULL
);

CREATE TABLE meetings (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	uid TEXT NOT NULL UNIQUE,
	room TEXT NOT NULL UNIQUE,
	title TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	start_at BIGINT NOT NULL,
	duration BIGINT NOT NULL CHECK (duration > 0),
	end_at BIGINT NOT NULL,
	timezone TEXT NOT NULL,
	owner_login TEXT NOT NULL,
	owner_mail TEXT NOT NULL,
	owner_name TEXT NOT NULL DEFAULT '',
	sequence BIGINT NOT NULL DEFAULT 0,
	revision BIGINT NOT NULL DEFAULT 0, -- bumped by every write, answers included (feed ETags)
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	deleted_at BIGINT
);
CREATE INDEX meetings_owner_end ON meetings (owner_login, end_at);
CREATE INDEX meetings_end ON meetings (end_at);

CREATE TABLE attendees (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	meeting_id BIGINT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
	mail TEXT NOT NULL,
	name TEXT NOT NULL DEFAULT '',
	role TEXT NOT NULL CHECK (role IN ('moderator', 'guest')),
	status TEXT NOT NULL DEFAULT 'needs-action'
		CHECK (status IN ('needs-action', 'accepted', 'declined')),
	token TEXT NOT NULL UNIQUE,
	joins BIGINT NOT NULL DEFAULT 0,
	responded_at BIGINT,
	UNIQUE (meeting_id, mail)
);
CREATE INDEX attendees_mail ON attendees (mail);

-- Who was removed from which meeting, when: their feed changed (Last-Modified).
CREATE TABLE attendee_removals (
	mail TEXT NOT NULL,
	meeting_id BIGINT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
	removed_at BIGINT NOT NULL
);
CREATE INDEX attendee_removals_mail ON attendee_removals (mail);

CREATE TABLE sessions (
	id_hash TEXT PRIMARY KEY,
	identity TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	identity TEXT NOT NULL,
	label TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	last_used_at BIGINT,
	revoked_at BIGINT
);

CREATE TABLE secrets (
	name TEXT PRIMARY KEY,
	value TEXT NOT NULL,
	created_at BIGINT NOT NULL
);

CREATE TABLE private_rooms (
	login TEXT PRIMARY KEY,
	uses BIGINT NOT NULL DEFAULT 0,
	last_used_at BIGINT
);

CREATE TABLE reminders (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	meeting_id BIGINT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
	kind TEXT NOT NULL CHECK (kind IN ('mail', 'xmpp')),
	offset_minutes BIGINT NOT NULL,
	due_at BIGINT NOT NULL,
	claimed_by TEXT,
	claimed_at BIGINT,
	done_at BIGINT,
	UNIQUE (meeting_id, kind, offset_minutes)
);
CREATE INDEX reminders_due ON reminders (due_at) WHERE done_at IS NULL;

CREATE TABLE outbox (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	created_at BIGINT NOT NULL,
	envelope_from TEXT NOT NULL,
	recipients TEXT NOT NULL,
	message TEXT NOT NULL,
	status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
	attempts BIGINT NOT NULL DEFAULT 0,
	next_attempt_at BIGINT NOT NULL,
	last_error TEXT,
	claimed_by TEXT,
	claimed_at BIGINT,
	sent_at BIGINT
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';
