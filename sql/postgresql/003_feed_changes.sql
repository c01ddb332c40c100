-- 003_feed_changes: what changed in whose feed, kept by triggers, so that a
-- feed's ETag and Last-Modified are one indexed lookup however many meetings
-- the feed holds. The twin of sql/sqlite/003_feed_changes.sql, which explains
-- the keys and the counts. The counts are sums, not a sequence: a sequence
-- value is taken before commit, so a late commit could carry a lower one than
-- a version already served.
--
-- Writers of meetings and invitees hold the advisory lock JMB_LOCK_MEETINGS
-- (store-pg.c) from the start of their transaction, so the rows below are
-- never locked in two orders by two transactions (no deadlock).
CREATE TABLE feed_changes (
	key TEXT PRIMARY KEY,
	changes BIGINT NOT NULL,
	changed_at BIGINT NOT NULL
);

CREATE VIEW meeting_feed_keys (meeting_id, key) AS
	SELECT id, 'login:' || owner_login FROM meetings
	UNION ALL SELECT id, 'mail:' || owner_mail FROM meetings
	UNION ALL SELECT meeting_id, 'mail:' || mail FROM attendees;

-- One change for every key of a meeting, and for extra (an old address) when
-- not NULL.
CREATE FUNCTION feed_changes_count(meeting BIGINT, extra TEXT, at BIGINT) RETURNS void
LANGUAGE sql AS $$
	INSERT INTO feed_changes AS f (key, changes, changed_at)
	SELECT k.key, 1, coalesce(at, 0)
	FROM (SELECT key FROM meeting_feed_keys WHERE meeting_id = meeting
	      UNION SELECT extra WHERE extra IS NOT NULL) k
	ORDER BY k.key
	ON CONFLICT (key) DO UPDATE SET changes = f.changes + 1,
		changed_at = greatest(f.changed_at, excluded.changed_at)
$$;

CREATE FUNCTION meetings_feed_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		PERFORM feed_changes_count(OLD.id, NULL, OLD.updated_at);
		RETURN OLD;
	END IF;
	PERFORM feed_changes_count(NEW.id, NULL, NEW.updated_at);
	RETURN NEW;
END
$$;

CREATE TRIGGER meetings_feed_changed AFTER INSERT OR UPDATE ON meetings
	FOR EACH ROW EXECUTE FUNCTION meetings_feed_changed();
-- Before: the invitees are still there to be counted.
CREATE TRIGGER meetings_feed_deleted BEFORE DELETE ON meetings
	FOR EACH ROW EXECUTE FUNCTION meetings_feed_changed();

CREATE FUNCTION attendees_feed_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	meeting BIGINT;
	old_key TEXT;
BEGIN
	IF TG_OP = 'INSERT' THEN
		meeting := NEW.meeting_id;
	ELSE
		meeting := OLD.meeting_id;
		old_key := 'mail:' || OLD.mail;
	END IF;
	PERFORM feed_changes_count(meeting, old_key,
		(SELECT updated_at FROM meetings WHERE id = meeting));
	RETURN NULL;
END
$$;

-- Join counts are not in any feed: their column is not watched.
CREATE TRIGGER attendees_feed_changed
	AFTER INSERT OR DELETE OR UPDATE OF mail, name, role, status, token ON attendees
	FOR EACH ROW EXECUTE FUNCTION attendees_feed_changed();

-- Removals are counted above now.
DROP TABLE attendee_removals;
