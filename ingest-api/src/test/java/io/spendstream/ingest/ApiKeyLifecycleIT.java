package io.spendstream.ingest;

import static io.spendstream.ingest.IngestApiIT.assertProblem;
import static io.spendstream.ingest.IngestFixture.admin;
import static io.spendstream.ingest.IngestFixture.event;
import static io.spendstream.ingest.IngestFixture.json;
import static io.spendstream.ingest.IngestFixture.postEvents;
import static io.spendstream.ingest.IngestFixture.send;
import static io.spendstream.ingest.IngestFixture.withKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.spendstream.embedded.KafkaTestCluster;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Keys as operators use them, against a real broker and registry: scopes, expiry, listing with the last use,
 * deleting an org (measured on a second instance), and rotating the admin tokens file without a restart. The
 * spend query upstream is down on purpose: a 403 must be answered before anything is forwarded.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ApiKeyLifecycleIT {
    private static final String OPS_TOKEN = "ops-token-0123456789abcdef";
    static Path tokensFile;
    static IngestConfig config;
    static IngestApi api;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        tokensFile = Files.createTempFile("admin-tokens", ".txt");
        Files.writeString(tokensFile, "# rotated by the test\nops:" + OPS_TOKEN + "\n");
        config = IngestFixture.config(KafkaTestCluster.shared().bootstrapServers(), "keys",
                Map.of(IngestConfig.ADMIN_TOKENS_FILE, tokensFile.toString(), IngestConfig.RATE, "0",
                        IngestConfig.QUERY_URL, "http://127.0.0.1:9", IngestConfig.QUERY_TIMEOUT, "1s"));
        api = IngestFixture.startReady(config);
        port = api.port();
        assertThat(admin(port, "POST", "/v1/admin/orgs", "{\"org_id\":\"lc\",\"name\":\"Lifecycle\"}").statusCode())
                .isEqualTo(201);
    }

    @AfterAll
    static void stop() throws Exception {
        if (api != null) {
            api.close();
        }
        Files.deleteIfExists(tokensFile);
    }

    private static JsonNode createKey(String org, String body) {
        HttpResponse<String> r = admin(port, "POST", "/v1/admin/orgs/" + org + "/keys", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return json(r.body());
    }

    private static JsonNode listed(String org, String keyId) {
        HttpResponse<String> r = admin(port, "GET", "/v1/admin/orgs/" + org + "/keys", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        for (JsonNode k : json(r.body()).get("keys")) {
            if (k.get("key_id").asText().equals(keyId)) {
                return k;
            }
        }
        throw new AssertionError(keyId + " not listed: " + r.body());
    }

    @Test
    void aKeyWithoutSpendReadIsForbiddenBeforeAnythingIsForwarded() {
        JsonNode writer = createKey("lc", "{\"name\":\"ingest only\",\"scopes\":[\"events:write\"]}");
        assertThat(writer.get("scopes").toString()).isEqualTo("[\"events:write\"]");
        String writerKey = writer.get("api_key").asText();
        String fullKey = createKey("lc", "{}").get("api_key").asText();

        HttpResponse<String> forbidden = withKey(port, writerKey, "GET", "/v1/spend?from=2026-01-01&to=2026-02-01", null);
        assertProblem(forbidden, 403, "forbidden");
        assertThat(json(forbidden.body()).get("missing_scope").asText()).isEqualTo("spend:read");
        // The same request with every scope is forwarded, and the upstream is down: so the 403 came first.
        assertThat(withKey(port, fullKey, "GET", "/v1/spend?from=2026-01-01&to=2026-02-01", null).statusCode())
                .isEqualTo(503);
        assertProblem(withKey(port, writerKey, "PUT", "/v1/budgets/b1", "{}"), 403, "forbidden");
        assertThat(postEvents(port, writerKey, "application/json", event("")).statusCode()).isEqualTo(202);
        assertProblem(admin(port, "POST", "/v1/admin/orgs/lc/keys", "{\"scopes\":[\"root\"]}"), 400, "invalid-request");
    }

    @Test
    void theListingShowsEachKeyWithItsLastUseAndNeverItsSecret() {
        Instant expiry = Instant.now().plus(30, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        JsonNode k = createKey("lc", "{\"name\":\"ci\",\"scopes\":[\"spend:read\",\"events:write\"],"
                + "\"expires_at\":\"" + expiry + "\"}");
        String keyId = k.get("key_id").asText();
        JsonNode before = listed("lc", keyId);
        assertThat(before.get("prefix").asText()).isEqualTo(k.get("prefix").asText());
        assertThat(before.get("name").asText()).isEqualTo("ci");
        assertThat(before.get("expires_at").asText()).isEqualTo(expiry.toString());
        assertThat(before.get("scopes").toString()).isEqualTo("[\"events:write\",\"spend:read\"]");
        assertThat(before.get("state").asText()).isEqualTo("active");
        assertThat(before.get("last_used_at").isNull()).isTrue();
        assertThat(before.has("api_key") || before.has("sha256")).isFalse();
        assertThat(admin(port, "GET", "/v1/admin/orgs/lc/keys", null).body())
                .doesNotContain(k.get("api_key").asText());

        Instant used = Instant.now();
        assertThat(postEvents(port, k.get("api_key").asText(), "application/json", event("")).statusCode())
                .isEqualTo(202);
        JsonNode after = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250))
                .until(() -> listed("lc", keyId), n -> !n.get("last_used_at").isNull());
        Instant lastUsed = Instant.parse(after.get("last_used_at").asText());
        assertThat(lastUsed).isBetween(used.truncatedTo(ChronoUnit.MINUTES), Instant.now())
                .isEqualTo(lastUsed.truncatedTo(ChronoUnit.MINUTES));

        assertThat(admin(port, "DELETE", "/v1/admin/orgs/lc/keys/" + keyId, null).statusCode()).isEqualTo(204);
        assertThat(listed("lc", keyId).get("state").asText()).isEqualTo("revoked");
        assertProblem(admin(port, "GET", "/v1/admin/orgs/nobody/keys", null), 404, "not-found");
    }

    @Test
    void anExpiredKeyGets401SayingItExpired() throws Exception {
        for (String bad : new String[] {"\"2020-01-01T00:00:00Z\"", "\"" + Instant.now().plus(800, ChronoUnit.DAYS) + "\"",
                "\"tomorrow\""}) {
            assertProblem(admin(port, "POST", "/v1/admin/orgs/lc/keys", "{\"expires_at\":" + bad + "}"), 400,
                    "invalid-request");
        }
        Instant expiry = Instant.now().plusSeconds(2).truncatedTo(ChronoUnit.MILLIS);
        String key = createKey("lc", "{\"expires_at\":\"" + expiry + "\"}").get("api_key").asText();
        assertThat(postEvents(port, key, "application/json", event("")).statusCode()).isEqualTo(202);
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), expiry).toMillis() + 100));
        HttpResponse<String> r = postEvents(port, key, "application/json", event(""));
        assertProblem(r, 401, "key-expired");
        assertThat(json(r.body()).get("detail").asText()).contains("expired").doesNotContain("lc");
        assertThat(r.headers().firstValue("WWW-Authenticate")).isPresent();
    }

    @Test
    void deletingAnOrgStopsItsKeysOnEveryInstanceWithinSeconds() {
        assertThat(admin(port, "POST", "/v1/admin/orgs", "{\"org_id\":\"doomed\",\"name\":\"Doomed\"}").statusCode())
                .isEqualTo(201);
        String key = createKey("doomed", "{}").get("api_key").asText();
        try (IngestApi second = IngestFixture.startReady(config)) {
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    postEvents(second.port(), key, "application/json", event("")).statusCode() == 202);
            assertThat(admin(port, "DELETE", "/v1/admin/orgs/doomed", null).statusCode()).isEqualTo(204);
            long deletedAt = System.nanoTime();
            assertProblem(postEvents(port, key, "application/json", event("")), 401, "unauthorized");
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() ->
                    postEvents(second.port(), key, "application/json", event("")).statusCode() == 401);
            long millis = (System.nanoTime() - deletedAt) / 1_000_000;
            System.out.printf("org deletion reached the second instance after %d ms%n", millis);
            assertThat(millis).isLessThan(5_000);
        }
        assertThat(admin(port, "DELETE", "/v1/admin/orgs/doomed", null).statusCode()).as("idempotent").isEqualTo(204);
        assertProblem(admin(port, "POST", "/v1/admin/orgs", "{\"org_id\":\"doomed\",\"name\":\"Again\"}"), 409,
                "conflict");
        assertProblem(admin(port, "POST", "/v1/admin/orgs/doomed/keys", "{}"), 409, "conflict");
        assertThat(json(admin(port, "GET", "/v1/admin/orgs/doomed/keys", null).body()).get("org_deleted_at").isNull())
                .isFalse();
        assertProblem(admin(port, "DELETE", "/v1/admin/orgs/never-was", null), 404, "not-found");
    }

    @Test
    void aRotatedAdminTokensFileTakesEffectWithoutARestart() throws Exception {
        String rotated = "ops-token-rotated-0123456789";
        assertThat(asAdmin(OPS_TOKEN).statusCode()).isEqualTo(200);
        assertThat(asAdmin(rotated).statusCode()).isEqualTo(401);
        Path next = Files.createTempFile(tokensFile.getParent(), "admin-tokens", ".next");
        Files.writeString(next, "ops-2026:" + rotated + "\n");
        Files.move(next, tokensFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        long rotatedAt = System.nanoTime();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> asAdmin(rotated).statusCode() == 200);
        System.out.printf("admin token rotation took effect after %d ms%n", (System.nanoTime() - rotatedAt) / 1_000_000);
        assertProblem(asAdmin(OPS_TOKEN), 401, "unauthorized");
        assertThat(asAdmin(IngestFixture.ADMIN_TOKEN).statusCode()).as("SPENDSTREAM_ADMIN_TOKEN stays").isEqualTo(200);
    }

    private static HttpResponse<String> asAdmin(String token) {
        return send(port, "GET", "/v1/admin/orgs/lc/keys", Map.of("Authorization", "Bearer " + token), null);
    }
}
