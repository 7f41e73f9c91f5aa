-- Grants (one login's token family) revoked after a replayed code or refresh token. Tokens issued
-- for a grant check this after they are stored, so a token minted concurrently with the
-- revocation is revoked too.
CREATE TABLE revoked_grants (
    grant_id TEXT PRIMARY KEY NOT NULL,
    revoked_at BIGINT NOT NULL
);
CREATE INDEX revoked_grants_revoked_at ON revoked_grants (revoked_at);
