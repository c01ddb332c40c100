-- 014_shared_rooms: a room may belong to several meetings, one after the
-- other: "this and the following occurrences" ends a series and starts a new
-- one in the same room. SQLite cannot drop the UNIQUE of 001's room column, so
-- that column is renamed room_key and keeps a unique value of no meaning of its
-- own (the meeting's UID for new meetings), and room is a new column without
-- the constraint. Who holds a room at a given time is decided by its lookup
-- (jmb_store_meeting_by_room), not by the schema.
ALTER TABLE meetings RENAME COLUMN room TO room_key;
ALTER TABLE meetings ADD COLUMN room TEXT NOT NULL DEFAULT '';
UPDATE meetings SET room = room_key;
CREATE INDEX meetings_room ON meetings (room);
