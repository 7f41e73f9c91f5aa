-- Per-client settings edited on /admin/apps: the sign-in methods a client's users may use and
-- its own token lifetimes (NULL = the installation's default). Keep in step with the other
-- backend's migration.

ALTER TABLE clients ADD COLUMN allowed_methods TEXT NOT NULL DEFAULT 'password totp email sms push backupcode'; -- space-separated
ALTER TABLE clients ADD COLUMN access_token_ttl BIGINT;   -- seconds
ALTER TABLE clients ADD COLUMN id_token_ttl BIGINT;       -- seconds
ALTER TABLE clients ADD COLUMN refresh_token_ttl BIGINT;  -- seconds
