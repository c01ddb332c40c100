-- 013_reminder_occurrence: a series has reminders for each occurrence, so a
-- reminder names its occurrence by the start the rule gives it (its
-- RECURRENCE-ID); 0 for a single meeting. The key grows by that column.
-- Reminders a series planned before this version were its first
-- occurrence's: they are keyed by it, so the next plan keeps their state.
ALTER TABLE reminders ADD COLUMN recurrence_id BIGINT NOT NULL DEFAULT 0;
UPDATE reminders r SET recurrence_id = m.start_at
	FROM meetings m WHERE m.id = r.meeting_id AND m.recurrence IS NOT NULL;
ALTER TABLE reminders DROP CONSTRAINT reminders_meeting_id_kind_offset_minutes_key;
ALTER TABLE reminders ADD CONSTRAINT reminders_occurrence_key
	UNIQUE (meeting_id, kind, offset_minutes, recurrence_id);
