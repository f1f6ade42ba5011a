package io.spendstream.sink.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spendstream.schema.PricedUsageEvent;
import io.spendstream.schema.SpendRollup;
import io.spendstream.schema.UsageEvent;
import io.spendstream.schema.WindowSize;
import io.spendstream.sink.TestData;
import io.spendstream.sink.rows.RowBinaryWriter;
import io.spendstream.sink.rows.RowEncoders;
import io.spendstream.sink.rows.Tables;
import io.spendstream.sink.transport.ChdbTransport;
import io.spendstream.sink.transport.TransportException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Migrations, row encodings, decimal exactness and insert deduplication against the real embedded engine. */
class ChdbTablesIT {
    @TempDir
    static Path dir;
    static ChdbTransport ch;

    @BeforeAll
    static void open() {
        ch = ChdbTransport.open(dir.resolve("ch"));
    }

    @AfterAll
    static void close() {
        ch.close();
    }

    static String q(String sql) {
        return new String(ch.query(sql, "TabSeparated", Map.of()), StandardCharsets.UTF_8).strip();
    }

    @Test
    void shouldRunMigrationsTwiceSafelyApplyingNothingTheSecondTimeAndKeepingRows() {
        Migrations m = Migrations.fromClasspath(ch, "twice");
        assertThat(m.migrate()).containsExactly(1, 2, 3, 4, 5);
        RowBinaryWriter w = new RowBinaryWriter();
        new TestData(3, 2).rollups.forEach(r -> RowEncoders.rollup(w, r));
        ch.insert("twice." + Tables.ROLLUPS_MINUTE, "RowBinary", w.toByteArray(), null);
        String before = q("SELECT count(), sum(cost_usd_nanos) FROM twice.spend_rollups_minute");
        assertThat(Migrations.fromClasspath(ch, "twice").migrate()).isEmpty();
        assertThat(q("SELECT count(), sum(cost_usd_nanos) FROM twice.spend_rollups_minute")).isEqualTo(before);
        assertThat(q("SELECT version, name, length(checksum) FROM twice.spendstream_migrations FINAL ORDER BY version"))
                .isEqualTo("1\tspend_rollups\t64\n2\tpriced_events\t64\n3\tbudget_alerts\t64\n4\tviews\t64\n"
                        + "5\tpriced_events_token_classes\t64");
        assertThat(q("SELECT name FROM system.tables WHERE database = 'twice' ORDER BY name")).isEqualTo(String.join("\n",
                "budget_alerts", "priced_events", "spend_daily", "spend_rollups_day", "spend_rollups_hour",
                "spend_rollups_minute", "spendstream_migrations", "top_features_this_month", "unpriced_events_by_model"));
    }

    @Test
    void shouldRefuseToStartWhenAnAppliedMigrationWasEdited() {
        Migrations.fromClasspath(ch, "edited").migrate();
        List<Migration> edited = new ArrayList<>(Migrations.loadClasspath());
        Migration v2 = edited.get(1);
        edited.set(1, Migration.parse("V002__priced_events.sql", v2.sql() + "-- an innocent edit\n"));
        assertThatThrownBy(() -> new Migrations(ch, "edited", edited).migrate())
                .isInstanceOf(MigrationException.class).hasMessageContaining("V2__priced_events was changed");
    }

    @Test
    void shouldStoreEveryColumnOfEachTableAndReadThemBack() {
        Migrations.fromClasspath(ch, "rows").migrate();
        TestData data = new TestData(5, 1);
        var plain = data.events.stream().filter(p -> p.getEvent().getLatencyMs() == null).findFirst().orElseThrow();
        var e = PricedUsageEvent.newBuilder(plain).setEvent(UsageEvent.newBuilder(plain.getEvent())
                        .setCacheWrite1hTokens(11).setInputAudioTokens(12).setCachedInputAudioTokens(13)
                        .setInputImageTokens(14).setOutputAudioTokens(15).setOutputImageTokens(16)
                        .setUsageFormat("openai.responses").build())
                .setPriceTierInputTokensAbove(200_000L).setPriceWindowStartSecondUtc(59_400).build();
        RowBinaryWriter w = new RowBinaryWriter();
        RowEncoders.pricedEvent(w, e);
        RowEncoders.pricedEvent(w, PricedUsageEvent.newBuilder(plain).setEvent(UsageEvent.newBuilder(plain.getEvent())
                .setEventId("plain").build()).build());
        ch.insert("rows.priced_events", "RowBinary", w.toByteArray(), null);
        assertThat(q("SELECT event_id, cache_write_1h_tokens, input_audio_tokens, cached_input_audio_tokens,"
                + " input_image_tokens, output_audio_tokens, output_image_tokens, usage_format,"
                + " price_tier_input_tokens_above, price_window_start_second_utc FROM rows.priced_events ORDER BY event_id"))
                .isEqualTo(String.join("\t", e.getEvent().getEventId(), "11", "12", "13", "14", "15", "16",
                        "openai.responses", "200000", "59400") + "\nplain\t0\t0\t0\t0\t0\t0\t\\N\t\\N\t\\N");
        assertThat(q("SELECT org_id, toUnixTimestamp64Milli(timestamp), event_id, latency_ms, tags['env'],"
                + " metadata['attempt'], cost_usd_nanos, toString(cost_usd), cost_source, toUnixTimestamp64Milli(processed_at)"
                + " FROM rows.priced_events WHERE event_id != 'plain'"))
                .isEqualTo(String.join("\t", e.getEvent().getOrgId(), "" + e.getEvent().getTimestamp().toEpochMilli(),
                        e.getEvent().getEventId(), "\\N", e.getEvent().getTags().get("env"),
                        e.getEvent().getMetadata().get("attempt").toString(), "" + e.getCostUsdNanos(),
                        io.spendstream.sink.query.Money.usd(e.getCostUsdNanos()).replaceAll("\\.?0+$", ""),
                        e.getCostSource().name(), "" + e.getProcessedAt().toEpochMilli()));
        w.reset();
        var a = data.distinctAlerts.values().stream().filter(x -> x.getAlertId().equals("alert-1")).findFirst()
                .orElseThrow();
        RowEncoders.alert(w, a);
        ch.insert("rows.budget_alerts", "RowBinary", w.toByteArray(), null);
        assertThat(q("SELECT alert_id, scope, scope_value, threshold_percent, kind, spend_usd_nanos, trigger_event_id"
                + " FROM rows.budget_alerts")).isEqualTo(String.join("\t", a.getAlertId(), a.getScope().name(),
                a.getScopeValue(), "" + a.getThresholdPercent(), a.getKind().name(), "" + a.getSpendUsdNanos(), "\\N"));
    }

    @Test
    void shouldReadTheAvroDefaultsInTheNewColumnsOfEventsStoredBeforeV005() {
        List<Migration> all = Migrations.loadClasspath();
        new Migrations(ch, "upgrade", all.subList(0, 4)).migrate();
        ch.execute("INSERT INTO upgrade.priced_events (org_id, timestamp, event_id, input_tokens, cost_source)"
                + " VALUES ('org-a', now64(3), 'old', 7, 'UNPRICED')");
        assertThat(new Migrations(ch, "upgrade", all).migrate()).containsExactly(5);
        assertThat(q("SELECT input_tokens, cache_write_1h_tokens + input_audio_tokens + cached_input_audio_tokens"
                + " + input_image_tokens + output_audio_tokens + output_image_tokens, usage_format,"
                + " price_tier_input_tokens_above, price_window_start_second_utc FROM upgrade.priced_events FINAL"))
                .isEqualTo("7\t0\t\\N\t\\N\t\\N");
        // The row encoders write the migrated layout.
        RowBinaryWriter w = new RowBinaryWriter();
        RowEncoders.pricedEvent(w, new TestData(3, 1).events.getFirst());
        ch.insert("upgrade.priced_events", "RowBinary", w.toByteArray(), null);
        assertThat(q("SELECT count() FROM upgrade.priced_events FINAL")).isEqualTo("2");
    }

    @Test
    void shouldShowNanoDollarsAsExactDecimalsInColumnsAndViews() {
        Migrations.fromClasspath(ch, "money").migrate();
        TestData data = new TestData(7, 1);
        SpendRollup base = data.latest.values().stream().filter(r -> r.getWindowSize() == WindowSize.DAY)
                .findFirst().orElseThrow();
        RowBinaryWriter w = new RowBinaryWriter();
        long big = 123456789012345678L;
        RowEncoders.rollup(w, SpendRollup.newBuilder(base).setCostUsdNanos(big).build());
        RowEncoders.rollup(w, SpendRollup.newBuilder(base).setFeature("other").setCostUsdNanos(big).build());
        RowEncoders.rollup(w, SpendRollup.newBuilder(base).setFeature("third").setCostUsdNanos(Long.MAX_VALUE).build());
        ch.insert("money.spend_rollups_day", "RowBinary", w.toByteArray(), null);
        assertThat(q("SELECT toString(cost_usd), toTypeName(cost_usd) FROM money.spend_rollups_day FINAL"
                + " WHERE feature = 'other'")).isEqualTo("123456789.012345678\tDecimal(38, 9)");
        // Three rows sum beyond Int64: the view sums in Int128 and stays exact.
        assertThat(q("SELECT toString(sum(cost_nanos)), toString(sum(cost_usd)) FROM money.spend_daily"))
                .isEqualTo(java.math.BigInteger.valueOf(big).shiftLeft(1).add(java.math.BigInteger.valueOf(Long.MAX_VALUE))
                        + "\t" + io.spendstream.sink.query.Money.usd(java.math.BigInteger.valueOf(big).shiftLeft(1)
                        .add(java.math.BigInteger.valueOf(Long.MAX_VALUE))));
    }

    @Test
    void shouldAcknowledgeARepeatedDeduplicationTokenWithoutInsertingTwice() {
        Migrations.fromClasspath(ch, "dedup").migrate();
        RowBinaryWriter w = new RowBinaryWriter();
        new ArrayList<>(new TestData(9, 1).distinctEvents.values()).subList(0, 10).forEach(p -> RowEncoders.pricedEvent(w, p));
        byte[] batch = w.toByteArray();
        ch.insert("dedup.priced_events", "RowBinary", batch, "tok-1");
        ch.insert("dedup.priced_events", "RowBinary", batch, "tok-1");
        assertThat(q("SELECT count() FROM dedup.priced_events")).as("same token: stored once").isEqualTo("10");
        ch.insert("dedup.priced_events", "RowBinary", batch, "tok-2");
        assertThat(q("SELECT count() FROM dedup.priced_events")).as("other token: inserted again").isEqualTo("20");
        assertThat(q("SELECT count() FROM dedup.priced_events FINAL")).as("FINAL collapses the replay").isEqualTo("10");
    }

    @Test
    void shouldSetAndRemoveTheEventsTtlFromConfiguration() {
        Migrations m = Migrations.fromClasspath(ch, "ttl");
        m.migrate();
        m.applyEventsTtl(Duration.ofDays(30));
        assertThat(q("SELECT create_table_query FROM system.tables WHERE database = 'ttl' AND name = 'priced_events'"))
                .contains("TTL toDateTime(timestamp) + toIntervalSecond(2592000)");
        m.applyEventsTtl(null);
        m.applyEventsTtl(null);
        assertThat(q("SELECT create_table_query FROM system.tables WHERE database = 'ttl' AND name = 'priced_events'"))
                .doesNotContain(" TTL ");
    }

    @Test
    void shouldReportASchemaMismatchAsFatal() {
        Migrations.fromClasspath(ch, "mismatch").migrate();
        assertThatThrownBy(() -> ch.insert("mismatch.budget_alerts", "RowBinary", new byte[] {1, 2, 3}, null))
                .isInstanceOfSatisfying(TransportException.class, e -> assertThat(e.retriable()).isFalse());
        assertThatThrownBy(() -> ch.insert("mismatch.no_such_table", "RowBinary", new byte[] {1}, null))
                .isInstanceOfSatisfying(TransportException.class, e -> {
                    assertThat(e.retriable()).isFalse();
                    assertThat(e.code()).hasValue(60);
                });
    }
}
