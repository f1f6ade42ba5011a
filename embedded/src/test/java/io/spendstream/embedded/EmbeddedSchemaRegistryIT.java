package io.spendstream.embedded;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class EmbeddedSchemaRegistryIT {

    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*(\\d+)");

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void sharedRegistryIsReadyOnLoopbackAndReusedWithinTheJvm() throws Exception {
        EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.shared();

        assertThat(EmbeddedSchemaRegistry.shared()).isSameAs(registry);
        assertThat(registry.url()).isEqualTo("http://127.0.0.1:" + registry.port());
        assertThat(registry.confluentApiUrl()).isEqualTo(registry.url() + "/apis/ccompat/v7");
        assertThat(ProcessHandle.of(registry.pid())).hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());
        assertThat(ProcessRss.rssBytes(registry.pid())).isGreaterThan(10L * 1024 * 1024);
        HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(registry.url() + "/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(200);
    }

    @Test
    void registeringTheSameSchemaTwiceReturnsTheSameId() throws Exception {
        EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.shared();
        String schema = "{\"type\":\"record\",\"name\":\"T\",\"namespace\":\"io.spendstream.test\","
                + "\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}";
        String body = "{\"schema\":\"" + schema.replace("\"", "\\\"") + "\"}";

        int first = register(registry, "t-value", body);
        int second = register(registry, "t-value", body);

        assertThat(first).isPositive();
        assertThat(second).isEqualTo(first);
    }

    @Test
    void globalCompatibilityIsBackwardLikeConfluentSchemaRegistry() throws Exception {
        EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.shared();
        HttpResponse<String> config = http.send(HttpRequest.newBuilder(URI.create(registry.confluentApiUrl() + "/config"))
                .header("Accept", CONTENT_TYPE).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(config.statusCode()).isEqualTo(200);
        assertThat(config.body()).matches(".*\"compatibilityLevel\"\\s*:\\s*\"BACKWARD\".*");
    }

    @Test
    void persistentRegistryKeepsSchemaIdsAcrossARestart(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        String schema = "{\"type\":\"record\",\"name\":\"P\",\"namespace\":\"io.spendstream.test\","
                + "\"fields\":[{\"name\":\"n\",\"type\":\"long\"}]}";
        String body = "{\"schema\":\"" + schema.replace("\"", "\\\"") + "\"}";
        int id;
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.startPersistent(0, dir, java.time.Duration.ofSeconds(60))) {
            id = register(registry, "p-value", body);
        }
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.startPersistent(0, dir, java.time.Duration.ofSeconds(60))) {
            HttpResponse<String> byId = http.send(HttpRequest.newBuilder(
                    URI.create(registry.confluentApiUrl() + "/schemas/ids/" + id)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(byId.statusCode()).isEqualTo(200);
            assertThat(byId.body()).contains("io.spendstream.test");
            assertThat(register(registry, "p-value", body)).isEqualTo(id);
        }
    }

    private int register(EmbeddedSchemaRegistry registry, String subject, String body) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(registry.confluentApiUrl() + "/subjects/" + subject + "/versions"))
                .header("Content-Type", CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("register response %s", response.body()).isEqualTo(200);
        Matcher matcher = ID.matcher(response.body());
        assertThat(matcher.find()).as("id in %s", response.body()).isTrue();
        return Integer.parseInt(matcher.group(1));
    }
}
