package io.spendstream.processor;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.spendstream.config.KafkaClientSettings;
import io.spendstream.processor.budget.BudgetSettings;
import io.spendstream.processor.budget.BudgetStatusReader;
import io.spendstream.processor.budget.BudgetTopology;
import io.spendstream.processor.pricing.Prices;
import io.spendstream.schema.Budget;
import io.spendstream.schema.BudgetAlert;
import io.spendstream.schema.BudgetPeriod;
import io.spendstream.schema.BudgetScope;
import io.spendstream.schemas.topics.OrgPartitioning;
import java.time.Clock;
import io.spendstream.schema.CallStatus;
import io.spendstream.schema.ModelPrice;
import io.spendstream.schema.PricedUsageEvent;
import io.spendstream.schema.SpendRollup;
import io.spendstream.schema.UsageEvent;
import io.spendstream.schemas.registry.InMemorySchemaRegistry;
import io.spendstream.schemas.topics.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/** A TopologyTestDriver around {@link SpendTopology#build}, configured like the application. */
final class TopologyFixture implements AutoCloseable {
    final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final PipelineMetrics metrics = new PipelineMetrics(meters);
    final TopologySettings settings;
    final TopologyTestDriver driver;
    final TestInputTopic<String, UsageEvent> usage;
    final TestInputTopic<String, byte[]> usageBytes;
    final TestInputTopic<String, ModelPrice> prices;
    final TestOutputTopic<String, PricedUsageEvent> priced;
    final TestOutputTopic<String, SpendRollup> rollups;
    final TestOutputTopic<String, PricedUsageEvent> late;
    final TestOutputTopic<byte[], byte[]> deadLetters;
    final TestInputTopic<String, Budget> budgets;
    final TestOutputTopic<String, BudgetAlert> alerts;
    final TestOutputTopic<String, String> alertsJson;

    TopologyFixture() {
        this(TopologySettings.defaults());
    }

    TopologyFixture(TopologySettings settings) {
        this.settings = settings;
        Properties props = StreamProcessorApp.streamsProperties("spend-test", KafkaClientSettings.plaintext("dummy:9092"), "exactly_once_v2", 100,
                System.getProperty("java.io.tmpdir") + "/spendstream-ttd-" + System.nanoTime(), null);
        driver = new TopologyTestDriver(SpendTopology.build(settings, registry, metrics), props,
                Instant.parse("2026-11-01T00:00:00Z"));
        var usageSerde = settings.usageEvents().valueSerde(registry);
        usage = driver.createInputTopic(settings.usageEvents().name(), new StringSerializer(), usageSerde.serializer());
        usageBytes = driver.createInputTopic(settings.usageEvents().name(), new StringSerializer(),
                new ByteArraySerializer());
        prices = driver.createInputTopic(settings.modelPrices().name(), new StringSerializer(),
                settings.modelPrices().valueSerde(registry).serializer());
        priced = driver.createOutputTopic(settings.pricedEvents().name(), new StringDeserializer(),
                settings.pricedEvents().valueSerde(registry).deserializer());
        rollups = driver.createOutputTopic(settings.rollups().name(), new StringDeserializer(),
                settings.rollups().valueSerde(registry).deserializer());
        late = driver.createOutputTopic(settings.lateEvents().name(), new StringDeserializer(),
                settings.lateEvents().valueSerde(registry).deserializer());
        deadLetters = driver.createOutputTopic(Topics.USAGE_EVENTS_DLQ.name(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        BudgetSettings b = settings.budgets();
        budgets = driver.createInputTopic(b.budgets().name(), new StringSerializer(),
                b.budgets().valueSerde(registry).serializer());
        alerts = driver.createOutputTopic(b.alerts().name(), new StringDeserializer(),
                b.alerts().valueSerde(registry).deserializer());
        alertsJson = driver.createOutputTopic(b.alertsJson().name(), new StringDeserializer(), new StringDeserializer());
    }

    /** Publishes (creates or replaces) a budget, as ingest-api does, at its updated_at. */
    void putBudget(Budget b) {
        budgets.pipeInput(new TestRecord<>(OrgPartitioning.budgetKey(b.getOrgId(), b.getBudgetId()), b,
                b.getUpdatedAt()));
    }

    void deleteBudget(String org, String budgetId, String at) {
        budgets.pipeInput(new TestRecord<>(OrgPartitioning.budgetKey(org, budgetId), null, Instant.parse(at)));
    }

    static Budget.Builder budget(String org, String id, BudgetPeriod period, String zone, String limitUsd, String at) {
        return Budget.newBuilder().setOrgId(org).setBudgetId(id).setScope(BudgetScope.ORG).setPeriod(period)
                .setTimeZone(zone).setLimitUsdNanos(Prices.usdToNanos(limitUsd))
                .setThresholdsPercent(List.of(50, 80, 100)).setEnabled(true)
                .setCreatedAt(Instant.parse(at)).setUpdatedAt(Instant.parse(at));
    }

    BudgetStatusReader statusReader(Clock clock) {
        return new BudgetStatusReader(driver.getKeyValueStore(BudgetTopology.BUDGETS_STORE),
                driver.getKeyValueStore(BudgetTopology.SPEND_STORE),
                driver.getKeyValueStore(BudgetTopology.PERIODS_STORE), clock);
    }

    static UsageEvent.Builder event(String org, String id, String at) {
        return UsageEvent.newBuilder().setEventId(id).setOrgId(org).setTimestamp(Instant.parse(at))
                .setReceivedAt(Instant.parse(at)).setFeature("chat").setProvider("openai").setModel("gpt-4o")
                .setInputTokens(1000).setOutputTokens(100).setStatus(CallStatus.OK);
    }

    static ModelPrice price(String provider, String model, String from, String input, String output) {
        return Prices.builder(provider, model, Instant.parse(from)).setInputPerMtokNanos(Prices.usdToNanos(input))
                .setOutputPerMtokNanos(Prices.usdToNanos(output)).build();
    }

    void publishPrice(ModelPrice p) {
        prices.pipeInput(Prices.topicKey(p), p);
    }

    /** Pipes an event received at {@code receivedAt} (the record timestamp, which drives stream time). */
    void send(UsageEvent e, String receivedAt) {
        usage.pipeInput(new TestRecord<>(e.getOrgId(), e, Instant.parse(receivedAt)));
    }

    void send(UsageEvent e) {
        send(e, e.getTimestamp().toString());
    }

    /** Lets the emit punctuator run. */
    void flushRollups() {
        driver.advanceWallClockTime(settings.emitInterval().plusMillis(1));
    }

    /** The latest version of each rollup emitted so far, by topic key. */
    Map<String, SpendRollup> latestRollups(List<SpendRollup> emitted) {
        Map<String, SpendRollup> latest = new LinkedHashMap<>();
        for (SpendRollup r : emitted) {
            latest.merge(RollupProcessor.topicKey(r), r, (a, b) -> b.getVersion() > a.getVersion() ? b : a);
        }
        return latest;
    }

    Duration grace(io.spendstream.schema.WindowSize size) {
        return settings.grace().get(size);
    }

    @Override
    public void close() {
        driver.close();
    }
}
