package io.spendstream.processor.budget;

import io.spendstream.schema.AlertKind;

/**
 * One alert a budget can raise once per period: a kind and its threshold in percent of the limit.
 * THRESHOLD slots come from the budget's thresholds (except 100), EXCEEDED is the 100% slot (whether
 * or not 100 is listed), FORECAST is at most once per period and carries 100.
 */
public record AlertSlot(AlertKind kind, int thresholdPercent) implements Comparable<AlertSlot> {
    public static final AlertSlot EXCEEDED = new AlertSlot(AlertKind.EXCEEDED, 100);
    public static final AlertSlot FORECAST = new AlertSlot(AlertKind.FORECAST, 100);

    @Override
    public int compareTo(AlertSlot o) {
        int c = Integer.compare(thresholdPercent, o.thresholdPercent);
        return c != 0 ? c : kind.compareTo(o.kind);
    }
}
