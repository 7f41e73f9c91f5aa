-- Session activity for the account and admin pages: when the session was last used (updated at
-- most once a minute), the browser's User-Agent (at most 256 characters) and IP address at
-- sign-in, and a random public id that pages use to name a session, so that the lookup key
-- (`id_hash`) never appears in HTML. Keep in step with the other backend's migration.

ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT;
ALTER TABLE sessions ADD COLUMN user_agent TEXT;
ALTER TABLE sessions ADD COLUMN ip TEXT;
-- SQLite adds a NOT NULL column only with a default; existing sessions get a random id below.
ALTER TABLE sessions ADD COLUMN public_id TEXT NOT NULL DEFAULT '';
UPDATE sessions SET public_id = lower(hex(randomblob(12)));
CREATE UNIQUE INDEX sessions_public_id ON sessions (public_id);
