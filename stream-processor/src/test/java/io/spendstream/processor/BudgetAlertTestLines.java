package io.spendstream.processor;

import io.spendstream.schema.BudgetAlert;

/** Short readable forms of alerts for assertions. */
final class BudgetAlertTestLines {
    private BudgetAlertTestLines() {}

    /** budget kind threshold period_start spend=nanos */
    static String line(BudgetAlert a) {
        return a.getBudgetId() + " " + a.getKind() + " " + a.getThresholdPercent() + " " + a.getPeriodStart() + " spend="
                + a.getSpendUsdNanos();
    }

    static String shortLine(BudgetAlert a) {
        return a.getBudgetId() + " " + a.getKind() + " " + a.getThresholdPercent();
    }
}
