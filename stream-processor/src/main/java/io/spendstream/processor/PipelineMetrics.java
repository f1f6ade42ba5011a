package io.spendstream.processor;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.spendstream.schema.AlertKind;
import io.spendstream.schema.CostSource;
import io.spendstream.schema.WindowSize;
import java.util.EnumMap;
import java.util.Map;

/** The pipeline's own counters (Kafka Streams' metrics are bound separately). */
public final class PipelineMetrics {
    private final Counter duplicates;
    private final Map<CostSource, Counter> priced = new EnumMap<>(CostSource.class);
    private final Map<WindowSize, Counter> late = new EnumMap<>(WindowSize.class);
    private final Counter rollupUpdates;
    private final Map<AlertKind, Counter> alerts = new EnumMap<>(AlertKind.class);
    private final Counter budgetTooOld;

    public PipelineMetrics(MeterRegistry registry) {
        duplicates = Counter.builder("spendstream.events.duplicates")
                .description("Events dropped because their (org, event_id) was already seen within the dedup retention")
                .register(registry);
        for (CostSource s : CostSource.values()) {
            priced.put(s, Counter.builder("spendstream.events.priced")
                    .description("Deduplicated events by where their cost came from (UNPRICED: no price, cost 0)")
                    .tag("cost_source", s.name()).register(registry));
        }
        for (WindowSize w : WindowSize.values()) {
            late.put(w, Counter.builder("spendstream.events.late")
                    .description("Events that arrived after the grace period of their rollup window")
                    .tag("window_size", w.name()).register(registry));
        }
        rollupUpdates = Counter.builder("spendstream.rollups.emitted")
                .description("Spend rollup upserts emitted").register(registry);
        for (AlertKind k : AlertKind.values()) {
            alerts.put(k, Counter.builder("spendstream.budget.alerts")
                    .description("Budget alerts sent, by kind").tag("kind", k.name()).register(registry));
        }
        budgetTooOld = Counter.builder("spendstream.budget.events.too.old")
                .description("Events older than the budget horizon (35 days before stream time), not counted against"
                        + " budgets").register(registry);
    }

    public void alert(AlertKind kind) {
        alerts.get(kind).increment();
    }

    public long alertCount(AlertKind kind) {
        return (long) alerts.get(kind).count();
    }

    public void budgetEventTooOld() {
        budgetTooOld.increment();
    }

    public void duplicate() {
        duplicates.increment();
    }

    public void priced(CostSource source) {
        priced.get(source).increment();
    }

    public void late(WindowSize size) {
        late.get(size).increment();
    }

    public void rollupEmitted() {
        rollupUpdates.increment();
    }

    public long duplicateCount() {
        return (long) duplicates.count();
    }

    public long pricedCount(CostSource source) {
        return (long) priced.get(source).count();
    }

    /** Events taken from the input so far: priced (any cost source) or dropped as duplicates. */
    public long processedCount() {
        long n = duplicateCount();
        for (CostSource s : CostSource.values()) {
            n += pricedCount(s);
        }
        return n;
    }

    public long lateCount(WindowSize size) {
        return (long) late.get(size).count();
    }
}
