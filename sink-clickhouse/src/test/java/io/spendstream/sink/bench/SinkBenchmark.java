package io.spendstream.sink.bench;

import io.spendstream.config.Settings;
import io.spendstream.embedded.KafkaTestCluster;
import io.spendstream.schema.SpendRollup;
import io.spendstream.schema.WindowSize;
import io.spendstream.schemas.registry.InMemorySchemaRegistry;
import io.spendstream.schemas.topics.Topics;
import io.spendstream.sink.ClickHouseSink;
import io.spendstream.sink.SinkApp;
import io.spendstream.sink.SinkConfig;
import io.spendstream.sink.rows.RowBinaryWriter;
import io.spendstream.sink.rows.RowEncoders;
import io.spendstream.sink.schema.Migrations;
import io.spendstream.sink.transport.ChdbTransport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sink throughput and freshness on this machine (a command, not a test):
 * <ol>
 *   <li>pre-produces W + N rollup rows (W = -DwarmupRows, default 300,000, then N, default
 *       1,000,000) to a 3-partition topic of a local KRaft broker;</li>
 *   <li>raw rate: the same rows as RowBinary prepared in memory, loaded by the same engine through
 *       the same insert call (the file() table function) in batches of the sink's batch size; the W
 *       rows first, unmeasured, then the N rows, timed; and the N rows as one file;</li>
 *   <li>sink rate: the sink reads the backlog from Kafka and writes it to chDB; measured from the
 *       first acknowledgement after W rows to the last acknowledgement of a full batch (the final,
 *       partial batch only waits for the batch interval);</li>
 *   <li>for both rates, the CPU the process used and where (per thread name, from /proc: Java,
 *       JVM and the engine's own threads);</li>
 *   <li>freshness: single rollup updates appended to Kafka (after the producer's ack) until the new
 *       version is visible to SELECT ... FINAL.</li>
 * </ol>
 * Run: see docs/benchmarks.md (arguments: N rows, freshness samples; -DbatchRows, -DwarmupRows).
 */
public final class SinkBenchmark {
    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int samples = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int batchRows = Integer.getInteger("batchRows", SinkConfig.DEFAULT_BATCH_ROWS);
        // Rows written before the clock starts, by the raw load and by the sink alike (JIT, first parts).
        int warmup = Integer.parseInt(System.getProperty("warmupRows", "300000")) / batchRows * batchRows;
        int total = warmup + rows;
        Path dir = Files.createTempDirectory("sink-bench-");
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        String topic = "bench-rollups";
        Instant base = Instant.parse("2026-01-01T00:00:00Z");

        try (KafkaTestCluster kafka = KafkaTestCluster.start();
             ChdbTransport ch = ChdbTransport.open(dir.resolve("ch"))) {
            kafka.createTopic(topic, 3);
            for (String t : new String[] {"bench-events", "bench-alerts", "bench-dlq"}) {
                kafka.createTopic(t, 1);
            }
            var serde = Topics.SPEND_ROLLUPS.valueSerde(registry).serializer();
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.LINGER_MS_CONFIG, 10);
            p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
            p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");

            // 1. Pre-produce, and keep the same rows as RowBinary for the raw load.
            long t0 = System.nanoTime();
            RowBinaryWriter all = new RowBinaryWriter(total * 200);
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                for (int i = 0; i < total; i++) {
                    SpendRollup r = rollup(i, 1, base);
                    RowEncoders.rollup(all, r);
                    producer.send(new ProducerRecord<>(topic, key(r), serde.serialize(topic, r)));
                }
                producer.flush();
            }
            double produceSeconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "produced %,d rollups (%,d warm-up, %,d measured) in %.1f s%n", total,
                    warmup, rows, produceSeconds);

            // 2. Raw engine rate: same rows, same engine, same insert call (a file read by the engine).
            Migrations.fromClasspath(ch, "raw_batched").migrate();
            Migrations.fromClasspath(ch, "raw_file").migrate();
            byte[] bytes = all.toByteArray();
            int[] rowOffsets = rowOffsets(bytes, total, batchRows);
            int warmupBatches = warmup / batchRows;
            CpuClock rawCpu = null;
            long r0 = 0;
            for (int b = 0; b < rowOffsets.length - 1; b++) {
                if (b == warmupBatches) {
                    rawCpu = CpuClock.start();
                    r0 = System.nanoTime();
                }
                byte[] chunk = java.util.Arrays.copyOfRange(bytes, rowOffsets[b], rowOffsets[b + 1]);
                ch.insert("raw_batched.spend_rollups_minute", "RowBinary", chunk, "raw-" + b);
            }
            double rawBatched = rows / ((System.nanoTime() - r0) / 1e9);
            System.out.println("raw, batched: " + rawCpu.report());
            byte[] measured = java.util.Arrays.copyOfRange(bytes, rowOffsets[warmupBatches], bytes.length);
            awaitMerges(ch);
            long r1 = System.nanoTime();
            ch.insert("raw_file.spend_rollups_minute", "RowBinary", measured, null);
            double rawFile = rows / ((System.nanoTime() - r1) / 1e9);
            measured = null;
            awaitMerges(ch);
            all = null;
            bytes = null;
            System.out.printf(Locale.ROOT, "raw insert from a file: %,.0f rows/s in batches of %,d; %,.0f rows/s as one file%n",
                    rawBatched, batchRows, rawFile);

            // 3. The sink drains the backlog.
            Map<String, String> m = new HashMap<>();
            m.put(SinkConfig.BOOTSTRAP, kafka.bootstrapServers());
            m.put(SinkConfig.GROUP_ID, "bench");
            m.put(SinkConfig.DATABASE, "sink");
            m.put(SinkConfig.TOPIC_ROLLUPS, topic);
            m.put(SinkConfig.TOPIC_PRICED_EVENTS, "bench-events");
            m.put(SinkConfig.TOPIC_ALERTS, "bench-alerts");
            m.put(SinkConfig.TOPIC_DLQ, "bench-dlq");
            m.put(SinkConfig.BATCH_ROWS, Integer.toString(batchRows));
            m.put(SinkConfig.HTTP_PORT, "0");
            m.put(SinkConfig.HTTP_HOST, "127.0.0.1");
            SinkConfig config = SinkConfig.from(Settings.of(m));
            CpuClock sinkCpu = null;
            long s0 = System.nanoTime();
            try (SinkApp app = SinkApp.start(config, ch, false, registry, ClickHouseSink.Hooks.NONE, r -> { })) {
                var metrics = app.sink().metrics();
                // Measured: from the first acknowledgement past the warm-up to the last acknowledgement of a
                // full batch. The last, partial batch waits for the batch interval (1 s), which is not work.
                long fromNanos = 0, fromRows = 0, toNanos = 0, toRows = 0, seen = 0;
                while (seen < total) {
                    long now = metrics.rowsTotal();
                    if (now != seen) {
                        long t = System.nanoTime();
                        if (fromNanos == 0 && now >= warmup) {
                            fromNanos = t;
                            fromRows = now;
                            sinkCpu = CpuClock.start();
                        } else if (fromNanos != 0 && now - seen >= batchRows) {
                            toNanos = t;
                            toRows = now;
                        }
                        seen = now;
                    }
                    Thread.sleep(1);
                }
                long s1 = System.nanoTime();
                System.out.println("sink: " + sinkCpu.report());
                double endToEnd = total / ((s1 - s0) / 1e9);
                double steady = (toRows - fromRows) / ((toNanos - fromNanos) / 1e9);
                System.out.printf(Locale.ROOT, "sink: %,.0f rows/s from start (incl. startup, group join, warm-up and the"
                                + " last partial batch), %,.0f rows/s measured (%,d rows in full batches after the warm-up);"
                                + " %d batches%n", endToEnd, steady, toRows - fromRows, metrics.batches());
                System.out.printf(Locale.ROOT, "sink/raw: %.0f%% of batched raw, %.0f%% of one-file raw (steady)%n",
                        100 * steady / rawBatched, 100 * steady / rawFile);
                String check = new String(ch.query("SELECT count() FROM sink.spend_rollups_minute FINAL", "TabSeparated",
                        Map.of()), StandardCharsets.UTF_8).strip();
                System.out.println("rows in sink.spend_rollups_minute FINAL: " + check);

                // 4. Freshness: a new version of an existing window, from producer ack to visible with FINAL.
                Histogram h = new Histogram(60_000_000_000L, 3);
                Random rnd = new Random(7);
                try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                        new ByteArraySerializer())) {
                    for (int i = 0; i < samples; i++) {
                        Thread.sleep(rnd.nextInt(200));
                        int idx = rnd.nextInt(total);
                        SpendRollup r = rollup(idx, 2 + i, base);
                        producer.send(new ProducerRecord<>(topic, key(r), serde.serialize(topic, r))).get();
                        long acked = System.nanoTime();
                        Map<String, String> params = Map.of("org", r.getOrgId(), "feature", r.getFeature(),
                                "model", r.getModel(), "ws", Long.toString(r.getWindowStart().toEpochMilli()));
                        while (true) {
                            String v = new String(ch.query("SELECT max(version) FROM sink.spend_rollups_minute FINAL"
                                    + " WHERE org_id = {org:String} AND feature = {feature:String} AND provider = 'openai'"
                                    + " AND model = {model:String} AND window_start = fromUnixTimestamp64Milli({ws:Int64}, 'UTC')",
                                    "TabSeparated", params), StandardCharsets.UTF_8).strip();
                            if (!v.isEmpty() && Long.parseLong(v) >= 2 + i) {
                                break;
                            }
                            Thread.sleep(2);
                        }
                        h.recordValue(System.nanoTime() - acked);
                    }
                }
                System.out.printf(Locale.ROOT, "freshness over %d updates: p50 %.0f ms, p99 %.0f ms, max %.0f ms"
                                + " (batch interval %s)%n", samples, h.getValueAtPercentile(50) / 1e6,
                        h.getValueAtPercentile(99) / 1e6, h.getMaxValue() / 1e6, config.batchInterval());
            }
        }
    }

    /** Waits until the engine has no merge running, so one phase's background work does not bill the next. */
    private static void awaitMerges(ChdbTransport ch) throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            String n = new String(ch.query("SELECT count() FROM system.merges", "TabSeparated", Map.of()),
                    StandardCharsets.UTF_8).strip();
            if (n.equals("0")) {
                return;
            }
            Thread.sleep(100);
        }
    }

    /** CPU used by the whole process and by the sink's two threads since {@link #start()}, against wall time. */
    record CpuClock(long wall, long process, Map<String, Long> threads) {
        static CpuClock start() {
            return new CpuClock(System.nanoTime(), processCpu(), threadCpu());
        }

        String report() {
            double w = (System.nanoTime() - wall) / 1e9;
            StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "wall %.2f s, process CPU %.2f s (%.2f cores)",
                    w, (processCpu() - process) / 1e9, (processCpu() - process) / 1e9 / w));
            threadCpu().entrySet().stream()
                    .map(e -> Map.entry(e.getKey(), e.getValue() - threads.getOrDefault(e.getKey(), 0L)))
                    .filter(e -> e.getValue() >= 50_000_000L)
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .forEach(e -> s.append(String.format(Locale.ROOT, "%n    %-28s %.2f s", e.getKey(), e.getValue() / 1e9)));
            return s.toString();
        }

        static long processCpu() {
            return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                    .getOperatingSystemMXBean()).getProcessCpuTime();
        }

        /** CPU time per thread name (digits folded to #), from /proc: Java, JVM and native (chDB) threads alike. */
        static Map<String, Long> threadCpu() {
            Map<String, Long> out = new java.util.TreeMap<>();
            long tick = 10_000_000L; // USER_HZ 100
            try (var tasks = Files.list(Path.of("/proc/self/task"))) {
                for (Path t : (Iterable<Path>) tasks::iterator) {
                    try {
                        String stat = Files.readString(t.resolve("stat"));
                        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+", "#");
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        out.merge(name, (Long.parseLong(f[11]) + Long.parseLong(f[12])) * tick, Long::sum);
                    } catch (java.io.IOException | RuntimeException gone) {
                        // thread ended
                    }
                }
            } catch (java.io.IOException e) {
                return out;
            }
            return out;
        }
    }

    /** Start offset of every batchRows-th row in a RowBinary buffer of rollup rows (parsing the 4 leading strings). */
    private static int[] rowOffsets(byte[] b, int rows, int batchRows) {
        int batches = (rows + batchRows - 1) / batchRows;
        int[] out = new int[batches + 1];
        int pos = 0;
        for (int i = 0; i < rows; i++) {
            if (i % batchRows == 0) {
                out[i / batchRows] = pos;
            }
            for (int s = 0; s < 4; s++) {
                int len = 0, shift = 0;
                while (true) {
                    int x = b[pos++] & 0xFF;
                    len |= (x & 0x7F) << shift;
                    if (x < 0x80) {
                        break;
                    }
                    shift += 7;
                }
                pos += len;
            }
            pos += 15 * 8;
        }
        out[batches] = pos;
        return out;
    }

    static byte[] key(SpendRollup r) {
        return (r.getOrgId() + "|" + r.getFeature() + "|" + r.getProvider() + "|" + r.getModel() + "|MINUTE|"
                + r.getWindowStart().toEpochMilli()).getBytes(StandardCharsets.UTF_8);
    }

    /** Row i: 100 orgs x 10 features x 4 models, then minute windows. */
    static SpendRollup rollup(int i, long version, Instant base) {
        int org = i % 100, feature = (i / 100) % 10, model = (i / 1000) % 4, window = i / 4000;
        Instant start = base.plus(Duration.ofMinutes(window));
        long events = 1 + (i % 37) * version;
        return SpendRollup.newBuilder().setOrgId("org-" + org).setFeature("feature-" + feature).setProvider("openai")
                .setModel("model-" + model).setWindowSize(WindowSize.MINUTE).setWindowStart(start)
                .setWindowEnd(start.plus(Duration.ofMinutes(1))).setEvents(events).setErrors(0)
                .setInputTokens(events * 812).setOutputTokens(events * 211).setCachedInputTokens(events * 90)
                .setCacheWriteTokens(0).setReasoningTokens(events * 13).setCostUsdNanos(events * 4_123_457L)
                .setUnpricedEvents(0).setLatencyMsSum(events * 700).setLatencyMsMax(1500).setVersion(version)
                .setUpdatedAt(start.plusSeconds(30)).build();
    }
}
