package io.spendstream.ingest;

import io.spendstream.schema.ApiKey;
import io.spendstream.schema.ApiKeyState;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * Resolves {@code Authorization: Bearer <api key>} to the key's org, for every route of the public
 * port, and checks the key has the route's {@link Scope} ({@link RouteScopes}). Lookup is by the SHA-256 of
 * the presented key in the instance's key table, confirmed with a constant-time comparison of the hashes.
 * Missing, malformed, unknown and revoked keys, and keys of a deleted org, all get the same 401 problem
 * (nothing tells a caller which org a key was of); an expired key gets the 401 {@code key-expired}, so its
 * owner knows to ask for a new one; a key without the route's scope gets 403 naming the scope.
 *
 * <pre>{@code
 * router.get("/v1/spend").handler(api.authenticator().handler()).handler(ctx -> {
 *     Authenticator.Principal who = Authenticator.principal(ctx);
 *     ... who.orgId() ...
 * });
 * }</pre>
 */
public final class Authenticator {
    /** Key under which {@link #handler()} stores the {@link Principal} in the routing context. */
    public static final String PRINCIPAL = "spendstream.principal";
    private static final int MAX_KEY_LENGTH = 256;

    /** Who is calling: the API key's org and id. */
    public record Principal(String orgId, String keyId) {}

    /** The outcome: a principal, or the 401 or 403 problem to send. */
    public sealed interface Result permits Authenticated, Unauthenticated, Forbidden {}

    public record Authenticated(Principal principal) implements Result {}

    public record Unauthenticated(Problem problem) implements Result {}

    /** A valid key without the scope the route needs. */
    public record Forbidden(Problem problem) implements Result {}

    private final KeyLookup keys;
    private final InstantSource clock;
    private final BiConsumer<String, Instant> onUse;

    /**
     * @param onUse told (key id, when) of every request a key authenticated, to record the key's last use;
     *              must be cheap, it runs on the event loop
     */
    public Authenticator(KeyLookup keys, InstantSource clock, BiConsumer<String, Instant> onUse) {
        this.keys = keys;
        this.clock = clock;
        this.onUse = onUse;
    }

    /** Authenticates an {@code Authorization} header value (null when absent) for a request to {@code path}. */
    public Result authenticate(String authorization, HttpMethod method, String path) {
        String token = bearerToken(authorization);
        if (token == null) {
            return new Unauthenticated(Problem.of(ProblemType.UNAUTHORIZED,
                    "send the API key as 'Authorization: Bearer <api key>'"));
        }
        byte[] hash = ApiKeys.sha256(token);
        Optional<ApiKey> found = keys.byHash(hash);
        if (found.isEmpty() || !ApiKeys.constantTimeEquals(found.get().getSha256().bytes(), hash)
                || found.get().getState() != ApiKeyState.ACTIVE || orgDeleted(found.get())) {
            return new Unauthenticated(Problem.of(ProblemType.UNAUTHORIZED, "the API key is unknown or revoked"));
        }
        ApiKey key = found.get();
        Instant now = clock.instant();
        if (key.getExpiresAt() != null && !now.isBefore(key.getExpiresAt())) {
            return new Unauthenticated(Problem.of(ProblemType.KEY_EXPIRED,
                    "the API key expired at " + key.getExpiresAt() + "; ask an administrator for a new key"));
        }
        onUse.accept(key.getKeyId(), now);
        Optional<Scope> needed = RouteScopes.required(method, path);
        if (needed.isPresent() && !Scope.granted(key.getScopes()).contains(needed.get())) {
            String scope = needed.get().id();
            return new Forbidden(Problem.of(ProblemType.FORBIDDEN, "the API key lacks the scope " + scope
                    + " that " + method.name() + " " + Problem.clip(path, 128) + " needs")
                    .with(Map.of("missing_scope", scope)));
        }
        return new Authenticated(new Principal(key.getOrgId(), key.getKeyId()));
    }

    private boolean orgDeleted(ApiKey key) {
        return keys.org(key.getOrgId()).map(o -> o.getDeletedAt() != null).orElse(false);
    }

    /** A route handler: stores the principal in the context and continues, or ends with 401 or 403. */
    public Handler<RoutingContext> handler() {
        return ctx -> {
            switch (authenticate(ctx.request().getHeader("Authorization"), ctx.request().method(),
                    ctx.normalizedPath())) {
                case Authenticated a -> {
                    ctx.put(PRINCIPAL, a.principal());
                    ctx.next();
                }
                case Unauthenticated u -> u.problem().send(ctx);
                case Forbidden f -> f.problem().send(ctx);
            }
        };
    }

    /** The principal {@link #handler()} stored, or null. */
    public static Principal principal(RoutingContext ctx) {
        return ctx.get(PRINCIPAL);
    }

    /** The token of a {@code Bearer} authorization value, or null. */
    static String bearerToken(String authorization) {
        if (authorization == null || authorization.length() < 8
                || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = authorization.substring(7).strip();
        return token.isEmpty() || token.length() > MAX_KEY_LENGTH ? null : token;
    }
}
