-- Every priced usage event. Partitioned by month of the event time, ordered for per-org time-range
-- queries. The sorting key ends with event_id, so (org_id, timestamp, event_id) identifies an event:
-- ReplacingMergeTree collapses a replayed event with its original (same partition, since the
-- partition derives from the event's own timestamp). Read with FINAL for exact counts.
-- Retention: the sink sets or removes the table TTL at startup from SPENDSTREAM_SINK_EVENTS_TTL.
CREATE TABLE IF NOT EXISTS ${database}.priced_events
(
    org_id String,
    timestamp DateTime64(3, 'UTC'),
    event_id String,
    event_id_assigned Bool,
    received_at DateTime64(3, 'UTC'),
    feature LowCardinality(String),
    provider LowCardinality(String),
    model LowCardinality(String),
    input_tokens Int64,
    output_tokens Int64,
    cached_input_tokens Int64,
    cache_write_tokens Int64,
    reasoning_tokens Int64,
    client_cost_usd_nanos Nullable(Int64),
    latency_ms Nullable(Int64),
    status LowCardinality(String),
    error_code Nullable(String),
    user_id Nullable(String),
    session_id Nullable(String),
    tags Map(String, String),
    metadata Map(String, String),
    api_key_id Nullable(String),
    cost_usd_nanos Int64,
    cost_source LowCardinality(String),
    priced Bool,
    price_provider Nullable(String),
    price_model Nullable(String),
    price_effective_from Nullable(DateTime64(3, 'UTC')),
    processed_at DateTime64(3, 'UTC'),
    cost_usd Decimal(38, 9) ALIAS toDecimal128(cost_usd_nanos, 9) / 1000000000
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(timestamp)
ORDER BY (org_id, timestamp, event_id)
SETTINGS non_replicated_deduplication_window = 10000;
