package io.spendstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.spendstream.embedded.KafkaTestCluster;
import io.spendstream.embedded.TestCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The public port as the internet sees it: TLS with HTTP/2, the security headers, CORS for the configured
 * origin only, a fixed metrics label for made-up methods, and error bodies that never show internal paths,
 * hosts, ports or exceptions, for every documented error case. The stream processor and the sink are
 * stood in for by one JDK HttpServer answering their internal routes the way they do (problems with their
 * internal path in {@code instance}), or too slowly.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PublicSurfaceIT {
    static final String ORIGIN = "https://app.example.com";
    static final String SLOW = "slow";
    static final String BUDGET = "{\"scope\":\"org\",\"period\":\"month\",\"time_zone\":\"UTC\",\"limit_usd\":\"100\","
            + "\"thresholds_percent\":[50,90],\"enabled\":true}";
    static TestCertificates ca;
    static HttpClient https;
    static HttpServer upstream;
    static int upstreamPort;
    static IngestApi api;
    static String key;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("public-surface");
        ca = TestCertificates.newAuthority("spendstream test CA");
        TestCertificates.Issued server = ca.issue("localhost", List.of("localhost"), List.of("127.0.0.1"));
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        upstream.createContext("/", PublicSurfaceIT::internal);
        upstream.start();
        upstreamPort = upstream.getAddress().getPort();
        String internalUrl = "http://127.0.0.1:" + upstreamPort;
        IngestConfig config = IngestFixture.config(KafkaTestCluster.shared().bootstrapServers(), "surface", Map.of(
                PublicTls.CERT, server.writeCertificatePem(dir.resolve("chain.pem")).toString(),
                PublicTls.KEY, server.writeKeyPem(dir.resolve("key.pem")).toString(),
                PublicHttp.CORS_ORIGINS, ORIGIN,
                IngestConfig.MAX_BODY, "65536",
                IngestConfig.RATE, "0",
                IngestConfig.MAX_BUDGETS, "1",
                IngestConfig.PROCESSOR_URL, internalUrl, IngestConfig.PROCESSOR_TIMEOUT, "500ms",
                IngestConfig.QUERY_URL, internalUrl, IngestConfig.QUERY_TIMEOUT, "500ms"));
        https = client(ca);
        IngestApi.ensureTopics(config, Duration.ofSeconds(30));
        api = IngestApi.start(config);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(api::ready);
        send("POST", "/v1/admin/orgs", admin(), "{\"org_id\":\"acme\",\"name\":\"Acme\"}");
        key = IngestFixture.json(send("POST", "/v1/admin/orgs/acme/keys", admin(), "{\"name\":\"t\"}").body())
                .get("api_key").asText();
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
        if (upstream != null) {
            upstream.stop(0);
        }
    }

    /** The internal routes as the processor and the sink answer them: problems carrying their internal path. */
    private static void internal(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getRawPath();
        String query = ex.getRequestURI().getRawQuery();
        try {
            if ((query != null && query.contains(SLOW)) || path.endsWith("/" + SLOW)) {
                Thread.sleep(2_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int status = path.startsWith("/internal/budget-status/") ? (path.split("/").length > 4 ? 404 : 503) : 400;
        byte[] body = ("{\"type\":\"about:blank\",\"title\":\"x\",\"status\":" + status
                + ",\"detail\":\"as the upstream says\",\"instance\":\"" + path + "\"}").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/problem+json");
        try {
            ex.sendResponseHeaders(status, body.length);
            ex.getResponseBody().write(body);
        } catch (IOException e) {
            // the proxy gave up (slow case)
        } finally {
            ex.close();
        }
    }

    static HttpClient client(TestCertificates trusted) throws Exception {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("ca", trusted.authority());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_2)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    static Map<String, String> admin() {
        return Map.of("Authorization", "Bearer " + IngestFixture.ADMIN_TOKEN, "Content-Type", "application/json");
    }

    static Map<String, String> keyed() {
        return Map.of("Authorization", "Bearer " + key, "Content-Type", "application/json");
    }

    static HttpResponse<String> send(String method, String path, Map<String, String> headers, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://localhost:" + api.port() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        try {
            return https.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(method + " " + path + ": " + e, e);
        }
    }

    @Test
    void shouldServeHttp2OverTlsToClientsTrustingTheCaOnly() throws Exception {
        HttpResponse<String> r = send("GET", "/health/live", Map.of(), null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
        HttpClient http1 = HttpClient.newBuilder().sslContext(client(ca).sslContext())
                .version(HttpClient.Version.HTTP_1_1).build();
        assertThat(http1.send(HttpRequest.newBuilder(URI.create("https://localhost:" + api.port() + "/health/live"))
                .build(), HttpResponse.BodyHandlers.ofString()).version()).isEqualTo(HttpClient.Version.HTTP_1_1);

        HttpClient stranger = client(TestCertificates.newAuthority("another CA"));
        assertThatThrownBy(() -> stranger.send(HttpRequest.newBuilder(
                URI.create("https://localhost:" + api.port() + "/health/live")).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void shouldSendTheSecurityHeadersAndNoStoreOnV1Answers() {
        for (HttpResponse<String> r : List.of(send("GET", "/v1/spend", Map.of(), null),
                send("GET", "/v1/budgets", keyed(), null), send("GET", "/no/such/route", Map.of(), null))) {
            assertThat(r.headers().firstValue("X-Content-Type-Options")).as(r.uri().toString()).hasValue("nosniff");
            assertThat(r.headers().firstValue("Strict-Transport-Security")).hasValue(SecurityHeaders.HSTS);
        }
        assertThat(send("GET", "/v1/budgets", keyed(), null).headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(send("GET", "/v1/spend", Map.of(), null).headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(send("GET", "/health/live", Map.of(), null).headers().firstValue("Cache-Control")).isEmpty();
    }

    @Test
    void shouldAnswerCorsOnlyForTheConfiguredOrigin() {
        Map<String, String> preflight = Map.of("Origin", ORIGIN, "Access-Control-Request-Method", "POST",
                "Access-Control-Request-Headers", "authorization, content-type");
        HttpResponse<String> ok = send("OPTIONS", "/v1/events", preflight, null);
        assertThat(ok.statusCode()).isEqualTo(204);
        assertThat(ok.headers().firstValue("Access-Control-Allow-Origin")).hasValue(ORIGIN);
        assertThat(ok.headers().firstValue("Access-Control-Allow-Headers")).hasValue(Cors.ALLOW_HEADERS);
        assertThat(send("GET", "/v1/budgets", Map.of("Origin", ORIGIN, "Authorization", "Bearer " + key), null)
                .headers().firstValue("Access-Control-Allow-Origin")).hasValue(ORIGIN);

        Map<String, String> evil = new HashMap<>(preflight);
        evil.put("Origin", "https://evil.example.com");
        for (HttpResponse<String> r : List.of(send("OPTIONS", "/v1/events", evil, null),
                send("GET", "/v1/budgets", Map.of("Origin", "https://evil.example.com", "Authorization", "Bearer " + key),
                        null))) {
            assertThat(r.headers().map().keySet()).as(r.request().method())
                    .noneMatch(h -> h.toLowerCase(java.util.Locale.ROOT).startsWith("access-control-"));
        }
        assertThat(send("OPTIONS", "/v1/events", evil, null).statusCode()).isEqualTo(405);
    }

    @Test
    void shouldLabelAMadeUpMethodAsOther() {
        send("BREW", "/v1/events", Map.of(), null);
        String metrics = send("GET", "/metrics", Map.of(), null).body();
        assertThat(metrics).contains("method=\"other\"").doesNotContain("BREW");
    }

    /** A request that should get a documented error status. */
    record Case(String method, String path, String template, int status, Map<String, String> headers, String body) {}

    @Test
    void shouldAnswerEveryDocumentedErrorWithoutInternalDetails() throws Exception {
        String big = "x".repeat(70_000);
        Map<String, String> text = Map.of("Authorization", "Bearer " + key, "Content-Type", "text/plain");
        Map<String, String> adminText = Map.of("Authorization", "Bearer " + IngestFixture.ADMIN_TOKEN,
                "Content-Type", "text/plain");
        assertThat(send("PUT", "/v1/budgets/first", keyed(), BUDGET).statusCode()).isEqualTo(201);
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("POST", "/v1/events", "/v1/events", 400, keyed(), "{"));
        cases.add(new Case("POST", "/v1/events", "/v1/events", 401, Map.of(), "{}"));
        cases.add(new Case("POST", "/v1/events", "/v1/events", 413, keyed(), big));
        cases.add(new Case("POST", "/v1/events", "/v1/events", 415, text, "{}"));
        cases.add(new Case("GET", "/v1/budgets", "/v1/budgets", 401, Map.of(), null));
        cases.add(new Case("GET", "/v1/budgets/status", "/v1/budgets/status", 401, Map.of(), null));
        cases.add(new Case("GET", "/v1/budgets/status", "/v1/budgets/status", 503, keyed(), null));
        cases.add(new Case("GET", "/v1/budgets/nope", "/v1/budgets/{budget_id}", 401, Map.of(), null));
        cases.add(new Case("GET", "/v1/budgets/nope", "/v1/budgets/{budget_id}", 404, keyed(), null));
        cases.add(new Case("PUT", "/v1/budgets/b", "/v1/budgets/{budget_id}", 400, keyed(), "{\"period\":\"x\"}"));
        cases.add(new Case("PUT", "/v1/budgets/b", "/v1/budgets/{budget_id}", 401, Map.of(), BUDGET));
        cases.add(new Case("PUT", "/v1/budgets/second", "/v1/budgets/{budget_id}", 409, keyed(), BUDGET));
        cases.add(new Case("PUT", "/v1/budgets/b", "/v1/budgets/{budget_id}", 413, keyed(), big));
        cases.add(new Case("PUT", "/v1/budgets/b", "/v1/budgets/{budget_id}", 415, text, BUDGET));
        cases.add(new Case("DELETE", "/v1/budgets/nope", "/v1/budgets/{budget_id}", 401, Map.of(), null));
        cases.add(new Case("DELETE", "/v1/budgets/nope", "/v1/budgets/{budget_id}", 404, keyed(), null));
        cases.add(new Case("GET", "/v1/budgets/nope/status", "/v1/budgets/{budget_id}/status", 401, Map.of(), null));
        cases.add(new Case("GET", "/v1/budgets/nope/status", "/v1/budgets/{budget_id}/status", 404, keyed(), null));
        cases.add(new Case("GET", "/v1/budgets/" + SLOW + "/status", "/v1/budgets/{budget_id}/status", 503, keyed(),
                null));
        for (String p : SpendQueryRoutes.PATHS) {
            cases.add(new Case("GET", p + "?from=bad", p, 400, keyed(), null));
            cases.add(new Case("GET", p, p, 401, Map.of(), null));
            cases.add(new Case("GET", p + "?from=" + SLOW, p, 503, keyed(), null));
        }
        cases.add(new Case("POST", "/v1/admin/orgs", "/v1/admin/orgs", 400, admin(), "{\"org_id\":\"\"}"));
        cases.add(new Case("POST", "/v1/admin/orgs", "/v1/admin/orgs", 401, Map.of(), "{}"));
        cases.add(new Case("POST", "/v1/admin/orgs", "/v1/admin/orgs", 409, admin(),
                "{\"org_id\":\"acme\",\"name\":\"Acme\"}"));
        cases.add(new Case("POST", "/v1/admin/orgs", "/v1/admin/orgs", 413, admin(), big));
        cases.add(new Case("POST", "/v1/admin/orgs", "/v1/admin/orgs", 415, adminText, "{}"));
        cases.add(new Case("POST", "/v1/admin/orgs/acme/keys", "/v1/admin/orgs/{org}/keys", 400, admin(), "{"));
        cases.add(new Case("POST", "/v1/admin/orgs/acme/keys", "/v1/admin/orgs/{org}/keys", 401, Map.of(), "{}"));
        cases.add(new Case("POST", "/v1/admin/orgs/nobody/keys", "/v1/admin/orgs/{org}/keys", 404, admin(),
                "{\"name\":\"k\"}"));
        cases.add(new Case("DELETE", "/v1/admin/orgs/acme/keys/key_nope", "/v1/admin/orgs/{org}/keys/{key_id}", 401,
                Map.of(), null));
        cases.add(new Case("DELETE", "/v1/admin/orgs/acme/keys/key_nope", "/v1/admin/orgs/{org}/keys/{key_id}", 404,
                admin(), null));

        Pattern exceptionName = Pattern.compile("[A-Z][A-Za-z]*(Exception|Error)\\b");
        Set<String> covered = new TreeSet<>();
        for (Case c : cases) {
            HttpResponse<String> r = send(c.method(), c.path(), c.headers(), c.body());
            String what = c.method() + " " + c.path() + " -> " + r.statusCode() + " " + r.body();
            assertThat(r.statusCode()).as(what).isEqualTo(c.status());
            assertThat(r.body()).as(what).doesNotContain("/internal/").doesNotContain("127.0.0.1")
                    .doesNotContain(":" + upstreamPort).doesNotContain("at io.").doesNotContainPattern(exceptionName);
            covered.add(c.method() + " " + c.template() + " " + c.status());
        }
        // Every documented error is covered but those this test cannot cause: Kafka outages (503 of routes
        // that write or read Kafka), the rate limit (429, off here) and not being ready yet.
        Set<String> notCaused = Set.of("POST /v1/events 429", "POST /v1/events 503", "GET /v1/budgets 503",
                "GET /v1/budgets/{budget_id} 503", "PUT /v1/budgets/{budget_id} 503",
                "DELETE /v1/budgets/{budget_id} 503", "POST /v1/admin/orgs 503", "POST /v1/admin/orgs/{org}/keys 503",
                "DELETE /v1/admin/orgs/{org}/keys/{key_id} 503", "GET /health/ready 503");
        Set<String> documented = documentedErrors();
        documented.removeAll(notCaused);
        assertThat(covered).containsAll(documented);
    }

    static Set<String> documentedErrors() throws IOException {
        JsonNode doc;
        try (InputStream in = PublicSurfaceIT.class.getResourceAsStream("/openapi.yaml")) {
            doc = new ObjectMapper(new YAMLFactory()).readTree(in);
        }
        Set<String> out = new TreeSet<>();
        doc.get("paths").properties().forEach(path -> path.getValue().properties().forEach(op -> {
            if (op.getValue().has("responses")) {
                op.getValue().get("responses").properties().forEach(resp -> {
                    if (resp.getKey().startsWith("4") || resp.getKey().startsWith("5")) {
                        out.add(op.getKey().toUpperCase(java.util.Locale.ROOT) + " " + path.getKey() + " " + resp.getKey());
                    }
                });
            }
        }));
        return out;
    }
}
