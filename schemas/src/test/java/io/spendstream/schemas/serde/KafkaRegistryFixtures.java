package io.spendstream.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spendstream.embedded.EmbeddedSchemaRegistry;
import io.spendstream.embedded.KafkaTestCluster;
import io.spendstream.schema.CallStatus;
import io.spendstream.schema.UsageEvent;
import io.spendstream.schemas.registry.SchemaRegistryClient;
import io.spendstream.schemas.registry.SchemaRegistryConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Future;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * What the integration tests of this package share: the per-JVM Kafka cluster and schema registry,
 * sample UsageEvents, and plain produce/consume helpers with real Kafka clients.
 */
final class KafkaRegistryFixtures {
    private KafkaRegistryFixtures() {}

    static final ObjectMapper JSON = new ObjectMapper();
    /** Millisecond precision: timestamp-millis keeps nothing finer. */
    static final Instant BASE_TIME = Instant.parse("2026-11-22T10:00:00Z");

    static KafkaTestCluster kafka() {
        return KafkaTestCluster.shared();
    }

    static EmbeddedSchemaRegistry registry() {
        return EmbeddedSchemaRegistry.shared();
    }

    /** A new client, with empty caches, so that what it returns really came from the registry. */
    static SchemaRegistryClient newClient() {
        return new SchemaRegistryClient(SchemaRegistryConfig.of(registry().confluentApiUrl()));
    }

    static String uniqueTopic(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    /**
     * Event {@code i}: every nullable field is set for some i and unset for others, tags and metadata
     * (with all four value types) are present for most and empty for some.
     */
    static UsageEvent event(int i) {
        boolean even = i % 2 == 0;
        Map<String, Object> metadata = new HashMap<>();
        metadata.put("retries", (long) (i % 4));
        metadata.put("temperature", 0.25 * (i % 5));
        metadata.put("streamed", even);
        metadata.put("region", "eu-" + (i % 3));
        boolean failed = i % 10 == 3;
        return UsageEvent.newBuilder()
                .setEventId("java-" + i)
                .setEventIdAssigned(i % 7 == 0)
                .setOrgId("org-" + (i % 5))
                .setTimestamp(BASE_TIME.plusMillis(i * 1000L + 123))
                .setReceivedAt(BASE_TIME.plusMillis(i * 1000L + 456))
                .setFeature("feature-" + (i % 4))
                .setProvider(even ? "openai" : "anthropic")
                .setModel(even ? "gpt-4o-2024-08-06" : "claude-sonnet-4-5")
                .setInputTokens(1000L + i)
                .setOutputTokens(10L * i)
                .setCachedInputTokens(i % 3 == 0 ? 0 : 50L + i)
                .setCacheWriteTokens(i % 5)
                .setReasoningTokens(i % 4 == 0 ? 0 : 7L * i)
                .setClientCostUsdNanos(even ? 1_000_000L * i + 7 : null)
                .setLatencyMs(i % 3 == 0 ? null : 100L + i)
                .setStatus(failed ? CallStatus.ERROR : CallStatus.OK)
                .setErrorCode(failed ? "rate_limited" : null)
                .setUserId(i % 4 == 0 ? null : "user-" + i)
                .setSessionId(i % 5 == 0 ? null : "session-" + (i / 5))
                .setTags(i % 6 == 0 ? Map.of() : Map.of("env", "prod", "team", "team-" + (i % 3)))
                .setMetadata(i % 8 == 0 ? Map.of() : metadata)
                .setApiKeyId(even ? "key-" + (i % 5) : null)
                .build();
    }

    static List<UsageEvent> events(int n) {
        List<UsageEvent> events = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            events.add(event(i));
        }
        return events;
    }

    /**
     * {@code event} as a GenericRecord of {@code schema}, as a client without the generated class would
     * build it: timestamps as epoch millis, the enum as a symbol. Fields of {@code schema} that
     * UsageEvent lacks take {@code extra}'s values.
     */
    static GenericRecord toGeneric(UsageEvent event, Schema schema, Map<String, Object> extra) {
        GenericData.Record record = new GenericData.Record(schema);
        for (Schema.Field f : schema.getFields()) {
            Schema.Field own = UsageEvent.getClassSchema().getField(f.name());
            Object value = own == null ? extra.get(f.name()) : event.get(own.pos());
            if (value instanceof Instant instant) {
                value = instant.toEpochMilli();
            } else if (value instanceof Enum<?> symbol) {
                value = new GenericData.EnumSymbol(f.schema(), symbol.name());
            }
            record.put(f.name(), value);
        }
        return record;
    }

    static Map<String, Object> producerConfig() {
        return Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka().bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5);
    }

    /** Sends every value keyed by {@code key(value)}, waits for every acknowledgement. */
    static <V> void produce(String topic, Serializer<V> valueSerializer, List<V> values,
                            java.util.function.Function<V, String> key) {
        try (KafkaProducer<String, V> producer =
                     new KafkaProducer<>(producerConfig(), new StringSerializer(), valueSerializer)) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (V v : values) {
                acks.add(producer.send(new ProducerRecord<>(topic, key.apply(v), v)));
            }
            producer.flush();
            for (Future<RecordMetadata> ack : acks) {
                assertThat(ack).succeedsWithin(Duration.ofSeconds(30));
            }
        }
    }

    /**
     * Reads {@code topic} from the beginning (read_committed, no consumer group) until {@code expected}
     * records arrived, then polls once more to make sure there are no more.
     */
    static <V> List<ConsumerRecord<String, V>> consume(String topic, Deserializer<V> valueDeserializer, int expected) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka().bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, V> consumer =
                     new KafkaConsumer<>(config, new StringDeserializer(), valueDeserializer)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<ConsumerRecord<String, V>> records = new ArrayList<>();
            await("records on " + topic).atMost(Duration.ofSeconds(60)).pollInSameThread().pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> {
                        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                        return records.size() >= expected;
                    });
            consumer.poll(Duration.ofMillis(300)).forEach(records::add);
            assertThat(records).as("records on %s", topic).hasSize(expected);
            return records;
        }
    }

    /** GET on the registry's Confluent API (not through the client under test), answer as JSON. */
    static JsonNode registryGet(String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(registry().confluentApiUrl() + path))
                .timeout(Duration.ofSeconds(10)).GET().build();
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("GET %s answered %s", path, response.body()).isEqualTo(200);
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("GET " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    static int latestId(String subject) {
        return registryGet("/subjects/" + subject + "/versions/latest").path("id").asInt(-1);
    }
}
