package io.spendstream.processor;

import static io.spendstream.processor.TopologyFixture.event;
import static io.spendstream.processor.TopologyFixture.price;
import static org.assertj.core.api.Assertions.assertThat;

import io.spendstream.schema.CallStatus;
import io.spendstream.schema.PricedUsageEvent;
import io.spendstream.schema.SpendRollup;
import io.spendstream.schema.WindowSize;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RollupTopologyTest {
    private TopologyFixture f;

    @BeforeEach
    void setUp() {
        f = new TopologyFixture(TopologySettings.defaults()
                .withGrace(WindowSize.MINUTE, Duration.ofSeconds(30))
                .withGrace(WindowSize.HOUR, Duration.ofMinutes(5))
                .withGrace(WindowSize.DAY, Duration.ofMinutes(30)));
        f.publishPrice(price("openai", "gpt-4o", "2024-01-01T00:00:00Z", "2.50", "10"));
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    private Map<String, SpendRollup> latest() {
        return f.latestRollups(f.rollups.readValuesToList());
    }

    private static String key(String org, WindowSize size, String start) {
        return Keys.join(org, "chat", "openai", "gpt-4o", size.name(), Long.toString(Instant.parse(start).toEpochMilli()));
    }

    @Test
    void shouldRollUpIntoMinuteHourAndDayWindowsWithEveryMeasure() {
        f.send(event("acme", "e1", "2026-11-01T10:00:10Z").setLatencyMs(120L).build());
        f.send(event("acme", "e2", "2026-11-01T10:00:50Z").setLatencyMs(300L).setStatus(CallStatus.ERROR)
                .setCachedInputTokens(500).setCacheWriteTokens(7).setReasoningTokens(11).build());
        f.send(event("acme", "e3", "2026-11-01T10:01:05Z").setModel("gpt-4o").setClientCostUsdNanos(1L).build());
        f.send(event("acme", "e4", "2026-11-01T10:01:06Z").setModel("unknown-model").build());
        f.flushRollups();
        Map<String, SpendRollup> r = latest();

        SpendRollup minute10 = r.get(key("acme", WindowSize.MINUTE, "2026-11-01T10:00:00Z"));
        assertThat(minute10.getEvents()).isEqualTo(2);
        assertThat(minute10.getErrors()).isEqualTo(1);
        assertThat(minute10.getInputTokens()).isEqualTo(2000);
        assertThat(minute10.getOutputTokens()).isEqualTo(200);
        assertThat(minute10.getCachedInputTokens()).isEqualTo(500);
        assertThat(minute10.getCacheWriteTokens()).isEqualTo(7);
        assertThat(minute10.getReasoningTokens()).isEqualTo(11);
        // e1: 1000*2.5 + 100*10 = 3500 micro; e2: + 500*2.5 (cached billed as input) + 7*2.5 + 11*10 = 3500+1250+17.5+110
        assertThat(minute10.getCostUsdNanos()).isEqualTo(3_500_000L + 4_877_500L);
        assertThat(minute10.getLatencyMsSum()).isEqualTo(420);
        assertThat(minute10.getLatencyMsMax()).isEqualTo(300);
        assertThat(minute10.getWindowEnd()).isEqualTo(Instant.parse("2026-11-01T10:01:00Z"));

        SpendRollup hour = r.get(key("acme", WindowSize.HOUR, "2026-11-01T10:00:00Z"));
        assertThat(hour.getEvents()).isEqualTo(3); // e4 is another model: another rollup
        assertThat(hour.getCostUsdNanos()).isEqualTo(3_500_000L + 4_877_500L + 1L);
        SpendRollup day = r.get(key("acme", WindowSize.DAY, "2026-11-01T00:00:00Z"));
        assertThat(day.getEvents()).isEqualTo(3);

        SpendRollup unpriced = r.get(Keys.join("acme", "chat", "openai", "unknown-model", "DAY",
                Long.toString(Instant.parse("2026-11-01T00:00:00Z").toEpochMilli())));
        assertThat(unpriced.getUnpricedEvents()).isEqualTo(1);
        assertThat(unpriced.getCostUsdNanos()).isZero();
        assertThat(r).hasSize(2 + 1 + 1 + 3); // minutes 10:00, 10:01 (gpt-4o), hour, day + 3 for unknown-model
    }

    @Test
    void shouldEmitUpsertsWithAGrowingVersionAsTheWindowChangesNotOnlyAtClose() {
        f.send(event("acme", "e1", "2026-11-01T10:00:10Z").build());
        f.flushRollups();
        f.send(event("acme", "e2", "2026-11-01T10:00:20Z").build());
        f.send(event("acme", "e3", "2026-11-01T10:00:30Z").build());
        f.flushRollups();
        List<SpendRollup> minute = f.rollups.readValuesToList().stream()
                .filter(r -> r.getWindowSize() == WindowSize.MINUTE).toList();
        // One upsert per flush: the second one coalesces e2 and e3.
        assertThat(minute).extracting(SpendRollup::getVersion).containsExactly(1L, 3L);
        assertThat(minute).extracting(SpendRollup::getEvents).containsExactly(1L, 3L);
    }

    @Test
    void shouldKeepOrgsFeaturesAndModelsApart() {
        f.send(event("acme", "e1", "2026-11-01T10:00:10Z").build());
        f.send(event("globex", "e1", "2026-11-01T10:00:10Z").build());
        f.send(event("acme", "e2", "2026-11-01T10:00:10Z").setFeature("search|beta").build());
        f.flushRollups();
        Map<String, SpendRollup> r = latest();
        assertThat(r.values().stream().filter(x -> x.getWindowSize() == WindowSize.MINUTE))
                .extracting(SpendRollup::getOrgId, SpendRollup::getFeature)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("acme", "chat"),
                        org.assertj.core.groups.Tuple.tuple("globex", "chat"),
                        org.assertj.core.groups.Tuple.tuple("acme", "search|beta"));
    }

    @Test
    void shouldSendEventsPastEachSizesGraceToTheLateTopicAndStillCountThemWhereOnTime() {
        f.send(event("acme", "now", "2026-11-01T10:10:00Z").build());
        // Event time 10:08:10; received at 10:10:00. Minute window [10:08,10:09) closed at 10:09:30: late.
        // Hour window closes at 11:05 and the day window tomorrow: on time there.
        f.send(event("acme", "late-minute", "2026-11-01T10:08:10Z").build(), "2026-11-01T10:10:00Z");
        // Event of 08:30, received 10:10: the 08:00 hour closed at 09:05, the day is open.
        f.send(event("acme", "late-hour", "2026-11-01T08:30:00Z").build(), "2026-11-01T10:10:00Z");
        // An event from yesterday: every window closed.
        f.send(event("acme", "late-all", "2026-10-31T10:00:00Z").build(), "2026-11-01T10:10:00Z");
        // Just inside the minute grace: window [10:09,10:10) closes at 10:10:30.
        f.send(event("acme", "on-time", "2026-11-01T10:09:59Z").build(), "2026-11-01T10:10:00Z");
        f.flushRollups();

        List<TestRecord<String, PricedUsageEvent>> late = f.late.readRecordsToList();
        assertThat(late).extracting(r -> r.value().getEvent().getEventId())
                .containsExactly("late-minute", "late-hour", "late-all");
        assertThat(late).extracting(r -> new String(r.headers().lastHeader(RollupProcessor.LATE_HEADER).value(),
                StandardCharsets.UTF_8)).containsExactly("MINUTE", "MINUTE,HOUR", "MINUTE,HOUR,DAY");
        assertThat(f.metrics.lateCount(WindowSize.MINUTE)).isEqualTo(3);
        assertThat(f.metrics.lateCount(WindowSize.HOUR)).isEqualTo(2);
        assertThat(f.metrics.lateCount(WindowSize.DAY)).isEqualTo(1);

        Map<String, SpendRollup> r = latest();
        assertThat(r.get(key("acme", WindowSize.DAY, "2026-11-01T00:00:00Z")).getEvents())
                .as("now, late-minute, late-hour, on-time").isEqualTo(4);
        assertThat(r.get(key("acme", WindowSize.HOUR, "2026-11-01T10:00:00Z")).getEvents())
                .as("now, late-minute, on-time").isEqualTo(3);
        assertThat(r).doesNotContainKey(key("acme", WindowSize.MINUTE, "2026-11-01T10:08:00Z"));
        assertThat(r).doesNotContainKey(key("acme", WindowSize.DAY, "2026-10-31T00:00:00Z"));
        assertThat(r.get(key("acme", WindowSize.MINUTE, "2026-11-01T10:09:00Z")).getEvents()).isEqualTo(1);
        // Late events are still priced events: they reach the priced topic.
        assertThat(f.priced.readValuesToList()).hasSize(5);
    }

    @Test
    void shouldNotLetAProducersFutureClockCloseOtherEventsWindows() {
        // A producer whose clock is 20 hours ahead: its event lands in a future window, but stream time
        // is receive time, so events of correct clocks are not made late.
        f.send(event("acme", "skewed", "2026-11-02T06:00:00Z").build(), "2026-11-01T10:00:00Z");
        f.send(event("acme", "normal", "2026-11-01T10:00:05Z").build(), "2026-11-01T10:00:06Z");
        f.flushRollups();
        assertThat(f.late.isEmpty()).isTrue();
        assertThat(latest().get(key("acme", WindowSize.MINUTE, "2026-11-01T10:00:00Z")).getEvents()).isEqualTo(1);
    }

    @Test
    void shouldDropClosedWindowsFromTheStoreAfterEmittingThem() {
        f.send(event("acme", "e1", "2026-11-01T10:00:10Z").build());
        f.send(event("acme", "e2", "2026-11-01T12:00:00Z").build()); // stream time moves 2 h on
        f.driver.advanceWallClockTime(f.settings.purgeInterval().plusSeconds(1));
        var store = f.driver.<String, Object>getKeyValueStore(SpendTopology.ROLLUP_STORE);
        List<String> keys = new java.util.ArrayList<>();
        try (var it = store.all()) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        assertThat(keys).noneMatch(k -> k.startsWith("MINUTE|" + Keys.paddedMillis(
                Instant.parse("2026-11-01T10:00:00Z").toEpochMilli())));
        assertThat(keys).anyMatch(k -> k.startsWith("DAY|")); // the day is still open
        // e1's minute window was emitted before it was dropped.
        assertThat(f.rollups.readValuesToList()).anyMatch(r -> r.getWindowSize() == WindowSize.MINUTE
                && r.getWindowStart().equals(Instant.parse("2026-11-01T10:00:00Z")));
    }
}
