-- 008_mail_in: answers that come back by mail.
--
-- An invitee may now answer "tentative" (iTIP PARTSTAT=TENTATIVE).
ALTER TABLE attendees DROP CONSTRAINT attendees_status_check;
ALTER TABLE attendees ADD CONSTRAINT attendees_status_check
	CHECK (status IN ('needs-action', 'accepted', 'declined', 'tentative'));

-- reply_token: the secret in the invitee's reply address (rsvp+<token>@...),
-- not the join link's: reply addresses travel through mail logs and
-- forwarded invitations. NULL for invitees booked before this version until
-- their meeting is next saved.
-- delivery_failed_at / delivery_error: the last bounce of a mail to the
-- invitee (NULL: none known); an answer clears them.
ALTER TABLE attendees ADD COLUMN reply_token TEXT UNIQUE;
ALTER TABLE attendees ADD COLUMN delivery_failed_at BIGINT;
ALTER TABLE attendees ADD COLUMN delivery_error TEXT;

-- Mail received for reply addresses (by `jmbctl mail-in` or IMAP polling),
-- handled by one jmbd instance each. message_key (the envelope recipient and
-- the Message-ID, or a digest of the message without one) makes a message
-- delivered twice a no-op. The message is kept in base64 (mail may hold any
-- byte, PostgreSQL's text no NUL) until handled, then emptied; rows are
-- deleted by `jmbctl purge`.
CREATE TABLE mail_in (
	id BIGSERIAL PRIMARY KEY,
	message_key TEXT NOT NULL UNIQUE,
	recipient TEXT NOT NULL,
	message TEXT NOT NULL,
	received_at BIGINT NOT NULL,
	claimed_by TEXT,
	claimed_at BIGINT,
	handled_at BIGINT,
	outcome TEXT
);
CREATE INDEX mail_in_pending ON mail_in (received_at) WHERE handled_at IS NULL;
