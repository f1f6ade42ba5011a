package io.spendstream.processor;

import io.spendstream.schema.PricedUsageEvent;
import io.spendstream.schema.SpendRollup;
import io.spendstream.schema.UsageEvent;
import io.spendstream.schema.WindowSize;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
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
    /**
     * Read-through copy of the windows this task wrote since it started. Only this processor writes
     * its store, so an entry here always equals the store's value; it spares a store read and a
     * deserialization per event and window size. Every update is still written to the store.
     */
    private final Map<String, WindowTotals> open = new HashMap<>();
    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<String, WindowTotals> store;

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
        try (KeyValueIterator<String, WindowTotals> it = store.all()) {
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
        long now = System.currentTimeMillis();
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
            WindowTotals totals = open.get(key);
            if (totals == null) {
                totals = store.get(key);
                if (totals == null) {
                    totals = WindowTotals.empty(e, size, start, length);
                }
                open.put(key, totals);
            }
            totals.add(priced, now);
            store.put(key, totals);
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

    private void emit() {
        if (dirty.isEmpty()) {
            return;
        }
        long ts = Math.max(0, context.currentStreamTimeMs());
        for (String key : dirty) {
            WindowTotals totals = open.get(key);
            if (totals == null) {
                totals = store.get(key); // after a restart: not written by this task yet
            }
            if (totals != null) {
                SpendRollup r = totals.toRollup();
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
            try (KeyValueIterator<String, WindowTotals> it = store.range(from, to)) {
                while (it.hasNext()) {
                    KeyValue<String, WindowTotals> kv = it.next();
                    closed.add(kv.key);
                }
            }
        }
        for (String key : closed) {
            store.delete(key);
            open.remove(key);
        }
    }
}
