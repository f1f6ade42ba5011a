package io.spendstream.http;

import io.spendstream.config.Secret;
import io.vertx.core.Handler;
import io.spendstream.config.Secret;
import io.vertx.ext.web.Router;
import io.spendstream.config.Secret;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Guards the {@code /internal/...} routes of an ops port (stream processor, sink) with the shared service
 * token: a request without {@value InternalAccess#HEADER} or with another value is answered 401 with a
 * problem that says nothing about the route. Health and metrics are not guarded. Without a token (allowed
 * on loopback binds only, see {@link InternalAccess}) every request passes.
 */
public final class InternalAuth implements Handler<RoutingContext> {
    /** The path prefix of every internal route. */
    public static final String PREFIX = "/internal/";

    private final byte[] expectedDigest;

    private InternalAuth(Secret token) {
        this.expectedDigest = token == null ? null : sha256(token.reveal());
    }

    /** Installs the guard in front of every route under {@value #PREFIX}; call before those routes are added. */
    public static void guard(Router router, InternalAccess access) {
        router.route(PREFIX + "*").handler(new InternalAuth(access.token()));
    }

    @Override
    public void handle(RoutingContext ctx) {
        if (expectedDigest == null || matches(ctx.request().getHeader(InternalAccess.HEADER))) {
            ctx.next();
            return;
        }
        ctx.response().setStatusCode(401).putHeader("Content-Type", "application/problem+json")
                .end("{\"type\":\"https://spendstream.dev/problems/unauthorized\",\"title\":\"Unauthorized\","
                        + "\"status\":401,\"detail\":\"a valid service token is required\"}");
    }

    /**
     * Compares digests with {@link MessageDigest#isEqual}, whose time does not depend on where the values
     * differ; hashing first also hides the token's length.
     */
    boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(expectedDigest, sha256(presented));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
