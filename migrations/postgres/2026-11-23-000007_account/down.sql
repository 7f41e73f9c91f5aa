DELETE FROM one_time_codes WHERE purpose NOT IN ('login', 'register', 'reset');
ALTER TABLE one_time_codes DROP COLUMN target;
ALTER TABLE one_time_codes DROP CONSTRAINT one_time_codes_purpose_check;
ALTER TABLE one_time_codes ADD CONSTRAINT one_time_codes_purpose_check
    CHECK (purpose IN ('login', 'register', 'reset'));
