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
 * Forwards a GET to an internal service that answers for an org the caller was authenticated for here:
 * the stream processor (budget status) or sink-clickhouse (spend queries). Their ports are internal and
 * unauthenticated; clients reach them only through this port, with the org taken from their API key.
 *
 * <p>The upstream answer (status code, Content-Type, Content-Disposition, Retry-After and body) is passed
 * through unchanged, including its own 4xx and 503 problems. When it cannot be had at all (connection
 * refused, no complete answer within the timeout, any I/O error) the answer is a 503 {@code unavailable}
 * problem with Retry-After. Vert.x's non-blocking client is used, so a slow upstream ties up no event loop.
 */
final class UpstreamProxy {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamProxy.class);

    private final HttpClient client;
    private final String upstream;
    private final String baseUrl;
    private final long timeoutMillis;
    private final int retryAfterSeconds;

    /**
     * @param upstream          what is behind it, for messages ("the stream processor")
     * @param baseUrl           its base URL, without a trailing slash
     * @param timeout           bound of a whole forwarded request (connect, answer and body)
     * @param retryAfterSeconds Retry-After of the 503 sent when it is unreachable
     */
    UpstreamProxy(Vertx vertx, String name, String upstream, String baseUrl, Duration timeout, int retryAfterSeconds) {
        this.upstream = upstream;
        this.baseUrl = baseUrl;
        this.timeoutMillis = Math.max(1, timeout.toMillis());
        this.retryAfterSeconds = retryAfterSeconds;
        this.client = vertx.httpClientBuilder()
                .with(new HttpClientOptions().setName(name).setConnectTimeout((int) Math.min(
                        Integer.MAX_VALUE, timeoutMillis)).setKeepAlive(true))
                .with(new PoolOptions().setHttp1MaxSize(32))
                .build();
    }

    private record Upstream(int status, String contentType, String disposition, String retryAfter, Buffer body) {}

    /** Forwards the request to {@code baseUrl + pathAndQuery} and relays the answer. */
    void forward(RoutingContext ctx, String pathAndQuery) {
        forward(ctx, HttpMethod.GET, pathAndQuery);
    }

    /** As {@link #forward(RoutingContext, String)} with another method (without a body). */
    void forward(RoutingContext ctx, HttpMethod method, String pathAndQuery) {
        String uri = baseUrl + pathAndQuery;
        Context context = Vertx.currentContext();
        AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
        client.request(new RequestOptions().setMethod(method).setAbsoluteURI(uri)
                        .setConnectTimeout(timeoutMillis).setIdleTimeout(timeoutMillis)
                        .putHeader("Accept", "*/*"))
                .compose(req -> {
                    sent.set(req);
                    return req.send();
                })
                .compose(resp -> resp.body().map(body -> new Upstream(resp.statusCode(),
                        resp.getHeader("Content-Type"), resp.getHeader("Content-Disposition"), resp.getHeader("Retry-After"),
                        body)))
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
                    LOG.debug("request to {} failed: {}", uri, e.toString());
                    Problem.of(ProblemType.UNAVAILABLE, upstream + " is unreachable (" + why
                                    + "); this answer is not available right now, retry later")
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
        if (up.disposition() != null) {
            out.putHeader("Content-Disposition", up.disposition());
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
