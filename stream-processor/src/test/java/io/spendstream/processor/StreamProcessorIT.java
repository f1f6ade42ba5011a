package io.spendstream.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.spendstream.config.Settings;
import io.spendstream.embedded.EmbeddedSchemaRegistry;
import io.spendstream.embedded.KafkaTestCluster;
import io.spendstream.embedded.TopicContents;
import io.spendstream.processor.pricing.Prices;
import io.spendstream.schema.ModelPrice;
import io.spendstream.schema.PricedUsageEvent;
import io.spendstream.schema.SpendRollup;
import io.spendstream.schema.UsageEvent;
import io.spendstream.schemas.registry.SchemaRegistryClient;
import io.spendstream.schemas.registry.SchemaRegistryConfig;
import io.spendstream.schemas.serde.AvroSerde;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The stream processor as deployed (StreamProcessorApp: topics, price seeding, exactly-once Kafka
 * Streams) against a real KRaft broker and a real schema registry, checked against
 * {@link SpendReference}.
 */
class StreamProcessorIT {
    private static final int EVENTS = 100_000;
    private static final KafkaTestCluster KAFKA = KafkaTestCluster.shared();
    private static final EmbeddedSchemaRegistry REGISTRY = EmbeddedSchemaRegistry.shared();
    private static final SchemaRegistryClient CLIENT =
            new SchemaRegistryClient(SchemaRegistryConfig.of(REGISTRY.confluentApiUrl()));

    enum Restart { NONE, SAME_STATE_DIR, WIPED_STATE_DIR }

    @TempDir
    Path dir;

    private Settings settings(String prefix) {
        Map<String, String> m = new HashMap<>();
        m.put(StreamProcessorConfig.BOOTSTRAP, KAFKA.bootstrapServers());
        m.put(StreamProcessorConfig.REGISTRY_URL, REGISTRY.confluentApiUrl());
        m.put(StreamProcessorConfig.APPLICATION_ID, prefix + "processor");
        m.put(StreamProcessorConfig.STATE_DIR, dir.resolve("state").toString());
        m.put(StreamProcessorConfig.HTTP_PORT, "0");
        m.put(StreamProcessorConfig.HTTP_HOST, "127.0.0.1");
        m.put(StreamProcessorConfig.PARTITIONS, "3");
        m.put(StreamProcessorConfig.TOPIC_USAGE_EVENTS, prefix + "usage-events");
        m.put(StreamProcessorConfig.TOPIC_PRICED_EVENTS, prefix + "priced-usage-events");
        m.put(StreamProcessorConfig.TOPIC_ROLLUPS, prefix + "spend-rollups");
        m.put(StreamProcessorConfig.TOPIC_LATE, prefix + "usage-events-late");
        m.put(StreamProcessorConfig.TOPIC_DLQ, prefix + "usage-events-dlq");
        m.put(StreamProcessorConfig.TOPIC_PRICES, prefix + "model-prices");
        return Settings.of(m);
    }

    private static StreamProcessorApp startApp(StreamProcessorConfig config) {
        StreamProcessorApp app = StreamProcessorApp.start(config, r -> { });
        await().atMost(Duration.ofSeconds(90)).until(() -> app.streams().state() == KafkaStreams.State.RUNNING);
        return app;
    }

    private static KafkaProducer<String, UsageEvent> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        return new KafkaProducer<>(p, new StringSerializer(), AvroSerde.specific(UsageEvent.class, CLIENT, false));
    }

    @ParameterizedTest
    @EnumSource(Restart.class)
    void shouldMatchAnIndependentReferenceToTheNanoDollar(Restart restart) throws Exception {
        String prefix = "sp-" + restart.name().toLowerCase().replace('_', '-') + "-"
                + UUID.randomUUID().toString().substring(0, 8) + ".";
        StreamProcessorConfig config = StreamProcessorConfig.from(settings(prefix));
        var t = config.topology();
        SpendReference reference = new SpendReference(Map.of("MINUTE", t.grace().get(io.spendstream.schema.WindowSize.MINUTE),
                "HOUR", t.grace().get(io.spendstream.schema.WindowSize.HOUR),
                "DAY", t.grace().get(io.spendstream.schema.WindowSize.DAY)));
        Instant start = Instant.now().minus(Duration.ofHours(6)).truncatedTo(ChronoUnit.HOURS);
        UsageGenerator gen = new UsageGenerator(restart.ordinal() + 7L, start, Duration.ofMillis(50));

        StreamProcessorApp app = startApp(config);
        try (KafkaProducer<String, UsageEvent> producer = producer()) {
            Consumer<List<UsageGenerator.Sent>> send = batch -> {
                for (UsageGenerator.Sent s : batch) {
                    producer.send(new ProducerRecord<>(t.usageEvents().name(), null, s.receivedAt().toEpochMilli(),
                            s.event().getOrgId(), s.event()));
                    reference.accept(s.event(), s.receivedAt());
                }
                producer.flush();
            };
            send.accept(gen.next(EVENTS / 2));

            if (restart != Restart.NONE) {
                StreamProcessorApp first = app;
                await().atMost(Duration.ofSeconds(120)).until(() -> first.metrics().processedCount() >= EVENTS / 4);
                app.close();
                if (restart == Restart.WIPED_STATE_DIR) {
                    deleteRecursively(config.stateDir());
                }
                app = startApp(config);
            }

            // A price change mid-stream, effective from a time no event produced so far has reached.
            Instant effective = gen.now().plus(Duration.ofMinutes(1)).truncatedTo(ChronoUnit.SECONDS);
            ModelPrice change = Prices.builder("openai", "gpt-4o", effective)
                    .setInputPerMtokNanos(Prices.usdToNanos("3.75")).setOutputPerMtokNanos(Prices.usdToNanos("12.5"))
                    .setCachedInputPerMtokNanos(Prices.usdToNanos("1.875")).build();
            reference.addPrice("openai", "gpt-4o", new SpendReference.Price(effective, new BigDecimal("3.75"),
                    new BigDecimal("12.5"), new BigDecimal("1.875"), null, null));
            publishPrice(t.modelPrices().name(), change);
            StreamProcessorApp current = app;
            await().atMost(Duration.ofSeconds(60)).until(() -> current.streams().store(
                            StoreQueryParameters.fromNameAndType(SpendTopology.PRICE_STORE,
                                    QueryableStoreTypes.<String, ModelPrice>keyValueStore()))
                    .get(Prices.storeKey(change)) != null);

            send.accept(gen.next(EVENTS / 2));
        }

        try {
            assertThat(reference.distinct).isEqualTo(EVENTS);
            // Priced events: every distinct event exactly once, and the exact total.
            List<PricedUsageEvent> priced = new ArrayList<>();
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                priced.clear();
                priced.addAll(TopicContents.committed(KAFKA.bootstrapServers(), t.pricedEvents().name(), pricedDeserializer()));
                assertThat(priced).hasSizeGreaterThanOrEqualTo(EVENTS);
            });
            assertThat(priced).hasSize(EVENTS);
            assertThat(priced.stream().map(p -> p.getEvent().getOrgId() + "/" + p.getEvent().getEventId()).distinct())
                    .hasSize(EVENTS);
            BigDecimal total = priced.stream().map(p -> BigDecimal.valueOf(p.getCostUsdNanos(), 9))
                    .reduce(BigDecimal.ZERO, BigDecimal::add);
            assertThat(total).isEqualByComparingTo(reference.totalUsd);

            // Rollups: the latest version of every window equals the reference, field by field.
            Map<SpendReference.WindowKey, SpendRollup> latest = new HashMap<>();
            AvroSerde<SpendRollup> rollupSerde = AvroSerde.specific(SpendRollup.class, CLIENT, false);
            try (KafkaConsumer<String, SpendRollup> consumer = consumer(rollupSerde)) {
                consumer.subscribe(List.of(t.rollups().name()));
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                    for (ConsumerRecord<String, SpendRollup> r : consumer.poll(Duration.ofMillis(500))) {
                        latest.merge(SpendReference.keyOf(r.value()), r.value(),
                                (a, b) -> b.getVersion() >= a.getVersion() ? b : a);
                    }
                    Map<SpendReference.WindowKey, SpendReference.Totals> actual = new HashMap<>();
                    latest.forEach((k, v) -> actual.put(k, SpendReference.Totals.of(v)));
                    assertThat(actual).containsExactlyInAnyOrderEntriesOf(reference.windows);
                });
            }
            assertThat(reference.windows).hasSizeGreaterThan(1000);

            // Late events: each exactly once, with the sizes it missed.
            Map<String, Set<String>> late = new HashMap<>();
            try (KafkaConsumer<String, byte[]> consumer = consumer(new ByteArrayDeserializer())) {
                consumer.subscribe(List.of(t.lateEvents().name()));
                AvroSerde<PricedUsageEvent> serde = AvroSerde.specific(PricedUsageEvent.class, CLIENT, false);
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                        String id = serde.deserialize(r.topic(), r.value()).getEvent().getEventId();
                        String sizes = new String(r.headers().lastHeader(RollupProcessor.LATE_HEADER).value(),
                                StandardCharsets.UTF_8);
                        assertThat(late.put(id, new TreeSet<>(List.of(sizes.split(","))))).as("late twice: " + id)
                                .isNull();
                    }
                    assertThat(late).isEqualTo(reference.lateFor);
                });
            }
            assertThat(reference.lateFor).hasSizeGreaterThan(1000);
        } finally {
            app.close();
        }
    }

    @Test
    void shouldDeadLetterUnreadableRecordsWithTheirOriginAndKeepProcessing() throws Exception {
        String prefix = "sp-dlq-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        StreamProcessorConfig config = StreamProcessorConfig.from(settings(prefix).with(Map.of(
                StreamProcessorConfig.SEED_PRICES, "false")));
        StreamProcessorApp app = startApp(config);
        try {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
            try (var raw = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
                 var producer = producer()) {
                raw.send(new ProducerRecord<>(config.topology().usageEvents().name(), 0, "acme",
                        "{\"this is\": \"json, not avro\"}".getBytes(StandardCharsets.UTF_8))).get();
                UsageGenerator gen = new UsageGenerator(1, Instant.now().minusSeconds(60), Duration.ofMillis(1));
                UsageEvent good = gen.next(1).getFirst().event();
                producer.send(new ProducerRecord<>(config.topology().usageEvents().name(), good.getOrgId(), good)).get();
            }
            List<ConsumerRecord<byte[], byte[]>> dead = new ArrayList<>();
            try (var consumer = new KafkaConsumer<>(consumerProps(), new ByteArrayDeserializer(),
                    new ByteArrayDeserializer())) {
                consumer.subscribe(List.of(config.dlqTopic()));
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    consumer.poll(Duration.ofMillis(500)).forEach(dead::add);
                    return !dead.isEmpty();
                });
            }
            ConsumerRecord<byte[], byte[]> r = dead.getFirst();
            assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("{\"this is\": \"json, not avro\"}");
            assertThat(header(r, "__streams.errors.topic")).isEqualTo(config.topology().usageEvents().name());
            assertThat(header(r, "__streams.errors.partition")).isEqualTo("0");
            assertThat(header(r, "__streams.errors.offset")).isEqualTo("0");
            assertThat(header(r, "__streams.errors.message")).contains("magic byte");
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> TopicContents.committed(KAFKA.bootstrapServers(), config.topology().pricedEvents().name(),
                            pricedDeserializer()).size() == 1);

            // The ops port: readiness, and Kafka Streams' metrics next to the pipeline's own.
            var http = java.net.http.HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + app.opsPort();
            assertThat(http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/health/ready")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            String metrics = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("kafka_stream_thread_process_total")
                    .containsPattern("spendstream_events_priced_total\\{cost_source=\"[A-Z]+\",?\\} 1\\.0");
        } finally {
            app.close();
        }
    }

    private static String header(ConsumerRecord<?, ?> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static void publishPrice(String topic, ModelPrice price) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        try (var producer = new KafkaProducer<>(p, new StringSerializer(),
                AvroSerde.specific(ModelPrice.class, CLIENT, false))) {
            producer.send(new ProducerRecord<>(topic, Prices.topicKey(price), price)).get();
        }
    }

    private static Deserializer<PricedUsageEvent> pricedDeserializer() {
        return AvroSerde.specific(PricedUsageEvent.class, CLIENT, false);
    }

    private static Properties consumerProps() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        return p;
    }

    private static <V> KafkaConsumer<String, V> consumer(Deserializer<V> values) {
        return new KafkaConsumer<>(consumerProps(), new StringDeserializer(), values);
    }

    private static void deleteRecursively(Path p) throws Exception {
        if (Files.exists(p)) {
            try (Stream<Path> walk = Files.walk(p)) {
                for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(q);
                }
            }
        }
    }
}
