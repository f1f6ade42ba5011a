package io.spendstream.notifier.payload;

import io.spendstream.schema.BudgetAlert;
import io.spendstream.schema.ChannelKind;
import java.time.Instant;

/** Renders the body a channel of a kind receives for an alert. */
public final class Payloads {
    private final String publicUrl;

    /** @param publicUrl base URL of the public API, for the link to the budget's status route */
    public Payloads(String publicUrl) {
        this.publicUrl = publicUrl;
    }

    /** @param test true for the test button's event (type {@code test}, marked in the chat messages) */
    public String render(ChannelKind kind, BudgetAlert alert, boolean test, Instant now) {
        AlertFacts facts = AlertFacts.of(alert, publicUrl);
        return switch (kind) {
            case WEBHOOK -> WebhookBody.render(facts, test, now);
            case SLACK -> SlackMessage.render(facts, test);
            case TEAMS -> TeamsCard.render(facts, test);
        };
    }
}
