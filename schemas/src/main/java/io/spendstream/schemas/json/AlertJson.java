package io.spendstream.schemas.json;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spendstream.schema.BudgetAlert;
import io.spendstream.schemas.money.Usd;

/**
 * A budget alert as JSON, for the budget-alerts-json topic and the data of webhook requests: the Avro record's fields with money as
 * exact decimal strings in USD (and the nano-USD integers beside them), times as ISO-8601 instants and
 * enums as their names.
 */
public final class AlertJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AlertJson() {}

    public static ObjectNode toNode(BudgetAlert a) {
        ObjectNode n = JSON.createObjectNode();
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
        n.put("triggered_at", a.getTriggeredAt().toString());
        n.put("trigger_event_id", a.getTriggerEventId());
        return n;
    }

    public static String toJson(BudgetAlert a) {
        return toNode(a).toString();
    }
}
