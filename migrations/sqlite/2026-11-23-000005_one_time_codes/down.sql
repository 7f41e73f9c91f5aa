DROP TABLE push_devices;
DROP TABLE deliveries;
DROP TABLE code_lockouts;
DROP TABLE one_time_codes;
ALTER TABLE users DROP COLUMN phone_verified;
ALTER TABLE users DROP COLUMN phone_number;
