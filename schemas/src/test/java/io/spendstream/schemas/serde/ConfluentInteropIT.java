package io.spendstream.schemas.serde;

import static io.spendstream.schemas.serde.KafkaRegistryFixtures.JSON;
import static io.spendstream.schemas.serde.KafkaRegistryFixtures.consume;
import static io.spendstream.schemas.serde.KafkaRegistryFixtures.events;
import static io.spendstream.schemas.serde.KafkaRegistryFixtures.kafka;
import static io.spendstream.schemas.serde.KafkaRegistryFixtures.newClient;
import static io.spendstream.schemas.serde.KafkaRegistryFixtures.produce;
import static io.spendstream.schemas.serde.KafkaRegistryFixtures.registry;
import static io.spendstream.schemas.serde.KafkaRegistryFixtures.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.spendstream.embedded.NodePackages;
import io.spendstream.schema.CallStatus;
import io.spendstream.schema.UsageEvent;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Byte compatibility with Confluent's own code: Confluent's JavaScript serdes
 * (@confluentinc/schemaregistry, with kafkajs) read what AvroSerde writes and write what AvroSerde
 * reads, through the same registry and broker. The Node side is src/test/node/confluent-interop.mjs.
 *
 * <p>The npm packages are installed once ({@link NodePackages}, folder {@code node-interop}).
 * Skipped (not failed) when node or npm is missing or the npm registry cannot be reached.
 */
class ConfluentInteropIT {
    /** Exact versions known to work against Apicurio 2.4.2's Confluent API and the KRaft broker. */
    private static final Map<String, String> PACKAGES = orderedMap(
            "@confluentinc/schemaregistry", "1.10.1",
            "kafkajs", "2.2.4");
    private static final Path SCRIPT = Path.of("src/test/node/confluent-interop.mjs");
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(120);
    private static final int COUNT = 20;

    private static NodePackages node;

    @TempDir
    Path tmp;

    @BeforeAll
    static void nodeAndConfluentPackages(@TempDir Path installLogs) throws Exception {
        assertThat(SCRIPT).isRegularFile();
        node = NodePackages.prepare("node-interop", PACKAGES, installLogs);
        if (node.skipReason() != null) {
            System.err.println("ConfluentInteropIT: " + node.skipReason());
            return;
        }
        kafka();
        registry();
    }

    /** Each test is reported as skipped, with the reason, rather than the whole class vanishing from the report. */
    @BeforeEach
    void requireNodeAndPackages() {
        Assumptions.assumeTrue(node.skipReason() == null, node::skipReason);
    }

    @Test
    void shouldLetConfluentsJavaScriptDeserializerReadWhatAvroSerdeWrote() throws Exception {
        String topic = uniqueTopic("interop-java-to-confluent");
        kafka().createTopic(topic, 2);
        List<UsageEvent> sent = events(COUNT);
        produce(topic, AvroSerde.specific(UsageEvent.class, newClient(), false), sent, UsageEvent::getOrgId);

        NodePackages.Result consumer = runScript("consume", topic, Map.of());

        List<JsonNode> lines = new ArrayList<>();
        for (String line : consumer.stdout().lines().filter(l -> !l.isBlank()).toList()) {
            lines.add(JSON.readTree(line));
        }
        assertThat(lines).as("records printed by the Node consumer; its log:\n%s", consumer.stderr()).hasSize(COUNT);
        Map<String, JsonNode> byId = lines.stream().collect(Collectors.toMap(
                l -> l.path("value").path("event_id").asText(), Function.identity()));
        for (UsageEvent e : sent) {
            JsonNode line = byId.get(e.getEventId());
            assertThat(line).as("event %s read by Confluent's deserializer", e.getEventId()).isNotNull();
            JsonNode v = line.path("value");
            assertThat(line.path("key").asText()).isEqualTo(e.getOrgId());
            assertThat(v.path("org_id").asText()).isEqualTo(e.getOrgId());
            assertThat(v.path("input_tokens").asLong()).isEqualTo(e.getInputTokens());
            assertThat(v.path("output_tokens").asLong()).isEqualTo(e.getOutputTokens());
            assertThat(v.path("timestamp").asLong()).isEqualTo(e.getTimestamp().toEpochMilli());
            assertThat(v.path("status").asText()).isEqualTo(e.getStatus().name());
            assertThat(v.path("client_cost_usd_nanos").isNull()).isEqualTo(e.getClientCostUsdNanos() == null);
            assertThat(JSON.convertValue(v.path("tags"), Map.class)).isEqualTo(e.getTags());
            // The metadata union comes out wrapped, {"long": 2}: the branch must be the one the Java side wrote.
            assertThat(v.path("metadata").size()).isEqualTo(e.getMetadata().size());
            e.getMetadata().forEach((k, value) -> {
                JsonNode wrapped = v.path("metadata").path(k);
                switch (value) {
                    case Long l -> assertThat(wrapped.path("long").asLong()).isEqualTo(l);
                    case Double d -> assertThat(wrapped.path("double").asDouble()).isEqualTo(d);
                    case Boolean b -> assertThat(wrapped.path("boolean").asBoolean()).isEqualTo(b);
                    default -> assertThat(wrapped.path("string").asText()).isEqualTo(value.toString());
                }
                assertThat(wrapped.size()).as("metadata %s = %s", k, wrapped).isEqualTo(1);
            });
        }
    }

    @Test
    void shouldReadWithAvroSerdeWhatConfluentsJavaScriptSerializerWrote() throws Exception {
        String topic = uniqueTopic("interop-confluent-to-java");
        kafka().createTopic(topic, 2);
        // Confluent's serializer uses the latest schema of <topic>-value: spendstream's UsageEvent.
        int id = newClient().register(topic + "-value", UsageEvent.getClassSchema());
        Instant base = KafkaRegistryFixtures.BASE_TIME;

        NodePackages.Result producer = runScript("produce", topic, Map.of("INTEROP_BASE_TIME", Long.toString(base.toEpochMilli())));
        assertThat(producer.stderr()).contains("produced " + COUNT + " records");

        List<ConsumerRecord<String, byte[]>> raw = consume(topic, new ByteArrayDeserializer(), COUNT);
        assertThat(raw).allSatisfy(r -> {
            assertThat(r.value()[0]).isEqualTo(AvroSerde.MAGIC_BYTE);
            assertThat(ByteBuffer.wrap(r.value(), 1, 4).getInt()).isEqualTo(id);
        });
        Map<String, UsageEvent> byId = consume(topic, AvroSerde.specific(UsageEvent.class, newClient(), false), COUNT)
                .stream().map(ConsumerRecord::value).collect(Collectors.toMap(UsageEvent::getEventId, Function.identity()));
        assertThat(byId).hasSize(COUNT);
        for (int i = 0; i < COUNT; i++) {
            UsageEvent e = byId.get("node-" + i);
            assertThat(e).as("node-%d", i).isNotNull();
            // What confluent-interop.mjs's usageEvent(i) writes.
            assertThat(e.getOrgId()).isEqualTo("org-" + (i % 3));
            assertThat(e.getEventIdAssigned()).isEqualTo(i % 2 == 0);
            assertThat(e.getInputTokens()).isEqualTo(1000L + i);
            assertThat(e.getOutputTokens()).isEqualTo(10L * i);
            assertThat(e.getCachedInputTokens()).isEqualTo(i);
            assertThat(e.getTimestamp()).isEqualTo(base.plusSeconds(i));
            assertThat(e.getReceivedAt()).isEqualTo(base.plusSeconds(i).plusMillis(250));
            assertThat(e.getModel()).isEqualTo("claude-sonnet-4-5");
            assertThat(e.getClientCostUsdNanos()).isEqualTo(i % 2 == 0 ? Long.valueOf(1_000_000L + i) : null);
            assertThat(e.getLatencyMs()).isEqualTo(i % 3 == 0 ? null : Long.valueOf(100L + i));
            assertThat(e.getStatus()).isEqualTo(i % 5 == 0 ? CallStatus.ERROR : CallStatus.OK);
            assertThat(e.getErrorCode()).isEqualTo(i % 5 == 0 ? "rate_limited" : null);
            assertThat(e.getUserId()).isNull();
            assertThat(e.getSessionId()).isEqualTo("session-" + i);
            assertThat(e.getTags()).isEqualTo(Map.of("env", "test", "n", String.valueOf(i)));
            assertThat(e.getMetadata()).isEqualTo(Map.of("retries", (long) i, "temperature", 0.5, "streamed", true,
                    "region", "eu"));
            assertThat(e.getApiKeyId()).isEqualTo(i % 2 == 0 ? "key-" + i : null);
        }
    }

    // ---- Node ----

    private NodePackages.Result runScript(String mode, String topic, Map<String, String> extraEnv) throws Exception {
        Map<String, String> env = new LinkedHashMap<>(extraEnv);
        env.put("INTEROP_MODULES", node.modulesDir().toString());
        env.put("INTEROP_BOOTSTRAP", kafka().bootstrapServers());
        env.put("INTEROP_REGISTRY", registry().confluentApiUrl());
        env.put("KAFKAJS_NO_PARTITIONER_WARNING", "1");
        NodePackages.Result r = NodePackages.run(tmp, List.of("node", SCRIPT.toAbsolutePath().toString(), mode, topic,
                Integer.toString(COUNT)), null, env, SCRIPT_TIMEOUT);
        if (!r.ok()) {
            fail("node confluent-interop.mjs " + mode + " " + topic + (r.timedOut() ? " timed out" : " exited with " + r.exitCode())
                    + "\nstderr:\n" + NodePackages.tail(r.stderr()) + "\nstdout:\n" + NodePackages.tail(r.stdout()));
        }
        return r;
    }

    private static Map<String, String> orderedMap(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }
}
