-- Account self-service: one-time codes that confirm a new email address or phone number
-- (purposes 'email_change' and 'phone_confirm'), and the address or number being confirmed
-- (`target`). SQLite cannot change a CHECK constraint, so the table is rebuilt with its rows.
-- Keep in step with the other backend's migration.

CREATE TABLE one_time_codes_new (
    id TEXT PRIMARY KEY NOT NULL,
    purpose TEXT NOT NULL CHECK (purpose IN ('login', 'register', 'reset', 'email_change', 'phone_confirm')),
    subject TEXT NOT NULL,                   -- whom the lockout counts against (user or typed name)
    user_id TEXT REFERENCES users(id) ON DELETE CASCADE, -- NULL: nobody matched, nothing was sent
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'push')),
    destination TEXT NOT NULL,               -- masked, for the page
    code_hash TEXT NOT NULL,                 -- HMAC-SHA256 over id and code with an instance key
    sealed_code BLOB NOT NULL,               -- sealed, so that a resend sends the same code
    sent_at BIGINT NOT NULL,
    send_count INTEGER NOT NULL DEFAULT 1,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    created_at BIGINT NOT NULL,
    target TEXT                              -- email_change / phone_confirm: the new address or number
);
INSERT INTO one_time_codes_new (id, purpose, subject, user_id, channel, destination, code_hash,
                                sealed_code, sent_at, send_count, expires_at, used_at, created_at)
SELECT id, purpose, subject, user_id, channel, destination, code_hash,
       sealed_code, sent_at, send_count, expires_at, used_at, created_at
FROM one_time_codes;
DROP TABLE one_time_codes;
ALTER TABLE one_time_codes_new RENAME TO one_time_codes;
CREATE INDEX one_time_codes_expires_at ON one_time_codes (expires_at);
