package io.spendstream.ingest;

import static io.spendstream.ingest.IngestFixture.event;
import static io.spendstream.ingest.IngestFixture.json;
import static io.spendstream.ingest.IngestFixture.postEvents;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.spendstream.embedded.KafkaTestCluster;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** With the broker stopped nothing is answered 202: 503 with Retry-After; the in-flight bound answers 503 at once. */
class BrokerOutageIT {
    static KafkaTestCluster kafka;
    static IngestApi api;
    static IngestConfig config;
    static String key;

    @BeforeAll
    static void start() {
        kafka = KafkaTestCluster.start();
        config = IngestFixture.config(kafka.bootstrapServers(), "outage", Map.of(
                IngestConfig.DELIVERY_TIMEOUT, "3s", IngestConfig.REQUEST_TIMEOUT, "1s", IngestConfig.MAX_BLOCK, "1s",
                IngestConfig.LINGER_MS, "0", IngestConfig.MAX_IN_FLIGHT, "100", IngestConfig.RETRY_AFTER, "2"));
        api = IngestFixture.startReady(config);
        key = IngestFixture.orgAndKey(api, "acme");
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void brokerDownMeans503WithRetryAfterAndNo202ThenIngestResumes() {
        assertThat(postEvents(api.port(), key, "application/json", event("")).statusCode()).isEqualTo(202);
        kafka.stopBroker();
        List<Integer> statuses = new ArrayList<>();
        try {
            // One request of 100 events fills the in-flight bound while its sends wait for the dead broker ...
            String hundred = IntStream.range(0, 100).mapToObj(i -> event("\"event_id\":\"down-" + i + "\""))
                    .collect(Collectors.joining(",", "[", "]"));
            CompletableFuture<HttpResponse<String>> pending = IngestFixture.HTTP.sendAsync(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + api.port() + "/v1/events"))
                    .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(hundred)).build(), HttpResponse.BodyHandlers.ofString());
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                    .until(() -> api.eventsInFlight() == 100);
            // ... so the next one is refused at once, without waiting
            long t0 = System.nanoTime();
            HttpResponse<String> full = postEvents(api.port(), key, "application/json", event(""));
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(1000);
            IngestApiIT.assertProblem(full, 503, "unavailable");
            assertThat(json(full.body()).get("detail").asText()).contains("in flight");
            assertThat(full.headers().firstValue("Retry-After")).hasValue("2");
            statuses.add(full.statusCode());

            HttpResponse<String> first = pending.join();
            statuses.add(first.statusCode());
            IngestApiIT.assertProblem(first, 503, "unavailable");
            assertThat(first.headers().firstValue("Retry-After")).hasValue("2");
            // The 503 goes out at the first failed event, while the producer is still completing the request's
            // other events one callback after another; each gives its room back in its own callback.
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                    .until(() -> api.eventsInFlight() == 0);

            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = postEvents(api.port(), key, "application/json", event(""));
                statuses.add(r.statusCode());
                assertThat(r.headers().firstValue("Retry-After")).isPresent();
            }
            await().atMost(Duration.ofSeconds(15)).until(() -> IngestFixture.get(api.port(), "/health/ready")
                    .statusCode() == 503);
        } finally {
            kafka.restartBroker();
        }
        assertThat(statuses).containsOnly(503);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                postEvents(api.port(), key, "application/json", event("\"event_id\":\"after-restart\"")).statusCode() == 202);
        await().atMost(Duration.ofSeconds(15)).until(() -> IngestFixture.get(api.port(), "/health/ready").statusCode() == 200);
        assertThat(IngestFixture.readEvents(config, 2).stream().map(r -> r.value().getEventId()))
                .contains("after-restart");
    }
}
