-- Settings changed on the admin pages. They override the configuration file and environment and
-- take effect without a restart; every instance reloads when the highest revision changes.
CREATE TABLE settings (
    key TEXT PRIMARY KEY NOT NULL,           -- a configuration key, e.g. totp_digits
    value TEXT NOT NULL,                     -- JSON; null = back to the file/environment value
    revision BIGINT NOT NULL,                -- increases with every change, across all keys
    updated_at BIGINT NOT NULL,
    updated_by TEXT                          -- the administrator's user id
);
