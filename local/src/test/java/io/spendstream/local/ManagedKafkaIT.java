package io.spendstream.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.spendstream.config.KafkaAccess;
import io.spendstream.config.KafkaClientSettings;
import io.spendstream.config.Settings;
import io.spendstream.embedded.EmbeddedKafka;
import io.spendstream.embedded.LoopbackPorts;
import io.spendstream.embedded.TestCertificates;
import io.spendstream.ingest.IngestApi;
import io.spendstream.ingest.IngestConfig;
import io.spendstream.processor.StreamProcessorApp;
import io.spendstream.processor.StreamProcessorConfig;
import io.spendstream.sink.ClickHouseSink;
import io.spendstream.sink.SinkApp;
import io.spendstream.sink.SinkConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline on a managed-Kafka style broker: a SASL_SSL listener with SCRAM-SHA-512 and a server
 * certificate from a private CA, reached only through the SPENDSTREAM_KAFKA_* pass-through settings
 * (the JAAS line from a _FILE, a PEM trust store). Then each service with a wrong password must stop
 * at start-up naming the setting, without printing the password.
 */
@Timeout(600)
class ManagedKafkaIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String USER = "spendstream";
    private static final String PASSWORD = "s3cret-scram-password-4711";
    private static final String WRONG_PASSWORD = "wrong-password-0815-not-this";

    @TempDir
    static Path dir;

    private static EmbeddedKafka broker;
    private static Path caPem;

    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startBroker() throws Exception {
        TestCertificates ca = TestCertificates.newAuthority("spendstream test CA");
        caPem = ca.writeAuthorityPem(dir.resolve("ca.pem"));
        Path keyStore = ca.issue("localhost", List.of("localhost"), List.of("127.0.0.1"))
                .writeKeyStore(dir.resolve("broker.p12"), "broker-store".toCharArray());
        int[] ports = LoopbackPorts.freePorts(3);
        broker = EmbeddedKafka.start(dir.resolve("kafka"), ports[0], ports[1],
                new EmbeddedKafka.SaslSslListener(ports[2], keyStore, "broker-store"));
        broker.upsertScramUser(USER, PASSWORD);
        // The broker applies the new credential from the metadata log moments after the controller has it.
        KafkaClientSettings client = KafkaClientSettings.from(Settings.of(managed(PASSWORD)));
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            try (Admin admin = Admin.create(client.clientProperties())) {
                KafkaAccess.verify(admin, client, Duration.ofSeconds(5));
            }
        });
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    /** The settings an operator sets for a SASL_SSL cluster; the JAAS line, with the password, comes from a file. */
    private static Map<String, String> managed(String password) throws Exception {
        Path jaas = Files.writeString(dir.resolve("jaas-" + password.hashCode() + ".conf"),
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + USER
                        + "\" password=\"" + password + "\";\n");
        return Map.of(
                KafkaClientSettings.BOOTSTRAP, broker.saslSslBootstrapServers(),
                "SPENDSTREAM_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "SPENDSTREAM_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "SPENDSTREAM_KAFKA_SASL_JAAS_CONFIG_FILE", jaas.toString(),
                "SPENDSTREAM_KAFKA_SSL_TRUSTSTORE_TYPE", "PEM",
                "SPENDSTREAM_KAFKA_SSL_TRUSTSTORE_LOCATION", caPem.toString());
    }

    @Test
    void shouldPriceEventsPostedOverHttpWithTheWholePipelineOnSaslSsl() throws Exception {
        Map<String, String> s = new HashMap<>(LocalConfig.onFreePorts(dir.resolve("pipeline")));
        s.putAll(managed(PASSWORD));
        s.put(LocalConfig.EXTERNAL_KAFKA, broker.saslSslBootstrapServers());
        Settings settings = Settings.of(s);
        try (LocalPipeline pipeline = LocalPipeline.start(LocalConfig.from(settings), settings)) {
            assertThat(pipeline.kafka()).as("no embedded broker of its own").isNull();
            await().atMost(Duration.ofSeconds(60)).until(() -> send(pipeline, "GET", "/health/ready", null, null)
                    .statusCode() == 200);
            String key = JSON.readTree(send(pipeline, "POST", "/v1/admin/orgs/" + pipeline.demo().orgId() + "/keys",
                    pipeline.adminToken(), "{\"name\":\"managed\"}").body()).get("api_key").asText();
            Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofMinutes(1));
            ArrayNode events = JSON.createArrayNode();
            for (int i = 0; i < 20; i++) {
                events.addObject().put("event_id", "managed-" + i).put("timestamp", at.toString())
                        .put("feature", "sasl").put("provider", "openai").put("model", "gpt-4o")
                        .put("input_tokens", 1_000).put("output_tokens", 100);
            }
            HttpResponse<String> accepted = send(pipeline, "POST", "/v1/events", key, events.toString());
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);

            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                    assertThat(pipeline.clickhouse().query("SELECT count(), countIf(priced), min(cost_usd_nanos)"
                            + " FROM spendstream.priced_events FINAL WHERE feature = 'sasl'", "TabSeparated",
                            Map.of()).text().strip()).matches("20\t20\t[1-9][0-9]*"));
        }
    }

    @Test
    void shouldStopEachServiceAtStartUpNamingTheSaslSettingWithoutPrintingThePassword() throws Exception {
        Map<String, String> s = new HashMap<>(managed(WRONG_PASSWORD));
        s.put(StreamProcessorConfig.STATE_DIR, dir.resolve("wrong-state").toString());
        s.put(StreamProcessorConfig.HTTP_PORT, "0");
        s.put(SinkConfig.HTTP_PORT, "0");
        s.put(IngestConfig.HTTP_PORT, "0");
        Settings settings = Settings.of(s);
        Map<String, Runnable> services = Map.of(
                "stream-processor", () -> StreamProcessorApp.start(StreamProcessorConfig.from(settings), r -> { }).close(),
                // the check comes before the sink touches ClickHouse or the registry, so neither is given
                "sink-clickhouse", () -> SinkApp.start(SinkConfig.from(settings), null, false, null,
                        ClickHouseSink.Hooks.NONE, r -> { }).close(),
                "ingest-api topics", () -> IngestApi.ensureTopics(IngestConfig.from(settings), Duration.ofSeconds(30)),
                "ingest-api", () -> IngestApi.start(IngestConfig.from(settings)).close());
        for (var service : services.entrySet()) {
            long t0 = System.nanoTime();
            Throwable failure = catchThrowable(service.getValue()::run);
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(failure).as(service.getKey()).isInstanceOfAny(IllegalStateException.class,
                    io.spendstream.config.ConfigException.class);
            assertThat(failure.getMessage()).as(service.getKey()).contains("SPENDSTREAM_KAFKA_SASL_JAAS_CONFIG")
                    .doesNotContain(WRONG_PASSWORD);
            assertThat(took).as(service.getKey()).isLessThan(Duration.ofSeconds(15));
        }
    }

    private HttpResponse<String> send(LocalPipeline p, String method, String path, String bearer, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(p.apiUrl() + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
