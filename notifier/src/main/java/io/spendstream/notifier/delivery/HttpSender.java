package io.spendstream.notifier.delivery;

import io.spendstream.notifier.channel.UrlPolicy;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sends one POST to a channel: resolves the URL's host and checks every address with the {@link UrlPolicy}
 * right before connecting, then connects to the checked address (the request keeps the URL's host for the
 * Host header, SNI and certificate verification), so a DNS answer changed after the check cannot lead the
 * request elsewhere. Connect timeout and whole-request timeout (connect, send, answer and body) as
 * configured; redirects are never followed (a 3xx is a final answer); only the first 1 KB of the
 * response body is kept.
 */
public final class HttpSender implements AutoCloseable {
    static final int EXCERPT_BYTES = 1024;

    private final Vertx vertx;
    private final HttpClientAgent client;
    private final UrlPolicy policy;
    private final Duration requestTimeout;

    public HttpSender(UrlPolicy policy, Duration connectTimeout, Duration requestTimeout, int maxConnections) {
        this.vertx = Vertx.vertx();
        this.policy = policy;
        this.requestTimeout = requestTimeout;
        this.client = vertx.createHttpClient(new HttpClientOptions()
                        .setConnectTimeout((int) connectTimeout.toMillis())
                        .setKeepAlive(true)
                        .setForceSni(true)
                        .setVerifyHost(true),
                new PoolOptions().setHttp1MaxSize(maxConnections));
    }

    public CompletableFuture<AttemptResult> post(URI url, Map<String, String> headers, String body) {
        Instant at = Instant.now();
        long start = System.nanoTime();
        CompletableFuture<AttemptResult> done = new CompletableFuture<>();
        vertx.<InetAddress>executeBlocking(() -> policy.resolve(url), false).onComplete(resolved -> {
            if (resolved.failed()) {
                Throwable t = resolved.cause();
                boolean unsafe = t instanceof UrlPolicy.Refused;
                done.complete(new AttemptResult(at, null, millisSince(start), unsafe ? t.getMessage()
                        : "cannot resolve: " + t, null, null, unsafe));
                return;
            }
            send(url, resolved.result(), headers, body).onComplete(ar -> done.complete(ar.succeeded()
                    ? response(at, start, ar.result())
                    : new AttemptResult(at, null, millisSince(start), describe(ar.cause()), null, null, false)));
        });
        return done;
    }

    private record Response(int status, String retryAfter, String excerpt) {}

    private Future<Response> send(URI url, InetAddress address, Map<String, String> headers, String body) {
        boolean https = "https".equalsIgnoreCase(url.getScheme());
        int port = url.getPort() > 0 ? url.getPort() : https ? 443 : 80;
        String path = (url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath())
                + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setServer(SocketAddress.inetSocketAddress(port, address.getHostAddress()))
                .setHost(url.getHost())
                .setPort(port)
                .setURI(path)
                .setSsl(https)
                .setFollowRedirects(false);
        Promise<Response> promise = Promise.promise();
        AtomicReference<HttpClientRequest> request = new AtomicReference<>();
        long timer = vertx.setTimer(requestTimeout.toMillis(), id -> {
            if (promise.tryFail("no complete answer within " + requestTimeout.toMillis() + " ms")) {
                HttpClientRequest r = request.get();
                if (r != null) {
                    r.reset(); // closes the connection, so a late answer never arrives on a reused one
                }
            }
        });
        client.request(options).compose(req -> {
            request.set(req);
            headers.forEach(req::putHeader);
            req.putHeader("Content-Type", "application/json");
            req.putHeader("User-Agent", "spendstream-notifier");
            return req.send(Buffer.buffer(body, "UTF-8"));
        }).compose(this::readExcerpt).onComplete(ar -> {
            vertx.cancelTimer(timer);
            if (ar.succeeded()) {
                promise.tryComplete(ar.result());
            } else {
                promise.tryFail(ar.cause());
            }
        });
        return promise.future();
    }

    /** Reads the whole body (the request timeout bounds it) and keeps its first 1 KB. */
    private Future<Response> readExcerpt(HttpClientResponse resp) {
        Promise<Response> p = Promise.promise();
        Buffer excerpt = Buffer.buffer();
        resp.handler(chunk -> {
            int room = EXCERPT_BYTES - excerpt.length();
            if (room > 0) {
                excerpt.appendBuffer(chunk.length() <= room ? chunk : chunk.getBuffer(0, room));
            }
        });
        resp.exceptionHandler(p::tryFail);
        resp.endHandler(v -> p.tryComplete(new Response(resp.statusCode(), resp.getHeader("Retry-After"),
                excerpt.length() == 0 ? null : new String(excerpt.getBytes(), StandardCharsets.UTF_8))));
        return p.future();
    }

    private static AttemptResult response(Instant at, long start, Response r) {
        boolean ok = r.status() >= 200 && r.status() < 300;
        String error = ok ? null : r.status() >= 300 && r.status() < 400 ? "HTTP " + r.status()
                + " (redirects are not followed)" : "HTTP " + r.status();
        return new AttemptResult(at, r.status(), millisSince(start), error, r.excerpt(), retryAfter(r.retryAfter(), at),
                false);
    }

    /** Retry-After as delta-seconds or an HTTP date; null when absent or unreadable. */
    static Duration retryAfter(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.strip();
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(v)));
        } catch (NumberFormatException notSeconds) {
            try {
                Duration d = Duration.between(now, ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
                return d.isNegative() ? Duration.ZERO : d;
            } catch (RuntimeException notDate) {
                return null;
            }
        }
    }

    private static String describe(Throwable t) {
        String msg = t.getMessage();
        return msg == null ? t.getClass().getSimpleName() : msg.length() > 300 ? msg.substring(0, 300) : msg;
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    @Override
    public void close() {
        try {
            client.close().toCompletionStage().toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
            vertx.close().toCompletionStage().toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // best effort at shutdown
        }
    }
}
