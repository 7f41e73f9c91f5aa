-- TOTP authenticators and the cidaas-style verification flow. Keep in step with migrations/postgres.

CREATE TABLE authenticators (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('totp')),
    label TEXT NOT NULL,
    secret BLOB NOT NULL,                    -- sealed with the at-rest key
    algorithm TEXT NOT NULL CHECK (algorithm IN ('SHA1', 'SHA256', 'SHA512')),
    digits INTEGER NOT NULL CHECK (digits IN (6, 8)),
    period INTEGER NOT NULL CHECK (period IN (30, 60)),
    active BOOLEAN NOT NULL DEFAULT FALSE,   -- true once a correct code confirmed it
    last_used_step BIGINT,                   -- no step at or before this is accepted again
    failure_count INTEGER NOT NULL DEFAULT 0,-- consecutive failures
    locked_until BIGINT,                     -- 9223372036854775807 = until an admin unlocks
    recent_offsets TEXT NOT NULL DEFAULT '', -- comma-separated step offsets of recent successes
    created_at BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE INDEX authenticators_user_id ON authenticators (user_id);

-- One verification flow: initiated, verified with a code, then consumed by finishing a login.
CREATE TABLE verifications (
    status_id TEXT PRIMARY KEY NOT NULL,
    exchange_id TEXT NOT NULL UNIQUE,        -- the current exchange; each step issues a new one
    exchange_expires_at BIGINT NOT NULL,
    request_id TEXT,
    user_id TEXT REFERENCES users(id) ON DELETE CASCADE, -- NULL when the identifier matched nobody
    alias TEXT NOT NULL,                     -- the masked `sub` the client sees
    method TEXT NOT NULL,
    usage_type TEXT NOT NULL,
    medium_id TEXT,
    state TEXT NOT NULL CHECK (state IN ('initiated', 'verified', 'consumed', 'cancelled')),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX verifications_expires_at ON verifications (expires_at);

-- A login that passed its first factor and waits for the second (the cidaas track_id).
CREATE TABLE login_tracks (
    id TEXT PRIMARY KEY NOT NULL,            -- the track_id
    request_id TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    alias TEXT NOT NULL UNIQUE,              -- the masked sub of this login
    amr TEXT NOT NULL,                       -- factors passed so far, space-separated
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    completed_at BIGINT
);
CREATE INDEX login_tracks_expires_at ON login_tracks (expires_at);
