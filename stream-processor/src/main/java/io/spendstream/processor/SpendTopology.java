package io.spendstream.processor;

import io.spendstream.processor.budget.BudgetTopology;
import io.spendstream.processor.pricing.PriceCatalog;
import io.spendstream.processor.pricing.PriceStoreUpdater;
import io.spendstream.schema.ModelPrice;
import io.spendstream.schema.PricedUsageEvent;
import io.spendstream.schema.SpendRollup;
import io.spendstream.schema.UsageEvent;
import io.spendstream.schemas.registry.SchemaRegistry;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The stream processor's topology, built here and only here: the application and the tests drive
 * this same function. Every source, processor, store and sink has a fixed name, so an upgrade keeps
 * its state and changelog topics. There is no repartition: input is keyed by org, and every key the
 * processors aggregate on starts with the org, so each org's state lives in its input partition.
 *
 * <pre>
 *   usage-events ──▶ dedup-and-price [dedup-store, model-prices-store*] ──▶ priced-usage-events
 *                                         │
 *                                         ▼
 *                                    spend-rollups [spend-rollups-store] ──▶ spend-rollups
 *                                         └──────────────(late)─────────────▶ usage-events-late
 *                                         └──▶ budget-alerts (see BudgetTopology) ◀── budgets
 *   model-prices ──▶ model-prices-updater ──▶ model-prices-store* (global, in memory, on every instance)
 * </pre>
 * Records that cannot be read or processed go to the dead-letter topic through Kafka Streams' own
 * exception handlers (errors.dead.letter.queue.topic.name), configured by the application.
 */
public final class SpendTopology {
    public static final String USAGE_SOURCE = "usage-events-source";
    public static final String DEDUP_AND_PRICE = "dedup-and-price";
    public static final String ROLLUPS = "spend-rollups";
    public static final String PRICED_SINK = "priced-usage-events-sink";
    public static final String ROLLUP_SINK = "spend-rollups-sink";
    public static final String LATE_SINK = "late-usage-events-sink";
    public static final String PRICES_SOURCE = "model-prices-source";
    public static final String PRICES_UPDATER = "model-prices-updater";

    public static final String DEDUP_STORE = "dedup-store";
    public static final String ROLLUP_STORE = "spend-rollups-store";
    public static final String PRICE_STORE = "model-prices-store";

    private SpendTopology() {}

    public static Topology build(TopologySettings s, SchemaRegistry registry, PipelineMetrics metrics) {
        Serde<String> keys = Serdes.String();
        Serde<UsageEvent> usage = s.usageEvents().valueSerde(registry);
        Serde<PricedUsageEvent> priced = s.pricedEvents().valueSerde(registry);
        Serde<SpendRollup> rollups = s.rollups().valueSerde(registry);
        Serde<ModelPrice> prices = s.modelPrices().valueSerde(registry);

        Topology t = new Topology();
        PriceCatalog catalog = new PriceCatalog(s.priceProviders());
        t.addGlobalStore(
                Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(PRICE_STORE), keys, prices).withLoggingDisabled(),
                PRICES_SOURCE, keys.deserializer(), prices.deserializer(), s.modelPrices().name(),
                PRICES_UPDATER, () -> new PriceStoreUpdater(PRICE_STORE, catalog));

        t.addSource(USAGE_SOURCE, keys.deserializer(), usage.deserializer(), s.usageEvents().name());
        t.addProcessor(DEDUP_AND_PRICE,
                () -> new DedupAndPriceProcessor(s.dedupRetention().toMillis(), catalog, metrics, PRICED_SINK, ROLLUPS,
                        BudgetTopology.BUDGET_ALERTS),
                USAGE_SOURCE);
        // Dedup remembers receive times; the window store drops segments older than the retention.
        Duration dedupRetention = s.dedupRetention();
        t.addStateStore(Stores.windowStoreBuilder(
                Stores.persistentWindowStore(DEDUP_STORE, dedupRetention.multipliedBy(2), dedupRetention, false),
                keys, Serdes.Long()), DEDUP_AND_PRICE);
        t.addSink(PRICED_SINK, s.pricedEvents().name(), keys.serializer(), priced.serializer(), DEDUP_AND_PRICE);

        t.addProcessor(ROLLUPS, () -> new RollupProcessor(s, metrics, ROLLUP_SINK, LATE_SINK), DEDUP_AND_PRICE);
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ROLLUP_STORE), keys,
                new RollupStoreSerde()).withCachingEnabled(), ROLLUPS);
        t.addSink(ROLLUP_SINK, s.rollups().name(), keys.serializer(), rollups.serializer(), ROLLUPS);
        t.addSink(LATE_SINK, s.lateEvents().name(), keys.serializer(), priced.serializer(), ROLLUPS);

        BudgetTopology.addTo(t, s.budgets(), registry, metrics, DEDUP_AND_PRICE);
        return t;
    }
}
