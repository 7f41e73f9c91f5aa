-- Budgets shared by every instance (SMS per number / IP / hour, code mails per address, …):
-- one row per budget key and fixed window, counted by a conditional UPDATE.
CREATE TABLE rate_counters (
    key TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    count BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (key, window_start)
);
CREATE INDEX rate_counters_window ON rate_counters (window_start);
-- Codes for nobody imitate the latest real delivery of their channel, of any instance.
CREATE INDEX deliveries_channel_created_at ON deliveries (channel, created_at);
