package io.spendstream.ingest;

import static io.spendstream.ingest.IngestFixture.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.spendstream.embedded.KafkaTestCluster;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** close() lets a request whose events are on their way to Kafka finish with 202, then stops listening. */
class GracefulShutdownIT {
    @Test
    void closeDrainsInFlightRequestsFlushesTheProducerAndStopsListening() throws Exception {
        // A long linger keeps the events in the producer long enough to close the service meanwhile.
        IngestConfig config = IngestFixture.config(KafkaTestCluster.shared().bootstrapServers(), "shutdown",
                Map.of(IngestConfig.LINGER_MS, "1500"));
        IngestApi api = IngestFixture.startReady(config);
        int port = api.port();
        String key = IngestFixture.orgAndKey(api, "acme");
        String body = IntStream.range(0, 20).mapToObj(i -> event("\"event_id\":\"drain-" + i + "\""))
                .collect(Collectors.joining(",", "[", "]"));
        CompletableFuture<HttpResponse<String>> pending = IngestFixture.HTTP.sendAsync(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/v1/events"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).until(() -> api.eventsInFlight() == 20);
        assertThat(api.ready()).isTrue();
        CompletableFuture<Void> closing = CompletableFuture.runAsync(api::close);
        await().atMost(Duration.ofSeconds(2)).until(() -> !api.ready());
        HttpResponse<String> r = pending.get();
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(IngestFixture.json(r.body()).get("accepted").asInt()).isEqualTo(20);
        closing.get();
        assertThat(IngestFixture.readEvents(config, 20).stream().map(x -> x.value().getEventId())
                .filter(id -> id.startsWith("drain-")).distinct().count()).isEqualTo(20);
        assertThatThrownBy(() -> IngestFixture.get(port, "/health/live")).isInstanceOf(IllegalStateException.class);
    }
}
