package io.spendstream.local.bench;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * What the webhook receivers of one group of channels got: distinct alerts (by {@code webhook-id}, which is
 * the alert id), repeats, requests whose signature did not verify, requests not yet answered, and the
 * latencies in ms from the alert's produce time to the request's arrival and to its answer.
 */
final class DeliveryTally {
    /** Latency percentiles in ms. */
    record Figures(long p50, long p99, long max) {}

    private static final long MAX_MS = 3_600_000;

    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong badSignatures = new AtomicLong();
    private final AtomicLong unanswered = new AtomicLong();
    private final Histogram arrival = new Histogram(MAX_MS, 3);
    private final Histogram answered = new Histogram(MAX_MS, 3);

    void arrived(String webhookId, long latencyMs, boolean signatureValid) {
        unanswered.incrementAndGet();
        if (!signatureValid) {
            badSignatures.incrementAndGet();
        }
        if (!seen.add(webhookId == null ? "" : webhookId)) {
            duplicates.incrementAndGet();
            return;
        }
        record(arrival, latencyMs);
    }

    void answered(long latencyMs) {
        record(answered, latencyMs);
        unanswered.decrementAndGet();
    }

    /** Every one of {@code expected} alerts arrived and every request got its answer. */
    boolean settled(long expected) {
        return seen.size() >= expected && unanswered.get() == 0;
    }

    long received() {
        return seen.size();
    }

    long duplicates() {
        return duplicates.get();
    }

    long badSignatures() {
        return badSignatures.get();
    }

    Figures arrival() {
        return figures(arrival);
    }

    Figures answered() {
        return figures(answered);
    }

    private static void record(Histogram h, long ms) {
        synchronized (h) { // receivers record from many handler threads
            h.recordValue(Math.clamp(ms, 0, MAX_MS));
        }
    }

    private static Figures figures(Histogram h) {
        synchronized (h) {
            return new Figures(h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getMaxValue());
        }
    }
}
