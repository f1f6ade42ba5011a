package io.spendstream.processor.budget;

import io.spendstream.schemas.json.AlertJson;
import io.spendstream.processor.Keys;
import io.spendstream.processor.PipelineMetrics;
import io.spendstream.schema.Budget;
import io.spendstream.schema.BudgetAlert;
import io.spendstream.schema.PricedUsageEvent;
import io.spendstream.schema.UsageEvent;
import io.spendstream.schemas.topics.OrgPartitioning;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Budgets and their alerts, in the org's task: it receives the priced events (from dedup-and-price)
 * and the budget changes (from the budgets topic, which is partitioned by org like the events).
 *
 * <p>State, all in changelogged stores written in the same exactly-once transaction as the alerts:
 * <ul>
 *   <li>{@value BudgetTopology#BUDGETS_STORE}: the org's budgets;</li>
 *   <li>{@value BudgetTopology#SPEND_STORE}: spend per 15-minute bucket of event time, for the whole
 *   org, per feature and per model, kept for {@link BudgetSettings#HORIZON}, so a budget created or
 *   changed mid-period is judged on the spend already in its period, in its own time zone;</li>
 *   <li>{@value BudgetTopology#PERIODS_STORE}: per budget and period, the running spend and the alert
 *   slots already handled, which is what makes each alert fire once.</li>
 * </ul>
 * An event counts in the period of its own timestamp, so a late event still counts where it belongs;
 * events older than the horizon (by stream time) are not counted against budgets.
 */
public final class BudgetProcessor implements Processor<String, Object, String, Object> {
    private final BudgetSettings settings;
    private final PipelineMetrics metrics;
    private final String avroSink;
    private final String jsonSink;
    /** The org's budgets, read through from the store; dropped for an org when one of its budgets changes. */
    private final Map<String, List<Budget>> budgetsByOrg = new HashMap<>();
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, Budget> budgets;
    private KeyValueStore<String, Long> spend;
    private KeyValueStore<String, PeriodState> periods;

    public BudgetProcessor(BudgetSettings settings, PipelineMetrics metrics, String avroSink, String jsonSink) {
        this.settings = settings;
        this.metrics = metrics;
        this.avroSink = avroSink;
        this.jsonSink = jsonSink;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.budgets = context.getStateStore(BudgetTopology.BUDGETS_STORE);
        this.spend = context.getStateStore(BudgetTopology.SPEND_STORE);
        this.periods = context.getStateStore(BudgetTopology.PERIODS_STORE);
        context.schedule(settings.purgeInterval(), PunctuationType.WALL_CLOCK_TIME, ts -> purge());
    }

    @Override
    public void process(Record<String, Object> record) {
        Object value = record.value();
        if (value instanceof PricedUsageEvent priced) {
            onEvent(record, priced);
        } else if (value == null || value instanceof Budget) {
            onBudget(record, (Budget) value);
        } else {
            throw new IllegalArgumentException("unexpected record " + value.getClass().getName());
        }
    }

    private void onEvent(Record<String, Object> record, PricedUsageEvent priced) {
        UsageEvent e = priced.getEvent();
        String org = e.getOrgId();
        long ts = e.getTimestamp().toEpochMilli();
        long cost = priced.getCostUsdNanos();
        long streamTime = context.currentStreamTimeMs();
        if (ts < streamTime - BudgetSettings.HORIZON.toMillis()) {
            metrics.budgetEventTooOld();
            return;
        }
        if (cost != 0) {
            long bucket = Math.floorDiv(ts, BudgetSettings.BUCKET_MILLIS) * BudgetSettings.BUCKET_MILLIS;
            for (String[] series : BudgetKeys.seriesOf(e)) {
                String key = BudgetKeys.bucketKey(series, bucket);
                Long old = spend.get(key);
                spend.put(key, old == null ? cost : Math.addExact(old, cost));
            }
        }
        String asOfKey = BudgetKeys.asOfKey(org);
        Long asOf = spend.get(asOfKey);
        if (asOf == null || asOf < ts) {
            spend.put(asOfKey, ts);
        }
        for (Budget b : budgetsOf(org)) {
            if (!BudgetKeys.matches(b, e)) {
                continue;
            }
            BudgetPeriods.Period p = BudgetPeriods.periodOf(b, ts);
            if (p.endMillis() <= b.getCreatedAt().toEpochMilli()) {
                continue; // a period that ended before the budget existed
            }
            String key = BudgetKeys.periodKey(org, b.getBudgetId(), p.startMillis());
            PeriodState state = periods.get(key);
            state = state == null
                    ? new PeriodState(BudgetKeys.spendIn(spend, b, p), ts, p.endMillis(), Map.of()) // buckets already hold this event
                    : state.plus(cost, ts);
            AlertRules.Decision d = AlertRules.evaluate(b, p, state, state.asOfMillis(), AlertRules.Trigger.EVENT,
                    settings.forecastMinPeriodPercent());
            state = state.withHandled(d.handled());
            periods.put(key, state);
            send(record, b, p, state, d, e.getTimestamp(), e.getEventId());
        }
    }

    private void onBudget(Record<String, Object> record, Budget b) {
        String key = record.key();
        if (key == null) {
            throw new IllegalArgumentException("budget record without a key");
        }
        String org = OrgPartitioning.orgOf(key);
        checkPartition(org, key);
        budgetsByOrg.remove(org);
        if (b == null) {
            budgets.delete(key); // its period states stay until the horizon, so a re-created budget cannot re-fire
            return;
        }
        if (!key.equals(OrgPartitioning.budgetKey(b.getOrgId(), b.getBudgetId()))) {
            throw new IllegalArgumentException("budget key " + key + " is not org_id|budget_id of its value ("
                    + b.getOrgId() + "|" + b.getBudgetId() + ")");
        }
        budgets.put(key, b);
        // The scope or limit may have changed: every period state of the budget is re-read from the buckets.
        List<KeyValue<String, PeriodState>> existing = new ArrayList<>();
        try (KeyValueIterator<String, PeriodState> it =
                     periods.prefixScan(BudgetKeys.periodPrefix(org, b.getBudgetId()), new StringSerializer())) {
            it.forEachRemaining(existing::add);
        }
        long at = b.getUpdatedAt().toEpochMilli();
        BudgetPeriods.Period current = BudgetPeriods.periodOf(b, at);
        String currentKey = BudgetKeys.periodKey(org, b.getBudgetId(), current.startMillis());
        for (KeyValue<String, PeriodState> kv : existing) {
            if (!kv.key.equals(currentKey)) {
                long start = Long.parseLong(Keys.split(kv.key).getLast());
                long end = kv.value.periodEndMillis();
                periods.put(kv.key, kv.value.withSpend(BudgetKeys.spendIn(spend, b, new BudgetPeriods.Period(
                        Instant.ofEpochMilli(start), Instant.ofEpochMilli(end)))));
            }
        }
        PeriodState state = periods.get(currentKey);
        long spendNow = BudgetKeys.spendIn(spend, b, current);
        state = state == null ? new PeriodState(spendNow, -1, current.endMillis(), Map.of()) : state.withSpend(spendNow);
        long asOf = Math.max(state.asOfMillis(), Math.min(at, current.endMillis()));
        AlertRules.Decision d = AlertRules.evaluate(b, current, state, asOf, AlertRules.Trigger.BUDGET_CHANGE,
                settings.forecastMinPeriodPercent());
        state = state.withHandled(d.handled());
        periods.put(currentKey, state);
        send(record, b, current, state, d, b.getUpdatedAt(), null);
    }

    private void checkPartition(String org, String key) {
        int n = settings.orgPartitions();
        if (n > 0 && OrgPartitioning.partitionOf(org, n) != context.taskId().partition()) {
            throw new IllegalArgumentException("budget " + key + " arrived in partition " + context.taskId().partition()
                    + " but org " + org + " lives in partition " + OrgPartitioning.partitionOf(org, n)
                    + "; budgets must be produced with partitioner.class=" + OrgPartitioning.class.getName());
        }
    }

    private void send(Record<String, Object> record, Budget b, BudgetPeriods.Period p, PeriodState state,
                      AlertRules.Decision d, Instant triggeredAt, String triggerEventId) {
        for (AlertSlot slot : d.fire()) {
            BudgetAlert alert = BudgetAlert.newBuilder()
                    .setAlertId(BudgetKeys.alertId(b.getOrgId(), b.getBudgetId(), p.startMillis(), slot))
                    .setOrgId(b.getOrgId()).setBudgetId(b.getBudgetId())
                    .setScope(b.getScope()).setScopeValue(b.getScopeValue())
                    .setPeriodStart(p.start()).setPeriodEnd(p.end())
                    .setThresholdPercent(slot.thresholdPercent()).setKind(slot.kind())
                    .setSpendUsdNanos(state.spendNanos()).setLimitUsdNanos(b.getLimitUsdNanos())
                    .setProjectedUsdNanos(d.projected())
                    .setTriggeredAt(triggeredAt).setTriggerEventId(triggerEventId)
                    .build();
            context.forward(new Record<>(b.getOrgId(), (Object) alert, record.timestamp()), avroSink);
            context.forward(new Record<>(b.getOrgId(), (Object) AlertJson.toJson(alert), record.timestamp()), jsonSink);
            metrics.alert(slot.kind());
        }
    }

    private List<Budget> budgetsOf(String org) {
        return budgetsByOrg.computeIfAbsent(org, o -> {
            List<Budget> list = new ArrayList<>();
            try (KeyValueIterator<String, Budget> it = budgets.prefixScan(o + "|", new StringSerializer())) {
                it.forEachRemaining(kv -> list.add(kv.value));
            }
            return List.copyOf(list);
        });
    }

    private void purge() {
        long streamTime = context.currentStreamTimeMs();
        if (streamTime < 0) {
            return;
        }
        long cutoff = streamTime - BudgetSettings.HORIZON.toMillis();
        List<String> old = new ArrayList<>();
        try (KeyValueIterator<String, Long> it = spend.all()) {
            while (it.hasNext()) {
                String key = it.next().key;
                String last = Keys.split(key).getLast();
                if (!last.equals(BudgetKeys.AS_OF) && Long.parseLong(last) < cutoff) {
                    old.add(key);
                }
            }
        }
        old.forEach(spend::delete);
        old.clear();
        try (KeyValueIterator<String, PeriodState> it = periods.all()) {
            while (it.hasNext()) {
                KeyValue<String, PeriodState> kv = it.next();
                if (kv.value.periodEndMillis() < cutoff) {
                    old.add(kv.key);
                }
            }
        }
        old.forEach(periods::delete);
    }
}
