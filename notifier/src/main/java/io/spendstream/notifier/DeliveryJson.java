package io.spendstream.notifier;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spendstream.schema.AlertDelivery;
import io.spendstream.schema.DeliveryAttempt;
import java.util.Locale;

/** A delivery as the API shows it: state, times and attempts; never the payload (a chat URL's secrets stay out). */
final class DeliveryJson {
    static final ObjectMapper JSON = new ObjectMapper();

    private DeliveryJson() {}

    static ObjectNode of(AlertDelivery d) {
        ObjectNode n = JSON.createObjectNode();
        n.put("alert_id", d.getAlertId());
        n.put("channel_id", d.getChannelId());
        n.put("kind", d.getKind().name().toLowerCase(Locale.ROOT));
        n.put("status", d.getStatus().name().toLowerCase(Locale.ROOT));
        n.put("test", d.getTest());
        n.put("alert_at", d.getAlertAt().toString());
        n.put("next_attempt_at", d.getNextAttemptAt() == null ? null : d.getNextAttemptAt().toString());
        ArrayNode attempts = n.putArray("attempts");
        for (DeliveryAttempt a : d.getAttempts()) {
            ObjectNode x = attempts.addObject();
            x.put("at", a.getAt().toString());
            x.put("status_code", a.getStatusCode());
            x.put("latency_ms", a.getLatencyMs());
            x.put("error", a.getError());
            x.put("response_excerpt", a.getResponseExcerpt());
        }
        return n;
    }
}
