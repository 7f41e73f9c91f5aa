-- How long each real delivery took, so a code for nobody can take as long on any instance.
ALTER TABLE deliveries ADD COLUMN took_ms BIGINT;
