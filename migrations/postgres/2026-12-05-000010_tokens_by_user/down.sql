DROP INDEX refresh_tokens_user_id;
DROP INDEX access_tokens_user_id;
DROP INDEX auth_codes_user_id;
