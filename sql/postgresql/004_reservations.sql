-- 004_reservations: the rooms Prosody's mod_reservations asked for and was
-- granted (POST /jitsi/reservations/conference), one row per room name as
-- Prosody gives it ("[tenant]room" with a tenant). Prosody deletes a
-- reservation when its room is destroyed; rows it never deleted (Prosody
-- restarted) are replaced by the room's next reservation and purged by
-- `jmbctl purge` once expired. meeting_id is NULL for private and ad-hoc rooms;
-- max_occupants (0: none) and lobby are the meeting's room options as granted.
CREATE TABLE reservations (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	meeting_id BIGINT REFERENCES meetings (id) ON DELETE CASCADE,
	mail_owner TEXT NOT NULL,
	start_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	max_occupants INTEGER NOT NULL DEFAULT 0,
	lobby INTEGER NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL
);
CREATE INDEX reservations_expires_at ON reservations (expires_at);
