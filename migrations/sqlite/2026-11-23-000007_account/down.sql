CREATE TABLE one_time_codes_old (
    id TEXT PRIMARY KEY NOT NULL,
    purpose TEXT NOT NULL CHECK (purpose IN ('login', 'register', 'reset')),
    subject TEXT NOT NULL,
    user_id TEXT REFERENCES users(id) ON DELETE CASCADE,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'push')),
    destination TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    sealed_code BLOB NOT NULL,
    sent_at BIGINT NOT NULL,
    send_count INTEGER NOT NULL DEFAULT 1,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    created_at BIGINT NOT NULL
);
INSERT INTO one_time_codes_old (id, purpose, subject, user_id, channel, destination, code_hash,
                                sealed_code, sent_at, send_count, expires_at, used_at, created_at)
SELECT id, purpose, subject, user_id, channel, destination, code_hash,
       sealed_code, sent_at, send_count, expires_at, used_at, created_at
FROM one_time_codes
WHERE purpose IN ('login', 'register', 'reset');
DROP TABLE one_time_codes;
ALTER TABLE one_time_codes_old RENAME TO one_time_codes;
CREATE INDEX one_time_codes_expires_at ON one_time_codes (expires_at);
