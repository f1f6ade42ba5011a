package io.spendstream.ingest;

import io.spendstream.config.Settings;

/**
 * The per-org limit of the public spend query routes: {@code perSecond} requests per second per org with
 * bursts of {@code burst}. A query costs ClickHouse far more than an event costs Kafka, and one org's
 * dashboard must not starve the others; the defaults are generous enough that a person or a dashboard
 * never meets them. 0 requests per second disables the limit. Per ingest-api instance.
 */
public record QueryRateLimit(int perSecond, int burst) {
    public static final String RATE = "SPENDSTREAM_QUERY_RATE_LIMIT_PER_SECOND";
    public static final String BURST = "SPENDSTREAM_QUERY_RATE_LIMIT_BURST";

    static QueryRateLimit from(Settings s) {
        return new QueryRateLimit(s.integer(RATE, 50, 0, 1_000_000), s.integer(BURST, 200, 1, 10_000_000));
    }

    /** One bucket per org, by the same limiter the event routes use per key. */
    RateLimiter limiter() {
        return new RateLimiter(perSecond, burst);
    }

    @Override
    public String toString() {
        return perSecond == 0 ? "off" : perSecond + "/s burst " + burst;
    }
}
