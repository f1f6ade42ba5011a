package io.spendstream.sink;

import static io.spendstream.sink.PipelineFixture.q;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spendstream.embedded.EmbeddedSchemaRegistry;
import io.spendstream.embedded.KafkaTestCluster;
import io.spendstream.schema.WindowSize;
import io.spendstream.schemas.registry.SchemaRegistryClient;
import io.spendstream.schemas.registry.SchemaRegistryConfig;
import io.spendstream.sink.query.Money;
import io.spendstream.sink.query.QueryRoutes;
import io.spendstream.sink.query.SpendQueries;
import io.spendstream.sink.transport.ChdbTransport;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * From Kafka topics through the sink into the embedded ClickHouse: a real KRaft broker, a real
 * schema registry (Apicurio, Confluent API) and libchdb. One engine for the class (libchdb allows
 * one data path per process); every test has its own topics, consumer group and database.
 */
class SinkPipelineIT {
    static final KafkaTestCluster KAFKA = KafkaTestCluster.shared();
    static final EmbeddedSchemaRegistry REGISTRY = EmbeddedSchemaRegistry.shared();
    static final SchemaRegistryClient REGISTRY_CLIENT =
            new SchemaRegistryClient(SchemaRegistryConfig.of(REGISTRY.confluentApiUrl()));
    static final Duration DRAIN = Duration.ofSeconds(90);

    @TempDir
    static Path dir;
    static ChdbTransport ch;
    PipelineFixture fx;
    String id;

    @BeforeAll
    static void open() {
        ch = ChdbTransport.open(dir.resolve("ch"));
    }

    @AfterAll
    static void close() {
        ch.close();
    }

    @BeforeEach
    void topics() {
        id = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        fx = new PipelineFixture(KAFKA, REGISTRY_CLIENT, REGISTRY.confluentApiUrl(), id);
    }

    private void assertTotalsEqualReference(String db, TestData data) {
        for (WindowSize size : WindowSize.values()) {
            String table = "spend_rollups_" + size.name().toLowerCase();
            assertThat(q(ch, "SELECT count(), sum(events), sum(input_tokens), toString(sum(toInt128(cost_usd_nanos)))"
                    + " FROM " + db + "." + table + " FINAL")).as(table).isEqualTo(data.rollupTotals(size));
        }
        assertThat(q(ch, "SELECT count(), countIf(cost_source = 'UNPRICED'), sum(input_tokens),"
                + " toString(sum(toInt128(cost_usd_nanos))) FROM " + db + ".priced_events FINAL"))
                .isEqualTo(data.eventTotals());
        assertThat(q(ch, "SELECT count() FROM " + db + ".budget_alerts FINAL"))
                .isEqualTo(Integer.toString(data.distinctAlerts.size()));
        for (String org : TestData.ORGS) {
            StringBuilder expected = new StringBuilder();
            data.dailyCost(org).forEach((k, v) -> expected.append(k.replace('|', '\t')).append('\t').append(v)
                    .append('\t').append(Money.usd(v)).append('\n'));
            String actual = q(ch, "SELECT day, feature, provider, model, toString(cost_nanos), cost_usd"
                    + " FROM " + db + ".spend_daily WHERE org_id = '" + org + "' ORDER BY day, feature, provider, model"
                    + " SETTINGS output_format_decimal_trailing_zeros = 1");
            assertThat(actual.replace("\\\"", "\"")).as("spend_daily of " + org).isEqualTo(expected.toString().strip());
        }
    }

    @Test
    void shouldWriteRollupsEventsAndAlertsWithTotalsEqualToTheReferenceExactly() {
        TestData data = new TestData(11, 12);
        fx.produce(data);
        String db = "totals_" + id;
        SinkConfig config = fx.config(db, "g-" + id, Map.of());
        try (SinkApp app = fx.start(config, ch, ClickHouseSink.Hooks.NONE)) {
            fx.awaitDrained(config.groupId(), DRAIN);
            assertTotalsEqualReference(db, data);
            assertThat(app.sink().metrics().rowsTotal()).isEqualTo(data.rollups.size() + data.events.size()
                    + data.alerts.size());
            assertThat(app.sink().metrics().batches()).isGreaterThan(1);
            assertThat(app.sink().ready()).isTrue();
        }
    }

    @Test
    void shouldLeaveEveryQueryResultUnchangedWhenKilledBetweenInsertAndCommit() throws Exception {
        TestData data = new TestData(13, 12);
        fx.produce(data);

        // Reference run: no crash.
        String refDb = "ref_" + id;
        SinkConfig refConfig = fx.config(refDb, "ref-" + id, Map.of());
        try (SinkApp app = fx.start(refConfig, ch, ClickHouseSink.Hooks.NONE)) {
            fx.awaitDrained(refConfig.groupId(), DRAIN);
        }
        String reference = PipelineFixture.snapshot(ch, refDb, data);

        // Crash run: batch 3 is acknowledged by ClickHouse, then the sink dies before committing.
        String db = "crash_" + id;
        SinkConfig config = fx.config(db, "crash-" + id, Map.of());
        ClickHouseSink.Hooks crash = new ClickHouseSink.Hooks() {
            @Override
            public void afterInsert(long seq) {
                if (seq == 3) {
                    throw new IllegalStateException("simulated crash after insert, before commit");
                }
            }
        };
        long rawBeforeRestart;
        try (SinkApp app = fx.start(config, ch, crash)) {
            assertThat(app.sink().awaitTermination(DRAIN)).isTrue();
            assertThat(app.sink().state()).isEqualTo(ClickHouseSink.State.FAILED);
            assertThat(app.sink().failure()).hasMessageContaining("simulated crash");
            rawBeforeRestart = rawRows(db);
            assertThat(rawBeforeRestart).as("batch 3 reached the tables").isPositive();
            long committed = fx.committed(config.groupId()).values().stream().mapToLong(Long::longValue).sum();
            long end = fx.endOffsets().values().stream().mapToLong(Long::longValue).sum();
            assertThat(committed).as("the batch written last was not committed").isLessThan(end);
        }
        // Restart: the uncommitted records are read and written again.
        try (SinkApp app = fx.start(config, ch, ClickHouseSink.Hooks.NONE)) {
            fx.awaitDrained(config.groupId(), DRAIN);
        }
        assertThat(PipelineFixture.snapshot(ch, db, data)).isEqualTo(reference);
        assertTotalsEqualReference(db, data);
    }

    private long rawRows(String db) {
        long n = 0;
        for (String t : List.of("spend_rollups_minute", "spend_rollups_hour", "spend_rollups_day", "priced_events",
                "budget_alerts")) {
            n += Long.parseLong(q(ch, "SELECT count() FROM " + db + "." + t));
        }
        return n;
    }

    @Test
    void shouldSendAMalformedRecordToTheDeadLetterTopicWithHeadersAndWriteTheRest() {
        TestData data = new TestData(17, 6);
        byte[] garbage = "this is not avro".getBytes(StandardCharsets.UTF_8);
        byte[] valid = io.spendstream.schemas.topics.Topics.SPEND_ROLLUPS.valueSerde(REGISTRY_CLIENT).serializer()
                .serialize(fx.rollups, data.rollups.getFirst());
        byte[] truncated = java.util.Arrays.copyOf(valid, 12);
        fx.produce(data, List.of(garbage, truncated));
        String db = "dlq_" + id;
        SinkConfig config = fx.config(db, "g-" + id, Map.of());
        try (SinkApp app = fx.start(config, ch, ClickHouseSink.Hooks.NONE)) {
            fx.awaitDrained(config.groupId(), DRAIN);
            assertTotalsEqualReference(db, data);
        }
        List<ConsumerRecord<byte[], byte[]>> dead = readAll(fx.dlq, 2);
        assertThat(dead).hasSize(2);
        assertThat(dead).extracting(r -> r.value()).containsExactlyInAnyOrder(garbage, truncated);
        for (ConsumerRecord<byte[], byte[]> r : dead) {
            assertThat(header(r, ClickHouseSink.H_TOPIC)).isEqualTo(fx.rollups);
            assertThat(header(r, ClickHouseSink.H_REASON)).startsWith("deserialization: ");
            assertThat(Integer.parseInt(header(r, ClickHouseSink.H_PARTITION))).isBetween(0, 2);
            assertThat(Long.parseLong(header(r, ClickHouseSink.H_OFFSET))).isNotNegative();
        }
    }

    @Test
    void shouldDrainTheBacklogWithoutLossAfterClickHouseWasAway() {
        TestData data = new TestData(19, 12);
        FaultyTransport faulty = new FaultyTransport(ch);
        String db = "away_" + id;
        SinkConfig config = fx.config(db, "g-" + id, Map.of());
        try (SinkApp app = fx.start(config, faulty, ClickHouseSink.Hooks.NONE)) {
            faulty.awayFor(Duration.ofSeconds(6)); // after startup (migrations), before any data
            fx.produce(data);
            await().atMost(Duration.ofSeconds(5)).until(() -> !app.sink().ready());
            assertThat(fx.committed(config.groupId()).values()).as("nothing committed while ClickHouse is away")
                    .allMatch(o -> o == 0L);
            fx.awaitDrained(config.groupId(), DRAIN);
            assertThat(faulty.away()).isFalse();
            assertThat(faulty.failedInserts.get()).isPositive();
            assertThat(app.sink().metrics().retries()).isPositive();
            assertThat(app.sink().ready()).isTrue();
            assertTotalsEqualReference(db, data);
        }
    }

    /**
     * ClickHouse away for two and a half minutes, longer than the backoff cap many times over: the
     * sink keeps polling (paused), so it stays in its group; it commits nothing while away, and once
     * ClickHouse is back the whole backlog lands exactly once.
     */
    @Test
    void shouldDrainTheBacklogWithoutLossAfterClickHouseWasAwayForMinutes() throws Exception {
        TestData data = new TestData(29, 12);
        FaultyTransport faulty = new FaultyTransport(ch);
        String db = "away_long_" + id;
        SinkConfig config = fx.config(db, "g-" + id, Map.of(SinkConfig.RETRY_BACKOFF_MAX, "10s"));
        try (SinkApp app = fx.start(config, faulty, ClickHouseSink.Hooks.NONE)) {
            faulty.awayFor(Duration.ofSeconds(150));
            fx.produce(data);
            long retriesBefore = -1;
            for (int minute = 0; minute < 2; minute++) {
                Thread.sleep(60_000);
                assertThat(faulty.away()).isTrue();
                assertThat(app.sink().ready()).isFalse();
                assertThat(app.sink().state()).isEqualTo(ClickHouseSink.State.RUNNING);
                assertThat(fx.committed(config.groupId()).values()).as("nothing committed while ClickHouse is away")
                        .allMatch(o -> o == 0L);
                assertThat(app.sink().metrics().retries()).as("still retrying").isGreaterThan(retriesBefore);
                retriesBefore = app.sink().metrics().retries();
            }
            fx.awaitDrained(config.groupId(), DRAIN);
            assertThat(faulty.away()).isFalse();
            assertThat(app.sink().ready()).isTrue();
            assertTotalsEqualReference(db, data);
            assertThat(app.sink().metrics().rowsTotal()).as("every row written once, after all the retries")
                    .isEqualTo(data.rollups.size() + data.events.size() + data.alerts.size());
        }
    }

    @Test
    void shouldStopWithAClearErrorOnAFatalSchemaMismatchAndNotCommit() throws Exception {
        TestData data = new TestData(23, 4);
        FaultyTransport faulty = new FaultyTransport(ch);
        faulty.fatalFor(t -> t.endsWith(".priced_events"));
        fx.produce(data);
        SinkConfig config = fx.config("fatal_" + id, "g-" + id, Map.of());
        try (SinkApp app = fx.start(config, faulty, ClickHouseSink.Hooks.NONE)) {
            assertThat(app.sink().awaitTermination(DRAIN)).isTrue();
            assertThat(app.sink().state()).isEqualTo(ClickHouseSink.State.FAILED);
            assertThat(app.sink().failure()).isInstanceOf(SinkFailedException.class)
                    .hasMessageContaining("NO_SUCH_COLUMN_IN_TABLE").hasMessageContaining("priced_events")
                    .hasMessageContaining("SPENDSTREAM_SINK_ON_FATAL=dead-letter");
            assertThat(fx.committed(config.groupId()).values()).allMatch(o -> o == 0L);
        }
    }

    @Test
    void shouldDeadLetterTheRecordsOfAFatallyFailingTableWhenConfiguredAndGoOn() {
        TestData data = new TestData(29, 4);
        FaultyTransport faulty = new FaultyTransport(ch);
        faulty.fatalFor(t -> t.endsWith(".budget_alerts"));
        fx.produce(data);
        String db = "fataldlq_" + id;
        SinkConfig config = fx.config(db, "g-" + id, Map.of(SinkConfig.ON_FATAL, "dead-letter"));
        try (SinkApp app = fx.start(config, faulty, ClickHouseSink.Hooks.NONE)) {
            fx.awaitDrained(config.groupId(), DRAIN);
            assertThat(app.sink().state()).isEqualTo(ClickHouseSink.State.RUNNING);
        }
        assertThat(q(ch, "SELECT count() FROM " + db + ".priced_events FINAL"))
                .isEqualTo(Integer.toString(data.distinctEvents.size()));
        List<ConsumerRecord<byte[], byte[]>> dead = readAll(fx.dlq, data.alerts.size());
        assertThat(dead).hasSize(data.alerts.size());
        assertThat(dead).allSatisfy(r -> {
            assertThat(header(r, ClickHouseSink.H_TOPIC)).isEqualTo(fx.alerts);
            assertThat(header(r, ClickHouseSink.H_REASON)).contains("NO_SUCH_COLUMN_IN_TABLE");
        });
    }

    @Test
    void shouldAnswerTheQueryApiAndCsvInAgreementWithSqlOnTheTables() throws Exception {
        TestData data = new TestData(31, 30);
        fx.produce(data);
        String db = "api_" + id;
        SinkConfig config = fx.config(db, "g-" + id, Map.of());
        try (SinkApp app = fx.start(config, ch, ClickHouseSink.Hooks.NONE)) {
            fx.awaitDrained(config.groupId(), DRAIN);
        }
        SpendQueries queries = new SpendQueries(ch, db);
        Instant from = data.month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant to = from.plus(Duration.ofDays(2));

        // Spend by hour without grouping equals the reference and direct SQL.
        var rows = queries.spend("org-a", from, to, SpendQueries.Granularity.HOUR, EnumSet.noneOf(SpendQueries.GroupBy.class));
        Map<Long, BigInteger> reference = data.hourlyCost("org-a");
        assertThat(rows).hasSize(reference.size());
        for (var r : rows) {
            assertThat(r.costUsdNanos()).isEqualTo(reference.get(r.windowStart().toEpochMilli()));
            assertThat(r.costUsd()).isEqualTo(Money.usd(reference.get(r.windowStart().toEpochMilli())));
        }
        StringBuilder viaApi = new StringBuilder();
        for (var r : queries.spend("org-a", from, to, SpendQueries.Granularity.HOUR,
                EnumSet.of(SpendQueries.GroupBy.FEATURE, SpendQueries.GroupBy.PROVIDER))) {
            viaApi.append(r.windowStart().toEpochMilli()).append('\t').append(r.group().get("feature")).append('\t')
                    .append(r.group().get("provider")).append('\t').append(r.events()).append('\t')
                    .append(r.tokens().input()).append('\t').append(r.costUsdNanos()).append('\n');
        }
        String viaSql = q(ch, "SELECT toUnixTimestamp64Milli(window_start) AS ws, feature, provider, sum(events),"
                + " sum(input_tokens), sum(toInt128(cost_usd_nanos)) FROM " + db + ".spend_rollups_hour FINAL"
                + " WHERE org_id = 'org-a' AND window_start >= toDateTime64('" + from.toEpochMilli() / 1000 + "', 3, 'UTC')"
                + " AND window_start < toDateTime64('" + to.toEpochMilli() / 1000 + "', 3, 'UTC')"
                + " GROUP BY ws, feature, provider ORDER BY ws, feature, provider");
        assertThat(viaApi.toString().strip()).isEqualTo(viaSql.replace("\\\"", "\""));

        // The CSV equals the spend_daily view, row for row.
        String csv = PipelineFixture.csv(queries, "org-a", data.month);
        StringBuilder expectedCsv = new StringBuilder(SpendQueries.CSV_HEADER).append("\r\n");
        for (String line : q(ch, "SELECT day, feature, provider, model, events, errors, input_tokens, output_tokens,"
                + " cached_input_tokens, cache_write_tokens, reasoning_tokens, unpriced_events, toString(cost_nanos)"
                + " FROM " + db + ".spend_daily WHERE org_id = 'org-a' ORDER BY day, feature, provider, model")
                .split("\n")) {
            String[] f = line.replace("\\\"", "\"").split("\t");
            for (int i = 1; i <= 3; i++) {
                f[i] = SpendQueries.csvText(f[i]);
            }
            f[12] = Money.usd(new BigInteger(f[12]));
            expectedCsv.append(String.join(",", f)).append("\r\n");
        }
        assertThat(csv).isEqualTo(expectedCsv.toString());
        assertThat(csv).contains("\"summarize,\"\"quoted\"\"\"");

        // Alerts: one per alert id, replays collapsed.
        var alerts = queries.alerts("org-b", from);
        assertThat(alerts).extracting(SpendQueries.AlertRow::alertId).doesNotHaveDuplicates()
                .hasSize((int) data.distinctAlerts.keySet().stream().filter(k -> k.startsWith("org-b|")).count());

        // The same over HTTP, with the org from the Authorization header.
        Vertx vertx = Vertx.vertx();
        try {
            Router router = Router.router(vertx);
            new QueryRoutes(queries).mount(router, h -> "Bearer key-a".equals(h) ? Optional.of("org-a") : Optional.empty());
            HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            String base = "http://127.0.0.1:" + server.actualPort();
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> noKey = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/spend?from=" + from
                    + "&to=" + to)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(noKey.statusCode()).isEqualTo(401);
            assertThat(noKey.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            HttpResponse<String> bad = get(http, base + "/v1/spend?from=" + from + "&to=" + to + "&granularity=week");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).contains("granularity must be minute, hour or day");
            assertThat(get(http, base + "/v1/spend?from=" + from + "&to=" + to + "&group_by=feature,org_id")
                    .statusCode()).isEqualTo(400);
            assertThat(get(http, base + "/v1/reports/spend.csv?month=2026-13").statusCode()).isEqualTo(400);

            HttpResponse<String> ok = get(http, base + "/v1/spend?from=" + from + "&to=" + to + "&granularity=hour");
            assertThat(ok.statusCode()).isEqualTo(200);
            JsonNode body = new ObjectMapper().readTree(ok.body());
            assertThat(body.get("org_id").asText()).isEqualTo("org-a");
            List<String> costs = new ArrayList<>();
            body.get("rows").forEach(n -> costs.add(n.get("window_start").asText() + "=" + n.get("cost_usd").asText()));
            assertThat(costs).isEqualTo(rows.stream().map(r -> r.windowStart() + "=" + r.costUsd()).toList());
            assertThat(body.get("rows").get(0).get("tokens").has("cached_input")).isTrue();

            HttpResponse<String> csvResponse = get(http, base + "/v1/reports/spend.csv?month=" + data.month);
            assertThat(csvResponse.statusCode()).isEqualTo(200);
            assertThat(csvResponse.headers().firstValue("Content-Type")).hasValue("text/csv; charset=utf-8");
            assertThat(csvResponse.body()).isEqualTo(csv);

            HttpResponse<String> alertsResponse = get(http, base + "/v1/alerts?since=" + from);
            assertThat(alertsResponse.statusCode()).isEqualTo(200);
            assertThat(new ObjectMapper().readTree(alertsResponse.body()).get("alerts").size())
                    .isEqualTo(queries.alerts("org-a", from).size());
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer key-a").build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String header(ConsumerRecord<?, ?> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int atLeast) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
                if (out.size() >= atLeast) {
                    // one more poll to catch extras
                    c.poll(Duration.ofMillis(500)).forEach(out::add);
                    break;
                }
            }
        }
        return out;
    }
}
