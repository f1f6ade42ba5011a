package io.spendstream.ingest;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * CORS for the configured origins only ({@value PublicHttp#CORS_ORIGINS}, compared exactly). A request
 * from another origin, or without one, gets no CORS header at all, so the browser withholds the answer from
 * the page; its preflight falls through to the router (405). Credentials (cookies) are never allowed: the API
 * authenticates with the Authorization header, which the page must send itself. Mounted only when origins are
 * configured.
 */
final class Cors implements Handler<RoutingContext> {
    static final String ALLOW_METHODS = "GET, POST, PUT, DELETE";
    static final String ALLOW_HEADERS = "Authorization, Content-Type";
    static final String EXPOSE_HEADERS = "Retry-After, Content-Disposition";
    /** How long a browser may reuse a preflight answer. */
    static final String MAX_AGE_SECONDS = "600";

    private final Set<String> origins;

    Cors(Set<String> origins) {
        this.origins = Set.copyOf(origins);
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        HttpServerResponse resp = ctx.response();
        // The answer depends on Origin: shared caches must not hand one origin's answer to another.
        resp.headers().add("Vary", "Origin");
        String origin = req.getHeader("Origin");
        if (origin == null || !origins.contains(origin)) {
            ctx.next();
            return;
        }
        resp.putHeader("Access-Control-Allow-Origin", origin);
        if (req.method() == HttpMethod.OPTIONS && req.getHeader("Access-Control-Request-Method") != null) {
            resp.setStatusCode(204)
                    .putHeader("Access-Control-Allow-Methods", ALLOW_METHODS)
                    .putHeader("Access-Control-Allow-Headers", ALLOW_HEADERS)
                    .putHeader("Access-Control-Max-Age", MAX_AGE_SECONDS)
                    .end();
            return;
        }
        resp.putHeader("Access-Control-Expose-Headers", EXPOSE_HEADERS);
        ctx.next();
    }
}
