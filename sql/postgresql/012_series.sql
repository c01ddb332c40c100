-- 012_series: recurring meetings. A series is one meetings row whose
-- recurrence holds its RRULE (NULL: a single meeting); start_at, duration and
-- end_at are its first occurrence's, and last_end_at is the end of its last
-- one (end_at for a single meeting), which the lists and feeds filter on.
-- occurrence_overrides holds the occurrences moved, retitled or cancelled,
-- keyed by the start the rule gives them (iCalendar's RECURRENCE-ID);
-- occurrence_answers an invitee's answer for one occurrence where it differs
-- from their answer for the series. Writes to either also update the meeting
-- row (sequence, revision), which the feed triggers of 003 count.
ALTER TABLE meetings ADD COLUMN recurrence TEXT;
ALTER TABLE meetings ADD COLUMN last_end_at BIGINT NOT NULL DEFAULT 0;
UPDATE meetings SET last_end_at = end_at;
CREATE INDEX meetings_last_end ON meetings (last_end_at);
CREATE INDEX meetings_owner_last_end ON meetings (owner_login, last_end_at);

CREATE TABLE occurrence_overrides (
	meeting_id BIGINT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
	recurrence_id BIGINT NOT NULL,
	start_at BIGINT NOT NULL,
	duration BIGINT NOT NULL CHECK (duration > 0),
	title TEXT,
	description TEXT,
	cancelled INTEGER NOT NULL DEFAULT 0 CHECK (cancelled IN (0, 1)),
	PRIMARY KEY (meeting_id, recurrence_id)
);

CREATE TABLE occurrence_answers (
	attendee_id BIGINT NOT NULL REFERENCES attendees (id) ON DELETE CASCADE,
	recurrence_id BIGINT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('needs-action', 'accepted', 'declined', 'tentative')),
	responded_at BIGINT NOT NULL,
	PRIMARY KEY (attendee_id, recurrence_id)
);
