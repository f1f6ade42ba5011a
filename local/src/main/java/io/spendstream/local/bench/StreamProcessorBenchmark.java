package io.spendstream.local.bench;

import io.spendstream.config.Settings;
import io.spendstream.embedded.EmbeddedKafka;
import io.spendstream.embedded.EmbeddedSchemaRegistry;
import io.spendstream.embedded.LoopbackPorts;
import io.spendstream.embedded.ProcessRss;
import io.spendstream.processor.StreamProcessorApp;
import io.spendstream.processor.StreamProcessorConfig;
import io.spendstream.schema.CallStatus;
import io.spendstream.schema.SpendRollup;
import io.spendstream.schema.UsageEvent;
import io.spendstream.schema.WindowSize;
import io.spendstream.schemas.registry.SchemaRegistryClient;
import io.spendstream.schemas.registry.SchemaRegistryConfig;
import io.spendstream.schemas.serde.AvroSerde;
import io.spendstream.schemas.topics.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Benchmark command (not a test) for the stream processor on this machine, broker on the same cores.
 *
 * <p>Phase 1, throughput: N events are produced to usage-events first, then the processor starts and
 * the rate at which it dedups, prices and rolls them up is measured (until its counters reach N).
 *
 * <p>Phase 2, latency: events are produced at a fixed rate with current timestamps; for every event
 * the time from its append to the input topic (the producer's acknowledgement) to the first MINUTE
 * rollup that includes it being visible to a read_committed consumer. A rollup with version v of a
 * window includes that window's first v events in partition order, which is the order they were sent.
 *
 * <p>Usage: {@code bin/bench stream-processor [--events 1000000] [--rate 20000] [--seconds 30]
 * [--commit-interval-ms 100] [--threads 1] [--partitions 3]}
 */
public final class StreamProcessorBenchmark {
    public static void main(String[] args) throws Exception {
        System.setProperty("logback.configurationFile", "spendstream-tools-logback.xml");
        Map<String, String> a = BenchArgs.parse(args);
        int events = Integer.parseInt(a.getOrDefault("events", "1000000"));
        int rate = Integer.parseInt(a.getOrDefault("rate", "20000"));
        int seconds = Integer.parseInt(a.getOrDefault("seconds", "30"));
        String commit = a.getOrDefault("commit-interval-ms", "100");
        String threads = a.getOrDefault("threads", "1");
        String partitions = a.getOrDefault("partitions", "3");

        Path dir = Files.createTempDirectory("spendstream-sp-bench-");
        int[] ports = LoopbackPorts.freePorts(2);
        System.out.printf("StreamProcessorBenchmark: %d events, then %d events/s for %d s; commit.interval.ms=%s,"
                        + " threads=%s, partitions=%s; %d CPUs, java %s%n", events, rate, seconds, commit, threads,
                partitions, Runtime.getRuntime().availableProcessors(), Runtime.version());
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), ports[0], ports[1]);
             EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(0)) {
            var client = new SchemaRegistryClient(SchemaRegistryConfig.of(registry.confluentApiUrl()));
            String prefix = "bench-" + UUID.randomUUID().toString().substring(0, 6) + ".";
            Settings settings = Settings.of(Map.of(
                    StreamProcessorConfig.BOOTSTRAP, kafka.bootstrapServers(),
                    StreamProcessorConfig.REGISTRY_URL, registry.confluentApiUrl(),
                    StreamProcessorConfig.APPLICATION_ID, prefix + "processor",
                    StreamProcessorConfig.STATE_DIR, dir.resolve("state").toString(),
                    StreamProcessorConfig.HTTP_PORT, "0",
                    StreamProcessorConfig.HTTP_HOST, "127.0.0.1",
                    StreamProcessorConfig.COMMIT_INTERVAL, commit,
                    StreamProcessorConfig.THREADS, threads,
                    StreamProcessorConfig.PARTITIONS, partitions));
            StreamProcessorConfig config = StreamProcessorConfig.from(settings);
            Traffic traffic = new Traffic(42);

            // Phase 1: backlog throughput.
            try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers",
                    kafka.bootstrapServers()))) {
                io.spendstream.schemas.topics.TopicCatalog.ensureTopics(admin, List.of(Topics.USAGE_EVENTS),
                        Integer.parseInt(partitions), (short) 1, Duration.ofSeconds(30));
            }
            long p0 = System.nanoTime();
            try (var producer = producer(kafka, client)) {
                for (int i = 0; i < events; i++) {
                    UsageEvent e = traffic.next(Instant.now());
                    producer.send(new ProducerRecord<>(Topics.USAGE_EVENTS.name(), e.getOrgId(), e));
                }
                producer.flush();
            }
            System.out.printf("  produced %d events in %.1f s%n", events, (System.nanoTime() - p0) / 1e9);
            StreamProcessorApp app = StreamProcessorApp.start(config, r -> { });
            try {
                long t0 = System.nanoTime();
                long first = -1;
                long last = 0;
                while (app.metrics().processedCount() < events) {
                    Thread.sleep(100);
                    long n = app.metrics().processedCount();
                    if (first < 0 && n > 0) {
                        first = System.nanoTime();
                    }
                    if (System.nanoTime() - last > 1_000_000_000L) {
                        last = System.nanoTime();
                        System.out.printf("\r  processed %,d / %,d (%s)      ", n, events, app.streams().state());
                    }
                }
                long done = System.nanoTime();
                double secs = (done - first) / 1e9;
                System.out.printf("%n  phase 1: %,d events processed in %.1f s after the first one (%.1f s after"
                        + " start): %,.0f events/s; JVM RSS %d MB (broker, processor and producer in one JVM)%n",
                        events, secs, (done - t0) / 1e9, events / secs, ProcessRss.currentRssBytes() >> 20);

                // Phase 2: latency at a fixed rate.
                latency(kafka, client, app, traffic, rate, seconds, config.topology().rollups().name());
            } finally {
                app.close();
            }
        }
    }

    private static KafkaProducer<String, UsageEvent> producer(EmbeddedKafka kafka, SchemaRegistryClient client) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(128 * 1024));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        return new KafkaProducer<>(p, new StringSerializer(), AvroSerde.specific(UsageEvent.class, client, false));
    }

    private static void latency(EmbeddedKafka kafka, SchemaRegistryClient client, StreamProcessorApp app,
                                Traffic traffic, int rate, int seconds, String rollupTopic) throws Exception {
        // Per MINUTE window key: the ack times of its events in send order, and how many were seen.
        Map<String, ArrayDeque<Long>> pending = new ConcurrentHashMap<>();
        Map<String, Long> seenVersion = new HashMap<>();
        Histogram histogram = new Histogram(3_600_000_000_000L, 3);
        AtomicBoolean producing = new AtomicBoolean(true);
        long[] sentCount = {0};

        Thread sender = new Thread(() -> {
            try (var producer = producer(kafka, client)) {
                long start = System.nanoTime();
                long total = (long) rate * seconds;
                for (long i = 0; i < total; i++) {
                    long due = start + i * 1_000_000_000L / rate;
                    while (System.nanoTime() < due) {
                        Thread.onSpinWait();
                    }
                    UsageEvent e = traffic.next(Instant.now());
                    String key = windowKey(e.getOrgId(), e.getFeature(), e.getProvider(), e.getModel(),
                            minuteStart(e.getTimestamp()));
                    ArrayDeque<Long> queue = pending.computeIfAbsent(key, k -> new ArrayDeque<>());
                    sentCount[0]++;
                    // A window's events share the org key, so one partition: its callbacks run in send order.
                    producer.send(new ProducerRecord<>(Topics.USAGE_EVENTS.name(), e.getOrgId(), e), (m, ex) -> {
                        if (ex == null) {
                            long ack = System.nanoTime();
                            synchronized (queue) {
                                queue.add(ack);
                            }
                        }
                    });
                }
                producer.flush();
            }
            producing.set(false);
        }, "bench-sender");

        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                AvroSerde.specific(SpendRollup.class, client, false))) {
            consumer.subscribe(List.of(rollupTopic));
            while (consumer.assignment().isEmpty()) {
                consumer.poll(Duration.ofMillis(100));
            }
            consumer.seekToEnd(consumer.assignment());
            consumer.poll(Duration.ofMillis(100));
            System.out.printf("  phase 2: %,d events/s for %d s%n", rate, seconds);
            sender.start();
            long lastPrint = System.nanoTime();
            long deadline = Long.MAX_VALUE;
            while (System.nanoTime() < deadline) {
                for (var r : consumer.poll(Duration.ofMillis(50))) {
                    long now = System.nanoTime();
                    SpendRollup v = r.value();
                    if (v.getWindowSize() != WindowSize.MINUTE) {
                        continue;
                    }
                    String key = windowKey(v.getOrgId(), v.getFeature(), v.getProvider(), v.getModel(),
                            v.getWindowStart().toEpochMilli());
                    long before = seenVersion.getOrDefault(key, 0L);
                    if (v.getVersion() <= before) {
                        continue;
                    }
                    ArrayDeque<Long> queue = pending.get(key);
                    if (queue == null) {
                        continue;
                    }
                    synchronized (queue) {
                        for (long i = before; i < v.getVersion() && !queue.isEmpty(); i++) {
                            histogram.recordValue(Math.max(0, now - queue.poll()));
                        }
                    }
                    seenVersion.put(key, v.getVersion());
                }
                if (System.nanoTime() - lastPrint > 1_000_000_000L) {
                    lastPrint = System.nanoTime();
                    System.out.printf("\r  sent %,d, measured %,d, p50 %.0f ms, p99 %.0f ms      ", sentCount[0],
                            histogram.getTotalCount(), histogram.getValueAtPercentile(50) / 1e6,
                            histogram.getValueAtPercentile(99) / 1e6);
                }
                if (!producing.get() && deadline == Long.MAX_VALUE) {
                    deadline = System.nanoTime() + 5_000_000_000L; // drain the last updates
                }
            }
        }
        sender.join();
        System.out.printf("%n  phase 2: %,d events at %,d/s: append -> rollup visible (read_committed): p50 %.0f ms,"
                        + " p99 %.0f ms, max %.0f ms (%,d events measured)%n", sentCount[0], rate,
                histogram.getValueAtPercentile(50) / 1e6, histogram.getValueAtPercentile(99) / 1e6,
                histogram.getMaxValue() / 1e6, histogram.getTotalCount());
    }

    static long minuteStart(Instant t) {
        long ms = t.toEpochMilli();
        return ms - Math.floorMod(ms, 60_000L);
    }

    static String windowKey(String org, String feature, String provider, String model, long start) {
        return org + "\u0000" + feature + "\u0000" + provider + "\u0000" + model + "\u0000" + start;
    }

    /** Realistic traffic: 50 orgs, 6 features, 8 catalog models, tokens and latencies of chat-like calls. */
    static final class Traffic {
        private static final String[][] MODELS = {{"openai", "gpt-4o"}, {"openai", "gpt-4o-mini"},
                {"openai", "gpt-4.1"}, {"anthropic", "claude-sonnet-4-5"}, {"anthropic", "claude-3-5-haiku-latest"},
                {"google", "gemini-2.5-pro"}, {"google", "gemini-2.5-flash"}, {"deepseek", "deepseek-chat"}};
        private static final String[] FEATURES = {"chat", "search", "summarize", "agent", "classify", "embed"};
        private final Random rnd;
        private long n;

        Traffic(long seed) {
            rnd = new Random(seed);
        }

        UsageEvent next(Instant now) {
            String[] m = MODELS[rnd.nextInt(MODELS.length)];
            return UsageEvent.newBuilder().setEventId("b-" + (n++)).setOrgId("org-" + rnd.nextInt(50))
                    .setTimestamp(now).setReceivedAt(now).setFeature(FEATURES[rnd.nextInt(FEATURES.length)])
                    .setProvider(m[0]).setModel(m[1]).setInputTokens(200 + rnd.nextInt(4000))
                    .setOutputTokens(50 + rnd.nextInt(800)).setCachedInputTokens(rnd.nextInt(4) == 0 ? 1024 : 0)
                    .setLatencyMs(300L + rnd.nextInt(4000)).setStatus(rnd.nextInt(100) == 0 ? CallStatus.ERROR
                            : CallStatus.OK)
                    .setUserId("user-" + rnd.nextInt(1000)).setTags(Map.of("env", "prod")).build();
        }
    }
}
