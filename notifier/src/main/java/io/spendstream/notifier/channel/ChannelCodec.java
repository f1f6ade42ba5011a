package io.spendstream.notifier.channel;

import io.spendstream.schema.AlertKind;
import io.spendstream.schema.BudgetScope;
import io.spendstream.schema.Channel;
import java.net.URI;
import java.util.Set;
import java.util.stream.Collectors;

/** Converts between the channel record on the topic (Avro) and {@link AlertChannel}. */
public final class ChannelCodec {
    private ChannelCodec() {}

    /** Key of a channel on the channels topic. Ids never contain '|' (generated, or validated by the API). */
    public static String key(String orgId, String channelId) {
        if (orgId.indexOf('|') >= 0 || channelId.indexOf('|') >= 0) {
            throw new IllegalArgumentException("org and channel ids must not contain '|'");
        }
        return orgId + "|" + channelId;
    }

    public static AlertChannel fromAvro(Channel c) {
        SigningSecrets secrets = c.getSecret() == null ? null
                : new SigningSecrets(c.getSecret(), c.getPreviousSecret(), c.getPreviousSecretExpiresAt());
        ChannelFilter filter = new ChannelFilter(Set.copyOf(c.getBudgetIds()),
                c.getScopes().stream().map(BudgetScope::valueOf).collect(Collectors.toSet()),
                c.getAlertKinds().stream().map(AlertKind::valueOf).collect(Collectors.toSet()),
                c.getMinThresholdPercent());
        return new AlertChannel(c.getChannelId(), c.getOrgId(), c.getKind(), c.getName(), URI.create(c.getUrl()),
                c.getEnabled(), filter, secrets, c.getCreatedAt(), c.getUpdatedAt());
    }

    public static Channel toAvro(AlertChannel c) {
        SigningSecrets s = c.secrets();
        return Channel.newBuilder()
                .setChannelId(c.id())
                .setOrgId(c.orgId())
                .setKind(c.kind())
                .setName(c.name())
                .setUrl(c.url().toString())
                .setEnabled(c.enabled())
                .setBudgetIds(c.filter().budgetIds().stream().sorted().toList())
                .setScopes(c.filter().scopes().stream().map(Enum::name).sorted().toList())
                .setAlertKinds(c.filter().kinds().stream().map(Enum::name).sorted().toList())
                .setMinThresholdPercent(c.filter().minThresholdPercent())
                .setSecret(s == null ? null : s.current())
                .setPreviousSecret(s == null ? null : s.previous())
                .setPreviousSecretExpiresAt(s == null ? null : s.previousExpiresAt())
                .setCreatedAt(c.createdAt())
                .setUpdatedAt(c.updatedAt())
                .build();
    }
}
