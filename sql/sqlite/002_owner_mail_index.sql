-- 002_owner_mail_index: meetings by organiser address. The feed, its 304
-- fingerprint and the meeting lists select "owned by login OR owner_mail among the
-- user's addresses OR invited"; without an index on owner_mail SQLite cannot
-- answer the OR from indexes (MULTI-INDEX OR) and walks every meeting ending in
-- the window (bench/run.sh: 10 ms per query at 20,000 meetings, 1 ms with it).
CREATE INDEX meetings_owner_mail_end ON meetings (owner_mail, end_at);
