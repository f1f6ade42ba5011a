package io.spendstream.processor.budget;

import io.spendstream.processor.Keys;
import io.spendstream.schema.Budget;
import io.spendstream.schema.UsageEvent;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Keys of the budget stores. All start with the org, so one org's state is one key range.
 * <ul>
 *   <li>spend buckets: {@code org|O|bucket} (all spend), {@code org|F|feature|bucket},
 *   {@code org|M|model|bucket}, bucket = zero-padded epoch millis of a 15-minute bucket;</li>
 *   <li>the org's latest event time: {@code org|~asof} in the same store;</li>
 *   <li>period states: {@code org|budget_id|period_start};</li>
 *   <li>budgets: {@code org|budget_id}, the key of the budgets topic.</li>
 * </ul>
 */
public final class BudgetKeys {
    private BudgetKeys() {}

    static final String AS_OF = "~asof";

    /** The series prefix parts of a budget's scope. */
    static String[] series(Budget b) {
        return switch (b.getScope()) {
            case ORG -> new String[] {b.getOrgId(), "O"};
            case FEATURE -> new String[] {b.getOrgId(), "F", b.getScopeValue()};
            case MODEL -> new String[] {b.getOrgId(), "M", b.getScopeValue()};
        };
    }

    static String[][] seriesOf(UsageEvent e) {
        return new String[][] {{e.getOrgId(), "O"}, {e.getOrgId(), "F", e.getFeature()}, {e.getOrgId(), "M", e.getModel()}};
    }

    static String bucketKey(String[] series, long bucketStart) {
        String[] parts = java.util.Arrays.copyOf(series, series.length + 1);
        parts[series.length] = Keys.paddedMillis(bucketStart);
        return Keys.join(parts);
    }

    static String asOfKey(String org) {
        return Keys.join(org, AS_OF);
    }

    static String periodKey(String org, String budgetId, long periodStart) {
        return Keys.join(org, budgetId, Keys.paddedMillis(periodStart));
    }

    static String periodPrefix(String org, String budgetId) {
        return Keys.join(org, budgetId) + "|";
    }

    /** Spend in the budget's scope within the period, summed from the 15-minute buckets. */
    static long spendIn(ReadOnlyKeyValueStore<String, Long> buckets, Budget b, BudgetPeriods.Period p) {
        String[] series = series(b);
        long first = Math.floorDiv(p.startMillis(), BudgetSettings.BUCKET_MILLIS) * BudgetSettings.BUCKET_MILLIS;
        long total = 0;
        try (KeyValueIterator<String, Long> it = buckets.range(bucketKey(series, Math.max(0, first)),
                bucketKey(series, p.endMillis() - 1))) {
            while (it.hasNext()) {
                total = Math.addExact(total, it.next().value);
            }
        }
        return total;
    }

    static boolean matches(Budget b, UsageEvent e) {
        return switch (b.getScope()) {
            case ORG -> true;
            case FEATURE -> e.getFeature().equals(b.getScopeValue());
            case MODEL -> e.getModel().equals(b.getScopeValue());
        };
    }

    /**
     * The alert id: a name-based UUID of (org, budget, period start, kind, threshold), so the same
     * alert always gets the same id and a consumer can deduplicate on it.
     */
    public static String alertId(String org, String budgetId, long periodStart, AlertSlot slot) {
        String name = Keys.join("budget-alert", org, budgetId, Long.toString(periodStart), slot.kind().name(),
                Integer.toString(slot.thresholdPercent()));
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
