DROP TABLE revoked_grants;
