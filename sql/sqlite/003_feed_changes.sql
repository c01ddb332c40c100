-- 003_feed_changes: what changed in whose feed, kept by triggers, so that a
-- feed's ETag and Last-Modified are one indexed lookup however many meetings
-- the feed holds (bench/run.sh: the fingerprint query over the whole feed cost
-- 0.5 ms per 304).
--
-- A key is 'login:<owner login>' or 'mail:<address>': the two ways a feed
-- selects meetings. Every write to a meeting or to its invitees counts one
-- change for every key of that meeting (organiser and invitees; an invitee
-- removed or whose address changed is counted too). A feed's version is the
-- sum of the counts of its user's keys: it grows with every change, in any
-- order of commits. changed_at is the newest updated_at of those writes.
CREATE TABLE feed_changes (
	key TEXT PRIMARY KEY,
	changes INTEGER NOT NULL,
	changed_at INTEGER NOT NULL
);

-- Every key of a meeting.
CREATE VIEW meeting_feed_keys (meeting_id, key) AS
	SELECT id, 'login:' || owner_login FROM meetings
	UNION ALL SELECT id, 'mail:' || owner_mail FROM meetings
	UNION ALL SELECT meeting_id, 'mail:' || mail FROM attendees;

-- SQLite has no procedures: the triggers below insert a row here, and this
-- table's one trigger counts the change for every key of the meeting (and
-- for `extra`, an old address, when not NULL), then removes the row. It is
-- always empty outside a statement; the twin of PostgreSQL's
-- feed_changes_count().
CREATE TABLE feed_touches (
	meeting_id INTEGER NOT NULL,
	extra TEXT,
	at INTEGER NOT NULL
);

CREATE TRIGGER feed_touches_count AFTER INSERT ON feed_touches BEGIN
	INSERT INTO feed_changes (key, changes, changed_at)
	SELECT key, 1, NEW.at
	FROM (SELECT key FROM meeting_feed_keys WHERE meeting_id = NEW.meeting_id
	      UNION SELECT NEW.extra WHERE NEW.extra IS NOT NULL)
	WHERE true
	ON CONFLICT (key) DO UPDATE SET changes = changes + 1,
		changed_at = max(changed_at, excluded.changed_at);
	DELETE FROM feed_touches WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER meetings_feed_insert AFTER INSERT ON meetings BEGIN
	INSERT INTO feed_touches VALUES (NEW.id, NULL, NEW.updated_at);
END;

CREATE TRIGGER meetings_feed_update AFTER UPDATE ON meetings BEGIN
	INSERT INTO feed_touches VALUES (NEW.id, NULL, NEW.updated_at);
END;

-- Before: the invitees are still there to be counted.
CREATE TRIGGER meetings_feed_delete BEFORE DELETE ON meetings BEGIN
	INSERT INTO feed_touches VALUES (OLD.id, NULL, OLD.updated_at);
END;

-- An invitee's row: the meeting's keys (the organiser's feed lists every
-- invitee and answer) and, when removed or readdressed, the old address. Join
-- counts are not in any feed: their column is not watched.
CREATE TRIGGER attendees_feed_insert AFTER INSERT ON attendees BEGIN
	INSERT INTO feed_touches
	VALUES (NEW.meeting_id, NULL,
		coalesce((SELECT updated_at FROM meetings WHERE id = NEW.meeting_id), 0));
END;

CREATE TRIGGER attendees_feed_update AFTER UPDATE OF mail, name, role, status, token ON attendees
BEGIN
	INSERT INTO feed_touches
	VALUES (NEW.meeting_id, 'mail:' || OLD.mail,
		coalesce((SELECT updated_at FROM meetings WHERE id = NEW.meeting_id), 0));
END;

CREATE TRIGGER attendees_feed_delete AFTER DELETE ON attendees BEGIN
	INSERT INTO feed_touches
	VALUES (OLD.meeting_id, 'mail:' || OLD.mail,
		coalesce((SELECT updated_at FROM meetings WHERE id = OLD.meeting_id), 0));
END;

-- Removals are counted above now.
DROP TABLE attendee_removals;
