package io.spendstream.ingest;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spendstream.schema.ApiKey;
import io.spendstream.schema.ApiKeyState;
import java.time.Instant;
import java.util.Optional;

/**
 * A stored key as the admin API lists it. Built field by field from an allow-list, never by serialising the
 * record, so the hash (and anything added to the record later) cannot leak into a listing. Every member is
 * present, null when unset, so clients see one shape.
 */
final class ApiKeyView {
    private ApiKeyView() {}

    static ObjectNode json(ApiKey key, Optional<Instant> lastUsed, Instant now) {
        ObjectNode n = Problem.JSON.createObjectNode();
        n.put("key_id", key.getKeyId());
        n.put("prefix", key.getPrefix());
        n.put("name", key.getName());
        n.put("created_at", key.getCreatedAt().toString());
        n.put("last_used_at", lastUsed.map(Instant::toString).orElse(null));
        n.put("expires_at", key.getExpiresAt() == null ? null : key.getExpiresAt().toString());
        ArrayNode scopes = n.putArray("scopes");
        Scope.granted(key.getScopes()).forEach(s -> scopes.add(s.id()));
        n.put("state", state(key, now));
        n.put("revoked_at", key.getRevokedAt() == null ? null : key.getRevokedAt().toString());
        return n;
    }

    /** {@code active}, {@code revoked} or {@code expired} (a revoked key stays revoked after its expiry). */
    static String state(ApiKey key, Instant now) {
        if (key.getState() != ApiKeyState.ACTIVE) {
            return "revoked";
        }
        return key.getExpiresAt() != null && !now.isBefore(key.getExpiresAt()) ? "expired" : "active";
    }
}
