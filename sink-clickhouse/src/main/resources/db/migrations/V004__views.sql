-- Views for the common questions. Every view reads with FINAL, so replays and not-yet-merged
-- versions never change a result. Money: sums in Int128 nano-USD (no overflow), shown as exact
-- Decimal(38, 9) USD: toDecimal128(n, 9) holds the value n, and dividing by the integer 10^9 at
-- scale 9 is exact.

-- Spend per org, feature and model per day.
CREATE VIEW IF NOT EXISTS ${database}.spend_daily AS
SELECT
    org_id,
    toDate(window_start) AS day,
    feature,
    provider,
    model,
    sum(events) AS events,
    sum(errors) AS errors,
    sum(input_tokens) AS input_tokens,
    sum(output_tokens) AS output_tokens,
    sum(cached_input_tokens) AS cached_input_tokens,
    sum(cache_write_tokens) AS cache_write_tokens,
    sum(reasoning_tokens) AS reasoning_tokens,
    sum(unpriced_events) AS unpriced_events,
    sum(toInt128(cost_usd_nanos)) AS cost_nanos,
    toDecimal128(sum(toInt128(cost_usd_nanos)), 9) / 1000000000 AS cost_usd
FROM ${database}.spend_rollups_day FINAL
GROUP BY org_id, day, feature, provider, model;

-- Top features of the current calendar month (UTC), per org, most expensive first.
CREATE VIEW IF NOT EXISTS ${database}.top_features_this_month AS
SELECT
    org_id,
    feature,
    sum(events) AS events,
    sum(toInt128(cost_usd_nanos)) AS cost_nanos,
    toDecimal128(sum(toInt128(cost_usd_nanos)), 9) / 1000000000 AS cost_usd
FROM ${database}.spend_rollups_day FINAL
WHERE window_start >= toStartOfMonth(now('UTC')) AND window_start < toStartOfMonth(now('UTC')) + INTERVAL 1 MONTH
GROUP BY org_id, feature
ORDER BY org_id, cost_nanos DESC, feature;

-- Events that had no price (cost counted as 0), by model.
CREATE VIEW IF NOT EXISTS ${database}.unpriced_events_by_model AS
SELECT
    org_id,
    provider,
    model,
    count() AS events,
    min(timestamp) AS first_seen,
    max(timestamp) AS last_seen
FROM ${database}.priced_events FINAL
WHERE cost_source = 'UNPRICED'
GROUP BY org_id, provider, model;
