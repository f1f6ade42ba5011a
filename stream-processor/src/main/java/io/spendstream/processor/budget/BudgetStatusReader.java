package io.spendstream.processor.budget;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spendstream.schema.Budget;
import io.spendstream.schemas.money.Usd;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Budget status from the budget stores of the task that holds the org (read through interactive
 * queries, or the test driver's stores): for each budget, its period containing now (wall clock, in
 * the budget's zone), spend to date, percent used, spend projected to the period end, the thresholds
 * crossed and the alerts sent; and {@code as_of}, the latest event time the stream processor has
 * counted for the org, which is the time the answer is current to.
 */
public final class BudgetStatusReader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ReadOnlyKeyValueStore<String, Budget> budgets;
    private final ReadOnlyKeyValueStore<String, Long> spend;
    private final ReadOnlyKeyValueStore<String, PeriodState> periods;
    private final Clock clock;

    public BudgetStatusReader(ReadOnlyKeyValueStore<String, Budget> budgets, ReadOnlyKeyValueStore<String, Long> spend,
                              ReadOnlyKeyValueStore<String, PeriodState> periods, Clock clock) {
        this.budgets = budgets;
        this.spend = spend;
        this.periods = periods;
        this.clock = clock;
    }

    /** {@code {"org_id", "as_of", "budgets": [...]}}, budgets ordered by id. */
    public ObjectNode org(String org) {
        ObjectNode n = JSON.createObjectNode();
        n.put("org_id", org);
        Long asOf = spend.get(BudgetKeys.asOfKey(org));
        n.put("as_of", asOf == null ? null : Instant.ofEpochMilli(asOf).toString());
        ArrayNode list = n.putArray("budgets");
        try (KeyValueIterator<String, Budget> it = budgets.prefixScan(org + "|", new StringSerializer())) {
            it.forEachRemaining(kv -> list.add(status(kv.value, asOf)));
        }
        return n;
    }

    /** One budget's status with {@code as_of}, or empty when the org has no such budget here. */
    public Optional<ObjectNode> budget(String org, String budgetId) {
        Budget b = budgets.get(io.spendstream.schemas.topics.OrgPartitioning.budgetKey(org, budgetId));
        if (b == null) {
            return Optional.empty();
        }
        return Optional.of(status(b, spend.get(BudgetKeys.asOfKey(org))));
    }

    private ObjectNode status(Budget b, Long asOf) {
        long now = clock.millis();
        BudgetPeriods.Period p = BudgetPeriods.periodOf(b, now);
        PeriodState state = periods.get(BudgetKeys.periodKey(b.getOrgId(), b.getBudgetId(), p.startMillis()));
        long spent = state != null ? state.spendNanos() : BudgetKeys.spendIn(spend, b, p);
        long limit = b.getLimitUsdNanos();
        ObjectNode n = JSON.createObjectNode();
        n.put("budget_id", b.getBudgetId());
        n.put("scope", b.getScope().name().toLowerCase(java.util.Locale.ROOT));
        n.put("scope_value", b.getScopeValue());
        n.put("period", b.getPeriod().name().toLowerCase(java.util.Locale.ROOT));
        n.put("time_zone", b.getTimeZone());
        n.put("enabled", b.getEnabled());
        n.put("period_start", p.start().toString());
        n.put("period_end", p.end().toString());
        n.put("limit_usd", Usd.format(limit));
        n.put("spend_usd", Usd.format(spent));
        n.put("percent_used", BigDecimal.valueOf(spent).multiply(BigDecimal.valueOf(100))
                .divide(BigDecimal.valueOf(limit), 2, RoundingMode.HALF_UP));
        n.put("projected_usd", Usd.format(AlertRules.projected(spent, p, now)));
        n.put("exceeded", spent >= limit);
        ArrayNode crossed = n.putArray("thresholds_crossed");
        for (int t : b.getThresholdsPercent()) {
            if (AlertRules.reached(spent, limit, t)) {
                crossed.add(t);
            }
        }
        ArrayNode sent = n.putArray("alerts_sent");
        if (state != null) {
            for (Map.Entry<AlertSlot, Boolean> e : new java.util.TreeMap<>(state.handled()).entrySet()) {
                if (e.getValue()) {
                    sent.addObject().put("kind", e.getKey().kind().name()).put("threshold_percent",
                            e.getKey().thresholdPercent());
                }
            }
        }
        n.put("as_of", asOf == null ? null : Instant.ofEpochMilli(asOf).toString());
        return n;
    }
}
