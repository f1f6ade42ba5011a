package io.spendstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spendstream.schema.ApiKey;
import io.spendstream.schema.ApiKeyState;
import io.spendstream.schema.Sha256;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The listing shows what operators need and never the secret or its hash, in any encoding. */
class ApiKeyViewTest {
    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");

    private static ApiKey key(String plaintext, ApiKeyState state, Instant expiresAt, List<String> scopes) {
        return ApiKey.newBuilder().setKeyId("key_0123456789abcdef").setOrgId("acme").setPrefix(ApiKeys.prefix(plaintext))
                .setSha256(new Sha256(ApiKeys.sha256(plaintext))).setState(state).setName("ci")
                .setCreatedAt(NOW.minusSeconds(3600)).setRevokedAt(state == ApiKeyState.REVOKED ? NOW : null)
                .setExpiresAt(expiresAt).setScopes(scopes).build();
    }

    @Test
    void listsTheOperatorsFieldsAndNeverTheSecretOrItsHash() {
        String plaintext = ApiKeys.newKey();
        ObjectNode n = ApiKeyView.json(key(plaintext, ApiKeyState.ACTIVE, NOW.plusSeconds(60), List.of("spend:read")),
                Optional.of(Instant.parse("2026-03-01T09:59:00Z")), NOW);
        List<String> fields = new ArrayList<>();
        n.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("key_id", "prefix", "name", "created_at", "last_used_at", "expires_at",
                "scopes", "state", "revoked_at");
        assertThat(n.get("prefix").asText()).isEqualTo(plaintext.substring(0, 8));
        assertThat(n.get("last_used_at").asText()).isEqualTo("2026-03-01T09:59:00Z");
        assertThat(n.get("scopes").toString()).isEqualTo("[\"spend:read\"]");
        assertThat(n.get("state").asText()).isEqualTo("active");
        assertThat(n.get("revoked_at").isNull()).isTrue();
        byte[] hash = ApiKeys.sha256(plaintext);
        String text = n.toString();
        assertThat(text).doesNotContain(plaintext.substring(8))
                .doesNotContainIgnoringCase(HexFormat.of().formatHex(hash))
                .doesNotContain(Base64.getEncoder().encodeToString(hash))
                .doesNotContain(Base64.getUrlEncoder().withoutPadding().encodeToString(hash));
    }

    @Test
    void aKeyStoredBeforeScopesListsEveryScopeAndStatesAreDerived() {
        ObjectNode legacy = ApiKeyView.json(key(ApiKeys.newKey(), ApiKeyState.ACTIVE, null, null), Optional.empty(), NOW);
        assertThat(legacy.get("scopes")).hasSize(Scope.values().length);
        assertThat(legacy.get("last_used_at").isNull()).isTrue();
        assertThat(legacy.get("expires_at").isNull()).isTrue();
        assertThat(ApiKeyView.json(key(ApiKeys.newKey(), ApiKeyState.ACTIVE, NOW, null), Optional.empty(), NOW)
                .get("state").asText()).isEqualTo("expired");
        ObjectNode revoked = ApiKeyView.json(key(ApiKeys.newKey(), ApiKeyState.REVOKED, NOW.minusSeconds(1), null),
                Optional.empty(), NOW);
        assertThat(revoked.get("state").asText()).isEqualTo("revoked");
        assertThat(revoked.get("revoked_at").asText()).isEqualTo(NOW.toString());
    }
}
