package io.spendstream.sink.bench;

import io.spendstream.schema.PricedUsageEvent;
import io.spendstream.schema.SpendRollup;
import io.spendstream.schema.UsageEvent;
import io.spendstream.schemas.registry.InMemorySchemaRegistry;
import io.spendstream.schemas.serde.AvroSerde;
import io.spendstream.sink.TestData;
import io.spendstream.sink.rows.AvroRowTranscoder;
import io.spendstream.sink.rows.RowBinaryWriter;
import io.spendstream.sink.rows.RowEncoders;
import io.spendstream.sink.rows.WireTranscoders;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Consumer-thread cost per record of the sink's two paths from wire-format bytes to a RowBinary
 * row, on one thread (a command, not a test): the object path (AvroSerde, then RowEncoders) and
 * the direct path (AvroRowTranscoder), for priced events (with tags and metadata) and rollups.
 * Run: see docs/benchmarks.md (argument: records per round, default 1,000,000).
 */
public final class TranscodeBenchmark {
    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        AvroSerde<PricedUsageEvent> events = AvroSerde.specific(PricedUsageEvent.class, registry, false);
        AvroSerde<SpendRollup> rollups = AvroSerde.specific(SpendRollup.class, registry, false);
        TestData data = new TestData(1, 4);
        List<byte[]> eventBytes = new ArrayList<>();
        for (int i = 0; eventBytes.size() < 10_000; i++) {
            PricedUsageEvent p = data.events.get(i % data.events.size());
            UsageEvent e = UsageEvent.newBuilder(p.getEvent()).setEventId("evt-" + i)
                    .setTags(Map.of("team", "search", "env", "prod"))
                    .setMetadata(Map.of("region", "eu-west-1", "retries", (long) (i % 3), "temperature", 0.7d))
                    .setTimestamp(Instant.ofEpochMilli(1_770_000_000_000L + i)).build();
            eventBytes.add(events.serialize("priced", PricedUsageEvent.newBuilder(p).setEvent(e).build()));
        }
        List<byte[]> rollupBytes = new ArrayList<>();
        for (int i = 0; rollupBytes.size() < 10_000; i++) {
            rollupBytes.add(rollups.serialize("rollups", data.rollups.get(i % data.rollups.size())));
        }
        WireTranscoders fastEvents = new WireTranscoders(registry, PricedUsageEvent.getClassSchema(),
                RowEncoders.PRICED_EVENT_COLUMNS, null);
        WireTranscoders fastRollups = new WireTranscoders(registry, SpendRollup.getClassSchema(),
                RowEncoders.ROLLUP_COLUMNS, RowEncoders.ROLLUP_ROUTE);
        RowBinaryWriter w = new RowBinaryWriter(64 * 1024 * 1024);
        for (int round = 1; round <= 5; round++) { // the first rounds warm the JIT up
            long objectEvents = time(n, w, eventBytes, b -> RowEncoders.pricedEvent(w, events.deserialize("priced", b)));
            long directEvents = time(n, w, eventBytes, b -> {
                AvroRowTranscoder t = fastEvents.forRecord(b);
                t.read(b, WireTranscoders.PAYLOAD_OFFSET).write(w);
            });
            long objectRollups = time(n, w, rollupBytes, b -> RowEncoders.rollup(w, rollups.deserialize("rollups", b)));
            long directRollups = time(n, w, rollupBytes, b -> {
                AvroRowTranscoder t = fastRollups.forRecord(b);
                t.read(b, WireTranscoders.PAYLOAD_OFFSET).write(w);
            });
            System.out.printf(Locale.ROOT, "round %d: priced events %.0f ns/record object path, %.0f ns direct (%.1fx);"
                            + " rollups %.0f ns object path, %.0f ns direct (%.1fx)%n", round,
                    (double) objectEvents / n, (double) directEvents / n, (double) objectEvents / directEvents,
                    (double) objectRollups / n, (double) directRollups / n, (double) objectRollups / directRollups);
        }
    }

    private static long time(int n, RowBinaryWriter w, List<byte[]> records, java.util.function.Consumer<byte[]> path) {
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            if (w.size() > 48 * 1024 * 1024) {
                w.reset();
            }
            path.accept(records.get(i % records.size()));
        }
        return System.nanoTime() - start;
    }
}
