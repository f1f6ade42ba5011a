package io.spendstream.sink.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spendstream.schema.CostSource;
import io.spendstream.schema.PricedUsageEvent;
import io.spendstream.schema.UsageEvent;
import io.spendstream.sink.query.SpendQueries.UnpricedRow;
import io.spendstream.sink.rows.RowBinaryWriter;
import io.spendstream.sink.rows.RowEncoders;
import io.spendstream.sink.schema.Migrations;
import io.spendstream.sink.transport.ChdbTransport;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SpendQueries#unpriced} and {@code GET /v1/unpriced} against the embedded engine: exact counts
 * and token sums per provider/model, first and last seen, the {@code since} filter, replays counted
 * once, priced events left out, and each org seeing only its own models.
 */
class UnpricedQueryIT {
    static final String DB = "unpriced";
    // Within the default 30 days, on whole hours so that every expected time is exact.
    static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofDays(2));

    @TempDir
    static Path dir;
    static ChdbTransport ch;
    static SpendQueries queries;

    @BeforeAll
    static void open() {
        ch = ChdbTransport.open(dir.resolve("ch"));
        Migrations.fromClasspath(ch, DB).migrate();
        queries = new SpendQueries(ch, DB);
        RowBinaryWriter w = new RowBinaryWriter();
        PricedUsageEvent replayed = unpriced("org-a", "a1", "openai", "mystery-1", 1, 100, 10, 5);
        for (PricedUsageEvent p : new PricedUsageEvent[] {
                replayed,
                replayed, // a replay counts once (FINAL)
                unpriced("org-a", "a2", "openai", "mystery-1", 2, 200, 20, 0),
                unpriced("org-a", "a3", "openai", "mystery-1", 5, 300, 30, 7),
                unpriced("org-a", "a4", "anthropic", "Claude-X-2031", 3, 1000, 1, 0),
                unpriced("org-a", "a5", "anthropic", "Claude-X-2031", 10, 2000, 2, 1),
                priced("org-a", "a6", "openai", "gpt-4o", 4, CostSource.CATALOG),
                priced("org-a", "a7", "openai", "mystery-1", 6, CostSource.CLIENT), // its own cost: priced
                unpriced("org-a", "a8", "openai", "ancient", -24 * 40, 9, 9, 9), // before the default since
                unpriced("org-b", "b1", "openai", "mystery-1", 1, 50, 5, 0),
                unpriced("org-b", "b2", "mistral", "b-only", 7, 60, 6, 0)}) {
            RowEncoders.pricedEvent(w, p);
        }
        ch.insert(DB + ".priced_events", "RowBinary", w.toByteArray(), null);
    }

    @AfterAll
    static void close() {
        ch.close();
    }

    @Test
    void shouldCountEachUnpricedModelOfTheOrgOnceWithExactTokenSumsNewestLastSeenFirst() {
        assertThat(queries.unpriced("org-a", T0)).containsExactly(
                new UnpricedRow("anthropic", "Claude-X-2031", 2, 3000, 3, 3000 + 3 + 1 + 2 * 11, at(3), at(10)),
                new UnpricedRow("openai", "mystery-1", 3, 600, 60, 600 + 60 + 12 + 3 * 11, at(1), at(5)));
    }

    @Test
    void shouldCountOnlyEventsAtOrAfterSince() {
        assertThat(queries.unpriced("org-a", at(2))).containsExactly(
                new UnpricedRow("anthropic", "Claude-X-2031", 2, 3000, 3, 3000 + 3 + 1 + 2 * 11, at(3), at(10)),
                new UnpricedRow("openai", "mystery-1", 2, 500, 50, 500 + 50 + 7 + 2 * 11, at(2), at(5)));
        assertThat(queries.unpriced("org-a", at(11))).isEmpty();
        assertThat(queries.unpriced("org-a", T0.minus(Duration.ofDays(41)))).extracting(UnpricedRow::model)
                .containsExactly("Claude-X-2031", "mystery-1", "ancient");
    }

    @Test
    void shouldNeverShowAnotherOrgsModels() {
        Instant longAgo = T0.minus(Duration.ofDays(100));
        assertThat(queries.unpriced("org-b", longAgo)).containsExactly(
                new UnpricedRow("mistral", "b-only", 1, 60, 6, 60 + 6 + 11, at(7), at(7)),
                new UnpricedRow("openai", "mystery-1", 1, 50, 5, 50 + 5 + 11, at(1), at(1)));
        assertThat(queries.unpriced("org-c", longAgo)).isEmpty();
    }

    @Test
    void shouldAnswerTheInternalRouteWithTheDefaultSinceAndRejectABadSince() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            Router router = Router.router(vertx);
            new QueryRoutes(queries).mountInternal(router);
            int port = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
            String base = "http://127.0.0.1:" + port + QueryRoutes.INTERNAL_PREFIX;
            HttpClient http = HttpClient.newHttpClient();

            HttpResponse<String> ok = get(http, base + "org-a/v1/unpriced");
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.headers().firstValue("Content-Type")).hasValue("application/json");
            JsonNode body = new ObjectMapper().readTree(ok.body());
            assertThat(body.get("org_id").asText()).isEqualTo("org-a");
            assertThat(Duration.between(Instant.parse(body.get("since").asText()), Instant.now()))
                    .isBetween(Duration.ofDays(30), Duration.ofDays(30).plusMinutes(1));
            assertThat(body.get("models").size()).as("ancient is older than 30 days").isEqualTo(2);
            JsonNode mystery = body.get("models").get(1);
            assertThat(mystery.toString()).isEqualTo(("{'provider':'openai','model':'mystery-1','events':3,"
                    + "'tokens':{'input':600,'output':60,'total':705},'first_seen':'" + at(1) + "','last_seen':'"
                    + at(5) + "'}").replace('\'', '"'));

            assertThat(new ObjectMapper().readTree(get(http, base + "org-b/v1/unpriced?since=" + at(7)).body())
                    .get("models").findValuesAsText("model")).containsExactly("b-only");

            for (String bad : new String[] {"yesterday", "2026-13-01", "", "2026-11-01T25:00:00Z"}) {
                HttpResponse<String> r = get(http, base + "org-a/v1/unpriced?since=" + bad);
                assertThat(r.statusCode()).as(bad).isEqualTo(400);
                assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
                assertThat(r.body()).contains("since must be an ISO-8601 instant");
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Instant at(int hoursAfterT0) {
        return T0.plus(Duration.ofHours(hoursAfterT0));
    }

    /**
     * An event without a price. Besides the given input, output and cached input tokens it has 11 in
     * the other 8 classes (reasoning 1, cache writes 2 and 1-hour cache writes 3, audio in, cached
     * audio, image in, audio out and image out 1 each), so a class left out of the total shows.
     */
    private static PricedUsageEvent unpriced(String org, String id, String provider, String model, int hour,
                                             long input, long output, long cached) {
        return event(org, id, provider, model, hour, input, output, cached, 0, CostSource.UNPRICED);
    }

    private static PricedUsageEvent priced(String org, String id, String provider, String model, int hour,
                                           CostSource source) {
        return event(org, id, provider, model, hour, 1_000, 100, 0, 123_456, source);
    }

    private static PricedUsageEvent event(String org, String id, String provider, String model, int hour,
                                          long input, long output, long cached, long costNanos, CostSource source) {
        Instant ts = at(hour);
        UsageEvent e = UsageEvent.newBuilder().setEventId(id).setOrgId(org).setTimestamp(ts).setReceivedAt(ts)
                .setFeature("chat").setProvider(provider).setModel(model).setInputTokens(input)
                .setOutputTokens(output).setCachedInputTokens(cached).setReasoningTokens(1).setCacheWriteTokens(2)
                .setCacheWrite1hTokens(3).setInputAudioTokens(1).setCachedInputAudioTokens(1).setInputImageTokens(1)
                .setOutputAudioTokens(1).setOutputImageTokens(1)
                .setClientCostUsdNanos(source == CostSource.CLIENT ? costNanos : null).build();
        return PricedUsageEvent.newBuilder().setEvent(e).setCostUsdNanos(costNanos).setCostSource(source)
                .setPriced(source != CostSource.UNPRICED).setProcessedAt(ts.plusMillis(1)).build();
    }
}
