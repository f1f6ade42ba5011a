package io.spendstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import io.spendstream.config.Secret;
import io.spendstream.http.InternalAccess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The budget status proxy against a stand-in for the stream processor's internal HTTP contract (a JDK
 * HttpServer): what it answers is passed through unchanged, the path is built from the caller's org and
 * the encoded budget id, and an unreachable or slow upstream is a 503 problem with Retry-After.
 */
class BudgetStatusProxyTest {
    static final Duration TIMEOUT = Duration.ofMillis(500);
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** What the fake upstream answers next; set by each test. */
    record Answer(int status, String contentType, String retryAfter, String body, long delayMillis) {}

    static HttpServer upstream;
    static volatile Answer answer;
    static final List<String> upstreamPaths = new CopyOnWriteArrayList<>();
    static final List<String> upstreamTokens = new CopyOnWriteArrayList<>();
    static final String SERVICE_TOKEN = "service-token-0123456789abcdef0123";
    static Vertx vertx;
    static int port;
    static int downPort;

    @BeforeAll
    static void start() throws Exception {
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.setExecutor(Executors.newCachedThreadPool());
        upstream.createContext("/", BudgetStatusProxyTest::answer);
        upstream.start();
        try (ServerSocket s = new ServerSocket(0)) {
            downPort = s.getLocalPort(); // nothing listens there once closed
        }
        vertx = Vertx.vertx();
        String base = "http://127.0.0.1:" + upstream.getAddress().getPort();
        BudgetStatusProxy proxy = new BudgetStatusProxy(vertx, base, TIMEOUT, 3, Secret.of(SERVICE_TOKEN));
        BudgetStatusProxy down = new BudgetStatusProxy(vertx, "http://127.0.0.1:" + downPort, TIMEOUT, 3,
                Secret.of(SERVICE_TOKEN));
        Router router = Router.router(vertx);
        // Stands in for Authenticator.handler(): the org comes from the (already authenticated) caller.
        router.route().handler(ctx -> {
            ctx.put(Authenticator.PRINCIPAL, new Authenticator.Principal("acme", "key_test"));
            ctx.next();
        });
        router.get("/v1/budgets/status").handler(proxy::orgStatus);
        router.get("/v1/budgets/:budget_id/status").handler(proxy::budgetStatus);
        router.get("/down/budgets/status").handler(down::orgStatus);
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
        upstreamPaths.clear();
        upstreamTokens.clear();
        answer = new Answer(200, "application/json", null, "{}", 0);
    }

    private static void answer(HttpExchange ex) throws IOException {
        upstreamPaths.add(ex.getRequestURI().getRawPath());
        upstreamTokens.add(String.valueOf(ex.getRequestHeaders().getFirst(InternalAccess.HEADER)));
        Answer a = answer;
        try {
            if (a.delayMillis() > 0) {
                Thread.sleep(a.delayMillis());
            }
            if (a.contentType() != null) {
                ex.getResponseHeaders().add("Content-Type", a.contentType());
            }
            if (a.retryAfter() != null) {
                ex.getResponseHeaders().add("Retry-After", a.retryAfter());
            }
            byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(a.status(), body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                ex.getResponseBody().write(body);
            }
        } catch (InterruptedException | IOException e) {
            // the proxy gave up (slow-upstream test): nothing to answer
        } finally {
            ex.close();
        }
    }

    static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static void assertUnavailable(HttpResponse<String> r, String detailPart) throws Exception {
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Content-Type")).hasValue(Problem.CONTENT_TYPE);
        assertThat(r.headers().firstValue("Retry-After")).hasValue("3");
        JsonNode p = new ObjectMapper().readTree(r.body());
        assertThat(p.get("type").asText()).isEqualTo(ProblemType.UNAVAILABLE.uri());
        assertThat(p.get("detail").asText()).contains("the stream processor is unreachable").contains(detailPart);
    }

    @Test
    void shouldForwardTheOrgStatusOfTheCallersOrgAndPassTheAnswerThrough() throws Exception {
        String body = "{\"org_id\":\"acme\",\"as_of\":\"2026-03-01T12:00:00Z\",\"budgets\":[{\"budget_id\":\"m\"}]}";
        answer = new Answer(200, "application/json; charset=utf-8", null, body, 0);
        HttpResponse<String> r = get("/v1/budgets/status");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
        assertThat(r.headers().firstValue("Retry-After")).isEmpty();
        assertThat(r.body()).isEqualTo(body);
        assertThat(upstreamPaths).containsExactly("/internal/budget-status/acme");
        assertThat(upstreamTokens).containsExactly(SERVICE_TOKEN);
    }

    @Test
    void shouldReplaceTheInternalPathInAProblemsInstanceWithThePublicOne() throws Exception {
        answer = new Answer(404, "application/problem+json", null, "{\"type\":\"about:blank\",\"status\":404,"
                + "\"instance\":\"/internal/budget-status/acme/nope\"}", 0);
        HttpResponse<String> r = get("/v1/budgets/nope/status");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(new ObjectMapper().readTree(r.body()).get("instance").asText()).isEqualTo("/v1/budgets/nope/status");
        assertThat(r.body()).doesNotContain("/internal/");
    }

    @Test
    void shouldForwardOneBudgetsStatusUnderTheCallersOrg() throws Exception {
        answer = new Answer(200, "application/json", null, "{\"budget_id\":\"monthly\",\"spent_usd\":\"1.5\"}", 0);
        HttpResponse<String> r = get("/v1/budgets/monthly/status");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"budget_id\":\"monthly\",\"spent_usd\":\"1.5\"}");
        assertThat(upstreamPaths).containsExactly("/internal/budget-status/acme/monthly");
    }

    @Test
    void shouldPassTheUpstreams404ProblemThroughUnchanged() throws Exception {
        String problem = "{\"type\":\"https://spendstream.dev/problems/not-found\",\"title\":\"Not found\","
                + "\"status\":404,\"detail\":\"no budget nope\"}";
        answer = new Answer(404, "application/problem+json", null, problem, 0);
        HttpResponse<String> r = get("/v1/budgets/nope/status");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(r.body()).isEqualTo(problem);
    }

    @Test
    void shouldPassTheUpstreams503AndItsRetryAfterThrough() throws Exception {
        String problem = "{\"type\":\"https://spendstream.dev/problems/unavailable\",\"status\":503,"
                + "\"detail\":\"state is rebalancing\"}";
        answer = new Answer(503, "application/problem+json", "7", problem, 0);
        HttpResponse<String> r = get("/v1/budgets/status");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).hasValue("7");
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(r.body()).isEqualTo(problem);
    }

    @Test
    void shouldEncodeTheBudgetIdAsOnePathSegment() throws Exception {
        // The caller's "a b/é~x" arrives decoded as the path parameter; upstream it must stay one segment.
        HttpResponse<String> r = get("/v1/budgets/a%20b%2F%C3%A9~x/status");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(upstreamPaths).containsExactly("/internal/budget-status/acme/a%20b%2F%C3%A9~x");
        assertThat(UpstreamProxy.encodeSegment("a+b?c#d%e")).isEqualTo("a%2Bb%3Fc%23d%25e");
        assertThat(UpstreamProxy.encodeSegment("Monthly-1.v_2~")).isEqualTo("Monthly-1.v_2~");
    }

    @Test
    void shouldAnswer503WhenTheStreamProcessorIsDown() throws Exception {
        assertUnavailable(get("/down/budgets/status"), "");
    }

    @Test
    void shouldAnswer503WhenTheStreamProcessorAnswersSlowerThanTheTimeout() throws Exception {
        answer = new Answer(200, "application/json", null, "{}", 3000);
        long start = System.nanoTime();
        HttpResponse<String> r = get("/v1/budgets/status");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertUnavailable(r, "no answer within 500 ms");
        assertThat(millis).isGreaterThanOrEqualTo(TIMEOUT.toMillis() - 50).isLessThan(2500);
        // and the proxy works again once the upstream is fast
        answer = new Answer(200, "application/json", null, "{\"ok\":true}", 0);
        assertThat(get("/v1/budgets/status").body()).isEqualTo("{\"ok\":true}");
    }
}
