package io.spendstream.ingest;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/budgets/status} and {@code GET /v1/budgets/{budget_id}/status}, forwarded to the stream
 * processor, which holds the spend state ({@code GET {processor}/internal/budget-status/{org_id}[/{budget_id}]}).
 * The stream processor's port is internal and unauthenticated: clients reach it only through here, with
 * the org taken from their API key.
 *
 * <p>The upstream answer (status code, Content-Type, Retry-After and body) is passed through unchanged,
 * including its own 404 and 503 problems. When it cannot be had at all (connection refused, no complete
 * answer within the timeout, any I/O error) the answer is a 503 {@code unavailable} problem with
 * Retry-After. Vert.x's non-blocking client is used, so a slow stream processor ties up no event loop.
 */
final class BudgetStatusProxy {
    private static final Logger LOG = LoggerFactory.getLogger(BudgetStatusProxy.class);
    static final String UPSTREAM_PATH = "/internal/budget-status/";

    private final HttpClient client;
    private final String baseUrl;
    private final long timeoutMillis;
    private final int retryAfterSeconds;

    /**
     * @param baseUrl           the stream processor's base URL, without a trailing slash
     * @param timeout           bound of a whole forwarded request (connect, answer and body)
     * @param retryAfterSeconds Retry-After of the 503 sent when the stream processor is unreachable
     */
    BudgetStatusProxy(Vertx vertx, String baseUrl, Duration timeout, int retryAfterSeconds) {
        this.baseUrl = baseUrl;
        this.timeoutMillis = Math.max(1, timeout.toMillis());
        this.retryAfterSeconds = retryAfterSeconds;
        this.client = vertx.httpClientBuilder()
                .with(new HttpClientOptions().setName("budget-status").setConnectTimeout((int) Math.min(
                        Integer.MAX_VALUE, timeoutMillis)).setKeepAlive(true))
                .with(new PoolOptions().setHttp1MaxSize(32))
                .build();
    }

    /** {@code GET /v1/budgets/status}: every budget of the caller's org. Needs {@link Authenticator#handler()} first. */
    void orgStatus(RoutingContext ctx) {
        forward(ctx, UPSTREAM_PATH + encodeSegment(Authenticator.principal(ctx).orgId()));
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
        forward(ctx, UPSTREAM_PATH + encodeSegment(Authenticator.principal(ctx).orgId()) + "/"
                + encodeSegment(budgetId));
    }

    private record Upstream(int status, String contentType, String retryAfter, Buffer body) {}

    private void forward(RoutingContext ctx, String path) {
        String uri = baseUrl + path;
        Context context = Vertx.currentContext();
        AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
        client.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(uri)
                        .setConnectTimeout(timeoutMillis).setIdleTimeout(timeoutMillis)
                        .putHeader("Accept", IngestApi.JSON_TYPE + ", " + Problem.CONTENT_TYPE))
                .compose(req -> {
                    sent.set(req);
                    return req.send();
                })
                .compose(resp -> resp.body().map(body -> new Upstream(resp.statusCode(),
                        resp.getHeader("Content-Type"), resp.getHeader("Retry-After"), body)))
                .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .onComplete(ar -> context.runOnContext(v -> {
                    if (ar.succeeded()) {
                        relay(ctx.response(), ar.result());
                        return;
                    }
                    HttpClientRequest req = sent.get();
                    if (req != null) {
                        req.reset(); // a slow answer must not keep its pooled connection busy
                    }
                    Throwable e = ar.cause();
                    // Future.timeout and the request's idle timeout fail with a TimeoutException, Netty's connect
                    // timeout with a ConnectTimeoutException.
                    String why = e instanceof TimeoutException || e.getClass().getSimpleName().contains("Timeout")
                            ? "no answer within " + timeoutMillis + " ms" : e.getClass().getSimpleName();
                    LOG.debug("budget status from {} failed: {}", uri, e.toString());
                    Problem.of(ProblemType.UNAVAILABLE, "the stream processor is unreachable (" + why
                                    + "); budget status is not available right now, retry later")
                            .retryAfter(retryAfterSeconds).send(ctx);
                }));
    }

    private static void relay(HttpServerResponse out, Upstream up) {
        if (out.ended() || out.closed()) {
            return;
        }
        out.setStatusCode(up.status());
        if (up.contentType() != null) {
            out.putHeader("Content-Type", up.contentType());
        }
        if (up.retryAfter() != null) {
            out.putHeader("Retry-After", up.retryAfter());
        }
        out.end(up.body());
    }

    /** Percent-encodes one path segment (RFC 3986: everything but unreserved characters, as UTF-8). */
    static String encodeSegment(String s) {
        StringBuilder out = new StringBuilder(s.length() + 8);
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return out.toString();
    }
}
