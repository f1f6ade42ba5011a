-- Budget alerts. alert_id is deterministic (budget, period, threshold, kind): one row per alert
-- after ReplacingMergeTree collapses replays. Read with FINAL.
CREATE TABLE IF NOT EXISTS ${database}.budget_alerts
(
    org_id String,
    alert_id String,
    budget_id String,
    scope LowCardinality(String),
    scope_value Nullable(String),
    period_start DateTime64(3, 'UTC'),
    period_end DateTime64(3, 'UTC'),
    threshold_percent Int32,
    kind LowCardinality(String),
    spend_usd_nanos Int64,
    limit_usd_nanos Int64,
    projected_usd_nanos Int64,
    triggered_at DateTime64(3, 'UTC'),
    trigger_event_id Nullable(String),
    spend_usd Decimal(38, 9) ALIAS toDecimal128(spend_usd_nanos, 9) / 1000000000,
    limit_usd Decimal(38, 9) ALIAS toDecimal128(limit_usd_nanos, 9) / 1000000000
)
ENGINE = ReplacingMergeTree
ORDER BY (org_id, alert_id)
SETTINGS non_replicated_deduplication_window = 10000;
