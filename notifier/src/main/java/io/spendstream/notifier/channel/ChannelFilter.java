package io.spendstream.notifier.channel;

import io.spendstream.schema.AlertKind;
import io.spendstream.schema.BudgetAlert;
import io.spendstream.schema.BudgetScope;
import java.util.Set;

/**
 * Which alerts a channel receives. Empty sets mean "all"; every non-empty condition must hold.
 *
 * @param budgetIds           only alerts of these budgets
 * @param scopes              only alerts of budgets with these scopes
 * @param kinds               only these alert kinds
 * @param minThresholdPercent only alerts whose threshold is at least this (EXCEEDED and FORECAST are 100)
 */
public record ChannelFilter(Set<String> budgetIds, Set<BudgetScope> scopes, Set<AlertKind> kinds,
                            int minThresholdPercent) {
    public static final ChannelFilter ALL = new ChannelFilter(Set.of(), Set.of(), Set.of(), 0);

    public ChannelFilter {
        budgetIds = Set.copyOf(budgetIds);
        scopes = Set.copyOf(scopes);
        kinds = Set.copyOf(kinds);
    }

    public boolean matches(BudgetAlert alert) {
        return (budgetIds.isEmpty() || budgetIds.contains(alert.getBudgetId()))
                && (scopes.isEmpty() || scopes.contains(alert.getScope()))
                && (kinds.isEmpty() || kinds.contains(alert.getKind()))
                && alert.getThresholdPercent() >= minThresholdPercent;
    }
}
