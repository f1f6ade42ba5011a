package io.spendstream.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spendstream.config.Settings;
import io.spendstream.embedded.TopicContents;
import io.spendstream.ingest.IngestConfig;
import io.spendstream.schema.BudgetAlert;
import io.spendstream.schemas.money.Usd;
import io.spendstream.schemas.registry.SchemaRegistryClient;
import io.spendstream.schemas.registry.SchemaRegistryConfig;
import io.spendstream.schemas.topics.Topics;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline started the way the one-command run starts it, driven over HTTP only: orgs,
 * keys and budgets through the API, 50,000 events with duplicates, invalid and late ones; then the
 * alerts (query API and alert topic), the spend (query API and SQL on ClickHouse) and the budget
 * status must equal a reference computed here from what was sent, to the nano-dollar.
 */
class EndToEndIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int EVENTS = 50_000;
    private static final String[] FEATURES = {"chat", "search", "summarize", "agent"};
    private static final String[] MODELS = {"gpt-4o", "claude-sonnet-4", "gemini-2.5-flash"};

    @TempDir
    Path dataDir;

    private final HttpClient http = HttpClient.newHttpClient();
    private LocalPipeline pipeline;

    /** One accepted event, as the reference sees it. */
    record Ev(String org, String id, Instant ts, String feature, String model, long costNanos) {}

    /** A budget as created through the API. */
    record B(String org, String id, String scope, String value, String period, String zone, long limitNanos,
             List<Integer> thresholds, Instant createdAt) {}

    private Settings settings() {
        return Settings.of(LocalConfig.onFreePorts(dataDir)).with(Map.of(IngestConfig.RATE, "0")); // no rate limit
    }

    @Test
    void shouldDeliverExactlyTheExpectedSpendAlertsAndStatusEndToEnd() throws Exception {
        Settings settings = settings();
        pipeline = LocalPipeline.start(LocalConfig.from(settings), settings);
        try {
            run();
        } finally {
            pipeline.close();
        }
    }

    private void run() throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(() -> get("/health/ready", null).statusCode() == 200);
        List<String> orgs = List.of("e2e-acme", "e2e-globex", "e2e-initech");
        Map<String, String> keys = new HashMap<>();
        for (String org : orgs) {
            HttpResponse<String> created = send("POST", "/v1/admin/orgs", pipeline.adminToken(),
                    "{\"org_id\":\"" + org + "\",\"name\":\"" + org + "\"}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            HttpResponse<String> key = send("POST", "/v1/admin/orgs/" + org + "/keys", pipeline.adminToken(),
                    "{\"name\":\"e2e\"}");
            assertThat(key.statusCode()).as(key.body()).isEqualTo(201);
            keys.put(org, JSON.readTree(key.body()).get("api_key").asText());
        }

        // Budgets before any event: every period, zones, scopes; limits sized so that some fire and some do not.
        List<B> budgets = new ArrayList<>();
        for (String org : orgs) {
            budgets.add(putBudget(keys, org, "daily-utc", "org", null, "day", "UTC", "150", List.of(50, 80, 100)));
            budgets.add(putBudget(keys, org, "weekly-chat", "feature", "chat", "week", "Europe/Berlin", "60",
                    List.of(50, 80, 100)));
            budgets.add(putBudget(keys, org, "monthly-gpt4o", "model", "gpt-4o", "month", "America/New_York", "400",
                    List.of(50, 80, 100)));
            budgets.add(putBudget(keys, org, "daily-kolkata", "org", null, "day", "Asia/Kolkata", "90",
                    List.of(25, 50, 75, 100, 150)));
        }
        // Budgets are read by the stream processor from their topic; wait until it knows them all.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (String org : orgs) {
                HttpResponse<String> s = get("/v1/budgets/status", keys.get(org));
                assertThat(s.statusCode()).as(s.body()).isEqualTo(200);
                assertThat(JSON.readTree(s.body()).get("budgets")).hasSize(4);
            }
        });

        // 50,000 events: within today (UTC) so that no day rollup closes; 2% invalid, 5% resent duplicates,
        // and a last part whose timestamps are 20-60 minutes old (late for minute rollups, not for days).
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Instant dayStart = now.truncatedTo(ChronoUnit.DAYS).plusSeconds(60);
        Instant earliest = now.minus(Duration.ofHours(3)).isBefore(dayStart) ? dayStart : now.minus(Duration.ofHours(3));
        Random rnd = new Random(2026);
        List<ObjectNode> bodies = new ArrayList<>();
        List<Ev> accepted = new ArrayList<>();
        List<String> bodyOrg = new ArrayList<>();
        int invalid = 0;
        for (int i = 0; i < EVENTS; i++) {
            String org = orgs.get(i % orgs.size());
            boolean late = i >= EVENTS - 2_000;
            long spanMillis = Math.max(1, now.toEpochMilli() - earliest.toEpochMilli());
            Instant ts = late
                    ? max(earliest, now.minus(Duration.ofMinutes(20 + rnd.nextInt(40))))
                    : Instant.ofEpochMilli(earliest.toEpochMilli() + (long) (rnd.nextDouble() * spanMillis));
            String feature = FEATURES[rnd.nextInt(FEATURES.length)];
            String model = MODELS[rnd.nextInt(MODELS.length)];
            ObjectNode e = JSON.createObjectNode();
            String id = "ev-" + i;
            e.put("event_id", id).put("timestamp", ts.toString()).put("feature", feature).put("provider",
                    model.startsWith("gpt") ? "openai" : model.startsWith("claude") ? "anthropic" : "google").put("model", model);
            long in = 200 + rnd.nextInt(4_000);
            long out = 50 + rnd.nextInt(1_000);
            e.put("input_tokens", in).put("output_tokens", out);
            long cost;
            if (model.equals("gpt-4o") && rnd.nextBoolean()) {
                cost = in * 2_500 + out * 10_000; // catalog price: $2.50 / $10 per million tokens
            } else {
                cost = 1_000_000L + rnd.nextLong(20_000_000L); // $0.001 .. $0.021, sent as cost_usd
                e.put("cost_usd", Usd.format(cost));
            }
            if (rnd.nextInt(50) == 0) {
                e.put("input_tokens", -1); // invalid: rejected by index, never counted
                invalid++;
            } else {
                accepted.add(new Ev(org, id, ts, feature, model, cost));
            }
            bodies.add(e);
            bodyOrg.add(org);
        }
        List<Integer> duplicates = new ArrayList<>();
        for (int i = 0; i < EVENTS / 20; i++) {
            duplicates.add(rnd.nextInt(EVENTS));
        }
        int rejected = 0;
        for (String org : orgs) {
            List<ObjectNode> mine = new ArrayList<>();
            for (int i = 0; i < bodies.size(); i++) {
                if (bodyOrg.get(i).equals(org)) {
                    mine.add(bodies.get(i));
                }
            }
            for (int i : duplicates) {
                if (bodyOrg.get(i).equals(org)) {
                    mine.add(bodies.get(i));
                }
            }
            // Keep the late part last: it must be received after the newer events.
            for (int from = 0; from < mine.size(); from += 500) {
                ArrayNode batch = JSON.createArrayNode();
                mine.subList(from, Math.min(mine.size(), from + 500)).forEach(batch::add);
                HttpResponse<String> r = send("POST", "/v1/events", keys.get(org), batch.toString());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
                rejected += JSON.readTree(r.body()).get("rejected").size();
            }
        }
        int dupInvalid = (int) duplicates.stream().filter(i -> bodies.get(i).get("input_tokens").asLong() < 0).count();
        assertThat(rejected).isEqualTo(invalid + dupInvalid);

        // ---- the reference ----
        Map<String, Long> total = new TreeMap<>();
        Map<String, Long> byFeatureModel = new TreeMap<>();
        for (Ev e : accepted) {
            total.merge(e.org(), e.costNanos(), Long::sum);
            byFeatureModel.merge(e.org() + "|" + e.feature() + "|" + e.model(), e.costNanos(), Long::sum);
        }
        Set<String> expectedAlerts = expectedAlerts(budgets, accepted);
        assertThat(expectedAlerts).as("the scenario must fire alerts of several budgets")
                .anyMatch(a -> a.contains("|EXCEEDED|")).anyMatch(a -> a.contains("weekly-chat"))
                .anyMatch(a -> a.contains("daily-kolkata")).anyMatch(a -> a.contains("|FORECAST|"));

        // ---- ClickHouse (SQL) has every accepted event once ----
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            for (String org : orgs) {
                String row = pipeline.clickhouse().query("SELECT count(), sum(cost_usd_nanos) FROM spendstream.priced_events"
                        + " WHERE org_id = {org:String}", "TabSeparated", Map.of("org", org)).text().strip();
                long n = accepted.stream().filter(e -> e.org().equals(org)).count();
                assertThat(row).as(org).isEqualTo(n + "\t" + total.get(org));
            }
        });

        // ---- spend API equals the reference per (feature, model), and SQL on the day rollups ----
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (String org : orgs) {
                HttpResponse<String> r = get("/v1/spend?from=" + today + "T00:00:00Z&to=" + today.plusDays(1)
                        + "T00:00:00Z&granularity=day&group_by=feature,model", keys.get(org));
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                Map<String, String> actual = new TreeMap<>();
                for (JsonNode row : JSON.readTree(r.body()).get("rows")) {
                    actual.merge(org + "|" + row.get("feature").asText() + "|" + row.get("model").asText(),
                            row.get("cost_usd").asText(), (a, b) -> a + "+" + b);
                }
                Map<String, String> expected = new TreeMap<>();
                byFeatureModel.forEach((k, v) -> {
                    if (k.startsWith(org + "|")) {
                        expected.put(k, Usd.format(v));
                    }
                });
                assertThat(actual).isEqualTo(expected);
                String sql = pipeline.clickhouse().query("SELECT sum(cost_usd_nanos) FROM spendstream.spend_rollups_day FINAL"
                        + " WHERE org_id = {org:String}", "TabSeparated", Map.of("org", org)).text().strip();
                assertThat(sql).isEqualTo(Long.toString(total.get(org)));
            }
        });

        // ---- the monthly CSV for finance agrees: cost per (feature, model) summed over its days ----
        for (String org : orgs) {
            HttpResponse<String> csv = get("/v1/reports/spend.csv?month=" + java.time.YearMonth.from(today), keys.get(org));
            assertThat(csv.statusCode()).as(csv.body()).isEqualTo(200);
            assertThat(csv.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/csv");
            assertThat(csv.headers().firstValue("Content-Disposition").orElseThrow()).contains(".csv");
            List<String> lines = csv.body().lines().toList();
            List<String> header = List.of(lines.get(0).split(","));
            Map<String, BigDecimal> fromCsv = new TreeMap<>();
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split(",");
                fromCsv.merge(org + "|" + f[header.indexOf("feature")] + "|" + f[header.indexOf("model")],
                        new BigDecimal(f[header.indexOf("cost_usd")]), BigDecimal::add);
            }
            Map<String, BigDecimal> expected = new TreeMap<>();
            byFeatureModel.forEach((k, v) -> {
                if (k.startsWith(org + "|")) {
                    expected.put(k, BigDecimal.valueOf(v, 9));
                }
            });
            assertThat(fromCsv.keySet()).isEqualTo(expected.keySet());
            expected.forEach((k, v) -> assertThat(fromCsv.get(k)).as(k).isEqualByComparingTo(v));
        }

        // ---- alerts: the topic and the alerts API hold exactly the expected ones ----
        var registry = new SchemaRegistryClient(SchemaRegistryConfig.of(pipeline.registry().confluentApiUrl()));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            List<BudgetAlert> onTopic = drainAlerts(registry);
            assertThat(onTopic.stream().map(a -> key(a.getOrgId(), a.getBudgetId(), a.getPeriodStart(),
                    a.getKind().name(), a.getThresholdPercent())).toList()).containsExactlyInAnyOrderElementsOf(expectedAlerts);
        });
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            List<String> fromApi = new ArrayList<>();
            for (String org : orgs) {
                HttpResponse<String> r = get("/v1/alerts?since=" + now.minus(Duration.ofDays(40)), keys.get(org));
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                for (JsonNode a : JSON.readTree(r.body()).get("alerts")) {
                    fromApi.add(key(org, a.get("budget_id").asText(), Instant.parse(a.get("period_start").asText()),
                            a.get("kind").asText(), a.get("threshold_percent").asInt()));
                }
            }
            assertThat(fromApi).containsExactlyInAnyOrderElementsOf(expectedAlerts);
        });

        // ---- budget status: the current period's spend and crossed thresholds ----
        for (String org : orgs) {
            JsonNode status = JSON.readTree(get("/v1/budgets/status", keys.get(org)).body());
            Instant maxTs = accepted.stream().filter(e -> e.org().equals(org)).map(Ev::ts).max(Instant::compareTo)
                    .orElseThrow();
            assertThat(status.get("as_of").asText()).isEqualTo(maxTs.toString());
            for (JsonNode s : status.get("budgets")) {
                B b = budgets.stream().filter(x -> x.org().equals(org) && x.id().equals(s.get("budget_id").asText()))
                        .findFirst().orElseThrow();
                Instant start = Instant.parse(s.get("period_start").asText());
                Instant end = Instant.parse(s.get("period_end").asText());
                assertThat(start).isEqualTo(periodStart(b, end.minusMillis(1)));
                long spend = accepted.stream().filter(e -> e.org().equals(org) && inScope(b, e)
                        && !e.ts().isBefore(start) && e.ts().isBefore(end)).mapToLong(Ev::costNanos).sum();
                assertThat(s.get("spend_usd").asText()).as(org + " " + b.id()).isEqualTo(Usd.format(spend));
                assertThat(s.get("limit_usd").asText()).isEqualTo(Usd.format(b.limitNanos()));
                List<Integer> crossed = new ArrayList<>();
                s.get("thresholds_crossed").forEach(n -> crossed.add(n.asInt()));
                assertThat(crossed).as(org + " " + b.id()).isEqualTo(b.thresholds().stream()
                        .filter(t -> reached(spend, b.limitNanos(), t)).toList());
            }
        }
    }

    // ---- reference helpers: plain java.time and BigInteger ----

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    static Instant periodStart(B b, Instant ts) {
        ZoneId z = ZoneId.of(b.zone());
        LocalDate d = ts.atZone(z).toLocalDate();
        LocalDate first = switch (b.period()) {
            case "day" -> d;
            case "week" -> d.minusDays(d.getDayOfWeek().getValue() - DayOfWeek.MONDAY.getValue());
            default -> d.withDayOfMonth(1);
        };
        return first.atStartOfDay(z).toInstant();
    }

    static Instant periodEnd(B b, Instant start) {
        ZoneId z = ZoneId.of(b.zone());
        LocalDate d = start.atZone(z).toLocalDate();
        LocalDate next = switch (b.period()) {
            case "day" -> d.plusDays(1);
            case "week" -> d.plusWeeks(1);
            default -> d.plusMonths(1);
        };
        return next.atStartOfDay(z).toInstant();
    }

    static boolean inScope(B b, Ev e) {
        return switch (b.scope()) {
            case "org" -> true;
            case "feature" -> e.feature().equals(b.value());
            default -> e.model().equals(b.value());
        };
    }

    static boolean reached(long spend, long limit, int percent) {
        return BigInteger.valueOf(spend).multiply(BigInteger.valueOf(100))
                .compareTo(BigInteger.valueOf(limit).multiply(BigInteger.valueOf(percent))) >= 0;
    }

    /**
     * Every budget existed before any event, so each (budget, period) that ends after the budget was
     * created sends one alert per threshold its total spend reached (100 as EXCEEDED), whatever the
     * order. FORECAST depends on the order: it is replayed here in the order the stream processor sees
     * each org's events (the order they were posted), with the default minimum of 20% of the period.
     */
    static Set<String> expectedAlerts(List<B> budgets, List<Ev> eventsInPostingOrder) {
        Map<String, Long> spend = new TreeMap<>();
        Map<String, Instant> asOf = new HashMap<>();
        Map<String, B> budgetOf = new HashMap<>();
        Set<String> out = new TreeSet<>();
        for (Ev e : eventsInPostingOrder) {
            for (B b : budgets) {
                if (b.org().equals(e.org()) && inScope(b, e)) {
                    Instant start = periodStart(b, e.ts());
                    Instant end = periodEnd(b, start);
                    if (end.isAfter(b.createdAt())) {
                        String k = b.org() + "|" + b.id() + "|" + start;
                        long s = spend.merge(k, e.costNanos(), Long::sum);
                        Instant latest = asOf.merge(k, e.ts(), (x, y) -> x.isAfter(y) ? x : y);
                        budgetOf.put(k, b);
                        long len = end.toEpochMilli() - start.toEpochMilli();
                        long elapsed = Math.min(latest.toEpochMilli(), end.toEpochMilli()) - start.toEpochMilli();
                        if (s < b.limitNanos() && elapsed > 0 && elapsed * 100 >= 20 * len
                                && BigInteger.valueOf(s).multiply(BigInteger.valueOf(len)).divide(BigInteger.valueOf(elapsed))
                                .compareTo(BigInteger.valueOf(b.limitNanos())) > 0) {
                            out.add(k + "|FORECAST|100"); // a set: once per period
                        }
                    }
                }
            }
        }
        spend.forEach((k, s) -> {
            B b = budgetOf.get(k);
            for (int t : b.thresholds()) {
                if (t != 100 && reached(s, b.limitNanos(), t)) {
                    out.add(k + "|THRESHOLD|" + t);
                }
            }
            if (reached(s, b.limitNanos(), 100)) {
                out.add(k + "|EXCEEDED|100");
            }
        });
        return out;
    }

    static String key(String org, String budget, Instant periodStart, String kind, int threshold) {
        return org + "|" + budget + "|" + periodStart + "|" + kind + "|" + threshold;
    }

    // ---- HTTP and Kafka plumbing ----

    private B putBudget(Map<String, String> keys, String org, String id, String scope, String value, String period,
                        String zone, String limit, List<Integer> thresholds) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("scope", scope).put("period", period).put("time_zone", zone)
                .put("limit_usd", limit);
        if (value != null) {
            body.put("scope_value", value);
        }
        thresholds.forEach(body.putArray("thresholds_percent")::add);
        HttpResponse<String> r = send("PUT", "/v1/budgets/" + id, keys.get(org), body.toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode b = JSON.readTree(r.body());
        assertThat(b.get("limit_usd").asText()).isEqualTo(Usd.format(Usd.toNanos(new BigDecimal(limit))));
        return new B(org, id, scope, value, period, zone, Usd.toNanos(new BigDecimal(limit)), thresholds,
                Instant.parse(b.get("created_at").asText()));
    }

    private HttpResponse<String> get(String path, String bearer) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(pipeline.apiUrl() + path)).timeout(Duration.ofSeconds(30));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(String method, String path, String bearer, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(pipeline.apiUrl() + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + bearer).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private List<BudgetAlert> drainAlerts(SchemaRegistryClient registry) {
        return TopicContents.committed(pipeline.kafka().bootstrapServers(), Topics.BUDGET_ALERTS.name(),
                Topics.BUDGET_ALERTS.valueSerde(registry).deserializer());
    }
}
