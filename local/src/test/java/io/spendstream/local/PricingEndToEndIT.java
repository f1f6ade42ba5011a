package io.spendstream.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spendstream.config.Settings;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model names the providers' APIs return today, posted over HTTP to the whole local pipeline,
 * come out of ClickHouse priced with the catalog entry the price source (@pydantic/genai-prices
 * 0.1.8's calcPrice) chooses for them, at that entry's price, computed here from the catalog file
 * with BigDecimal. Also: a provider's own usage object is billed by its disjoint classes, a typo gets
 * an {@code unpriced_model} warning in the 202, and {@code GET /v1/unpriced} lists it.
 */
@Timeout(600)
class PricingEndToEndIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** provider, model as sent -> the source's entry (calcPrice's model.id). */
    private static final String[][] NAMES = {
            {"anthropic", "claude-sonnet-4-20250514", "claude-sonnet-4-0"},
            {"anthropic", "claude-opus-4-20250514", "claude-opus-4-0"},
            {"anthropic", "claude-3-7-sonnet-20250219", "claude-3-7-sonnet-latest"},
            {"anthropic", "claude-3-5-haiku-20241022", "claude-3-5-haiku-latest"},
            {"xai", "grok-4", "grok-4-0709"},
            {"xai", "grok-2-latest", "grok-2-1212"},
            {"openai", "gpt-5-chat-latest", "gpt-5"},
            {"google", "gemini-2.5-flash-preview-05-20", "gemini-2.5-flash-preview"},
            {"mistral", "open-mixtral-8x7b", "mixtral-8x7b"},
            {"mistral", "devstral-small-2507", "devstral-small"}};

    @TempDir
    Path dataDir;

    private final HttpClient http = HttpClient.newHttpClient();
    private LocalPipeline pipeline;

    @Test
    void shouldPriceProviderModelNamesAndUsageObjectsEndToEnd() throws Exception {
        Settings settings = Settings.of(LocalConfig.onFreePorts(dataDir));
        pipeline = LocalPipeline.start(LocalConfig.from(settings), settings);
        try {
            run();
        } finally {
            pipeline.close();
        }
    }

    private void run() throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(() -> send("GET", "/health/ready", null, null).statusCode() == 200);
        assertThat(send("POST", "/v1/admin/orgs", pipeline.adminToken(), "{\"org_id\":\"names\",\"name\":\"n\"}")
                .statusCode()).isEqualTo(201);
        String key = JSON.readTree(send("POST", "/v1/admin/orgs/names/keys", pipeline.adminToken(), "{\"name\":\"k\"}")
                .body()).get("api_key").asText();
        Map<String, JsonNode> catalog = new HashMap<>();
        for (JsonNode p : JSON.readTree(LocalPipeline.class.getResourceAsStream("/prices/model-prices.json"))
                .get("prices")) {
            catalog.put(p.get("provider").asText() + "/" + p.get("model").asText(), p); // newest entry last
        }
        Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofMinutes(5));
        ArrayNode events = JSON.createArrayNode();
        Map<String, Long> expected = new LinkedHashMap<>();
        Map<String, String> expectedModel = new LinkedHashMap<>();
        for (String[] n : NAMES) {
            String id = "name-" + n[1];
            events.addObject().put("event_id", id).put("timestamp", at.toString()).put("feature", "f")
                    .put("provider", n[0]).put("model", n[1]).put("input_tokens", 12_345).put("output_tokens", 678);
            JsonNode entry = catalog.get(n[0] + "/" + n[2]);
            assertThat(entry).as("catalog entry %s/%s", n[0], n[2]).isNotNull();
            expected.put(id, nanos(usd(entry, "input_per_mtok").multiply(BigDecimal.valueOf(12_345))
                    .add(usd(entry, "output_per_mtok").multiply(BigDecimal.valueOf(678)))));
            expectedModel.put(id, n[2]);
        }
        // OpenAI's usage object as sent: prompt 2,000 of which 1,500 cached; completion 300 of which 100 reasoning
        ObjectNode withUsage = events.addObject().put("event_id", "usage-object").put("timestamp", at.toString())
                .put("feature", "f").put("provider", "openai").put("model", "gpt-4o-2024-08-06");
        withUsage.set("usage", JSON.readTree("""
                {"prompt_tokens": 2000, "completion_tokens": 300, "total_tokens": 2300,
                 "prompt_tokens_details": {"cached_tokens": 1500, "audio_tokens": 0},
                 "completion_tokens_details": {"reasoning_tokens": 100, "audio_tokens": 0}}"""));
        JsonNode gpt4o = catalog.get("openai/gpt-4o");
        expected.put("usage-object", nanos(usd(gpt4o, "input_per_mtok").multiply(BigDecimal.valueOf(500))
                .add(usd(gpt4o, "cached_input_per_mtok").multiply(BigDecimal.valueOf(1_500)))
                .add(usd(gpt4o, "output_per_mtok").multiply(BigDecimal.valueOf(300)))));
        expectedModel.put("usage-object", "gpt-4o");
        events.addObject().put("event_id", "typo").put("timestamp", at.toString()).put("feature", "f")
                .put("provider", "openai").put("model", "gtp-4o-typo").put("input_tokens", 10).put("output_tokens", 1);

        // The price table of ingest-api loads with the seed; the first request may come before it is loaded.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            HttpResponse<String> r = send("POST", "/v1/events", key, events.toString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            JsonNode body = JSON.readTree(r.body());
            assertThat(body.get("accepted").asInt()).isEqualTo(NAMES.length + 2);
            assertThat(body.get("warnings")).as(r.body()).singleElement().satisfies(w -> {
                assertThat(w.get("index").asInt()).isEqualTo(NAMES.length + 1);
                assertThat(w.get("code").asText()).isEqualTo("unpriced_model");
                assertThat(w.get("model").asText()).isEqualTo("gtp-4o-typo");
            });
        });

        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            String rows = pipeline.clickhouse().query("SELECT event_id, price_model, cost_usd_nanos, priced"
                    + " FROM spendstream.priced_events FINAL WHERE org_id = 'names' ORDER BY event_id", "TabSeparated",
                    Map.of()).text();
            Map<String, String> got = new HashMap<>();
            rows.lines().forEach(l -> got.put(l.split("\t")[0], l.substring(l.indexOf('\t') + 1)));
            assertThat(got).hasSize(NAMES.length + 2);
            expected.forEach((id, nanos) -> assertThat(got.get(id)).as(id)
                    .isEqualTo(expectedModel.get(id) + "\t" + nanos + "\ttrue"));
            assertThat(got.get("typo")).isEqualTo("\\N\t0\tfalse");
        });

        HttpResponse<String> unpriced = send("GET", "/v1/unpriced?since=" + at.minus(Duration.ofHours(1)), key, null);
        assertThat(unpriced.statusCode()).as(unpriced.body()).isEqualTo(200);
        assertThat(unpriced.body()).contains("gtp-4o-typo").doesNotContain("claude");
    }

    private static BigDecimal usd(JsonNode entry, String field) {
        return new BigDecimal(entry.get(field).asText());
    }

    /** USD x tokens per million tokens -> whole nano-USD, half-up once. */
    private static long nanos(BigDecimal usdTimesTokens) {
        return usdTimesTokens.movePointLeft(6).movePointRight(9).setScale(0, RoundingMode.HALF_UP).longValueExact();
    }

    private HttpResponse<String> send(String method, String path, String bearer, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(pipeline.apiUrl() + path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
