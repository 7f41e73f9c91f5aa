UPDATE clients SET allowed_methods = REPLACE(allowed_methods, ' passkey', '');
DROP TABLE passkey_ceremonies;
DROP TABLE passkeys;
