package io.spendstream.notifier.payload;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spendstream.schema.BudgetAlert;
import io.spendstream.schemas.money.Usd;
import java.time.Instant;
import java.util.Locale;

/**
 * The body of a webhook request, in the envelope the Standard Webhooks specification recommends:
 * {@code type} ({@code budget.alert.threshold|exceeded|forecast}, or {@code test}), {@code timestamp}
 * and {@code data}, which holds the alert with the same fields as the budget-alerts-json topic plus
 * {@code percent_used} and {@code status_url}.
 */
final class WebhookBody {
    static final ObjectMapper JSON = new ObjectMapper();

    private WebhookBody() {}

    static String render(AlertFacts f, boolean test, Instant now) {
        BudgetAlert a = f.alert();
        ObjectNode root = JSON.createObjectNode();
        root.put("type", test ? "test" : "budget.alert." + a.getKind().name().toLowerCase(Locale.ROOT));
        root.put("timestamp", now.toString());
        ObjectNode n = root.putObject("data");
        n.put("alert_id", a.getAlertId());
        n.put("org_id", a.getOrgId());
        n.put("budget_id", a.getBudgetId());
        n.put("scope", a.getScope().name());
        n.put("scope_value", a.getScopeValue());
        n.put("period_start", a.getPeriodStart().toString());
        n.put("period_end", a.getPeriodEnd().toString());
        n.put("threshold_percent", a.getThresholdPercent());
        n.put("kind", a.getKind().name());
        n.put("spend_usd", Usd.format(a.getSpendUsdNanos()));
        n.put("limit_usd", Usd.format(a.getLimitUsdNanos()));
        n.put("projected_usd", Usd.format(a.getProjectedUsdNanos()));
        n.put("spend_usd_nanos", a.getSpendUsdNanos());
        n.put("limit_usd_nanos", a.getLimitUsdNanos());
        n.put("projected_usd_nanos", a.getProjectedUsdNanos());
        n.put("percent_used", AlertFacts.percentUsed(a));
        n.put("triggered_at", a.getTriggeredAt().toString());
        n.put("trigger_event_id", a.getTriggerEventId());
        n.put("status_url", f.statusUrl());
        return root.toString();
    }
}
