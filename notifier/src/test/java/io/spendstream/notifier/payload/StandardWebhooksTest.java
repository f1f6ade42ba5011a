package io.spendstream.notifier.payload;

import static org.assertj.core.api.Assertions.assertThat;

import io.spendstream.notifier.channel.SigningSecrets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StandardWebhooksTest {
    private final byte[] current = SigningSecrets.key(SigningSecrets.generate().current());
    private final byte[] previous = SigningSecrets.key(SigningSecrets.generate().current());
    private final Instant at = Instant.parse("2026-11-23T10:00:00Z");

    @Test
    void shouldVerifyWithEitherKeyOfARotationAndOnlyTheSignedRequest() {
        Map<String, String> h = StandardWebhooks.headers("a1", at, "{\"x\":1}", List.of(current, previous));
        String ts = h.get("webhook-timestamp");
        String sig = h.get("webhook-signature");
        assertThat(StandardWebhooks.verifies("a1", ts, sig, "{\"x\":1}", current)).isTrue();
        assertThat(StandardWebhooks.verifies("a1", ts, sig, "{\"x\":1}", previous)).isTrue();
        assertThat(StandardWebhooks.verifies("a1", ts, sig, "{\"x\":2}", current)).isFalse();
        assertThat(StandardWebhooks.verifies("a2", ts, sig, "{\"x\":1}", current)).isFalse();
        assertThat(StandardWebhooks.verifies("a1", Long.toString(at.getEpochSecond() + 1), sig, "{\"x\":1}", current))
                .isFalse();
        assertThat(StandardWebhooks.verifies("a1", ts, sig, "{\"x\":1}",
                SigningSecrets.key(SigningSecrets.generate().current()))).isFalse();
    }

    @Test
    void shouldRefuseMissingOrMalformedHeaders() {
        assertThat(StandardWebhooks.verifies("a1", null, "v1,AAAA", "{}", current)).isFalse();
        assertThat(StandardWebhooks.verifies("a1", "12x", "v1,AAAA", "{}", current)).isFalse();
        assertThat(StandardWebhooks.verifies("a1", "1700000000", "v1,not base64!", "{}", current)).isFalse();
        assertThat(StandardWebhooks.verifies("a1", "1700000000", null, "{}", current)).isFalse();
    }
}
