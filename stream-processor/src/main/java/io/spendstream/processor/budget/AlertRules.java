package io.spendstream.processor.budget;

import io.spendstream.schema.AlertKind;
import io.spendstream.schema.Budget;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * When a budget's alerts fire. Pure functions of the budget, the period and its state, so that the
 * rules are tested without Kafka and the processor only applies the decision.
 *
 * <ul>
 *   <li>An alert slot fires when the spend reaches its share of the limit (spend × 100 ≥ limit ×
 *   percent, in exact integers) and the slot was not handled in this period before.</li>
 *   <li>After an event, every newly reached slot fires (one event can cross 50 and 80 at once).</li>
 *   <li>After a budget change (created, replaced, raised, lowered, re-enabled), only the highest newly
 *   reached slot fires; the lower ones are marked handled without an alert, so a budget created on a
 *   period that already spent 90% sends one alert, not a storm.</li>
 *   <li>FORECAST fires at most once per period while spend is still under the limit, once at least
 *   {@code forecastMinPercent} of the period has passed (by event time) and the spend projected
 *   linearly to the period's end exceeds the limit.</li>
 * </ul>
 */
public final class AlertRules {
    private static final BigInteger HUNDRED = BigInteger.valueOf(100);

    public enum Trigger { EVENT, BUDGET_CHANGE }

    /**
     * @param fire      the slots to alert on now, ascending
     * @param handled   every slot this decision handled (fired → true, suppressed → false)
     * @param projected spend projected to the period end, nano-USD
     */
    public record Decision(List<AlertSlot> fire, Map<AlertSlot, Boolean> handled, long projected) {}

    private AlertRules() {}

    /** The budget's threshold slots, ascending; 100 is always the EXCEEDED slot. */
    public static List<AlertSlot> slots(Budget b) {
        TreeSet<AlertSlot> slots = new TreeSet<>();
        for (int t : b.getThresholdsPercent()) {
            if (t != 100) {
                slots.add(new AlertSlot(AlertKind.THRESHOLD, t));
            }
        }
        slots.add(AlertSlot.EXCEEDED);
        return List.copyOf(slots);
    }

    public static boolean reached(long spendNanos, long limitNanos, int percent) {
        return BigInteger.valueOf(spendNanos).multiply(HUNDRED)
                .compareTo(BigInteger.valueOf(limitNanos).multiply(BigInteger.valueOf(percent))) >= 0;
    }

    /** Spend × period length / elapsed, rounded down; the spend itself when no time has elapsed. */
    public static long projected(long spendNanos, BudgetPeriods.Period period, long asOfMillis) {
        long elapsed = Math.min(asOfMillis, period.endMillis()) - period.startMillis();
        if (elapsed <= 0 || spendNanos <= 0) {
            return Math.max(0, spendNanos);
        }
        BigInteger p = BigInteger.valueOf(spendNanos).multiply(BigInteger.valueOf(period.lengthMillis()))
                .divide(BigInteger.valueOf(elapsed));
        return p.bitLength() < 64 ? p.longValue() : Long.MAX_VALUE;
    }

    public static Decision evaluate(Budget b, BudgetPeriods.Period period, PeriodState state, long asOfMillis,
                                    Trigger trigger, int forecastMinPercent) {
        long spend = state.spendNanos();
        long limit = b.getLimitUsdNanos();
        long projected = projected(spend, period, asOfMillis);
        Map<AlertSlot, Boolean> handled = new LinkedHashMap<>();
        List<AlertSlot> fire = new ArrayList<>();
        if (!b.getEnabled()) {
            return new Decision(fire, handled, projected);
        }
        List<AlertSlot> newly = new ArrayList<>();
        for (AlertSlot slot : slots(b)) {
            if (reached(spend, limit, slot.thresholdPercent()) && !state.isHandled(slot)) {
                newly.add(slot);
            }
        }
        for (int i = 0; i < newly.size(); i++) {
            boolean send = trigger == Trigger.EVENT || i == newly.size() - 1;
            handled.put(newly.get(i), send);
            if (send) {
                fire.add(newly.get(i));
            }
        }
        long elapsed = Math.min(asOfMillis, period.endMillis()) - period.startMillis();
        if (!state.isHandled(AlertSlot.FORECAST) && spend < limit && elapsed > 0
                && BigInteger.valueOf(elapsed).multiply(HUNDRED).compareTo(
                BigInteger.valueOf(period.lengthMillis()).multiply(BigInteger.valueOf(forecastMinPercent))) >= 0
                && projected > limit) {
            handled.put(AlertSlot.FORECAST, true);
            fire.add(AlertSlot.FORECAST);
        }
        return new Decision(fire, handled, projected);
    }
}
