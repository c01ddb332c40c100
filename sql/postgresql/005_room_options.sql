-- 005_room_options: what the organiser chose for the Jitsi room, given to
-- Prosody in the reservation answer (lobby, max_occupants) and to the tokens
-- (recording off). 0 / 0 / 0 is how every meeting behaved before.
ALTER TABLE meetings ADD COLUMN lobby INTEGER NOT NULL DEFAULT 0;
ALTER TABLE meetings ADD COLUMN max_participants INTEGER NOT NULL DEFAULT 0;
ALTER TABLE meetings ADD COLUMN recording_off INTEGER NOT NULL DEFAULT 0;
