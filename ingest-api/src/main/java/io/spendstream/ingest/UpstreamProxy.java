package io.spendstream.ingest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spendstream.config.Secret;
import io.spendstream.http.InternalAccess;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
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
 * through unchanged, including its own 4xx and 503 problems, except that a problem's {@code instance} (the
 * internal path) becomes the public path the client asked for. Bodies are streamed, never held whole (a
 * problem, small by nature, is read whole to be rewritten). When the answer cannot be had at all (connection
 * refused, no answer within the timeout, any I/O error) the answer is a 503 {@code unavailable} problem with
 * Retry-After, naming no host or exception (those are logged). Vert.x's non-blocking client is used, so a
 * slow upstream ties up no event loop.
 */
final class UpstreamProxy {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamProxy.class);

    private final HttpClient client;
    private final String upstream;
    private final String baseUrl;
    private final long timeoutMillis;
    private final int retryAfterSeconds;
    private final Secret serviceToken;

    /**
     * @param upstream          what is behind it, for messages ("the stream processor")
     * @param baseUrl           its base URL, without a trailing slash
     * @param timeout           bound of a forwarded request until the answer's headers, and of any pause in its body
     * @param retryAfterSeconds Retry-After of the 503 sent when it is unreachable
     * @param serviceToken      sent as {@value InternalAccess#HEADER}; null sends none (upstream on loopback)
     */
    UpstreamProxy(Vertx vertx, String name, String upstream, String baseUrl, Duration timeout, int retryAfterSeconds,
                  Secret serviceToken) {
        this.upstream = upstream;
        this.serviceToken = serviceToken;
        this.baseUrl = baseUrl;
        this.timeoutMillis = Math.max(1, timeout.toMillis());
        this.retryAfterSeconds = retryAfterSeconds;
        this.client = vertx.httpClientBuilder()
                .with(new HttpClientOptions().setName(name).setConnectTimeout((int) Math.min(
                        Integer.MAX_VALUE, timeoutMillis)).setKeepAlive(true))
                .with(new PoolOptions().setHttp1MaxSize(32))
                .build();
    }

    /** Forwards the request to {@code baseUrl + pathAndQuery} and relays the answer. */
    void forward(RoutingContext ctx, String pathAndQuery) {
        forward(ctx, HttpMethod.GET, pathAndQuery);
    }

    /** As {@link #forward(RoutingContext, String)} with another method (without a body). */
    void forward(RoutingContext ctx, HttpMethod method, String pathAndQuery) {
        String uri = baseUrl + pathAndQuery;
        Context context = Vertx.currentContext();
        AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
        RequestOptions options = new RequestOptions().setMethod(method).setAbsoluteURI(uri)
                .setConnectTimeout(timeoutMillis).setIdleTimeout(timeoutMillis)
                .putHeader("Accept", "*/*");
        if (serviceToken != null) {
            options.putHeader(InternalAccess.HEADER, serviceToken.reveal());
        }
        client.request(options)
                .compose(req -> {
                    sent.set(req);
                    return req.send();
                })
                // Paused until the relay pipes it: no body chunk may arrive before someone reads it.
                .map(resp -> resp.pause())
                .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .onComplete(ar -> context.runOnContext(v -> {
                    if (ar.succeeded()) {
                        relay(ctx.response(), ar.result(), sent.get(), uri, ctx.request().path());
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
                            ? "no answer within " + timeoutMillis + " ms" : "no connection";
                    LOG.warn("request to {} failed: {}", uri, e.toString());
                    Problem.of(ProblemType.UNAVAILABLE, upstream + " is unreachable (" + why
                                    + "); this answer is not available right now, retry later")
                            .retryAfter(retryAfterSeconds).send(ctx);
                }));
    }

    /**
     * Sends the upstream's status and headers at once and pipes its body through as it comes (a CSV export
     * can be far larger than this heap): the pipe pauses the upstream while the client's write queue is
     * full. Whole-answer timeouts stop at the headers; after them only the idle timeout applies, so a long
     * export that keeps flowing is not cut. A body that fails half way (upstream gone, idle, client gone)
     * resets both connections, so the client never takes a truncated body for a complete one.
     */
    private static void relay(HttpServerResponse out, HttpClientResponse in, HttpClientRequest req, String uri,
                              String publicPath) {
        if (out.ended() || out.closed()) {
            req.reset();
            return;
        }
        out.setStatusCode(in.statusCode());
        String type = in.getHeader("Content-Type");
        if (type != null && type.startsWith(Problem.CONTENT_TYPE)) {
            for (String name : RELAYED_HEADERS) {
                String value = in.getHeader(name);
                if (value != null) {
                    out.putHeader(name, value);
                }
            }
            in.resume();
            in.body().onSuccess(body -> out.end(withInstance(body, publicPath))).onFailure(e -> {
                LOG.debug("reading the problem of {} failed: {}", uri, e.toString());
                out.reset();
            });
            return;
        }
        for (String name : RELAYED_HEADERS) {
            String value = in.getHeader(name);
            if (value != null) {
                out.putHeader(name, value);
            }
        }
        String length = in.getHeader("Content-Length");
        if (length != null) {
            out.putHeader("Content-Length", length);
        } else {
            out.setChunked(true);
        }
        in.pipe().endOnFailure(false).to(out).onFailure(e -> {
            LOG.debug("relaying the body of {} failed: {}", uri, e.toString());
            req.reset();
            if (!out.ended()) {
                out.reset();
            }
        });
    }

    private static final String[] RELAYED_HEADERS = {"Content-Type", "Content-Disposition", "Retry-After"};

    /**
     * The problem with {@code instance} set to the public path: upstreams write their own, internal, path
     * there, which tells a client how the service network is laid out. A body that is not a JSON object is
     * relayed as it is.
     */
    static Buffer withInstance(Buffer problem, String publicPath) {
        try {
            if (Problem.JSON.readTree(problem.getBytes()) instanceof ObjectNode n) {
                if (n.has("instance")) {
                    n.put("instance", publicPath);
                }
                return Buffer.buffer(n.toString());
            }
        } catch (IOException e) {
            LOG.debug("upstream problem is not JSON: {}", e.toString());
        }
        return problem;
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
