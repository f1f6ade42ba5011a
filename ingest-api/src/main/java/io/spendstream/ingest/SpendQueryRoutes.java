package io.spendstream.ingest;

import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The spend query API on the public port: {@code GET /v1/spend}, {@code GET /v1/alerts},
 * {@code GET /v1/unpriced} and {@code GET /v1/reports/spend.csv}, answered by sink-clickhouse from ClickHouse. The caller is
 * authenticated here with its API key; the request goes on to
 * {@code {query url}/internal/query/{org_id}/v1/...} with the query string unchanged, and the answer
 * (JSON, CSV or a problem) comes back unchanged ({@link UpstreamProxy}).
 */
final class SpendQueryRoutes {
    static final String UPSTREAM_PATH = "/internal/query/";
    static final String[] PATHS = {"/v1/spend", "/v1/alerts", "/v1/unpriced", "/v1/reports/spend.csv"};

    private final Handler<RoutingContext> auth;
    private final UpstreamProxy proxy;

    SpendQueryRoutes(Handler<RoutingContext> auth, UpstreamProxy proxy) {
        this.auth = auth;
        this.proxy = proxy;
    }

    void mount(Router router) {
        for (String path : PATHS) {
            router.get(path).handler(auth).handler(this::forward);
        }
    }

    private void forward(RoutingContext ctx) {
        String query = ctx.request().query();
        proxy.forward(ctx, UPSTREAM_PATH + UpstreamProxy.encodeSegment(Authenticator.principal(ctx).orgId())
                + ctx.request().path() + (query == null || query.isEmpty() ? "" : "?" + query));
    }
}
