package io.spendstream.ingest;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spendstream.config.Settings;
import io.spendstream.embedded.EmbeddedSchemaRegistry;
import io.spendstream.schema.UsageEvent;
import io.spendstream.schemas.registry.SchemaRegistryClient;
import io.spendstream.schemas.registry.SchemaRegistryConfig;
import io.spendstream.schemas.topics.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Shared helpers of the integration tests: configs with unique topics, HTTP calls, admin calls, reading Kafka. */
final class IngestFixture {
    static final String ADMIN_TOKEN = "it-admin-token-0123456789";
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private IngestFixture() {}

    /** A config against the given broker and the shared registry, with topics unique to {@code name}. */
    static IngestConfig config(String bootstrap, String name, Map<String, String> overrides) {
        String suffix = name + "-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> m = new HashMap<>();
        m.put(IngestConfig.BOOTSTRAP, bootstrap);
        m.put(IngestConfig.REGISTRY_URL, EmbeddedSchemaRegistry.shared().confluentApiUrl());
        m.put(IngestConfig.HTTP_HOST, "127.0.0.1");
        m.put(IngestConfig.HTTP_PORT, "0");
        m.put(IngestConfig.EVENT_LOOPS, "2");
        m.put(IngestConfig.ADMIN_TOKEN, ADMIN_TOKEN);
        m.put(IngestConfig.PARTITIONS, "2");
        m.put(IngestConfig.SHUTDOWN_TIMEOUT, "5s");
        m.put(IngestConfig.TOPIC_USAGE_EVENTS, "usage-events-" + suffix);
        m.put(IngestConfig.TOPIC_API_KEYS, "api-keys-" + suffix);
        m.put(IngestConfig.TOPIC_ORGS, "orgs-" + suffix);
        m.put(IngestConfig.TOPIC_API_KEY_USAGE, "api-key-usage-" + suffix);
        m.put(IngestConfig.TOPIC_BUDGETS, "budgets-" + suffix);
        m.putAll(overrides);
        return IngestConfig.from(Settings.of(m));
    }

    static IngestApi startReady(IngestConfig config) {
        return startReady(config, (router, self) -> { });
    }

    static IngestApi startReady(IngestConfig config, IngestApi.RouteMounter routes) {
        IngestApi.ensureTopics(config, Duration.ofSeconds(30));
        IngestApi api = IngestApi.start(config, routes);
        await().atMost(Duration.ofSeconds(60)).until(api::ready);
        return api;
    }

    static HttpResponse<String> send(int port, String method, String path, Map<String, String> headers, byte[] body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(b::header);
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(method + " " + path + " failed: " + e, e);
        }
    }

    static HttpResponse<String> get(int port, String path) {
        return send(port, "GET", path, Map.of(), null);
    }

    static HttpResponse<String> postEvents(int port, String apiKey, String contentType, String body) {
        Map<String, String> h = new HashMap<>();
        if (apiKey != null) {
            h.put("Authorization", "Bearer " + apiKey);
        }
        if (contentType != null) {
            h.put("Content-Type", contentType);
        }
        return send(port, "POST", "/v1/events", h, body.getBytes(StandardCharsets.UTF_8));
    }

    static HttpResponse<String> admin(int port, String method, String path, String jsonBody) {
        Map<String, String> h = new HashMap<>(Map.of("Authorization", "Bearer " + ADMIN_TOKEN));
        if (jsonBody != null) {
            h.put("Content-Type", "application/json");
        }
        return send(port, method, path, h, jsonBody == null ? null : jsonBody.getBytes(StandardCharsets.UTF_8));
    }

    /** A call with an API key and, when {@code jsonBody} is given, Content-Type application/json. */
    static HttpResponse<String> withKey(int port, String apiKey, String method, String path, String jsonBody) {
        Map<String, String> h = new HashMap<>(Map.of("Authorization", "Bearer " + apiKey));
        if (jsonBody != null) {
            h.put("Content-Type", "application/json");
        }
        return send(port, method, path, h, jsonBody == null ? null : jsonBody.getBytes(StandardCharsets.UTF_8));
    }

    /** Creates an org (if needed) and a key; returns the plaintext key. */
    static String orgAndKey(IngestApi api, String org) {
        HttpResponse<String> o = admin(api.port(), "POST", "/v1/admin/orgs",
                "{\"org_id\":\"" + org + "\",\"name\":\"Org " + org + "\"}");
        if (o.statusCode() != 201 && o.statusCode() != 409) {
            throw new IllegalStateException("create org: " + o.statusCode() + " " + o.body());
        }
        return createKey(api, org).get("api_key").asText();
    }

    static JsonNode createKey(IngestApi api, String org) {
        HttpResponse<String> k = admin(api.port(), "POST", "/v1/admin/orgs/" + org + "/keys", "{\"name\":\"test\"}");
        if (k.statusCode() != 201) {
            throw new IllegalStateException("create key: " + k.statusCode() + " " + k.body());
        }
        return json(k.body());
    }

    static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (Exception e) {
            throw new IllegalStateException("not JSON: " + s, e);
        }
    }

    static String event(String extraFields) {
        return "{\"timestamp\":\"2025-06-01T11:59:00Z\",\"feature\":\"chat\",\"provider\":\"openai\",\"model\":\"gpt-4o\","
                + "\"input_tokens\":100,\"output_tokens\":20" + (extraFields.isEmpty() ? "" : "," + extraFields) + "}";
    }

    /** Reads every usage event of the topic until {@code expected} were seen (or 30 s passed). */
    static List<ConsumerRecord<String, UsageEvent>> readEvents(IngestConfig config, int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        var registry = new SchemaRegistryClient(config.schemaRegistry());
        var topic = Topics.USAGE_EVENTS.withName(config.usageEventsTopic());
        List<ConsumerRecord<String, UsageEvent>> out = new ArrayList<>();
        try (KafkaConsumer<String, UsageEvent> c = new KafkaConsumer<>(p, new StringDeserializer(),
                topic.valueSerde(registry).deserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic.name()).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            c.poll(Duration.ofMillis(300)).forEach(out::add); // and nothing more
        }
        return out;
    }
}
