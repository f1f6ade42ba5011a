package io.spendstream.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.spendstream.config.Settings;
import io.spendstream.schema.CallStatus;
import io.spendstream.schema.UsageEvent;
import io.spendstream.schemas.registry.SchemaRegistryClient;
import io.spendstream.schemas.registry.SchemaRegistryConfig;
import io.spendstream.schemas.serde.AvroSerde;
import io.spendstream.schemas.topics.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one-command run's pipeline on free ports: everything answers, and data survives a restart. */
class LocalPipelineIT {
    @TempDir
    Path dataDir;

    private Settings settings() {
        return Settings.of(LocalConfig.onFreePorts(dataDir));
    }

    @Test
    void shouldStartEveryComponentAndKeepKafkaRegistryAndClickHouseDataAcrossARestart() throws Exception {
        Settings settings = settings();
        UsageEvent event = UsageEvent.newBuilder().setEventId("e-1").setOrgId("acme")
                .setTimestamp(Instant.now()).setReceivedAt(Instant.now()).setFeature("chat").setProvider("openai")
                .setModel("gpt-4o").setInputTokens(10).setOutputTokens(5).setStatus(CallStatus.OK).build();
        try (LocalPipeline p = LocalPipeline.start(LocalConfig.from(settings), settings)) {
            HttpClient http = HttpClient.newHttpClient();
            await().atMost(Duration.ofSeconds(60)).until(() -> http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + p.processor().opsPort() + "/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
            var registry = new SchemaRegistryClient(SchemaRegistryConfig.of(p.registry().confluentApiUrl()));
            Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, p.kafka().bootstrapServers());
            try (var producer = new KafkaProducer<>(props, new StringSerializer(),
                    AvroSerde.specific(UsageEvent.class, registry, false))) {
                producer.send(new ProducerRecord<>(Topics.USAGE_EVENTS.name(), "acme", event)).get();
            }
            // Over HTTP with the demo org's key: accepted, then priced by the stream processor.
            assertThat(postEvent(http, p, "e-http-1").statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(30)).until(() -> p.processor().metrics()
                    .pricedCount(io.spendstream.schema.CostSource.CATALOG) >= 1);
            // ... written to ClickHouse by the sink and answered by the spend API on the public port.
            // 1200 input and 300 output tokens of gpt-4o at $2.50 and $10 per million: $0.006.
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                java.time.LocalDate today = java.time.LocalDate.now(java.time.ZoneOffset.UTC);
                HttpResponse<String> spend = http.send(HttpRequest.newBuilder(URI.create(p.apiUrl()
                        + "/v1/spend?from=" + today.minusDays(1) + "&to=" + today.plusDays(2)
                        + "&granularity=day&group_by=model"))
                        .header("Authorization", "Bearer " + p.demo().apiKey()).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(spend.statusCode()).isEqualTo(200);
                assertThat(spend.body()).contains("\"cost_usd\":\"0.006000000\"").contains("gpt-4o");
            });
            assertThat(http.send(HttpRequest.newBuilder(URI.create(p.apiUrl() + "/v1/spend?from=2026-01-01"
                    + "&to=2026-01-02&granularity=day")).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .as("no API key").isEqualTo(401);
            p.clickhouse().execute("CREATE TABLE kept (x UInt8) ENGINE = MergeTree ORDER BY x");
            p.clickhouse().execute("INSERT INTO kept SELECT 7");
        }

        try (LocalPipeline p = LocalPipeline.start(LocalConfig.from(settings), settings)) {
            var registry = new SchemaRegistryClient(SchemaRegistryConfig.of(p.registry().confluentApiUrl()));
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, p.kafka().bootstrapServers());
            props.put(ConsumerConfig.GROUP_ID_CONFIG, "local-it");
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                    AvroSerde.specific(UsageEvent.class, registry, false))) {
                consumer.subscribe(java.util.List.of(Topics.USAGE_EVENTS.name()));
                java.util.List<UsageEvent> read = new java.util.ArrayList<>();
                // Read through the restarted registry: the schema ids in the records still resolve.
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    consumer.poll(Duration.ofMillis(500)).forEach(r -> read.add(r.value()));
                    assertThat(read).extracting(UsageEvent::getEventId).contains("e-1", "e-http-1");
                });
            }
            assertThat(p.clickhouse().query("SELECT x FROM kept", "TabSeparated").text().strip()).isEqualTo("7");
            // The demo key was kept (api-keys topic and the data directory) and still works.
            HttpClient http = HttpClient.newHttpClient();
            await().atMost(Duration.ofSeconds(30)).until(() -> postEvent(http, p, "e-http-2").statusCode() == 202);
        }
    }

    private static HttpResponse<String> postEvent(HttpClient http, LocalPipeline p, String id) throws Exception {
        String body = "{\"event_id\":\"" + id + "\",\"timestamp\":\"" + Instant.now() + "\",\"feature\":\"chat\","
                + "\"provider\":\"openai\",\"model\":\"gpt-4o\",\"input_tokens\":1200,\"output_tokens\":300}";
        return http.send(HttpRequest.newBuilder(URI.create(p.apiUrl() + "/v1/events"))
                .header("Authorization", "Bearer " + p.demo().apiKey()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
