package io.spendstream.ingest;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;

/**
 * Headers every answer of the public port carries, whichever handler (or error handler) writes it; set just
 * before the headers go out so that no later handler can forget them:
 * <ul>
 *   <li>{@code X-Content-Type-Options: nosniff}: a browser never guesses a type, e.g. runs a CSV as HTML;</li>
 *   <li>{@code Strict-Transport-Security} when the port speaks TLS: browsers never try plain HTTP again;</li>
 *   <li>{@code Cache-Control: no-store} under {@code /v1/}: new API keys, budgets and spend must not stay
 *       in a browser's or a proxy's cache.</li>
 * </ul>
 */
final class SecurityHeaders implements Handler<RoutingContext> {
    /** One year, the value browsers' preload lists ask for; HSTS is only sent over TLS, where it applies. */
    static final String HSTS = "max-age=31536000";

    private final boolean tls;

    SecurityHeaders(boolean tls) {
        this.tls = tls;
    }

    @Override
    public void handle(RoutingContext ctx) {
        String path = ctx.request().path();
        ctx.addHeadersEndHandler(v -> {
            MultiMap h = ctx.response().headers();
            h.set("X-Content-Type-Options", "nosniff");
            if (tls) {
                h.set("Strict-Transport-Security", HSTS);
            }
            if (path != null && path.startsWith("/v1/")) {
                h.set("Cache-Control", "no-store");
            }
        });
        ctx.next();
    }
}
