package io.spendstream.sink.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spendstream.schema.WindowSize;
import io.spendstream.sink.TestData;
import io.spendstream.sink.query.Money;
import io.spendstream.sink.query.SpendQueries;
import io.spendstream.sink.rows.RowBinaryWriter;
import io.spendstream.sink.rows.RowEncoders;
import io.spendstream.sink.rows.Tables;
import io.spendstream.sink.schema.Migrations;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.clickhouse.ClickHouseContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The same migrations, RowBinary inserts (with deduplication tokens) and queries as against chDB,
 * against a ClickHouse server over HTTP with client-v2. Runs where Docker exists; skipped cleanly
 * where it does not.
 */
@Testcontainers(disabledWithoutDocker = true)
class HttpTransportIT {
    @Container
    static final ClickHouseContainer CLICKHOUSE = new ClickHouseContainer("clickhouse/clickhouse-server:25.8");
    static HttpTransport http;

    @BeforeAll
    static void connect() {
        http = new HttpTransport("http://" + CLICKHOUSE.getHost() + ":" + CLICKHOUSE.getMappedPort(8123),
                CLICKHOUSE.getUsername(), CLICKHOUSE.getPassword(), "default");
    }

    @AfterAll
    static void disconnect() {
        if (http != null) {
            http.close();
        }
    }

    static String q(String sql) {
        return new String(http.query(sql, "TabSeparated", Map.of()), StandardCharsets.UTF_8).strip();
    }

    @Test
    void shouldRunTheSameMigrationsInsertsAndQueriesAsTheEmbeddedEngine() {
        Migrations migrations = Migrations.fromClasspath(http, "spendstream_http");
        assertThat(migrations.migrate()).containsExactly(1, 2, 3, 4, 5);
        assertThat(Migrations.fromClasspath(http, "spendstream_http").migrate()).isEmpty();

        TestData data = new TestData(41, 6);
        for (WindowSize size : WindowSize.values()) {
            RowBinaryWriter w = new RowBinaryWriter();
            data.rollups.stream().filter(r -> r.getWindowSize() == size).forEach(r -> RowEncoders.rollup(w, r));
            byte[] bytes = w.toByteArray();
            http.insert("spendstream_http." + Tables.rollups(size), "RowBinary", bytes, "t-" + size);
            http.insert("spendstream_http." + Tables.rollups(size), "RowBinary", bytes, "t-" + size); // deduplicated
            assertThat(q("SELECT count(), sum(events), sum(input_tokens), toString(sum(toInt128(cost_usd_nanos)))"
                    + " FROM spendstream_http." + Tables.rollups(size) + " FINAL")).isEqualTo(data.rollupTotals(size));
        }
        RowBinaryWriter events = new RowBinaryWriter();
        data.events.forEach(p -> RowEncoders.pricedEvent(events, p));
        http.insert("spendstream_http.priced_events", "RowBinary", events.toByteArray(), "events-1");
        assertThat(q("SELECT count(), countIf(cost_source = 'UNPRICED'), sum(input_tokens),"
                + " toString(sum(toInt128(cost_usd_nanos))) FROM spendstream_http.priced_events FINAL"))
                .isEqualTo(data.eventTotals());

        SpendQueries queries = new SpendQueries(http, "spendstream_http");
        Instant from = data.month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        var rows = queries.spend("org-a", from, from.plus(Duration.ofDays(2)), SpendQueries.Granularity.HOUR,
                EnumSet.noneOf(SpendQueries.GroupBy.class));
        Map<Long, BigInteger> reference = data.hourlyCost("org-a");
        assertThat(rows).hasSize(reference.size()).allSatisfy(r ->
                assertThat(r.costUsd()).isEqualTo(Money.usd(reference.get(r.windowStart().toEpochMilli()))));
        assertThat(io.spendstream.sink.PipelineFixture.csv(queries, "org-a", data.month)).startsWith(SpendQueries.CSV_HEADER);

        assertThatThrownBy(() -> http.insert("spendstream_http.no_such_table", "RowBinary", new byte[] {1}, null))
                .isInstanceOfSatisfying(TransportException.class, e -> assertThat(e.retriable()).isFalse());
    }
}
