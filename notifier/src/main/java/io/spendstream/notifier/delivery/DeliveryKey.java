package io.spendstream.notifier.delivery;

import io.spendstream.schema.AlertDelivery;

/** Key of a delivery on the alert-deliveries topic: {@code org_id|alert_id|channel_id} (ids never hold '|'). */
public record DeliveryKey(String orgId, String alertId, String channelId) {
    public static DeliveryKey of(AlertDelivery d) {
        return new DeliveryKey(d.getOrgId(), d.getAlertId(), d.getChannelId());
    }

    public static DeliveryKey parse(String key) {
        String[] parts = key.split("\\|", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("a delivery key is org_id|alert_id|channel_id, was " + key);
        }
        return new DeliveryKey(parts[0], parts[1], parts[2]);
    }

    @Override
    public String toString() {
        return orgId + "|" + alertId + "|" + channelId;
    }
}
