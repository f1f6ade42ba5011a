package io.spendstream.notifier.payload;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spendstream.schema.BudgetAlert;
import io.spendstream.schemas.json.AlertJson;
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
        // The alert exactly as on budget-alerts-json, plus what a person acting on it needs.
        ObjectNode n = AlertJson.toNode(a);
        n.put("percent_used", AlertFacts.percentUsed(a));
        n.put("status_url", f.statusUrl());
        root.set("data", n);
        return root.toString();
    }
}
