package io.spendstream.processor.budget;

import io.spendstream.processor.PipelineMetrics;
import io.spendstream.schema.Budget;
import io.spendstream.schema.BudgetAlert;
import io.spendstream.schemas.registry.SchemaRegistry;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The budget part of the stream processor's topology (called from SpendTopology.build):
 *
 * <pre>
 *   dedup-and-price ──▶ budget-alerts [budgets-store, budget-spend-store, budget-periods-store] ──▶ budget-alerts (Avro)
 *   budgets ──────────▶       ▲                                                                  └─▶ budget-alerts-json
 * </pre>
 * The budgets topic is partitioned by org, so the budget processor shares the task, and the stores,
 * of the org's events.
 */
public final class BudgetTopology {
    public static final String BUDGETS_SOURCE = "budgets-source";
    public static final String BUDGET_ALERTS = "budget-alerts";
    public static final String ALERTS_SINK = "budget-alerts-sink";
    public static final String ALERTS_JSON_SINK = "budget-alerts-json-sink";

    public static final String BUDGETS_STORE = "budgets-store";
    public static final String SPEND_STORE = "budget-spend-store";
    public static final String PERIODS_STORE = "budget-periods-store";

    private BudgetTopology() {}

    /** Adds the budget nodes; {@code eventsParent} is the processor that forwards priced events to {@value #BUDGET_ALERTS}. */
    public static void addTo(Topology t, BudgetSettings s, SchemaRegistry registry, PipelineMetrics metrics,
                             String eventsParent) {
        Serde<String> keys = Serdes.String();
        Serde<Budget> budgets = s.budgets().valueSerde(registry);
        Serde<BudgetAlert> alerts = s.alerts().valueSerde(registry);
        t.addSource(BUDGETS_SOURCE, keys.deserializer(), budgets.deserializer(), s.budgets().name());
        t.addProcessor(BUDGET_ALERTS, () -> new BudgetProcessor(s, metrics, ALERTS_SINK, ALERTS_JSON_SINK),
                eventsParent, BUDGETS_SOURCE);
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(BUDGETS_STORE), keys, budgets)
                .withCachingEnabled(), BUDGET_ALERTS);
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SPEND_STORE), keys, Serdes.Long())
                .withCachingEnabled(), BUDGET_ALERTS);
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PERIODS_STORE), keys,
                new PeriodState.StoreSerde()).withCachingEnabled(), BUDGET_ALERTS);
        t.addSink(ALERTS_SINK, s.alerts().name(), keys.serializer(), alerts.serializer(), BUDGET_ALERTS);
        t.addSink(ALERTS_JSON_SINK, s.alertsJson().name(), keys.serializer(), Serdes.String().serializer(),
                BUDGET_ALERTS);
    }
}
