-- 002_owner_mail_index: meetings by organiser address, the twin of
-- meetings_owner_end for the "owner_mail among the user's addresses" test of the
-- feed and the meeting lists (see sql/sqlite/002_owner_mail_index.sql).
CREATE INDEX meetings_owner_mail_end ON meetings (owner_mail, end_at);
