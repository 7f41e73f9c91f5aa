-- Backup codes: single-use second factors, stored as keyed hashes only.
CREATE TABLE backup_codes (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL UNIQUE,          -- HMAC-SHA256 of the normalised code with an instance key
    created_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX backup_codes_user_id ON backup_codes (user_id);
