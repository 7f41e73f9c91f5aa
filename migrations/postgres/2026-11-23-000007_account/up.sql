-- Account self-service: one-time codes that confirm a new email address or phone number
-- (purposes 'email_change' and 'phone_confirm'), and the address or number being confirmed
-- (`target`). Keep in step with the other backend's migration.

ALTER TABLE one_time_codes DROP CONSTRAINT one_time_codes_purpose_check;
ALTER TABLE one_time_codes ADD CONSTRAINT one_time_codes_purpose_check
    CHECK (purpose IN ('login', 'register', 'reset', 'email_change', 'phone_confirm'));
ALTER TABLE one_time_codes ADD COLUMN target TEXT; -- email_change / phone_confirm: the new address or number
