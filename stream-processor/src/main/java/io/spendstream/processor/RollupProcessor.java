package io.spendstream.processor;

import io.spendstream.schema.CallStatus;
import io.spendstream.schema.CostSource;
import io.spendstream.schema.PricedUsageEvent;
import io.spendstream.schema.SpendRollup;
import io.spendstream.schema.UsageEvent;
import io.spendstream.schema.WindowSize;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Tumbling UTC windows of one minute, hour and day per (org, feature, provider, model).
 *
 * <p>Lateness is judged on stream time, the largest receive timestamp seen by the task (restored by
 * Kafka Streams after a restart), not on producers' clocks: an event is late for a window size when
 * its window (by the event's own timestamp) ended more than that size's grace before stream time.
 * A late event is not counted in that size's rollups; it goes, once, to the late-events topic with
 * the sizes it missed in the header {@value #LATE_HEADER}, and to a metric.
 *
 * <p>Updates are coalesced: changed windows are emitted every emit interval (wall clock) as
 * upserts whose version (the number of events applied) only grows. The set of changed windows is
 * kept in memory, so on every (re)start of the task all windows still in the store are emitted
 * again: an update committed to the store but not yet emitted before a crash is never lost, and
 * re-emitting an unchanged version is harmless to an upsert sink. Closed windows are removed from the
 * store once emitted.
 */
public final class RollupProcessor implements Processor<String, PricedUsageEvent, String, SpecificRecord> {
    public static final String LATE_HEADER = "spendstream.late-for";

    private final TopologySettings settings;
    private final PipelineMetrics metrics;
    private final String rollupSink;
    private final String lateSink;
    private final Set<String> dirty = new LinkedHashSet<>();
    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<String, SpendRollup> store;

    public RollupProcessor(TopologySettings settings, PipelineMetrics metrics, String rollupSink, String lateSink) {
        this.settings = settings;
        this.metrics = metrics;
        this.rollupSink = rollupSink;
        this.lateSink = lateSink;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.store = context.getStateStore(SpendTopology.ROLLUP_STORE);
        try (KeyValueIterator<String, SpendRollup> it = store.all()) {
            it.forEachRemaining(kv -> dirty.add(kv.key));
        }
        context.schedule(settings.emitInterval(), PunctuationType.WALL_CLOCK_TIME, ts -> emit());
        context.schedule(settings.purgeInterval(), PunctuationType.WALL_CLOCK_TIME, ts -> purgeClosed());
    }

    @Override
    public void process(Record<String, PricedUsageEvent> record) {
        PricedUsageEvent priced = record.value();
        UsageEvent e = priced.getEvent();
        long eventTime = e.getTimestamp().toEpochMilli();
        long streamTime = context.currentStreamTimeMs();
        Set<WindowSize> lateFor = EnumSet.noneOf(WindowSize.class);
        for (WindowSize size : WindowSize.values()) {
            long length = TopologySettings.sizeMillis(size);
            long start = Math.floorDiv(eventTime, length) * length;
            if (start + length + settings.grace().get(size).toMillis() <= streamTime) {
                lateFor.add(size);
                metrics.late(size);
                continue;
            }
            String key = storeKey(size, start, e);
            SpendRollup current = store.get(key);
            SpendRollup updated = add(current, priced, size, start, length);
            store.put(key, updated);
            dirty.add(key);
        }
        if (!lateFor.isEmpty()) {
            RecordHeaders headers = new RecordHeaders(record.headers().toArray());
            headers.remove(LATE_HEADER);
            headers.add(LATE_HEADER, lateFor.stream().map(Enum::name).collect(Collectors.joining(","))
                    .getBytes(StandardCharsets.UTF_8));
            context.forward(new Record<String, SpecificRecord>(record.key(), priced, record.timestamp(), headers),
                    lateSink);
        }
    }

    static String storeKey(WindowSize size, long start, UsageEvent e) {
        return Keys.join(size.name(), Keys.paddedMillis(start), e.getOrgId(), e.getFeature(), e.getProvider(),
                e.getModel());
    }

    /** Key of a rollup on the spend-rollups topic. */
    public static String topicKey(SpendRollup r) {
        return Keys.join(r.getOrgId(), r.getFeature(), r.getProvider(), r.getModel(), r.getWindowSize().name(),
                Long.toString(r.getWindowStart().toEpochMilli()));
    }

    private static SpendRollup add(SpendRollup current, PricedUsageEvent priced, WindowSize size, long start, long length) {
        UsageEvent e = priced.getEvent();
        SpendRollup.Builder b = current == null
                ? SpendRollup.newBuilder().setOrgId(e.getOrgId()).setFeature(e.getFeature())
                        .setProvider(e.getProvider()).setModel(e.getModel()).setWindowSize(size)
                        .setWindowStart(Instant.ofEpochMilli(start)).setWindowEnd(Instant.ofEpochMilli(start + length))
                        .setEvents(0).setErrors(0).setInputTokens(0).setOutputTokens(0).setCachedInputTokens(0)
                        .setCacheWriteTokens(0).setReasoningTokens(0).setCostUsdNanos(0).setUnpricedEvents(0)
                        .setLatencyMsSum(0).setLatencyMsMax(0).setVersion(0)
                : SpendRollup.newBuilder(current);
        long latency = e.getLatencyMs() == null ? 0 : e.getLatencyMs();
        return b.setEvents(Math.addExact(b.getEvents(), 1))
                .setErrors(b.getErrors() + (e.getStatus() == CallStatus.ERROR ? 1 : 0))
                .setInputTokens(Math.addExact(b.getInputTokens(), e.getInputTokens()))
                .setOutputTokens(Math.addExact(b.getOutputTokens(), e.getOutputTokens()))
                .setCachedInputTokens(Math.addExact(b.getCachedInputTokens(), e.getCachedInputTokens()))
                .setCacheWriteTokens(Math.addExact(b.getCacheWriteTokens(), e.getCacheWriteTokens()))
                .setReasoningTokens(Math.addExact(b.getReasoningTokens(), e.getReasoningTokens()))
                .setCostUsdNanos(Math.addExact(b.getCostUsdNanos(), priced.getCostUsdNanos()))
                .setUnpricedEvents(b.getUnpricedEvents() + (priced.getCostSource() == CostSource.UNPRICED ? 1 : 0))
                .setLatencyMsSum(Math.addExact(b.getLatencyMsSum(), latency))
                .setLatencyMsMax(Math.max(b.getLatencyMsMax(), latency))
                .setVersion(b.getVersion() + 1)
                .setUpdatedAt(Instant.now())
                .build();
    }

    private void emit() {
        if (dirty.isEmpty()) {
            return;
        }
        long ts = Math.max(0, context.currentStreamTimeMs());
        for (String key : dirty) {
            SpendRollup r = store.get(key);
            if (r != null) {
                context.forward(new Record<String, SpecificRecord>(topicKey(r), r, ts), rollupSink);
                metrics.rollupEmitted();
            }
        }
        dirty.clear();
    }

    private void purgeClosed() {
        emit();
        long streamTime = context.currentStreamTimeMs();
        if (streamTime < 0) {
            return;
        }
        List<String> closed = new ArrayList<>();
        for (Map.Entry<WindowSize, java.time.Duration> g : settings.grace().entrySet()) {
            WindowSize size = g.getKey();
            long lastClosedStart = streamTime - TopologySettings.sizeMillis(size) - g.getValue().toMillis();
            if (lastClosedStart < 0) {
                continue;
            }
            String from = Keys.join(size.name(), Keys.paddedMillis(0));
            String to = Keys.join(size.name(), Keys.paddedMillis(lastClosedStart)) + "|\uffff";
            try (KeyValueIterator<String, SpendRollup> it = store.range(from, to)) {
                while (it.hasNext()) {
                    KeyValue<String, SpendRollup> kv = it.next();
                    closed.add(kv.key);
                }
            }
        }
        closed.forEach(store::delete);
    }
}
