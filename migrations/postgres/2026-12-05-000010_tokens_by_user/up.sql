-- Finding a user's codes and tokens, to revoke them all when the password changes, the account
-- is disabled or an administrator ends its sessions (store::grants::revoke_all_for_user). Keep in
-- step with the other backend's migration.
CREATE INDEX auth_codes_user_id ON auth_codes (user_id);
CREATE INDEX access_tokens_user_id ON access_tokens (user_id);
CREATE INDEX refresh_tokens_user_id ON refresh_tokens (user_id);
