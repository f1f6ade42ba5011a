package io.spendstream.ingest;

import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The spend query API on the public port: {@code GET /v1/spend}, {@code GET /v1/alerts},
 * {@code GET /v1/unpriced} and {@code GET /v1/reports/spend.csv}, answered by sink-clickhouse from ClickHouse. The caller is
 * authenticated here with its API key; the request goes on to
 * {@code {query url}/internal/query/{org_id}/v1/...} with the query string unchanged, and the answer
 * (JSON, CSV or a problem) comes back unchanged ({@link UpstreamProxy}). Each org has a token bucket
 * ({@link QueryRateLimit}); a query beyond it is answered 429 with Retry-After and never reaches the sink.
 */
final class SpendQueryRoutes {
    static final String UPSTREAM_PATH = "/internal/query/";
    static final String[] PATHS = {"/v1/spend", "/v1/alerts", "/v1/unpriced", "/v1/reports/spend.csv"};

    private final Handler<RoutingContext> auth;
    private final UpstreamProxy proxy;
    private final QueryRateLimit limit;
    private final RateLimiter perOrg;

    SpendQueryRoutes(Handler<RoutingContext> auth, UpstreamProxy proxy, QueryRateLimit limit) {
        this.auth = auth;
        this.proxy = proxy;
        this.limit = limit;
        this.perOrg = limit.limiter();
    }

    void mount(Router router) {
        for (String path : PATHS) {
            router.get(path).handler(auth).handler(this::limit).handler(this::forward);
        }
    }

    private void limit(RoutingContext ctx) {
        long wait = perOrg.tryAcquire(Authenticator.principal(ctx).orgId(), 1);
        if (wait > 0) {
            Problem.of(ProblemType.RATE_LIMITED, "the org's query rate limit (" + limit + ") is exceeded")
                    .retryAfter(TokenBucket.retryAfterSeconds(wait)).send(ctx);
            return;
        }
        ctx.next();
    }

    private void forward(RoutingContext ctx) {
        String query = ctx.request().query();
        proxy.forward(ctx, UPSTREAM_PATH + UpstreamProxy.encodeSegment(Authenticator.principal(ctx).orgId())
                + ctx.request().path() + (query == null || query.isEmpty() ? "" : "?" + query));
    }
}
