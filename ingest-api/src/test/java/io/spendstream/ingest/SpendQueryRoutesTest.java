package io.spendstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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
        upstream.start();
        vertx = Vertx.vertx();
        UpstreamProxy proxy = new UpstreamProxy(vertx, "spend-queries", "sink-clickhouse (spend queries)",
                "http://127.0.0.1:" + upstream.getAddress().getPort(), Duration.ofSeconds(5), 3, null);
        Router router = Router.router(vertx);
        // Stands in for Authenticator.handler(): a caller with the right key is org acme, others get 401.
        new SpendQueryRoutes(ctx -> {
            if ("Bearer sk_acme".equals(ctx.request().getHeader("Authorization"))) {
                ctx.put(Authenticator.PRINCIPAL, new Authenticator.Principal("acme", "key_test"));
                ctx.next();
            } else {
                ctx.response().setStatusCode(401).end();
            }
        }, proxy).mount(router);
        port = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
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
}
