package io.spendstream.ingest;

import static io.spendstream.ingest.IngestFixture.admin;
import static io.spendstream.ingest.IngestFixture.event;
import static io.spendstream.ingest.IngestFixture.get;
import static io.spendstream.ingest.IngestFixture.json;
import static io.spendstream.ingest.IngestFixture.postEvents;
import static io.spendstream.ingest.IngestFixture.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.spendstream.embedded.KafkaTestCluster;
import io.spendstream.schema.CallStatus;
import io.spendstream.schema.UsageEvent;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The public contract against a real broker and registry: every status code, body shapes, what reaches Kafka. */
class IngestApiIT {
    static IngestConfig config;
    static IngestApi api;
    static String key;
    static int port;

    @BeforeAll
    static void start() {
        config = IngestFixture.config(KafkaTestCluster.shared().bootstrapServers(), "api",
                Map.of(IngestConfig.MAX_EVENTS, "50", IngestConfig.MAX_BODY, "65536", IngestConfig.RATE, "0"));
        // Another module's route on the same port, authenticated with the service's Authenticator.
        api = IngestFixture.startReady(config, (router, self) -> router.get("/v1/test/whoami")
                .handler(self.authenticator().handler())
                .handler(ctx -> ctx.response().putHeader("Content-Type", "application/json")
                        .end("{\"org_id\":\"" + Authenticator.principal(ctx).orgId() + "\",\"key_id\":\""
                                + Authenticator.principal(ctx).keyId() + "\"}")));
        port = api.port();
        key = IngestFixture.orgAndKey(api, "acme");
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
    }

    static void assertProblem(HttpResponse<String> r, int status, String slug) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode p = json(r.body());
        assertThat(p.get("type").asText()).isEqualTo("https://spendstream.dev/problems/" + slug);
        assertThat(p.get("status").asInt()).isEqualTo(status);
        assertThat(p.get("title").asText()).isNotBlank();
        assertThat(p.get("detail").asText()).isNotBlank();
    }

    @Test
    void opsRoutesAnswer() {
        assertThat(get(port, "/health/live").statusCode()).isEqualTo(200);
        HttpResponse<String> ready = get(port, "/health/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(json(ready.body()).get("checks").get("key_table").asBoolean()).isTrue();
        HttpResponse<String> openapi = get(port, "/openapi.yaml");
        assertThat(openapi.statusCode()).isEqualTo(200);
        assertThat(openapi.body()).startsWith("openapi: 3.1");
        postEvents(port, key, "application/json", event(""));
        HttpResponse<String> metrics = get(port, "/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("spendstream_ingest_http_requests_seconds_count{method=\"POST\",route=\"/v1/events\",status=\"202\"}",
                "spendstream_ingest_events_accepted_total", "spendstream_ingest_produce_seconds",
                "spendstream_ingest_events_in_flight");
    }

    @Test
    void singleEventWithItsIdReachesKafkaWithEveryField() {
        HttpResponse<String> r = postEvents(port, key, "application/json", event("\"event_id\":\"evt-fields-1\","
                + "\"cost_usd\":\"0.012345678\",\"latency_ms\":850,\"status\":\"error\",\"error_code\":\"rate_limit\","
                + "\"user_id\":\"u-1\",\"session_id\":\"s-1\",\"cached_input_tokens\":7,\"cache_write_tokens\":8,"
                + "\"reasoning_tokens\":9,\"tags\":{\"team\":\"search\"},\"metadata\":{\"region\":\"eu\",\"n\":3,"
                + "\"ratio\":0.5,\"beta\":true}"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode body = json(r.body());
        assertThat(body.get("accepted").asInt()).isEqualTo(1);
        assertThat(body.get("event_ids").get(0).asText()).isEqualTo("evt-fields-1");
        assertThat(body.get("rejected")).isEmpty();

        UsageEvent e = find("evt-fields-1").value();
        assertThat(e.getEventIdAssigned()).isFalse();
        assertThat(e.getOrgId()).isEqualTo("acme");
        assertThat(e.getClientCostUsdNanos()).isEqualTo(12_345_678L);
        assertThat(e.getTimestamp()).isEqualTo(Instant.parse("2025-06-01T11:59:00Z"));
        assertThat(e.getReceivedAt()).isAfter(Instant.now().minusSeconds(120));
        assertThat(e.getInputTokens()).isEqualTo(100);
        assertThat(e.getOutputTokens()).isEqualTo(20);
        assertThat(e.getCachedInputTokens()).isEqualTo(7);
        assertThat(e.getCacheWriteTokens()).isEqualTo(8);
        assertThat(e.getReasoningTokens()).isEqualTo(9);
        assertThat(e.getLatencyMs()).isEqualTo(850L);
        assertThat(e.getStatus()).isEqualTo(CallStatus.ERROR);
        assertThat(e.getErrorCode()).isEqualTo("rate_limit");
        assertThat(e.getUserId()).isEqualTo("u-1");
        assertThat(e.getSessionId()).isEqualTo("s-1");
        assertThat(e.getTags()).isEqualTo(Map.of("team", "search"));
        assertThat(e.getMetadata()).isEqualTo(Map.of("region", "eu", "n", 3L, "ratio", 0.5, "beta", true));
        assertThat(e.getApiKeyId()).startsWith("key_");
        assertThat(find("evt-fields-1").key()).isEqualTo("acme");
    }

    private static ConsumerRecord<String, UsageEvent> find(String eventId) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> IngestFixture.readEvents(config, 1).stream()
                .filter(rec -> rec.value().getEventId().equals(eventId)).findFirst().orElse(null), x -> x != null);
    }

    @Test
    void eventWithoutIdGetsAnAssignedIdThatIsReturnedAndStoredAndCostAsNumberIsExact() {
        HttpResponse<String> r = postEvents(port, key, "application/json", event("\"cost_usd\":0.1"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        String id = json(r.body()).get("event_ids").get(0).asText();
        assertThat(id).matches("[0-9a-f-]{36}");
        UsageEvent e = find(id).value();
        assertThat(e.getEventIdAssigned()).isTrue();
        assertThat(e.getClientCostUsdNanos()).isEqualTo(100_000_000L);
    }

    @Test
    void mixedArrayBatchAcceptsTheValidEventsAndListsTheInvalidByIndex() {
        String body = "[" + event("\"event_id\":\"mix-0\"") + "," + event("\"input_tokens\":-1").replace(
                "\"input_tokens\":100,", "") + "," + event("\"event_id\":\"mix-2\"") + ","
                + event("\"colour\":\"blue\"") + ",42]";
        HttpResponse<String> r = postEvents(port, key, "application/json", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        JsonNode b = json(r.body());
        assertThat(b.get("accepted").asInt()).isEqualTo(2);
        assertThat(b.get("event_ids").toString()).isEqualTo("[\"mix-0\",\"mix-2\"]");
        JsonNode rej = b.get("rejected");
        assertThat(rej).hasSize(3);
        assertThat(rej.get(0).toString()).isEqualTo("{\"index\":1,\"field\":\"input_tokens\",\"error\":\"must be >= 0\"}");
        assertThat(rej.get(1).get("index").asInt()).isEqualTo(3);
        assertThat(rej.get(1).get("field").asText()).isEqualTo("colour");
        assertThat(rej.get(1).get("error").asText()).isEqualTo("unknown field");
        assertThat(rej.get(2).get("index").asInt()).isEqualTo(4);
        assertThat(find("mix-2").value().getOrgId()).isEqualTo("acme");
    }

    @Test
    void ndjsonBodyIsAccepted() {
        String body = event("\"event_id\":\"nd-0\"") + "\n" + event("\"event_id\":\"nd-1\"") + "\n\n{broken\n";
        HttpResponse<String> r = postEvents(port, key, "application/x-ndjson", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        JsonNode b = json(r.body());
        assertThat(b.get("event_ids").toString()).isEqualTo("[\"nd-0\",\"nd-1\"]");
        assertThat(b.get("rejected").get(0).get("index").asInt()).isEqualTo(2);
        assertThat(find("nd-1").value().getEventId()).isEqualTo("nd-1");
    }

    @Test
    void batchWithNoValidEventIs400WithTheSameBodyShape() {
        HttpResponse<String> r = postEvents(port, key, "application/json",
                "[" + event("\"org_id\":\"other\"") + "," + event("\"status\":\"maybe\"") + "]");
        assertProblem(r, 400, "validation-failed");
        JsonNode b = json(r.body());
        assertThat(b.get("accepted").asInt()).isZero();
        assertThat(b.get("event_ids")).isEmpty();
        assertThat(b.get("rejected").get(0).get("field").asText()).isEqualTo("org_id");
        assertThat(b.get("rejected").get(1).get("field").asText()).isEqualTo("status");
    }

    @Test
    void unreadableBodyIs400InvalidBody() {
        assertProblem(postEvents(port, key, "application/json", "{\"timestamp\":"), 400, "invalid-body");
        assertProblem(postEvents(port, key, "application/json", "\"just a string\""), 400, "invalid-body");
        assertProblem(send(port, "POST", "/v1/events", Map.of("Authorization", "Bearer " + key,
                "Content-Type", "application/json"), new byte[] {'{', '"', (byte) 0xC3, '"', '}'}), 400, "invalid-body");
    }

    @Test
    void missingUnknownOrMalformedKeyIs401() {
        assertProblem(postEvents(port, null, "application/json", event("")), 401, "unauthorized");
        assertProblem(postEvents(port, "sk_notakey", "application/json", event("")), 401, "unauthorized");
        HttpResponse<String> basic = send(port, "POST", "/v1/events", Map.of("Authorization", "Basic eDp5",
                "Content-Type", "application/json"), event("").getBytes());
        assertProblem(basic, 401, "unauthorized");
        assertThat(basic.headers().firstValue("WWW-Authenticate")).isPresent();
    }

    @Test
    void otherContentTypesAre415() {
        assertProblem(postEvents(port, key, "text/plain", event("")), 415, "unsupported-media-type");
        assertProblem(postEvents(port, key, null, event("")), 415, "unsupported-media-type");
        assertProblem(postEvents(port, key, "application/json; charset=iso-8859-1", event("")), 415,
                "unsupported-media-type");
    }

    @Test
    void tooLargeBodyOrTooManyEventsIs413() {
        String big = "[" + (event("\"metadata\":{\"x\":\"" + "y".repeat(1000) + "\"}") + ",").repeat(70) + event("") + "]";
        assertThat(big.length()).isGreaterThan(65536);
        assertProblem(postEvents(port, key, "application/json", big), 413, "payload-too-large");
        String many = "[" + (event("") + ",").repeat(50) + event("") + "]"; // 51 > 50, small body
        assertProblem(postEvents(port, key, "application/json", many), 413, "payload-too-large");
        // and the connection pool still works afterwards
        assertThat(postEvents(port, key, "application/json", event("")).statusCode()).isEqualTo(202);
    }

    @Test
    void routesOfOtherModulesOnThePortAuthenticateWithTheSameKeys() {
        HttpResponse<String> ok = send(port, "GET", "/v1/test/whoami", Map.of("Authorization", "Bearer " + key), null);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(json(ok.body()).get("org_id").asText()).isEqualTo("acme");
        assertThat(json(ok.body()).get("key_id").asText()).startsWith("key_");
        assertProblem(send(port, "GET", "/v1/test/whoami", Map.of("Authorization", "Bearer sk_wrong"), null), 401,
                "unauthorized");
        assertThat(get(port, "/metrics").body()).contains("route=\"/v1/test/whoami\"");
    }

    @Test
    void unknownRouteIs404Problem() {
        assertProblem(get(port, "/v1/nothing"), 404, "not-found");
    }

    @Test
    void adminApiCreatesOrgsAndKeysAndRevokesKeys() {
        assertProblem(admin(port, "POST", "/v1/admin/orgs", "{\"org_id\":\"acme\",\"name\":\"Again\"}"), 409, "conflict");
        HttpResponse<String> created = admin(port, "POST", "/v1/admin/orgs", "{\"org_id\":\"globex\",\"name\":\"Globex\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(json(created.body()).get("org_id").asText()).isEqualTo("globex");
        assertProblem(admin(port, "POST", "/v1/admin/orgs", "{\"org_id\":\"Bad Org\",\"name\":\"x\"}"), 400,
                "invalid-request");
        assertProblem(admin(port, "POST", "/v1/admin/orgs", "{\"org_id\":\"ok\",\"name\":\"x\",\"extra\":1}"), 400,
                "invalid-request");
        assertProblem(admin(port, "POST", "/v1/admin/orgs/nobody/keys", "{}"), 404, "not-found");
        assertProblem(send(port, "POST", "/v1/admin/orgs", Map.of("Authorization", "Bearer wrong-token-000000000",
                "Content-Type", "application/json"), "{\"org_id\":\"x\",\"name\":\"x\"}".getBytes()), 401, "unauthorized");
        assertProblem(send(port, "POST", "/v1/admin/orgs", Map.of("Content-Type", "application/json"),
                "{}".getBytes()), 401, "unauthorized");

        JsonNode k = IngestFixture.createKey(api, "globex");
        String plaintext = k.get("api_key").asText();
        assertThat(k.get("prefix").asText()).hasSize(8).isEqualTo(plaintext.substring(0, 8));
        assertThat(k.get("key_id").asText()).startsWith("key_");
        HttpResponse<String> ok = postEvents(port, plaintext, "application/json", event("\"event_id\":\"globex-1\""));
        assertThat(ok.statusCode()).isEqualTo(202);
        assertThat(find("globex-1").value().getOrgId()).isEqualTo("globex");

        String keyPath = "/v1/admin/orgs/globex/keys/" + k.get("key_id").asText();
        assertProblem(admin(port, "DELETE", "/v1/admin/orgs/acme/keys/" + k.get("key_id").asText(), null), 404,
                "not-found");
        assertProblem(admin(port, "DELETE", "/v1/admin/orgs/globex/keys/key_0000", null), 404, "not-found");
        assertThat(admin(port, "DELETE", keyPath, null).statusCode()).isEqualTo(204);
        assertThat(admin(port, "DELETE", keyPath, null).statusCode()).isEqualTo(204);
        assertProblem(postEvents(port, plaintext, "application/json", event("")), 401, "unauthorized");
    }

    @Test
    void keyRevokedThroughOneInstanceStopsWorkingOnAnother() {
        try (IngestApi second = IngestFixture.startReady(config)) {
            JsonNode k = IngestFixture.createKey(api, "acme");
            String plaintext = k.get("api_key").asText();
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    postEvents(second.port(), plaintext, "application/json", event("")).statusCode() == 202);
            assertThat(admin(port, "DELETE", "/v1/admin/orgs/acme/keys/" + k.get("key_id").asText(), null).statusCode())
                    .isEqualTo(204);
            long revokedAt = System.nanoTime();
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() ->
                    postEvents(second.port(), plaintext, "application/json", event("")).statusCode() == 401);
            System.out.printf("revocation reached the second instance after %d ms%n",
                    (System.nanoTime() - revokedAt) / 1_000_000);
            // and an org created on the first is known on the second
            assertThat(admin(second.port(), "POST", "/v1/admin/orgs", "{\"org_id\":\"acme\",\"name\":\"x\"}")
                    .statusCode()).isEqualTo(409);
        }
    }

    @Test
    void rateLimitPerKeyAnswers429WithRetryAfter() {
        IngestConfig limited = IngestFixture.config(KafkaTestCluster.shared().bootstrapServers(), "rate",
                Map.of(IngestConfig.RATE, "1", IngestConfig.BURST, "3"));
        try (IngestApi small = IngestFixture.startReady(limited)) {
            String k = IngestFixture.orgAndKey(small, "acme");
            String three = "[" + event("") + "," + event("") + "," + event("") + "]";
            assertThat(postEvents(small.port(), k, "application/json", three).statusCode()).isEqualTo(202);
            HttpResponse<String> r = postEvents(small.port(), k, "application/json", "[" + event("") + "," + event("") + "]");
            assertProblem(r, 429, "rate-limited");
            assertThat(r.headers().firstValue("Retry-After")).hasValue("2");
            // another key of the same org has its own bucket
            String other = IngestFixture.createKey(small, "acme").get("api_key").asText();
            assertThat(postEvents(small.port(), other, "application/json", event("")).statusCode()).isEqualTo(202);
        }
    }

    @Test
    void everyEventOfABatchLandsOnceWithItsOrgKey() {
        String body = java.util.stream.IntStream.range(0, 50).mapToObj(i -> event("\"event_id\":\"bulk-" + i + "\""))
                .collect(Collectors.joining(",", "[", "]"));
        HttpResponse<String> r = postEvents(port, key, "application/json", body);
        assertThat(r.statusCode()).isEqualTo(202);
        List<ConsumerRecord<String, UsageEvent>> all = await().atMost(Duration.ofSeconds(30)).until(
                () -> IngestFixture.readEvents(config, 50),
                recs -> recs.stream().filter(x -> x.value().getEventId().startsWith("bulk-")).count() >= 50);
        assertThat(all.stream().filter(x -> x.value().getEventId().startsWith("bulk-")).map(x -> x.value().getEventId())
                .distinct().count()).isEqualTo(50);
    }
}
