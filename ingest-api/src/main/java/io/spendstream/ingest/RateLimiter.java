package io.spendstream.ingest;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * One {@link TokenBucket} per key: an API key for events, an org for spend queries (per instance: N
 * instances allow up to N times the rate).
 */
public final class RateLimiter {
    private final int ratePerSecond;
    private final int burst;
    private final ConcurrentMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();

    /** @param ratePerSecond tokens (events, queries) per second per key; 0 disables limiting */
    public RateLimiter(int ratePerSecond, int burst) {
        this.ratePerSecond = ratePerSecond;
        this.burst = burst;
    }

    /** @return 0 when the key may spend {@code events} tokens now, otherwise nanoseconds to wait */
    public long tryAcquire(String keyId, int events) {
        if (ratePerSecond <= 0) {
            return 0;
        }
        return buckets.computeIfAbsent(keyId, k -> new TokenBucket(ratePerSecond, burst)).tryTake(events);
    }

    /** Drops the bucket of a revoked key. */
    public void forget(String keyId) {
        buckets.remove(keyId);
    }
}
