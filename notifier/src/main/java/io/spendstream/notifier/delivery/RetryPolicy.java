package io.spendstream.notifier.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When to try again: exponential backoff from {@code initial}, doubling per attempt up to {@code max}, with
 * "equal jitter" (half the delay fixed, half random) so that receivers coming back are not hit by every
 * sender at once; a Retry-After longer than that wins. No retry is due past {@code horizon} after the alert
 * was produced: the delivery then expires.
 */
public record RetryPolicy(Duration initial, Duration max, Duration horizon) {

    /** The time of the next attempt after {@code attempts} failed ones, or null when the horizon is passed. */
    public Instant next(int attempts, Duration retryAfter, Instant alertAt, Instant now) {
        long base = initial.toMillis() << Math.min(attempts - 1, 30);
        long capped = Math.min(base <= 0 ? max.toMillis() : base, max.toMillis());
        long delay = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
        if (retryAfter != null && retryAfter.toMillis() > delay) {
            delay = retryAfter.toMillis();
        }
        Instant at = now.plusMillis(delay);
        return at.isAfter(alertAt.plus(horizon)) ? null : at;
    }

    public boolean expired(Instant alertAt, Instant now) {
        return now.isAfter(alertAt.plus(horizon));
    }
}
