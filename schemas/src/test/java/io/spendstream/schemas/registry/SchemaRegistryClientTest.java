package io.spendstream.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.spendstream.schema.UsageEvent;
import io.spendstream.schemas.registry.SchemaRegistryException.IncompatibleSchemaException;
import io.spendstream.schemas.registry.SchemaRegistryException.SchemaNotRegisteredException;
import io.spendstream.schemas.registry.SchemaRegistryException.UnknownSchemaIdException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client's behaviour on answers a real registry gives only in bad moments (5xx, outages),
 * against a scripted HTTP server. The happy paths run against Apicurio in the ITs.
 */
class SchemaRegistryClientTest {
    private HttpServer server;
    private final Deque<int[]> script = new ArrayDeque<>(); // {status} per request, then 200s
    private final Deque<String> bodies = new ArrayDeque<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<String> authHeaders = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private synchronized void handle(HttpExchange ex) throws IOException {
        requests.add(ex.getRequestMethod() + " " + ex.getRequestURI().getRawPath());
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        authHeaders.add(auth == null ? "" : auth);
        int status = script.isEmpty() ? 200 : script.poll()[0];
        String body = bodies.isEmpty() ? "{\"id\": 7}" : bodies.poll();
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/vnd.schemaregistry.v1+json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private SchemaRegistryClient client(String urls) {
        return new SchemaRegistryClient(SchemaRegistryConfig.of(urls).withRetries(3, Duration.ofMillis(1)));
    }

    @Test
    void shouldRetryTransientServerErrorsThenSucceed() {
        script.add(new int[] {503});
        script.add(new int[] {500});
        bodies.add("{\"error_code\": 50301, \"message\": \"busy\"}");
        bodies.add("{\"error_code\": 50001, \"message\": \"oops\"}");
        assertThat(client(url()).register("t-value", UsageEvent.getClassSchema())).isEqualTo(7);
        assertThat(requests).hasSize(3).allMatch(r -> r.equals("POST /subjects/t-value/versions"));
    }

    @Test
    void shouldGiveUpAfterMaxRetriesWithTheLastError() {
        for (int i = 0; i < 4; i++) {
            script.add(new int[] {503});
            bodies.add("{\"error_code\": 50301, \"message\": \"still busy\"}");
        }
        assertThatThrownBy(() -> client(url()).register("t-value", UsageEvent.getClassSchema()))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.isTransient()).isTrue();
                })
                .hasMessageContaining("still busy");
        assertThat(requests).hasSize(4);
    }

    @Test
    void shouldFailOverToTheNextUrlWhenOneDoesNotAnswer() {
        String dead = "http://127.0.0.1:1"; // nothing listens on port 1
        assertThat(client(dead + "," + url()).register("t-value", UsageEvent.getClassSchema())).isEqualTo(7);
        assertThat(requests).hasSize(1);
    }

    @Test
    void shouldNotRetryAndShouldNameTheSubjectOnIncompatibleSchema() {
        script.add(new int[] {409});
        bodies.add("{\"error_code\": 409, \"message\": \"Schema being registered is incompatible\"}");
        assertThatThrownBy(() -> client(url()).register("usage-events-value", UsageEvent.getClassSchema()))
                .isInstanceOf(IncompatibleSchemaException.class)
                .hasMessageContaining("usage-events-value")
                .hasMessageContaining("incompatible");
        assertThat(requests).hasSize(1);
    }

    @Test
    void shouldReportUnknownSchemaIdClearly() {
        script.add(new int[] {404});
        bodies.add("{\"error_code\": 40403, \"message\": \"Schema not found\"}");
        assertThatThrownBy(() -> client(url()).getById(12345))
                .isInstanceOf(UnknownSchemaIdException.class)
                .hasMessageContaining("schema id 12345 is unknown");
    }

    @Test
    void shouldReportSchemaNotRegisteredOnLookup() {
        script.add(new int[] {404});
        bodies.add("{\"error_code\": 40403, \"message\": \"Schema not found\"}");
        assertThatThrownBy(() -> client(url()).lookup("t-value", UsageEvent.getClassSchema()))
                .isInstanceOf(SchemaNotRegisteredException.class)
                .hasMessageContaining("t-value");
    }

    @Test
    void shouldCacheIdsAndSchemasSoTheRegistryIsAskedOnce() {
        SchemaRegistryClient c = client(url());
        for (int i = 0; i < 5; i++) {
            assertThat(c.register("t-value", UsageEvent.getClassSchema())).isEqualTo(7);
        }
        bodies.add("{\"schema\": " + quoted(UsageEvent.getClassSchema().toString()) + "}");
        for (int i = 0; i < 5; i++) {
            assertThat(c.getById(99)).isEqualTo(UsageEvent.getClassSchema());
        }
        // getById(7) is answered from the register call's cache.
        assertThat(c.getById(7)).isEqualTo(UsageEvent.getClassSchema());
        assertThat(requests).containsExactly("POST /subjects/t-value/versions", "GET /schemas/ids/99");
    }

    @Test
    void shouldSendBasicAuthWhenConfigured() {
        var c = new SchemaRegistryClient(SchemaRegistryConfig.of(url()).withBasicAuth(io.spendstream.config.Secret.of("user:secret")));
        c.register("t-value", UsageEvent.getClassSchema());
        assertThat(authHeaders).containsExactly("Basic dXNlcjpzZWNyZXQ=");
    }

    @Test
    void shouldExplainUnauthorizedWithoutRetrying() {
        script.add(new int[] {401});
        bodies.add("{\"error_code\": 40101, \"message\": \"Unauthorized\"}");
        assertThatThrownBy(() -> client(url()).register("t-value", UsageEvent.getClassSchema()))
                .hasMessageContaining("credentials");
        assertThat(requests).hasSize(1);
    }

    private static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
