package io.spendstream.ingest;

import java.util.function.LongSupplier;

/**
 * A token bucket: {@code ratePerSecond} tokens are added per second up to {@code capacity} (the burst).
 * Taking {@code n} tokens succeeds when the bucket holds at least {@code n}; a request larger than the
 * whole bucket succeeds when the bucket is full and leaves it in debt, so that a large batch is
 * slowed down rather than refused forever. Thread-safe; time comes from a nanosecond clock so tests
 * can drive it.
 */
public final class TokenBucket {
    private final double ratePerNano;
    private final double ratePerSecond;
    private final double capacity;
    private final LongSupplier nanoClock;
    private double tokens;
    private long lastNanos;

    public TokenBucket(double ratePerSecond, double capacity) {
        this(ratePerSecond, capacity, System::nanoTime);
    }

    public TokenBucket(double ratePerSecond, double capacity, LongSupplier nanoClock) {
        if (!(ratePerSecond > 0) || !(capacity >= 1)) {
            throw new IllegalArgumentException("rate must be > 0 and capacity >= 1");
        }
        this.ratePerSecond = ratePerSecond;
        this.ratePerNano = ratePerSecond / 1e9;
        this.capacity = capacity;
        this.nanoClock = nanoClock;
        this.tokens = capacity;
        this.lastNanos = nanoClock.getAsLong();
    }

    /**
     * Takes {@code n} tokens if available.
     *
     * @return 0 when taken; otherwise the nanoseconds until enough tokens will be there (nothing taken)
     */
    public synchronized long tryTake(long n) {
        refill();
        double need = Math.min(n, capacity);
        if (tokens >= need) {
            tokens -= n; // may go negative for n > capacity: the debt is paid by waiting
            return 0;
        }
        return (long) Math.ceil((need - tokens) / ratePerNano);
    }

    /** Seconds a client should wait, rounded up, at least 1. */
    public static int retryAfterSeconds(long waitNanos) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (waitNanos + 999_999_999L) / 1_000_000_000L));
    }

    public synchronized double available() {
        refill();
        return tokens;
    }

    public double ratePerSecond() {
        return ratePerSecond;
    }

    public double capacity() {
        return capacity;
    }

    private void refill() {
        long now = nanoClock.getAsLong();
        long elapsed = now - lastNanos;
        if (elapsed > 0) {
            tokens = Math.min(capacity, tokens + elapsed * ratePerNano);
            lastNanos = now;
        }
    }
}
