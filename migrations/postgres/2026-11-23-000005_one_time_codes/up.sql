-- One-time codes by email, SMS and push; their lockouts, the delivery log, push devices and
-- phone numbers. Keep in step with the other backend's migration.

ALTER TABLE users ADD COLUMN phone_number TEXT;             -- E.164, e.g. +4915112345678
ALTER TABLE users ADD COLUMN phone_verified BOOLEAN NOT NULL DEFAULT FALSE;

-- A code sent to someone. For a login its id is the verification's status_id.
CREATE TABLE one_time_codes (
    id TEXT PRIMARY KEY NOT NULL,
    purpose TEXT NOT NULL CHECK (purpose IN ('login', 'register', 'reset')),
    subject TEXT NOT NULL,                   -- whom the lockout counts against (user or typed name)
    user_id TEXT REFERENCES users(id) ON DELETE CASCADE, -- NULL: nobody matched, nothing was sent
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'push')),
    destination TEXT NOT NULL,               -- masked, for the page
    code_hash TEXT NOT NULL,                 -- HMAC-SHA256 over id and code with an instance key
    sealed_code BYTEA NOT NULL,              -- sealed, so that a resend sends the same code
    sent_at BIGINT NOT NULL,
    send_count INTEGER NOT NULL DEFAULT 1,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX one_time_codes_expires_at ON one_time_codes (expires_at);

-- Consecutive wrong codes per person and channel (API.md §6 lockout tiers).
CREATE TABLE code_lockouts (
    subject TEXT NOT NULL,
    channel TEXT NOT NULL,
    failure_count INTEGER NOT NULL DEFAULT 0,
    locked_until BIGINT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (subject, channel)
);

-- Every message we tried to send, for admins. Destinations are masked.
CREATE TABLE deliveries (
    id TEXT PRIMARY KEY NOT NULL,
    channel TEXT NOT NULL,
    destination TEXT NOT NULL,
    purpose TEXT NOT NULL,
    user_id TEXT REFERENCES users(id) ON DELETE SET NULL,
    provider TEXT NOT NULL,                  -- smtp, outbox, webhook, twilio, ntfy
    status TEXT NOT NULL CHECK (status IN ('sent', 'failed')),
    detail TEXT,                             -- the provider's answer or error
    created_at BIGINT NOT NULL
);
CREATE INDEX deliveries_created_at ON deliveries (created_at);

-- Devices that receive push codes; the push token is sealed at rest.
CREATE TABLE push_devices (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    sealed_token BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE INDEX push_devices_user_id ON push_devices (user_id);
