package io.spendstream.notifier.delivery;

import io.spendstream.schema.DeliveryAttempt;
import java.time.Duration;
import java.time.Instant;

/**
 * What one request did.
 *
 * @param statusCode HTTP status, or null when none was received (timeout, connection error, refused address)
 * @param error      why the attempt did not succeed, or null
 * @param excerpt    the first 1 KB of the response body, or null
 * @param retryAfter the response's Retry-After, or null
 * @param unsafe     true when the address check refused the connection (final: retrying cannot help)
 */
public record AttemptResult(Instant at, Integer statusCode, long latencyMs, String error, String excerpt,
                            Duration retryAfter, boolean unsafe) {
    public boolean success() {
        return statusCode != null && statusCode >= 200 && statusCode < 300;
    }

    /** Timeouts, connection errors, 5xx, 408 and 429 may succeed later; any other failure is final. */
    public boolean retryable() {
        if (unsafe) {
            return false;
        }
        return statusCode == null || statusCode >= 500 || statusCode == 408 || statusCode == 429;
    }

    public DeliveryAttempt toAvro() {
        return DeliveryAttempt.newBuilder().setAt(at).setStatusCode(statusCode).setLatencyMs(latencyMs)
                .setError(error).setResponseExcerpt(excerpt).build();
    }
}
