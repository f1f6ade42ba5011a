package io.spendstream.notifier.payload;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A Microsoft Teams Workflows webhook message: a {@code message} with one attachment of content type
 * {@code application/vnd.microsoft.card.adaptive} holding an Adaptive Card 1.4 (a bold TextBlock
 * headline, a FactSet of the facts, an Action.OpenUrl to the status route), the shape the Workflows
 * "post to a channel when a webhook request is received" template expects.
 */
final class TeamsCard {
    private TeamsCard() {}

    static String render(AlertFacts f, boolean test) {
        ObjectNode root = WebhookBody.JSON.createObjectNode();
        root.put("type", "message");
        ObjectNode attachment = root.putArray("attachments").addObject();
        attachment.put("contentType", "application/vnd.microsoft.card.adaptive");
        attachment.putNull("contentUrl");
        ObjectNode card = attachment.putObject("content");
        card.put("$schema", "http://adaptivecards.io/schemas/adaptive-card.json");
        card.put("type", "AdaptiveCard");
        card.put("version", "1.4");
        ArrayNode body = card.putArray("body");
        ObjectNode title = body.addObject();
        title.put("type", "TextBlock");
        title.put("text", (test ? "[test] " : "") + f.headline());
        title.put("weight", "Bolder");
        title.put("size", "Medium");
        title.put("wrap", true);
        ObjectNode facts = body.addObject();
        facts.put("type", "FactSet");
        ArrayNode list = facts.putArray("facts");
        fact(list, "Org", f.alert().getOrgId());
        fact(list, "Scope", f.scope());
        fact(list, "Budget", f.alert().getBudgetId());
        fact(list, "Spent / limit", f.spendOfLimit());
        fact(list, "Used", f.percentUsed());
        fact(list, "Period", f.period());
        if (f.forecast() != null) {
            fact(list, "Forecast", f.forecast());
        }
        ObjectNode open = card.putArray("actions").addObject();
        open.put("type", "Action.OpenUrl");
        open.put("title", "Budget status");
        open.put("url", f.statusUrl());
        return root.toString();
    }

    private static void fact(ArrayNode facts, String title, String value) {
        ObjectNode n = facts.addObject();
        n.put("title", title);
        n.put("value", value);
    }
}
