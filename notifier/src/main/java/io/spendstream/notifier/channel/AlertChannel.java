package io.spendstream.notifier.channel;

import io.spendstream.schema.BudgetAlert;
import io.spendstream.schema.ChannelKind;
import java.net.URI;
import java.time.Instant;
import java.util.Objects;

/**
 * One delivery channel of an org, as the notifier and the channel API use it. {@link #toString()} shows
 * neither the secrets nor the URL's path: a Slack or Teams webhook URL is itself a credential.
 *
 * @param secrets the signing secrets of a WEBHOOK channel, null for SLACK and TEAMS
 */
public record AlertChannel(String id, String orgId, ChannelKind kind, String name, URI url, boolean enabled,
                           ChannelFilter filter, SigningSecrets secrets, Instant createdAt, Instant updatedAt) {
    public AlertChannel {
        Objects.requireNonNull(id);
        Objects.requireNonNull(orgId);
        Objects.requireNonNull(kind);
        Objects.requireNonNull(url);
        Objects.requireNonNull(filter);
        if ((kind == ChannelKind.WEBHOOK) != (secrets != null)) {
            throw new IllegalArgumentException("webhook channels, and only they, have signing secrets");
        }
    }

    /** True when the channel is enabled and its filter lets the alert through. */
    public boolean wants(BudgetAlert alert) {
        return enabled && filter.matches(alert);
    }

    /** The URL as far as it can be shown after creation: scheme, host and port only for Slack and Teams. */
    public String displayUrl() {
        if (kind == ChannelKind.WEBHOOK) {
            return url.toString();
        }
        return url.getScheme() + "://" + url.getRawAuthority() + "/…";
    }

    public AlertChannel withSecrets(SigningSecrets newSecrets, Instant now) {
        return new AlertChannel(id, orgId, kind, name, url, enabled, filter, newSecrets, createdAt, now);
    }

    @Override
    public String toString() {
        return "AlertChannel[" + orgId + "/" + id + " " + kind + " " + url.getScheme() + "://" + url.getRawAuthority()
                + (enabled ? "" : " disabled") + "]";
    }
}
