-- 008_mail_in: answers that come back by mail.
--
-- An invitee may now answer "tentative" (iTIP PARTSTAT=TENTATIVE). SQLite
-- cannot change a CHECK constraint in place: the column is added anew with
-- the wider check, filled, and swapped in; the one trigger that names the
-- column is dropped and made again around the swap (as 003 made it).
DROP TRIGGER attendees_feed_update;
ALTER TABLE attendees ADD COLUMN answer TEXT NOT NULL DEFAULT 'needs-action'
	CHECK (answer IN ('needs-action', 'accepted', 'declined', 'tentative'));
UPDATE attendees SET answer = status;
ALTER TABLE attendees DROP COLUMN status;
ALTER TABLE attendees RENAME COLUMN answer TO status;
CREATE TRIGGER attendees_feed_update AFTER UPDATE OF mail, name, role, status, token ON attendees
BEGIN
	INSERT INTO feed_touches
	VALUES (NEW.meeting_id, 'mail:' || OLD.mail,
		coalesce((SELECT updated_at FROM meetings WHERE id = NEW.meeting_id), 0));
END;

-- reply_token: the secret in the invitee's reply address (rsvp+<token>@...),
-- not the join link's: reply addresses travel through mail logs and
-- forwarded invitations. NULL for invitees booked before this version until
-- their meeting is next saved.
-- delivery_failed_at / delivery_error: the last bounce of a mail to the
-- invitee (NULL: none known); an answer clears them.
ALTER TABLE attendees ADD COLUMN reply_token TEXT;
ALTER TABLE attendees ADD COLUMN delivery_failed_at INTEGER;
ALTER TABLE attendees ADD COLUMN delivery_error TEXT;
CREATE UNIQUE INDEX attendees_reply_token ON attendees (reply_token);

-- Mail received for reply addresses (by `jmbctl mail-in` or IMAP polling),
-- handled by one jmbd instance each. message_key (the envelope recipient and
-- the Message-ID, or a digest of the message without one) makes a message
-- delivered twice a no-op. The message is kept in base64 (mail may hold any
-- byte) until handled, then emptied; rows are deleted by `jmbctl purge`.
CREATE TABLE mail_in (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	message_key TEXT NOT NULL UNIQUE,
	recipient TEXT NOT NULL,
	message TEXT NOT NULL,
	received_at INTEGER NOT NULL,
	claimed_by TEXT,
	claimed_at INTEGER,
	handled_at INTEGER,
	outcome TEXT
);
CREATE INDEX mail_in_pending ON mail_in (received_at) WHERE handled_at IS NULL;
