package io.spendstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The spend query routes against a stand-in for sink-clickhouse's internal query port (a JDK
 * HttpServer that echoes what it was asked): every public path goes to
 * {@code /internal/query/{caller's org}/v1/...} with the query string unchanged, only after
 * authentication, and the sink's answer comes back unchanged.
 */
class SpendQueryRoutesTest {
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final List<String> upstreamRequests = new CopyOnWriteArrayList<>();
    static HttpServer upstream;
    static Vertx vertx;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/", SpendQueryRoutesTest::echo);
        upstream.createContext("/internal/query/acme/v1/reports/spend.csv", SpendQueryRoutesTest::slowCsv);
        upstream.setExecutor(Executors.newCachedThreadPool());
        upstream.start();
        vertx = Vertx.vertx();
        port = serve(new QueryRateLimit(1000, 1000));
    }

    /** The routes on a new port with {@code limit}, in front of the stand-in upstream. */
    private static int serve(QueryRateLimit limit) throws Exception {
        UpstreamProxy proxy = new UpstreamProxy(vertx, "spend-queries", "sink-clickhouse (spend queries)",
                "http://127.0.0.1:" + upstream.getAddress().getPort(), Duration.ofSeconds(5), 3, null);
        Router router = Router.router(vertx);
        // Stands in for Authenticator.handler(): sk_acme is org acme, sk_beta org beta, others get 401.
        new SpendQueryRoutes(ctx -> {
            String auth = ctx.request().getHeader("Authorization");
            if ("Bearer sk_acme".equals(auth) || "Bearer sk_beta".equals(auth)) {
                ctx.put(Authenticator.PRINCIPAL, new Authenticator.Principal(auth.substring(10), "key_test"));
                ctx.next();
            } else {
                ctx.response().setStatusCode(401).end();
            }
        }, proxy, limit).mount(router);
        return vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
    }

    static final CountDownLatch firstPartSeen = new CountDownLatch(1);

    /**
     * A chunked CSV whose second part is only sent once the client has seen the first: the proxy must relay
     * the body as it comes, or the test's wait for the first part never ends.
     */
    private static void slowCsv(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().add("Content-Type", "text/csv; charset=utf-8");
        ex.getResponseHeaders().add("Content-Disposition", "attachment; filename=\"spend-acme-2026-11.csv\"");
        ex.sendResponseHeaders(200, 0); // 0: chunked
        try (var body = ex.getResponseBody()) {
            body.write("day,cost_usd\r\n".getBytes(StandardCharsets.UTF_8));
            body.flush();
            if (!firstPartSeen.await(10, TimeUnit.SECONDS)) {
                throw new IOException("the client never saw the first part");
            }
            body.write("2026-11-01,1.000000000\r\n".getBytes(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (upstream != null) {
            upstream.stop(0);
        }
    }

    @BeforeEach
    void reset() {
        upstreamRequests.clear();
    }

    /** Answers 200 with what was asked, or a 400 problem for since=bad (as the sink validates). */
    private static void echo(HttpExchange ex) throws IOException {
        String asked = ex.getRequestURI().getRawPath()
                + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery());
        upstreamRequests.add(asked);
        boolean bad = asked.endsWith("since=bad");
        ex.getResponseHeaders().add("Content-Type", bad ? "application/problem+json" : "application/json");
        byte[] body = (bad ? "{\"status\":400,\"detail\":\"since must be an ISO-8601 instant\"}"
                : "{\"asked\":\"" + asked + "\"}").getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(bad ? 400 : 200, body.length);
        ex.getResponseBody().write(body);
        ex.close();
    }

    private static HttpResponse<String> get(String pathAndQuery, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                .timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldForwardEveryQueryPathUnderTheCallersOrgWithTheQueryStringUnchanged() throws Exception {
        assertThat(SpendQueryRoutes.PATHS).contains("/v1/unpriced");
        for (String path : SpendQueryRoutes.PATHS) {
            if (path.endsWith(".csv")) {
                continue; // streamed by its own upstream, see shouldRelayAChunkedBodyAsItComes
            }
            HttpResponse<String> r = get(path + "?since=2026-11-01T00:00:00Z&x=a%20b", "Bearer sk_acme");
            String expected = "/internal/query/acme" + path + "?since=2026-11-01T00:00:00Z&x=a%20b";
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(r.body()).isEqualTo("{\"asked\":\"" + expected + "\"}");
        }
        assertThat(get("/v1/unpriced", "Bearer sk_acme").body())
                .isEqualTo("{\"asked\":\"/internal/query/acme/v1/unpriced\"}");
    }

    @Test
    void shouldPassTheSinksProblemThroughAndNeverForwardAnUnauthenticatedCall() throws Exception {
        HttpResponse<String> bad = get("/v1/unpriced?since=bad", "Bearer sk_acme");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(bad.body()).contains("since must be an ISO-8601 instant");
        upstreamRequests.clear();
        assertThat(get("/v1/unpriced", null).statusCode()).isEqualTo(401);
        assertThat(get("/v1/unpriced", "Bearer sk_other").statusCode()).isEqualTo(401);
        assertThat(upstreamRequests).isEmpty();
    }

    @Test
    void shouldRelayAChunkedBodyAsItComes() throws Exception {
        HttpResponse<InputStream> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/v1/reports/spend.csv?month=2026-11")).header("Authorization", "Bearer sk_acme")
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/csv; charset=utf-8");
        assertThat(r.headers().firstValue("Content-Disposition")).hasValue("attachment; filename=\"spend-acme-2026-11.csv\"");
        assertThat(r.headers().firstValue("Content-Length")).isEmpty();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            assertThat(in.readLine()).as("the first part, while the upstream still holds the rest")
                    .isEqualTo("day,cost_usd");
            firstPartSeen.countDown();
            assertThat(in.readLine()).isEqualTo("2026-11-01,1.000000000");
            assertThat(in.readLine()).isNull();
        }
    }

    @Test
    void shouldAnswer429WithRetryAfterPerOrgBeyondTheQueryRateLimit() throws Exception {
        int limited = serve(new QueryRateLimit(1, 2));
        String url = "http://127.0.0.1:" + limited;
        for (int i = 0; i < 2; i++) {
            assertThat(getFrom(url, "/v1/spend", "Bearer sk_acme").statusCode()).as("burst of 2").isEqualTo(200);
        }
        upstreamRequests.clear();
        HttpResponse<String> refused = getFrom(url, "/v1/alerts", "Bearer sk_acme");
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(refused.body()).contains("query rate limit (1/s burst 2)");
        assertThat(upstreamRequests).as("a refused query never reaches the sink").isEmpty();
        assertThat(getFrom(url, "/v1/spend", "Bearer sk_beta").statusCode()).as("another org has its own bucket")
                .isEqualTo(200);
        assertThat(getFrom(url, "/v1/spend", null).statusCode()).as("authentication first").isEqualTo(401);
    }

    private static HttpResponse<String> getFrom(String base, String pathAndQuery, String authorization)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
