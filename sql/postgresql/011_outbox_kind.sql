-- 011_outbox_kind: what each queued mail is (invitation, update,
-- cancellation, reminder, booked, answer, bounce, forward; '' for mails
-- queued before this version), for the delivery log line and jmbctl.
ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT '';
