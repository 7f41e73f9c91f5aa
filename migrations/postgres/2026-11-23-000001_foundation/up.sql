-- Foundation schema. Portable types only (see DESIGN.md "Database"): ids are TEXT, times are
-- BIGINT unix seconds (UTC), enums are TEXT with CHECK. Keep in step with migrations/postgres.

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,              -- normalised to lower case
    email_verified BOOLEAN NOT NULL DEFAULT FALSE,
    name TEXT,
    password_hash TEXT,                      -- argon2id PHC string; NULL = no password
    is_admin BOOLEAN NOT NULL DEFAULT FALSE,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE clients (
    id TEXT PRIMARY KEY NOT NULL,            -- the client_id
    name TEXT NOT NULL,
    secret_hash TEXT,                        -- SHA-256 of the secret, hex; NULL for public clients
    is_public BOOLEAN NOT NULL,
    allow_implicit BOOLEAN NOT NULL DEFAULT FALSE,
    is_management BOOLEAN NOT NULL DEFAULT FALSE,
    mfa_policy TEXT NOT NULL DEFAULT 'optional' CHECK (mfa_policy IN ('off', 'optional', 'always')),
    grant_types TEXT NOT NULL,               -- space-separated
    created_at BIGINT NOT NULL
);

CREATE TABLE client_redirect_uris (
    client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('login', 'post_logout')),
    uri TEXT NOT NULL,
    PRIMARY KEY (client_id, kind, uri)
);

CREATE TABLE authz_requests (
    id TEXT PRIMARY KEY NOT NULL,            -- the requestId
    client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    redirect_uri TEXT NOT NULL,
    response_type TEXT NOT NULL,
    response_mode TEXT NOT NULL,
    scope TEXT NOT NULL,
    state TEXT,
    nonce TEXT,
    code_challenge TEXT,
    prompt TEXT,
    max_age BIGINT,
    login_hint TEXT,
    ui_locales TEXT,
    acr_values TEXT,
    view_type TEXT NOT NULL CHECK (view_type IN ('login', 'register')),
    browser_binding TEXT,                    -- SHA-256 of the browser cookie; NULL until first use
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    completed_at BIGINT
);
CREATE INDEX authz_requests_expires_at ON authz_requests (expires_at);

CREATE TABLE auth_codes (
    id TEXT PRIMARY KEY NOT NULL,            -- also the grant id of every token issued from it
    code_hash TEXT NOT NULL UNIQUE,
    client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    redirect_uri TEXT NOT NULL,
    scope TEXT NOT NULL,
    nonce TEXT,
    code_challenge TEXT,
    auth_time BIGINT NOT NULL,
    amr TEXT NOT NULL,                       -- space-separated RFC 8176 values
    acr TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX auth_codes_expires_at ON auth_codes (expires_at);

CREATE TABLE access_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    grant_id TEXT,                           -- auth code id / refresh family; NULL for client_credentials
    client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    user_id TEXT REFERENCES users(id) ON DELETE CASCADE,
    scope TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX access_tokens_grant_id ON access_tokens (grant_id);
CREATE INDEX access_tokens_expires_at ON access_tokens (expires_at);

CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    grant_id TEXT NOT NULL,                  -- the family: every rotation keeps it
    client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    scope TEXT NOT NULL,
    auth_time BIGINT NOT NULL,
    amr TEXT NOT NULL,
    acr TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,                          -- set when rotated; a second use is reuse
    revoked_at BIGINT
);
CREATE INDEX refresh_tokens_grant_id ON refresh_tokens (grant_id);
CREATE INDEX refresh_tokens_expires_at ON refresh_tokens (expires_at);

CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY NOT NULL,
    alg TEXT NOT NULL CHECK (alg IN ('RS256')),
    private_key BYTEA NOT NULL,               -- PKCS#8 DER sealed with the at-rest key
    public_jwk TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    retired_at BIGINT                        -- retired keys stay in JWKS until their tokens expire
);

CREATE TABLE instance_secrets (
    name TEXT PRIMARY KEY NOT NULL,
    value BYTEA NOT NULL
);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY NOT NULL,       -- SHA-256 of the cookie's session key
    user_id TEXT REFERENCES users(id) ON DELETE CASCADE,
    state TEXT NOT NULL,                     -- JSON object of the session's entries
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_expires_at ON sessions (expires_at);
CREATE INDEX sessions_user_id ON sessions (user_id);

CREATE TABLE audit_events (
    id TEXT PRIMARY KEY NOT NULL,            -- UUIDv7, so ids sort by time
    at BIGINT NOT NULL,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure')),
    actor TEXT,
    user_id TEXT,
    client_id TEXT,
    ip TEXT,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_user_id ON audit_events (user_id);
