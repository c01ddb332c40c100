-- 009_languages: which language each mail is written in. A meeting keeps
-- its organiser's language at booking time; an invitee the language they
-- last used on their invitation page ('' when unknown). users.language (a
-- logged-in user's choice) wins over both.
ALTER TABLE meetings ADD COLUMN language TEXT NOT NULL DEFAULT '';
ALTER TABLE attendees ADD COLUMN language TEXT NOT NULL DEFAULT '';
