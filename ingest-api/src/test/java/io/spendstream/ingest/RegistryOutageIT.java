package io.spendstream.ingest;

import static io.spendstream.ingest.IngestFixture.event;
import static io.spendstream.ingest.IngestFixture.postEvents;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.spendstream.embedded.EmbeddedSchemaRegistry;
import io.spendstream.embedded.KafkaTestCluster;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * With the schema registry refusing writes (POST answered 503 by a small proxy in front of the real registry,
 * test code only; reads still pass so that the key table can be decoded), an instance that has not yet
 * registered the event schema answers 503 with Retry-After, never 202; readiness reports the registry down;
 * when the registry recovers, ingest resumes.
 */
class RegistryOutageIT {
    @Test
    void registryUnavailableMeans503AndNotReadyThenIngestResumes() throws Exception {
        String real = EmbeddedSchemaRegistry.shared().confluentApiUrl();
        AtomicBoolean down = new AtomicBoolean(false);
        HttpServer proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        proxy.createContext("/", exchange -> {
            try (exchange) {
                if (down.get() && !exchange.getRequestMethod().equals("GET")) {
                    exchange.sendResponseHeaders(503, -1);
                    return;
                }
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(real + exchange.getRequestURI().toString()
                        .substring("/apis/ccompat/v7".length())))
                        .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(
                                exchange.getRequestBody().readAllBytes()));
                String ct = exchange.getRequestHeaders().getFirst("Content-Type");
                if (ct != null) {
                    b.header("Content-Type", ct);
                }
                HttpResponse<byte[]> r = IngestFixture.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
                exchange.getResponseHeaders().add("Content-Type",
                        r.headers().firstValue("Content-Type").orElse("application/json"));
                exchange.sendResponseHeaders(r.statusCode(), r.body().length == 0 ? -1 : r.body().length);
                exchange.getResponseBody().write(r.body());
            } catch (Exception e) {
                exchange.sendResponseHeaders(502, -1);
            }
        });
        proxy.start();
        String proxied = "http://127.0.0.1:" + proxy.getAddress().getPort() + "/apis/ccompat/v7";
        // Topic names unique to this test, so the event schema is registered under a subject nobody registered yet.
        IngestConfig config = IngestFixture.config(KafkaTestCluster.shared().bootstrapServers(), "registry",
                Map.of(IngestConfig.REGISTRY_URL, proxied));
        try {
            IngestApi.ensureTopics(config, Duration.ofSeconds(30));
            String key;
            // A first instance with a working registry creates the org and key (their schemas get registered).
            IngestConfig adminOnly = IngestFixture.config(KafkaTestCluster.shared().bootstrapServers(), "registry",
                    Map.of(IngestConfig.REGISTRY_URL, proxied, IngestConfig.TOPIC_USAGE_EVENTS, config.usageEventsTopic(),
                            IngestConfig.TOPIC_API_KEYS, config.apiKeysTopic(), IngestConfig.TOPIC_ORGS, config.orgsTopic()));
            try (IngestApi first = IngestFixture.startReady(adminOnly)) {
                key = IngestFixture.orgAndKey(first, "acme");
                down.set(true);
                await().atMost(Duration.ofSeconds(15)).until(() -> IngestFixture.get(first.port(), "/health/ready")
                        .statusCode() == 503);
                assertThat(IngestFixture.get(first.port(), "/health/ready").body()).contains("\"schema_registry\":false");
                // ids already known are cached: the first instance keeps accepting durably
                assertThat(postEvents(first.port(), key, "application/json", event("")).statusCode()).isEqualTo(202);
            }
            // A fresh instance must register the event schema, which the registry now refuses.
            try (IngestApi second = IngestApi.start(config)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> IngestFixture.get(second.port(), "/health/ready")
                        .body().contains("\"key_table\":true"));
                assertThat(IngestFixture.get(second.port(), "/health/ready").statusCode()).isEqualTo(503);
                for (int i = 0; i < 3; i++) {
                    HttpResponse<String> r = postEvents(second.port(), key, "application/json", event(""));
                    IngestApiIT.assertProblem(r, 503, "unavailable");
                    assertThat(r.headers().firstValue("Retry-After")).isPresent();
                    assertThat(IngestFixture.json(r.body()).get("detail").asText()).contains("schema registry");
                }
                down.set(false);
                await().atMost(Duration.ofSeconds(15)).until(() -> IngestFixture.get(second.port(), "/health/ready")
                        .statusCode() == 200);
                assertThat(postEvents(second.port(), key, "application/json", event("")).statusCode()).isEqualTo(202);
            }
        } finally {
            proxy.stop(0);
        }
    }
}
