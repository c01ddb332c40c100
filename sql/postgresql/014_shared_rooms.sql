-- 014_shared_rooms: a room may belong to several meetings, one after the
-- other: "this and the following occurrences" ends a series and starts a new
-- one in the same room. The twin of sql/sqlite/014_shared_rooms.sql, which
-- keeps a room_key column only because SQLite cannot drop a UNIQUE; here the
-- constraint goes. Who holds a room at a given time is decided by its lookup
-- (jmb_store_meeting_by_room), not by the schema.
ALTER TABLE meetings DROP CONSTRAINT meetings_room_key;
CREATE INDEX meetings_room ON meetings (room);
