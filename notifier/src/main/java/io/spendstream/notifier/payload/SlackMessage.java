package io.spendstream.notifier.payload;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A Slack incoming-webhook message in Block Kit: {@code text} (the notification and fallback text),
 * a header block, a section with one mrkdwn field per fact (at most 10, as Slack allows) and an actions
 * block with a button to the status route.
 */
final class SlackMessage {
    private SlackMessage() {}

    static String render(AlertFacts f, boolean test) {
        String headline = (test ? "[test] " : "") + f.headline();
        ObjectNode root = WebhookBody.JSON.createObjectNode();
        root.put("text", headline + ": " + f.spendOfLimit() + " (" + f.percentUsed() + ")");
        ArrayNode blocks = root.putArray("blocks");
        ObjectNode header = blocks.addObject();
        header.put("type", "header");
        plain(header.putObject("text"), clip(headline, 150)); // header text is limited to 150 characters
        ObjectNode section = blocks.addObject();
        section.put("type", "section");
        ArrayNode fields = section.putArray("fields");
        field(fields, "Org", f.alert().getOrgId());
        field(fields, "Scope", f.scope());
        field(fields, "Budget", f.alert().getBudgetId());
        field(fields, "Spent / limit", f.spendOfLimit());
        field(fields, "Used", f.percentUsed());
        field(fields, "Period", f.period());
        if (f.forecast() != null) {
            field(fields, "Forecast", f.forecast());
        }
        ObjectNode actions = blocks.addObject();
        actions.put("type", "actions");
        ObjectNode button = actions.putArray("elements").addObject();
        button.put("type", "button");
        plain(button.putObject("text"), "Budget status");
        button.put("url", f.statusUrl());
        return root.toString();
    }

    private static void field(ArrayNode fields, String label, String value) {
        ObjectNode n = fields.addObject();
        n.put("type", "mrkdwn");
        n.put("text", clip("*" + label + "*\n" + escape(value), 2000)); // a field's text is limited to 2000
    }

    private static void plain(ObjectNode n, String text) {
        n.put("type", "plain_text");
        n.put("text", text);
    }

    /** mrkdwn control characters, as Slack documents escaping them. */
    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String clip(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
