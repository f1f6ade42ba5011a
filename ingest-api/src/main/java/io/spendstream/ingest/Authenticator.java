package io.spendstream.ingest;

import io.spendstream.schema.ApiKey;
import io.spendstream.schema.ApiKeyState;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * Resolves {@code Authorization: Bearer <api key>} to the key's org, for every route of the public
 * port (ingest, and later budgets and spend queries). Lookup is by the SHA-256 of the presented key
 * in the instance's {@link KeyTable}, confirmed with a constant-time comparison of the hashes;
 * missing, malformed, unknown and revoked keys all get the same 401 problem.
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

    /** The outcome: a principal, or the 401 problem to send. */
    public sealed interface Result permits Authenticated, Unauthenticated {}

    public record Authenticated(Principal principal) implements Result {}

    public record Unauthenticated(Problem problem) implements Result {}

    private final KeyTable keys;

    public Authenticator(KeyTable keys) {
        this.keys = keys;
    }

    /** Authenticates an {@code Authorization} header value (null when absent). */
    public Result authenticate(String authorization) {
        String token = bearerToken(authorization);
        if (token == null) {
            return new Unauthenticated(Problem.of(ProblemType.UNAUTHORIZED,
                    "send the API key as 'Authorization: Bearer <api key>'"));
        }
        byte[] hash = ApiKeys.sha256(token);
        Optional<ApiKey> key = keys.byHash(hash);
        if (key.isEmpty() || !ApiKeys.constantTimeEquals(key.get().getSha256().bytes(), hash)
                || key.get().getState() != ApiKeyState.ACTIVE) {
            return new Unauthenticated(Problem.of(ProblemType.UNAUTHORIZED, "the API key is unknown or revoked"));
        }
        return new Authenticated(new Principal(key.get().getOrgId(), key.get().getKeyId()));
    }

    /** A route handler: stores the principal in the context and continues, or ends with 401. */
    public Handler<RoutingContext> handler() {
        return ctx -> {
            switch (authenticate(ctx.request().getHeader("Authorization"))) {
                case Authenticated a -> {
                    ctx.put(PRINCIPAL, a.principal());
                    ctx.next();
                }
                case Unauthenticated u -> u.problem().send(ctx);
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
