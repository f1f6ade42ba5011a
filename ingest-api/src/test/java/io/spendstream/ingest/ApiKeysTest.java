package io.spendstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApiKeysTest {
    @Test
    void keysAreRandomWithAnEightCharacterPrefix() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String k = ApiKeys.newKey();
            assertThat(k).startsWith("sk_").hasSize(46).matches("sk_[A-Za-z0-9_-]{43}");
            assertThat(ApiKeys.prefix(k)).hasSize(8).isEqualTo(k.substring(0, 8));
            assertThat(seen.add(k)).isTrue();
        }
        assertThat(ApiKeys.newKeyId()).matches("key_[0-9a-f]{16}");
    }

    @Test
    void hashIsSha256AndComparisonIsExact() {
        assertThat(ApiKeys.sha256("abc")).hasSize(32);
        assertThat(ApiKeys.constantTimeEquals("secret-token-123", "secret-token-123")).isTrue();
        assertThat(ApiKeys.constantTimeEquals("secret-token-123", "secret-token-124")).isFalse();
        assertThat(ApiKeys.constantTimeEquals(null, "x")).isFalse();
    }

    @Test
    void bearerTokensAreParsedStrictly() {
        assertThat(Authenticator.bearerToken("Bearer sk_abc")).isEqualTo("sk_abc");
        assertThat(Authenticator.bearerToken("bearer   sk_abc ")).isEqualTo("sk_abc");
        assertThat(Authenticator.bearerToken("Basic abc")).isNull();
        assertThat(Authenticator.bearerToken("Bearer ")).isNull();
        assertThat(Authenticator.bearerToken(null)).isNull();
        assertThat(Authenticator.bearerToken("Bearer " + "x".repeat(300))).isNull();
    }
}
