package io.spendstream.ingest;

import io.spendstream.config.Secret;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;

/**
 * {@code GET /v1/budgets/status} and {@code GET /v1/budgets/{budget_id}/status}, forwarded to the stream
 * processor, which holds the spend state ({@code GET {processor}/internal/budget-status/{org_id}[/{budget_id}]});
 * see {@link UpstreamProxy} for what is relayed and how failures are answered.
 */
final class BudgetStatusProxy {
    static final String UPSTREAM_PATH = "/internal/budget-status/";

    private final UpstreamProxy proxy;

    /**
     * @param baseUrl           the stream processor's base URL, without a trailing slash
     * @param timeout           bound of a whole forwarded request (connect, answer and body)
     * @param retryAfterSeconds Retry-After of the 503 sent when the stream processor is unreachable
     * @param serviceToken      the stream processor's service token, or null
     */
    BudgetStatusProxy(Vertx vertx, String baseUrl, Duration timeout, int retryAfterSeconds, Secret serviceToken) {
        this.proxy = new UpstreamProxy(vertx, "budget-status", "the stream processor", baseUrl, timeout,
                retryAfterSeconds, serviceToken);
    }

    /** {@code GET /v1/budgets/status}: every budget of the caller's org. Needs {@link Authenticator#handler()} first. */
    void orgStatus(RoutingContext ctx) {
        proxy.forward(ctx, UPSTREAM_PATH + UpstreamProxy.encodeSegment(Authenticator.principal(ctx).orgId()));
    }

    /**
     * {@code GET /v1/budgets/{budget_id}/status}: one budget of the caller's org. The id is forwarded as given
     * (encoded), except the dot segments, which an HTTP server removes together with the org segment before
     * them; no budget has such an id, so they are answered 404 here.
     */
    void budgetStatus(RoutingContext ctx) {
        String budgetId = ctx.pathParam("budget_id");
        if (budgetId.equals(".") || budgetId.equals("..")) {
            Problem.of(ProblemType.NOT_FOUND, "no budget " + budgetId).send(ctx);
            return;
        }
        proxy.forward(ctx, UPSTREAM_PATH + UpstreamProxy.encodeSegment(Authenticator.principal(ctx).orgId()) + "/"
                + UpstreamProxy.encodeSegment(budgetId));
    }
}
