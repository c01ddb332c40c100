-- 010_user_timezone: the time zone a user reads times in ('' : the server's,
-- [server] timezone). Meetings keep their own zone; this is only the view.
ALTER TABLE users ADD COLUMN timezone TEXT NOT NULL DEFAULT '';
