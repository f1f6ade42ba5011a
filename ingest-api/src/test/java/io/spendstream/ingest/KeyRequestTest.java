package io.spendstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyRequestTest {
    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");

    private static KeyRequest parse(String json) throws Exception {
        return KeyRequest.parse((ObjectNode) Problem.JSON.readTree(json), NOW);
    }

    @Test
    void withoutScopesAKeyGetsEveryScopeAndNoExpiry() throws Exception {
        KeyRequest r = parse("{}");
        assertThat(r.scopeIds()).containsExactly("events:write", "spend:read", "budgets:write", "channels:write");
        assertThat(r.expiresAt()).isNull();
        assertThat(r.name()).isNull();
    }

    @Test
    void scopesAreASubsetInCanonicalOrder() throws Exception {
        assertThat(parse("{\"scopes\":[\"spend:read\",\"events:write\",\"spend:read\"]}").scopeIds())
                .containsExactly("events:write", "spend:read");
        for (String bad : List.of("[]", "[\"admin\"]", "[1]", "\"spend:read\"")) {
            assertThatThrownBy(() -> parse("{\"scopes\":" + bad + "}")).as(bad)
                    .isInstanceOf(KeyRequest.Invalid.class).hasMessageContaining("scope");
        }
    }

    @Test
    void expiryIsAnRfc3339InstantInTheFutureAtMostTwoYearsAhead() throws Exception {
        assertThat(parse("{\"expires_at\":\"2026-03-01T13:00:00+02:00\"}").expiresAt())
                .isEqualTo(Instant.parse("2026-03-01T11:00:00Z"));
        assertThat(parse("{\"expires_at\":\"2028-03-01T10:00:00Z\"}").expiresAt())
                .isEqualTo(Instant.parse("2028-03-01T10:00:00Z"));
        for (String bad : List.of("\"2026-03-01T10:00:00Z\"", "\"2025-01-01T00:00:00Z\"",
                "\"2028-03-01T10:00:00.001Z\"", "\"2026-04-01\"", "\"2026-04-01T00:00:00\"", "1780000000000")) {
            assertThatThrownBy(() -> parse("{\"expires_at\":" + bad + "}")).as(bad)
                    .isInstanceOf(KeyRequest.Invalid.class).hasMessageContaining("expires_at");
        }
    }
}
