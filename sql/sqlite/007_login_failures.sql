-- 007_login_failures: the password-guessing throttle's memory, shared by every
-- instance. One row per account (the SHA-256 of the login as typed, lower-cased,
-- so no typed text is kept) and client address (an IPv6 client by its /64).
-- failures counts the refused passwords still remembered; blocked_until is the
-- first moment the pair may try again (0: at once); a row is forgotten at
-- expires_at and deleted by `jmbctl purge`. The per-account total is the sum
-- over the account's rows, read through the primary key's prefix.
CREATE TABLE login_failures (
	account TEXT NOT NULL,
	address TEXT NOT NULL,
	failures INTEGER NOT NULL,
	blocked_until INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	PRIMARY KEY (account, address)
);
CREATE INDEX login_failures_expires_at ON login_failures (expires_at);
