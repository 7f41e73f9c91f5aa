ALTER TABLE deliveries DROP COLUMN took_ms;
