package io.spendstream.processor;

import static io.spendstream.processor.TopologyFixture.event;
import static io.spendstream.processor.TopologyFixture.price;
import static org.assertj.core.api.Assertions.assertThat;

import io.spendstream.processor.pricing.Prices;
import io.spendstream.schema.CostSource;
import io.spendstream.schema.DailyPriceWindow;
import io.spendstream.schema.ModelPrice;
import io.spendstream.schema.PriceRates;
import io.spendstream.schema.PriceTier;
import io.spendstream.schema.PricedUsageEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DedupAndPriceTopologyTest {
    private TopologyFixture f;

    @BeforeEach
    void setUp() {
        f = new TopologyFixture(TopologySettings.defaults().withDedupRetention(Duration.ofHours(26)));
        f.publishPrice(price("openai", "gpt-4o", "2024-01-01T00:00:00Z", "2.50", "10"));
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    private List<PricedUsageEvent> priced() {
        return f.priced.readValuesToList();
    }

    @Test
    void shouldDropDuplicateEventIdsAndCountThem() {
        f.send(event("acme", "e1", "2026-11-01T10:00:00Z").build());
        f.send(event("acme", "e1", "2026-11-01T10:00:00Z").build(), "2026-11-01T10:05:00Z");
        f.send(event("acme", "e1", "2026-11-01T10:03:00Z").build(), "2026-11-01T10:06:00Z"); // same id, other time
        f.send(event("acme", "e2", "2026-11-01T10:00:01Z").build());
        assertThat(priced()).extracting(p -> p.getEvent().getEventId()).containsExactly("e1", "e2");
        assertThat(f.metrics.duplicateCount()).isEqualTo(2);
    }

    @Test
    void shouldTreatTheSameEventIdInAnotherOrgAsAnotherEvent() {
        f.send(event("acme", "e1", "2026-11-01T10:00:00Z").build());
        f.send(event("globex", "e1", "2026-11-01T10:00:00Z").build());
        assertThat(priced()).extracting(p -> p.getEvent().getOrgId()).containsExactly("acme", "globex");
        assertThat(f.metrics.duplicateCount()).isZero();
    }

    @Test
    void shouldForgetEventIdsAfterTheRetention() {
        f.send(event("acme", "e1", "2026-11-01T10:00:00Z").build());
        f.send(event("acme", "e1", "2026-11-01T10:00:00Z").build(), "2026-11-02T11:00:00Z"); // 25h later: remembered
        f.send(event("acme", "e1", "2026-11-01T10:00:00Z").build(), "2026-11-02T13:00:00Z"); // 27h later: forgotten
        assertThat(priced()).hasSize(2);
        assertThat(f.metrics.duplicateCount()).isEqualTo(1);
    }

    @Test
    void shouldPriceEveryTokenClassExactlyWithThePriceInEffect() {
        ModelPrice p = Prices.builder("anthropic", "claude-sonnet-4-5", Instant.parse("2025-01-01T00:00:00Z"))
                .setInputPerMtokNanos(Prices.usdToNanos("3")).setOutputPerMtokNanos(Prices.usdToNanos("15"))
                .setCachedInputPerMtokNanos(Prices.usdToNanos("0.3"))
                .setCacheWritePerMtokNanos(Prices.usdToNanos("3.75")).build();
        f.publishPrice(p);
        f.send(event("acme", "e1", "2026-11-01T10:00:00Z").setProvider("anthropic").setModel("claude-sonnet-4-5")
                .setInputTokens(1234).setOutputTokens(567).setCachedInputTokens(8901).setCacheWriteTokens(2345)
                .setReasoningTokens(99).build());
        PricedUsageEvent out = priced().getFirst();
        // 1234*3 + 567*15 + 8901*0.3 + 2345*3.75 + 99*15 (reasoning billed as output) USD per million tokens
        // = 3702 + 8505 + 2670.3 + 8793.75 + 1485 = 25156.05 micro-USD = 25156050 nano-USD
        assertThat(out.getCostUsdNanos()).isEqualTo(25_156_050L);
        assertThat(out.getCostSource()).isEqualTo(CostSource.CATALOG);
        assertThat(out.getPriced()).isTrue();
        assertThat(out.getPriceModel()).isEqualTo("claude-sonnet-4-5");
    }

    @Test
    void shouldPriceLongContextCallsAtTheirTierAndPeakHoursAtTheirWindowAndSaySo() {
        PriceRates peak = PriceRates.newBuilder().setInputPerMtokNanos(Prices.usdToNanos("0.27"))
                .setOutputPerMtokNanos(Prices.usdToNanos("1.1")).build();
        f.publishPrice(Prices.builder("deepseek", "deepseek-chat", Instant.parse("2025-01-01T00:00:00Z"))
                .setInputPerMtokNanos(Prices.usdToNanos("0.135")).setOutputPerMtokNanos(Prices.usdToNanos("0.55"))
                .setDailyWindows(List.of(new DailyPriceWindow(1800, 59_400, peak, List.of()))).build());
        f.publishPrice(Prices.builder("google", "gemini-2.5-pro", Instant.parse("2025-01-01T00:00:00Z"))
                .setInputPerMtokNanos(Prices.usdToNanos("1.25")).setOutputPerMtokNanos(Prices.usdToNanos("10"))
                .setTiers(List.of(new PriceTier(200_000L, PriceRates.newBuilder()
                        .setInputPerMtokNanos(Prices.usdToNanos("2.5")).setOutputPerMtokNanos(Prices.usdToNanos("15"))
                        .build()))).build());
        f.send(event("acme", "peak", "2026-11-01T10:00:00Z").setProvider("deepseek").setModel("deepseek-chat")
                .setInputTokens(1_000_000).setOutputTokens(0).build());
        f.send(event("acme", "off-peak", "2026-11-01T20:00:00Z").setProvider("deepseek").setModel("deepseek-chat")
                .setInputTokens(1_000_000).setOutputTokens(0).build());
        f.send(event("acme", "long", "2026-11-01T10:00:00Z").setProvider("google").setModel("gemini-2.5-pro")
                .setInputTokens(300_000).setOutputTokens(1_000).build());
        f.send(event("acme", "short", "2026-11-01T10:00:00Z").setProvider("google").setModel("gemini-2.5-pro")
                .setInputTokens(200_000).setOutputTokens(1_000).build());
        List<PricedUsageEvent> out = priced();
        assertThat(out).extracting(PricedUsageEvent::getCostUsdNanos)
                .containsExactly(270_000_000L, 135_000_000L, 765_000_000L, 260_000_000L);
        assertThat(out).extracting(PricedUsageEvent::getPriceWindowStartSecondUtc).containsExactly(1800, null, null, null);
        assertThat(out).extracting(PricedUsageEvent::getPriceTierInputTokensAbove)
                .containsExactly(null, null, 200_000L, null);
    }

    @Test
    void shouldUseThePriceInEffectAtTheEventTimeSoChangesAreNotRetroactive() {
        f.publishPrice(price("openai", "gpt-4o", "2026-11-01T12:00:00Z", "5", "20"));
        f.send(event("acme", "before", "2026-11-01T11:59:59.999Z").build(), "2026-11-01T12:30:00Z");
        f.send(event("acme", "after", "2026-11-01T12:00:00Z").build(), "2026-11-01T12:30:01Z");
        List<PricedUsageEvent> out = priced();
        // 1000 input + 100 output tokens: 1000*2.5 + 100*10 = 3500 micro-USD; at the new price 1000*5 + 100*20 = 7000
        assertThat(out).extracting(PricedUsageEvent::getCostUsdNanos).containsExactly(3_500_000L, 7_000_000L);
        assertThat(out.get(1).getPriceEffectiveFrom()).isEqualTo(Instant.parse("2026-11-01T12:00:00Z"));
    }

    @Test
    void shouldApplyAPriceUpdatedOnTheTopicToLaterEventsWithoutRestart() {
        f.send(event("acme", "e1", "2026-11-01T10:00:00Z").setModel("new-model").build());
        f.publishPrice(price("openai", "new-model", "2026-01-01T00:00:00Z", "1", "2"));
        f.send(event("acme", "e2", "2026-11-01T10:00:01Z").setModel("new-model").build());
        assertThat(priced()).extracting(PricedUsageEvent::getCostSource)
                .containsExactly(CostSource.UNPRICED, CostSource.CATALOG);
    }

    @Test
    void shouldStopPricingWithAnEntryDeletedByTombstone() {
        ModelPrice p = price("openai", "temp-model", "2026-01-01T00:00:00Z", "1", "2");
        f.publishPrice(p);
        f.prices.pipeInput(Prices.topicKey(p), null);
        f.send(event("acme", "e1", "2026-11-01T10:00:00Z").setModel("temp-model").build());
        assertThat(priced().getFirst().getCostSource()).isEqualTo(CostSource.UNPRICED);
    }

    @Test
    void shouldResolveDatedAndPrefixedModelNamesToTheirBaseUnlessTheCatalogHasTheDatedOne() {
        f.publishPrice(price("openai", "gpt-4o-2024-05-13", "2024-01-01T00:00:00Z", "5", "15"));
        f.send(event("acme", "a", "2026-11-01T10:00:00Z").setModel("gpt-4o-2024-08-06").build());
        f.send(event("acme", "b", "2026-11-01T10:00:00Z").setModel("GPT-4o-2024-05-13").build());
        f.send(event("acme", "c", "2026-11-01T10:00:00Z").setModel("openai/gpt-4o").build());
        List<PricedUsageEvent> out = priced();
        assertThat(out).extracting(PricedUsageEvent::getPriceModel)
                .containsExactly("gpt-4o", "gpt-4o-2024-05-13", "gpt-4o");
        assertThat(out).extracting(PricedUsageEvent::getCostUsdNanos)
                .containsExactly(3_500_000L, 6_500_000L, 3_500_000L);
    }

    @Test
    void shouldLetTheClientCostWin() {
        f.send(event("acme", "e1", "2026-11-01T10:00:00Z").setClientCostUsdNanos(123_456_789L).build());
        PricedUsageEvent out = priced().getFirst();
        assertThat(out.getCostUsdNanos()).isEqualTo(123_456_789L);
        assertThat(out.getCostSource()).isEqualTo(CostSource.CLIENT);
        assertThat(f.metrics.pricedCount(CostSource.CLIENT)).isEqualTo(1);
    }

    @Test
    void shouldMarkEventsWithoutPriceAsUnpricedAtZeroAndCountThem() {
        f.send(event("acme", "e1", "2026-11-01T10:00:00Z").setProvider("acme-ai").setModel("mystery").build());
        PricedUsageEvent out = priced().getFirst();
        assertThat(out.getCostUsdNanos()).isZero();
        assertThat(out.getPriced()).isFalse();
        assertThat(out.getCostSource()).isEqualTo(CostSource.UNPRICED);
        assertThat(f.metrics.pricedCount(CostSource.UNPRICED)).isEqualTo(1);
    }

    @Test
    void shouldSkipUnreadableRecordsAndKeepProcessing() {
        // TopologyTestDriver skips a record that cannot be deserialized but does not produce Kafka Streams'
        // dead-letter record for it; StreamProcessorIT checks that record and its headers on a real broker.
        f.usageBytes.pipeInput("acme", "{\"not\": \"avro\"}".getBytes(StandardCharsets.UTF_8));
        f.send(event("acme", "e1", "2026-11-01T10:00:00Z").build());
        assertThat(priced()).extracting(p -> p.getEvent().getEventId()).containsExactly("e1");
    }

    @Test
    void shouldDeadLetterEventsKeyedByAnotherOrgThanTheirOwn() {
        var e = event("acme", "e1", "2026-11-01T10:00:00Z").build();
        f.usage.pipeInput(new TestRecord<>("globex", e, Instant.parse("2026-11-01T10:00:00Z")));
        TestRecord<byte[], byte[]> dead = f.deadLetters.readRecord();
        assertThat(header(dead, "__streams.errors.message")).contains("is not its org_id");
        assertThat(header(dead, "__streams.errors.topic")).isEqualTo("usage-events");
        assertThat(header(dead, "__streams.errors.offset")).isEqualTo("0");
        assertThat(dead.key()).isEqualTo("globex".getBytes(StandardCharsets.UTF_8));
        assertThat(f.priced.isEmpty()).isTrue();
    }

    private static String header(TestRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
