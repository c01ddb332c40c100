-- 006_presences: who was in a meeting's room and when, from the POSTs of
-- Prosody's event_sync component (jitsi-contrib). One row per occupant
-- session, keyed by what the events themselves carry, so an event received
-- twice or out of order lands on the same row: a join inserts, a leave (or
-- the room's destruction, with all_occupants) sets left_at. breakout is ''
-- for the main room. user_id and email are the token's context.user (set by
-- jmb when it signed it); anonymous guests have neither. Kept for
-- [privacy] attendance_days, then purged by `jmbctl purge`.
CREATE TABLE presences (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	room TEXT NOT NULL,
	breakout TEXT NOT NULL DEFAULT '',
	occupant_jid TEXT NOT NULL,
	joined_at BIGINT NOT NULL,
	left_at BIGINT,
	meeting_id BIGINT REFERENCES meetings (id) ON DELETE CASCADE,
	user_id TEXT NOT NULL DEFAULT '',
	email TEXT NOT NULL DEFAULT '',
	name TEXT NOT NULL DEFAULT '',
	UNIQUE (room, breakout, occupant_jid, joined_at)
);
CREATE INDEX presences_meeting ON presences (meeting_id);
CREATE INDEX presences_joined_at ON presences (joined_at);

-- When a room (main: breakout = '') was last destroyed: joins from before
-- that moment are over even if their leave never arrived.
CREATE TABLE room_closings (
	room TEXT NOT NULL,
	breakout TEXT NOT NULL DEFAULT '',
	destroyed_at BIGINT NOT NULL,
	PRIMARY KEY (room, breakout)
);
