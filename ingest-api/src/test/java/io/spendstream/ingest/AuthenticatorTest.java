package io.spendstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.spendstream.schema.ApiKey;
import io.spendstream.schema.ApiKeyState;
import io.spendstream.schema.Org;
import io.spendstream.schema.Sha256;
import io.vertx.core.http.HttpMethod;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Scopes per route, expiry, deleted orgs and revocation, against an in-memory key table. */
class AuthenticatorTest {
    private static final Instant NOW = Instant.parse("2026-03-01T10:15:30Z");

    private final Map<ByteBuffer, ApiKey> keys = new HashMap<>();
    private final Map<String, Org> orgs = new HashMap<>(Map.of("acme", new Org("acme", "Acme", NOW, null)));
    private final List<String> uses = new ArrayList<>();
    private final Authenticator auth = new Authenticator(new KeyLookup() {
        @Override
        public Optional<ApiKey> byHash(byte[] sha256) {
            return Optional.ofNullable(keys.get(ByteBuffer.wrap(sha256)));
        }

        @Override
        public Optional<Org> org(String orgId) {
            return Optional.ofNullable(orgs.get(orgId));
        }
    }, InstantSource.fixed(NOW), (keyId, at) -> uses.add(keyId + "@" + at));

    private String key(String org, List<String> scopes, Instant expiresAt, ApiKeyState state) {
        String plaintext = ApiKeys.newKey();
        String id = ApiKeys.newKeyId();
        keys.put(ByteBuffer.wrap(ApiKeys.sha256(plaintext)), ApiKey.newBuilder().setKeyId(id).setOrgId(org)
                .setPrefix(ApiKeys.prefix(plaintext)).setSha256(new Sha256(ApiKeys.sha256(plaintext))).setState(state)
                .setName(null).setCreatedAt(NOW).setRevokedAt(null).setExpiresAt(expiresAt).setScopes(scopes).build());
        return plaintext;
    }

    private Authenticator.Result call(String key, HttpMethod method, String path) {
        return auth.authenticate("Bearer " + key, method, path);
    }

    @Test
    void aKeyStoredBeforeScopesMayUseEveryRoute() {
        String legacy = key("acme", null, null, ApiKeyState.ACTIVE);
        for (var route : List.of(Map.entry(HttpMethod.POST, "/v1/events"), Map.entry(HttpMethod.GET, "/v1/spend"),
                Map.entry(HttpMethod.PUT, "/v1/budgets/b1"), Map.entry(HttpMethod.POST, "/v1/channels"))) {
            assertThat(call(legacy, route.getKey(), route.getValue())).as(route.toString())
                    .isInstanceOf(Authenticator.Authenticated.class);
        }
    }

    @Test
    void aKeyWithoutTheRoutesScopeIsForbiddenNamingTheScope() {
        String writer = key("acme", List.of("events:write"), null, ApiKeyState.ACTIVE);
        assertThat(call(writer, HttpMethod.POST, "/v1/events")).isInstanceOf(Authenticator.Authenticated.class);
        var r = call(writer, HttpMethod.GET, "/v1/spend");
        assertThat(r).isInstanceOf(Authenticator.Forbidden.class);
        Problem p = ((Authenticator.Forbidden) r).problem();
        assertThat(p.status()).isEqualTo(403);
        assertThat(p.toJson().get("missing_scope").asText()).isEqualTo("spend:read");
        assertThat(p.detail()).contains("spend:read");
        assertThat(call(writer, HttpMethod.DELETE, "/v1/budgets/b1")).isInstanceOf(Authenticator.Forbidden.class);

        String reader = key("acme", List.of("spend:read"), null, ApiKeyState.ACTIVE);
        assertThat(call(reader, HttpMethod.GET, "/v1/budgets/b1/status")).isInstanceOf(Authenticator.Authenticated.class);
        assertThat(call(reader, HttpMethod.POST, "/v1/events")).isInstanceOf(Authenticator.Forbidden.class);
        assertThat(call(reader, HttpMethod.PUT, "/v1/budgets/b1")).isInstanceOf(Authenticator.Forbidden.class);
    }

    @Test
    void scopesTheVersionDoesNotKnowGrantNothing() {
        String future = key("acme", List.of("events:write", "reports:export"), null, ApiKeyState.ACTIVE);
        assertThat(call(future, HttpMethod.POST, "/v1/events")).isInstanceOf(Authenticator.Authenticated.class);
        assertThat(call(future, HttpMethod.GET, "/v1/alerts")).isInstanceOf(Authenticator.Forbidden.class);
    }

    @Test
    void theRouteTableCoversEveryApiKeyRoute() {
        assertThat(RouteScopes.required(HttpMethod.POST, "/v1/events")).contains(Scope.EVENTS_WRITE);
        for (String path : SpendQueryRoutes.PATHS) {
            assertThat(RouteScopes.required(HttpMethod.GET, path)).as(path).contains(Scope.SPEND_READ);
        }
        for (String path : List.of("/v1/budgets", "/v1/budgets/status", "/v1/budgets/b1", "/v1/budgets/b1/status")) {
            assertThat(RouteScopes.required(HttpMethod.GET, path)).as(path).contains(Scope.SPEND_READ);
        }
        assertThat(RouteScopes.required(HttpMethod.PUT, "/v1/budgets/b1")).contains(Scope.BUDGETS_WRITE);
        assertThat(RouteScopes.required(HttpMethod.DELETE, "/v1/budgets/b1")).contains(Scope.BUDGETS_WRITE);
        assertThat(RouteScopes.required(HttpMethod.POST, "/v1/channels/c1")).contains(Scope.CHANNELS_WRITE);
        assertThat(RouteScopes.required(HttpMethod.GET, "/v1/spend.csv")).isEmpty();
    }

    @Test
    void anExpiredKeyIsRefusedSayingItExpiredButNotItsOrg() {
        String expired = key("acme", null, NOW, ApiKeyState.ACTIVE);
        var r = call(expired, HttpMethod.POST, "/v1/events");
        assertThat(r).isInstanceOf(Authenticator.Unauthenticated.class);
        Problem p = ((Authenticator.Unauthenticated) r).problem();
        assertThat(p.type()).isEqualTo(ProblemType.KEY_EXPIRED);
        assertThat(p.status()).isEqualTo(401);
        assertThat(p.body()).contains("expired").doesNotContain("acme");
        String later = key("acme", null, NOW.plusMillis(1), ApiKeyState.ACTIVE);
        assertThat(call(later, HttpMethod.POST, "/v1/events")).isInstanceOf(Authenticator.Authenticated.class);
    }

    @Test
    void keysOfADeletedOrgAndRevokedKeysAreUnknown() {
        String revoked = key("acme", null, null, ApiKeyState.REVOKED);
        String active = key("acme", null, null, ApiKeyState.ACTIVE);
        assertThat(call(active, HttpMethod.POST, "/v1/events")).isInstanceOf(Authenticator.Authenticated.class);
        orgs.put("acme", new Org("acme", "Acme", NOW, NOW));
        for (String k : List.of(revoked, active)) {
            var r = call(k, HttpMethod.POST, "/v1/events");
            assertThat(r).isInstanceOf(Authenticator.Unauthenticated.class);
            assertThat(((Authenticator.Unauthenticated) r).problem().type()).isEqualTo(ProblemType.UNAUTHORIZED);
        }
    }

    @Test
    void reportsEachUseOfAValidKeyOnly() {
        String k = key("acme", List.of("events:write"), null, ApiKeyState.ACTIVE);
        call(k, HttpMethod.POST, "/v1/events");
        call(k, HttpMethod.GET, "/v1/spend"); // forbidden, but the key was used
        call("sk_unknown", HttpMethod.POST, "/v1/events");
        assertThat(uses).hasSize(2).allMatch(u -> u.endsWith("@" + NOW));
    }
}
