-- 013_reminder_occurrence: a series has reminders for each occurrence, so a
-- reminder names its occurrence by the start the rule gives it (its
-- RECURRENCE-ID); 0 for a single meeting. The key grows by that column, and
-- SQLite cannot change a table's UNIQUE constraint: the table is rebuilt.
-- Reminders a series planned before this version were its first
-- occurrence's: they are keyed by it, so the next plan keeps their state.
CREATE TABLE reminders_new (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
	kind TEXT NOT NULL CHECK (kind IN ('mail', 'xmpp')),
	offset_minutes INTEGER NOT NULL,
	recurrence_id INTEGER NOT NULL DEFAULT 0,
	due_at INTEGER NOT NULL,
	claimed_by TEXT,
	claimed_at INTEGER,
	done_at INTEGER,
	UNIQUE (meeting_id, kind, offset_minutes, recurrence_id)
);
INSERT INTO reminders_new (id, meeting_id, kind, offset_minutes, recurrence_id, due_at,
                           claimed_by, claimed_at, done_at)
	SELECT r.id, r.meeting_id, r.kind, r.offset_minutes,
	       CASE WHEN m.recurrence IS NULL THEN 0 ELSE m.start_at END,
	       r.due_at, r.claimed_by, r.claimed_at, r.done_at
	FROM reminders r JOIN meetings m ON m.id = r.meeting_id;
DROP TABLE reminders;
ALTER TABLE reminders_new RENAME TO reminders;
CREATE INDEX reminders_due ON reminders (due_at) WHERE done_at IS NULL;
