package io.spendstream.notifier.payload;

import io.spendstream.schema.AlertKind;
import io.spendstream.schema.BudgetAlert;
import io.spendstream.schema.BudgetScope;
import io.spendstream.schemas.money.Usd;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * What every payload says about an alert, computed once so that the webhook, Slack and Teams agree: the
 * headline, the scope in words, spend / limit, percent used, the period and the forecast where it applies,
 * and the link to the budget's status route on the public API.
 */
record AlertFacts(BudgetAlert alert, String headline, String scope, String spendOfLimit, String percentUsed,
                  String period, String forecast, String statusUrl) {

    static AlertFacts of(BudgetAlert a, String publicUrl) {
        String scope = a.getScope() == BudgetScope.ORG ? "whole org"
                : a.getScope().name().toLowerCase(Locale.ROOT) + " " + a.getScopeValue();
        String headline = switch (a.getKind()) {
            case THRESHOLD -> "Budget " + a.getBudgetId() + " reached " + a.getThresholdPercent() + "%";
            case EXCEEDED -> "Budget " + a.getBudgetId() + " exceeded its limit";
            case FORECAST -> "Budget " + a.getBudgetId() + " is forecast to exceed its limit";
        };
        String forecast = a.getKind() == AlertKind.FORECAST || a.getProjectedUsdNanos() > a.getLimitUsdNanos()
                ? "$" + Usd.format(a.getProjectedUsdNanos()) + " projected by the period end" : null;
        String base = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
        return new AlertFacts(a, headline, scope,
                "$" + Usd.format(a.getSpendUsdNanos()) + " of $" + Usd.format(a.getLimitUsdNanos()),
                percentUsed(a) + "%", a.getPeriodStart() + " – " + a.getPeriodEnd(), forecast,
                base + "/v1/budgets/" + URLEncoder.encode(a.getBudgetId(), StandardCharsets.UTF_8) + "/status");
    }

    /** Spend as a percentage of the limit with one decimal, exact to the rounding (half up). */
    static String percentUsed(BudgetAlert a) {
        if (a.getLimitUsdNanos() <= 0) {
            return "0.0";
        }
        return BigDecimal.valueOf(a.getSpendUsdNanos()).multiply(BigDecimal.valueOf(100))
                .divide(BigDecimal.valueOf(a.getLimitUsdNanos()), 1, RoundingMode.HALF_UP).toPlainString();
    }
}
