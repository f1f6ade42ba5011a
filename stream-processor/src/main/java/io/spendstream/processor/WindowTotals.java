package io.spendstream.processor;

import io.spendstream.schema.CallStatus;
import io.spendstream.schema.CostSource;
import io.spendstream.schema.PricedUsageEvent;
import io.spendstream.schema.SpendRollup;
import io.spendstream.schema.UsageEvent;
import io.spendstream.schema.WindowSize;
import java.time.Instant;

/**
 * The running totals of one rollup window, as the processor keeps them in its store. Mutable and
 * private to the rollup processor (the store's changelog is internal); the public form is the Avro
 * {@link SpendRollup}, built only when a window is emitted.
 */
final class WindowTotals {
    final String orgId;
    final String feature;
    final String provider;
    final String model;
    final WindowSize size;
    final long start;
    final long end;
    long events;
    long errors;
    long inputTokens;
    long outputTokens;
    long cachedInputTokens;
    long cacheWriteTokens;
    long reasoningTokens;
    long costUsdNanos;
    long unpricedEvents;
    long latencyMsSum;
    long latencyMsMax;
    long version;
    long updatedAt;

    WindowTotals(String orgId, String feature, String provider, String model, WindowSize size, long start, long end) {
        this.orgId = orgId;
        this.feature = feature;
        this.provider = provider;
        this.model = model;
        this.size = size;
        this.start = start;
        this.end = end;
    }

    static WindowTotals empty(UsageEvent e, WindowSize size, long start, long length) {
        return new WindowTotals(e.getOrgId(), e.getFeature(), e.getProvider(), e.getModel(), size, start, start + length);
    }

    /** Adds one priced event; every sum is overflow-checked. */
    void add(PricedUsageEvent priced, long nowMillis) {
        UsageEvent e = priced.getEvent();
        long latency = e.getLatencyMs() == null ? 0 : e.getLatencyMs();
        events = Math.addExact(events, 1);
        errors += e.getStatus() == CallStatus.ERROR ? 1 : 0;
        inputTokens = Math.addExact(inputTokens, e.getInputTokens());
        outputTokens = Math.addExact(outputTokens, e.getOutputTokens());
        cachedInputTokens = Math.addExact(cachedInputTokens, e.getCachedInputTokens());
        cacheWriteTokens = Math.addExact(cacheWriteTokens, e.getCacheWriteTokens());
        reasoningTokens = Math.addExact(reasoningTokens, e.getReasoningTokens());
        costUsdNanos = Math.addExact(costUsdNanos, priced.getCostUsdNanos());
        unpricedEvents += priced.getCostSource() == CostSource.UNPRICED ? 1 : 0;
        latencyMsSum = Math.addExact(latencyMsSum, latency);
        latencyMsMax = Math.max(latencyMsMax, latency);
        version++;
        updatedAt = nowMillis;
    }

    SpendRollup toRollup() {
        return SpendRollup.newBuilder().setOrgId(orgId).setFeature(feature).setProvider(provider).setModel(model)
                .setWindowSize(size).setWindowStart(Instant.ofEpochMilli(start)).setWindowEnd(Instant.ofEpochMilli(end))
                .setEvents(events).setErrors(errors).setInputTokens(inputTokens).setOutputTokens(outputTokens)
                .setCachedInputTokens(cachedInputTokens).setCacheWriteTokens(cacheWriteTokens)
                .setReasoningTokens(reasoningTokens).setCostUsdNanos(costUsdNanos).setUnpricedEvents(unpricedEvents)
                .setLatencyMsSum(latencyMsSum).setLatencyMsMax(latencyMsMax).setVersion(version)
                .setUpdatedAt(Instant.ofEpochMilli(updatedAt)).build();
    }
}
