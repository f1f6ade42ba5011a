package io.spendstream.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spendstream.config.Settings;
import io.spendstream.embedded.EmbeddedSchemaRegistry;
import io.spendstream.embedded.KafkaTestCluster;
import io.spendstream.embedded.TopicContents;
import io.spendstream.processor.budget.BudgetTopology;
import io.spendstream.schema.Budget;
import io.spendstream.schema.BudgetAlert;
import io.spendstream.schema.BudgetPeriod;
import io.spendstream.schema.BudgetScope;
import io.spendstream.schema.CallStatus;
import io.spendstream.schema.UsageEvent;
import io.spendstream.schemas.money.Usd;
import io.spendstream.schemas.registry.SchemaRegistryClient;
import io.spendstream.schemas.registry.SchemaRegistryConfig;
import io.spendstream.schemas.serde.AvroSerde;
import io.spendstream.schemas.topics.OrgPartitioning;
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
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Budgets and alerts on the real broker and registry, through StreamProcessorApp, against a
 * reference computed here from the events sent: which alerts must exist is a function of each
 * (budget, period)'s total spend when all budgets predate the events, whatever the order, the
 * duplicates or the restarts.
 */
class BudgetIT {
    private static final KafkaTestCluster KAFKA = KafkaTestCluster.shared();
    private static final EmbeddedSchemaRegistry REGISTRY = EmbeddedSchemaRegistry.shared();
    private static final SchemaRegistryClient CLIENT =
            new SchemaRegistryClient(SchemaRegistryConfig.of(REGISTRY.confluentApiUrl()));
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private Map<String, String> settings(String prefix, String stateDir, int partitions) {
        Map<String, String> m = new HashMap<>();
        m.put(StreamProcessorConfig.BOOTSTRAP, KAFKA.bootstrapServers());
        m.put(StreamProcessorConfig.REGISTRY_URL, REGISTRY.confluentApiUrl());
        m.put(StreamProcessorConfig.APPLICATION_ID, prefix + "processor");
        m.put(StreamProcessorConfig.STATE_DIR, dir.resolve(stateDir).toString());
        m.put(StreamProcessorConfig.HTTP_PORT, "0");
        m.put(StreamProcessorConfig.HTTP_HOST, "127.0.0.1");
        m.put(StreamProcessorConfig.PARTITIONS, Integer.toString(partitions));
        m.put(StreamProcessorConfig.SEED_PRICES, "false");
        m.put(StreamProcessorConfig.FORECAST_MIN, "100"); // forecasts depend on order; they are tested on the driver
        for (var e : Map.of(StreamProcessorConfig.TOPIC_USAGE_EVENTS, "usage-events",
                StreamProcessorConfig.TOPIC_PRICED_EVENTS, "priced-usage-events",
                StreamProcessorConfig.TOPIC_ROLLUPS, "spend-rollups", StreamProcessorConfig.TOPIC_LATE, "late",
                StreamProcessorConfig.TOPIC_DLQ, "dlq", StreamProcessorConfig.TOPIC_PRICES, "model-prices",
                StreamProcessorConfig.TOPIC_BUDGETS, "budgets", StreamProcessorConfig.TOPIC_ALERTS, "budget-alerts",
                StreamProcessorConfig.TOPIC_ALERTS_JSON, "budget-alerts-json").entrySet()) {
            m.put(e.getKey(), prefix + e.getValue());
        }
        return m;
    }

    private static StreamProcessorApp startApp(StreamProcessorConfig config) {
        StreamProcessorApp app = StreamProcessorApp.start(config, r -> { });
        await().atMost(Duration.ofSeconds(90)).until(() -> app.streams().state() == KafkaStreams.State.RUNNING);
        return app;
    }

    record Sent(UsageEvent event, boolean duplicate) {}

    /** Budgets of one org: every period, several zones and scopes. All predate the events. */
    private static List<Budget> budgetsOf(String org, Instant created) {
        List<Budget> l = new ArrayList<>();
        l.add(budget(org, "daily-utc", BudgetScope.ORG, null, BudgetPeriod.DAY, "UTC", "4", List.of(50, 80, 100), created));
        l.add(budget(org, "weekly-chat-berlin", BudgetScope.FEATURE, "chat", BudgetPeriod.WEEK, "Europe/Berlin", "12",
                List.of(50, 80, 100), created));
        l.add(budget(org, "monthly-gpt4o-ny", BudgetScope.MODEL, "gpt-4o", BudgetPeriod.MONTH, "America/New_York", "30",
                List.of(50, 80, 100), created));
        l.add(budget(org, "daily-kolkata", BudgetScope.ORG, null, BudgetPeriod.DAY, "Asia/Kolkata", "6",
                List.of(25, 50, 75, 100, 150), created));
        return l;
    }

    private static Budget budget(String org, String id, BudgetScope scope, String value, BudgetPeriod period, String zone,
                                 String limit, List<Integer> thresholds, Instant at) {
        return Budget.newBuilder().setOrgId(org).setBudgetId(id).setScope(scope).setScopeValue(value).setPeriod(period)
                .setTimeZone(zone).setLimitUsdNanos(Usd.toNanos(new java.math.BigDecimal(limit)))
                .setThresholdsPercent(thresholds).setEnabled(true).setCreatedAt(at).setUpdatedAt(at).build();
    }

    /** Events over the last three weeks in random order (many late for their period), plus duplicates. */
    private static List<Sent> events(List<String> orgs, Instant now, long seed) {
        Random rnd = new Random(seed);
        List<Sent> out = new ArrayList<>();
        String[] features = {"chat", "search", "summarize"};
        String[] models = {"gpt-4o", "claude-sonnet-4", "gemini-2.5-flash"};
        long span = Duration.ofDays(21).toMillis();
        for (int o = 0; o < orgs.size(); o++) {
            for (int i = 0; i < 250 + 250 * o; i++) {
                UsageEvent e = UsageEvent.newBuilder().setEventId(orgs.get(o) + "-" + i).setOrgId(orgs.get(o))
                        .setTimestamp(now.minusMillis(60_000 + (long) (rnd.nextDouble() * span)).truncatedTo(ChronoUnit.MILLIS))
                        .setReceivedAt(now).setFeature(features[rnd.nextInt(3)]).setProvider("p")
                        .setModel(models[rnd.nextInt(3)]).setInputTokens(100).setOutputTokens(10).setStatus(CallStatus.OK)
                        .setClientCostUsdNanos(10_000_000L + rnd.nextLong(390_000_000L)).build();
                out.add(new Sent(e, false));
            }
        }
        Collections.shuffle(out, rnd);
        List<Sent> dups = new ArrayList<>();
        for (int i = 0; i < out.size() / 10; i++) {
            dups.add(new Sent(out.get(rnd.nextInt(out.size())).event(), true));
        }
        out.addAll(dups);
        Collections.shuffle(out.subList(out.size() / 2, out.size()), rnd); // duplicates land after their originals
        return out;
    }

    // ---- the reference: plain java.time and BigDecimal, independent of the processor's code ----

    static Instant periodStart(Budget b, Instant ts) {
        ZoneId z = ZoneId.of(b.getTimeZone());
        LocalDate d = ts.atZone(z).toLocalDate();
        LocalDate first = switch (b.getPeriod()) {
            case DAY -> d;
            case WEEK -> d.minusDays(d.getDayOfWeek().getValue() - DayOfWeek.MONDAY.getValue());
            case MONTH -> d.withDayOfMonth(1);
        };
        return ZonedDateTime.of(first.atStartOfDay(), z).toInstant();
    }

    static boolean inScope(Budget b, UsageEvent e) {
        return switch (b.getScope()) {
            case ORG -> true;
            case FEATURE -> e.getFeature().equals(b.getScopeValue());
            case MODEL -> e.getModel().equals(b.getScopeValue());
        };
    }

    /** (budget, period start) → spend, from the unique events. */
    static Map<String, Long> spendByPeriod(List<Budget> budgets, List<UsageEvent> unique) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (UsageEvent e : unique) {
            for (Budget b : budgets) {
                if (b.getOrgId().equals(e.getOrgId()) && inScope(b, e)) {
                    m.merge(b.getOrgId() + "|" + b.getBudgetId() + "|" + periodStart(b, e.getTimestamp()),
                            e.getClientCostUsdNanos(), Long::sum);
                }
            }
        }
        return m;
    }

    static Set<String> expectedAlerts(List<Budget> budgets, Map<String, Long> spend) {
        Set<String> out = new TreeSet<>();
        for (Budget b : budgets) {
            String prefix = b.getOrgId() + "|" + b.getBudgetId() + "|";
            spend.forEach((k, s) -> {
                if (!k.startsWith(prefix)) {
                    return;
                }
                java.math.BigDecimal share = java.math.BigDecimal.valueOf(s).multiply(java.math.BigDecimal.valueOf(100));
                java.math.BigDecimal limit = java.math.BigDecimal.valueOf(b.getLimitUsdNanos());
                for (int t : b.getThresholdsPercent()) {
                    if (t != 100 && share.compareTo(limit.multiply(java.math.BigDecimal.valueOf(t))) >= 0) {
                        out.add(k + "|THRESHOLD|" + t);
                    }
                }
                if (s >= b.getLimitUsdNanos()) {
                    out.add(k + "|EXCEEDED|100");
                }
            });
        }
        return out;
    }

    static String alertKey(BudgetAlert a) {
        return a.getOrgId() + "|" + a.getBudgetId() + "|" + a.getPeriodStart() + "|" + a.getKind() + "|"
                + a.getThresholdPercent();
    }

    @Test
    void shouldSendExactlyTheExpectedAlertsAcrossARestart() throws Exception {
        String prefix = "budget-it-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        StreamProcessorConfig config = StreamProcessorConfig.from(Settings.of(settings(prefix, "state", 3)));
        Instant now = Instant.now();
        List<String> orgs = List.of("acme", "globex", "initech", "umbrella");
        List<Budget> budgets = new ArrayList<>();
        orgs.forEach(o -> budgets.addAll(budgetsOf(o, now.minus(Duration.ofDays(60)))));
        List<Sent> sent = events(orgs, now, 42);

        StreamProcessorApp app = startApp(config);
        try (KafkaProducer<String, Object> producer = producer()) {
            for (Budget b : budgets) {
                producer.send(new ProducerRecord<>(prefix + "budgets", OrgPartitioning.budgetKey(b.getOrgId(),
                        b.getBudgetId()), b));
            }
            int half = sent.size() / 2;
            send(producer, prefix, sent.subList(0, half));
            StreamProcessorApp first = app;
            await().atMost(Duration.ofSeconds(60)).until(() -> first.metrics().processedCount() >= half / 2);
            app.close(); // mid-stream: some of the first half is not processed yet
            app = startApp(config);
            send(producer, prefix, sent.subList(half, sent.size()));
        }
        List<UsageEvent> unique = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Sent s : sent) {
            if (seen.add(s.event().getOrgId() + "|" + s.event().getEventId())) {
                unique.add(s.event());
            }
        }
        Map<String, Long> spend = spendByPeriod(budgets, unique);
        Set<String> expected = expectedAlerts(budgets, spend);
        assertThat(expected).as("the scenario must cross thresholds of every kind")
                .anyMatch(k -> k.contains("|EXCEEDED|")).anyMatch(k -> k.contains("|THRESHOLD|150"))
                .anyMatch(k -> k.contains("weekly-chat-berlin")).anyMatch(k -> k.contains("monthly-gpt4o-ny"));
        assertThat(spend.keySet().stream().filter(k -> k.contains("|daily-utc|"))
                .filter(k -> expected.stream().noneMatch(a -> a.startsWith(k + "|EXCEEDED")))).as("and miss some").isNotEmpty();

        Deserializer<BudgetAlert> alertSerde = AvroSerde.specific(BudgetAlert.class, CLIENT, false);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(committed(prefix + "budget-alerts", alertSerde).stream().map(BudgetIT::alertKey).toList())
                        .containsExactlyInAnyOrderElementsOf(expected));
        Thread.sleep(2_000); // nothing more arrives
        List<BudgetAlert> alerts = committed(prefix + "budget-alerts", alertSerde);
        assertThat(alerts.stream().map(BudgetIT::alertKey).toList()).containsExactlyInAnyOrderElementsOf(expected);
        for (BudgetAlert a : alerts) {
            long total = spend.get(a.getOrgId() + "|" + a.getBudgetId() + "|" + a.getPeriodStart());
            assertThat(a.getSpendUsdNanos()).as(alertKey(a)).isLessThanOrEqualTo(total)
                    .isGreaterThanOrEqualTo(java.math.BigDecimal.valueOf(a.getLimitUsdNanos())
                            .multiply(java.math.BigDecimal.valueOf(a.getThresholdPercent()))
                            .divide(java.math.BigDecimal.valueOf(100), java.math.RoundingMode.CEILING).longValueExact());
            assertThat(a.getTriggerEventId()).isNotNull();
        }
        List<String> json = committed(prefix + "budget-alerts-json", new StringDeserializer());
        Set<String> jsonIds = new HashSet<>();
        for (String j : json) {
            jsonIds.add(JSON.readTree(j).get("alert_id").asText());
        }
        assertThat(json).hasSize(alerts.size());
        assertThat(jsonIds).isEqualTo(new HashSet<>(alerts.stream().map(BudgetAlert::getAlertId).toList()));

        try {
            for (String org : orgs) {
                JsonNode status = JSON.readTree(get(app.opsPort(), org).body());
                assertStatusMatches(status, org, budgets, unique);
            }
        } finally {
            app.close();
        }
    }

    @Test
    void shouldAnswerStatusFromEitherOfTwoInstances() throws Exception {
        String prefix = "budget-2i-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        StreamProcessorConfig one = StreamProcessorConfig.from(Settings.of(settings(prefix, "one", 6)));
        StreamProcessorConfig two = StreamProcessorConfig.from(Settings.of(settings(prefix, "two", 6)));
        Instant now = Instant.now();
        List<String> orgs = List.of("o1", "o2", "o3", "o4", "o5", "o6", "o7", "o8");
        List<Budget> budgets = new ArrayList<>();
        orgs.forEach(o -> budgets.addAll(budgetsOf(o, now.minus(Duration.ofDays(60)))));
        List<Sent> sent = events(orgs, now, 7).stream().filter(s -> !s.duplicate()).toList();

        StreamProcessorApp a = StreamProcessorApp.start(one, r -> { });
        StreamProcessorApp b = StreamProcessorApp.start(two, r -> { });
        try (KafkaProducer<String, Object> producer = producer()) {
            await().atMost(Duration.ofSeconds(120)).until(() -> a.streams().state() == KafkaStreams.State.RUNNING
                    && b.streams().state() == KafkaStreams.State.RUNNING
                    && !a.streams().metadataForLocalThreads().iterator().next().activeTasks().isEmpty()
                    && !b.streams().metadataForLocalThreads().iterator().next().activeTasks().isEmpty());
            for (Budget budget : budgets) {
                producer.send(new ProducerRecord<>(prefix + "budgets",
                        OrgPartitioning.budgetKey(budget.getOrgId(), budget.getBudgetId()), budget));
            }
            send(producer, prefix, sent);
            Set<Integer> ports = new HashSet<>();
            for (String org : orgs) {
                KeyQueryMetadata md = a.streams().queryMetadataForKey(BudgetTopology.BUDGETS_STORE, org,
                        new StringSerializer());
                ports.add(md.activeHost().port());
            }
            assertThat(ports).as("the orgs are spread over both instances").containsExactlyInAnyOrder(a.opsPort(),
                    b.opsPort());
            await().atMost(Duration.ofSeconds(120)).until(() -> a.metrics().processedCount()
                    + b.metrics().processedCount() >= sent.size());
            List<UsageEvent> unique = sent.stream().map(Sent::event).toList();
            for (String org : orgs) {
                for (int port : List.of(a.opsPort(), b.opsPort())) {
                    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                        HttpResponse<String> r = get(port, org);
                        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                        assertStatusMatches(JSON.readTree(r.body()), org, budgets, unique);
                    });
                }
                HttpResponse<String> one1 = get(a.opsPort(), org + "/daily-utc");
                assertThat(one1.statusCode()).isEqualTo(200);
                assertThat(JSON.readTree(one1.body()).get("budget_id").asText()).isEqualTo("daily-utc");
                assertThat(get(b.opsPort(), org + "/nope").statusCode()).isEqualTo(404);
            }
        } finally {
            a.close();
            b.close();
        }
    }

    /** Spend and thresholds of each budget's current period, and as_of, equal the reference. */
    private static void assertStatusMatches(JsonNode status, String org, List<Budget> budgets, List<UsageEvent> unique) {
        assertThat(status.get("org_id").asText()).isEqualTo(org);
        List<UsageEvent> mine = unique.stream().filter(e -> e.getOrgId().equals(org)).toList();
        Instant maxTs = mine.stream().map(UsageEvent::getTimestamp).max(Instant::compareTo).orElseThrow();
        assertThat(status.get("as_of").asText()).isEqualTo(maxTs.toString());
        Map<String, Budget> byId = new HashMap<>();
        budgets.stream().filter(b -> b.getOrgId().equals(org)).forEach(b -> byId.put(b.getBudgetId(), b));
        assertThat(status.get("budgets")).hasSize(byId.size());
        for (JsonNode s : status.get("budgets")) {
            Budget b = byId.get(s.get("budget_id").asText());
            Instant start = Instant.parse(s.get("period_start").asText());
            Instant end = Instant.parse(s.get("period_end").asText());
            assertThat(start).isEqualTo(periodStart(b, end.minusMillis(1)));
            long expected = mine.stream().filter(e -> inScope(b, e)).filter(e -> !e.getTimestamp().isBefore(start)
                    && e.getTimestamp().isBefore(end)).mapToLong(UsageEvent::getClientCostUsdNanos).sum();
            assertThat(s.get("spend_usd").asText()).as(org + " " + b.getBudgetId()).isEqualTo(Usd.format(expected));
            List<Integer> crossed = new ArrayList<>();
            for (int t : b.getThresholdsPercent()) {
                if (java.math.BigInteger.valueOf(expected).multiply(java.math.BigInteger.valueOf(100)).compareTo(
                        java.math.BigInteger.valueOf(b.getLimitUsdNanos()).multiply(java.math.BigInteger.valueOf(t))) >= 0) {
                    crossed.add(t);
                }
            }
            List<Integer> actual = new ArrayList<>();
            s.get("thresholds_crossed").forEach(n -> actual.add(n.asInt()));
            assertThat(actual).as(org + " " + b.getBudgetId()).isEqualTo(crossed);
        }
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/internal/budget-status/" + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static <V> List<V> committed(String topic, Deserializer<V> values) {
        return TopicContents.committed(KAFKA.bootstrapServers(), topic, values);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static KafkaProducer<String, Object> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.PARTITIONER_CLASS_CONFIG, OrgPartitioning.PARTITIONER);
        AvroSerde<Object> values = (AvroSerde) AvroSerde.specific(UsageEvent.class, CLIENT, false);
        return new KafkaProducer<>(p, new StringSerializer(), (topic, v) -> v instanceof Budget b
                ? AvroSerde.specific(Budget.class, CLIENT, false).serialize(topic, b) : values.serialize(topic, v));
    }

    private static void send(KafkaProducer<String, Object> producer, String prefix, List<Sent> events) {
        for (Sent s : events) {
            producer.send(new ProducerRecord<>(prefix + "usage-events", s.event().getOrgId(), s.event()));
        }
        producer.flush();
    }

}
