DROP INDEX deliveries_channel_created_at;
DROP TABLE rate_counters;
