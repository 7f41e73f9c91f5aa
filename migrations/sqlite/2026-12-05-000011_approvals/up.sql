-- Transaction approvals (issue 15): a relying app asks a user to approve `approval_data` with a
-- TOTP code; the answer is a signed artifact. The id is a random token (it is in the URL of the
-- hosted page). States: pending → approved | declined | expired, each change a conditional
-- UPDATE on state = 'pending', so one approval is decided once. Keep in step with the other
-- backend's migration.
ALTER TABLE clients ADD COLUMN may_request_approvals BOOLEAN NOT NULL DEFAULT FALSE;
-- RFC 9396 `authorization_details` of type transaction_approval on a waiting authorization
-- request: the data to approve, and the approval it came back from.
ALTER TABLE authz_requests ADD COLUMN approval_data TEXT;
ALTER TABLE authz_requests ADD COLUMN approval_id TEXT;

CREATE TABLE approvals (
    id TEXT PRIMARY KEY NOT NULL,
    client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    approval_data TEXT NOT NULL,            -- the JSON object as received (at most 4 kB)
    data_hash TEXT NOT NULL,                -- base64url SHA-256 of its RFC 8785 (JCS) form
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'approved', 'declined', 'expired')),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    decided_at BIGINT,
    artifact TEXT,                          -- the signed JWS, once approved
    -- Started by `authorization_details` on an authorization request: the query that resumes
    -- it once decided, and the hash of the one authorization code the approval went into.
    resume TEXT,
    code_hash TEXT UNIQUE
);
CREATE INDEX approvals_client_id ON approvals (client_id);
CREATE INDEX approvals_user_id ON approvals (user_id);
