-- Spend rollups, one table per window size. The stream processor emits an upsert per window change
-- with a version that only grows: ReplacingMergeTree(version) keeps the latest one per key, and a
-- replayed row (same key, same version) collapses with its original. Read with FINAL (or through
-- the views) for exact results before background merges happen.
-- non_replicated_deduplication_window makes a retried insert with the same
-- insert_deduplication_token a no-op.
CREATE TABLE IF NOT EXISTS ${database}.spend_rollups_minute
(
    org_id String,
    feature LowCardinality(String),
    provider LowCardinality(String),
    model LowCardinality(String),
    window_start DateTime64(3, 'UTC'),
    window_end DateTime64(3, 'UTC'),
    events Int64,
    errors Int64,
    input_tokens Int64,
    output_tokens Int64,
    cached_input_tokens Int64,
    cache_write_tokens Int64,
    reasoning_tokens Int64,
    cost_usd_nanos Int64,
    unpriced_events Int64,
    latency_ms_sum Int64,
    latency_ms_max Int64,
    version UInt64,
    updated_at DateTime64(3, 'UTC'),
    cost_usd Decimal(38, 9) ALIAS toDecimal128(cost_usd_nanos, 9) / 1000000000
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(window_start)
ORDER BY (org_id, feature, provider, model, window_start)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS ${database}.spend_rollups_hour AS ${database}.spend_rollups_minute;

CREATE TABLE IF NOT EXISTS ${database}.spend_rollups_day AS ${database}.spend_rollups_minute;
