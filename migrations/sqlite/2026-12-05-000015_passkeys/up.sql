-- Passkeys (issue 17): WebAuthn credentials and the ceremonies that make and use them. Keep in
-- step with the other backend's migration.
CREATE TABLE passkeys (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    credential_id TEXT NOT NULL UNIQUE,     -- base64url; how a discoverable assertion names it
    credential TEXT NOT NULL,               -- webauthn-rs `Passkey` as JSON (public key, flags)
    counter BIGINT NOT NULL DEFAULT 0,      -- signature counter; updated compare-and-set
    backup_eligible BOOLEAN NOT NULL DEFAULT FALSE,
    backup_state BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE INDEX passkeys_user_id ON passkeys (user_id);

-- A registration or assertion in progress: the webauthn-rs state (challenge included) as JSON,
-- so whichever instance gets the answer can finish it. Deleted when used (single use).
CREATE TABLE passkey_ceremonies (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT REFERENCES users(id) ON DELETE CASCADE,   -- none for a discoverable sign-in
    kind TEXT NOT NULL CHECK (kind IN ('register', 'authenticate', 'discover')),
    state TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX passkey_ceremonies_expires_at ON passkey_ceremonies (expires_at);

-- Applications allow the new method like every other one; `/admin/methods` switches it off.
UPDATE clients SET allowed_methods = allowed_methods || ' passkey'
    WHERE allowed_methods NOT LIKE '%passkey%';
