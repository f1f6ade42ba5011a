package io.spendstream.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.spendstream.config.Settings;
import io.spendstream.http.InternalAccess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole local pipeline with a service token: the stream processor's and the sink's internal routes
 * refuse a request without the token or with a wrong one (401, no data), while the same answers reached
 * through ingest-api's public port, which sends the token, still work.
 */
class InternalRoutesIT {
    static final String TOKEN = "it-service-token-0123456789abcdefghij";
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void shouldRefuseInternalRequestsWithoutTheServiceTokenAndServeTheProxiedOnes() throws Exception {
        Map<String, String> env = new HashMap<>(LocalConfig.onFreePorts(dataDir));
        env.put(InternalAccess.TOKEN_KEY, TOKEN);
        Settings settings = Settings.of(env);
        try (LocalPipeline p = LocalPipeline.start(LocalConfig.from(settings), settings)) {
            String org = p.demo().orgId();
            String processor = "http://127.0.0.1:" + p.processor().opsPort();
            String sink = "http://127.0.0.1:" + p.sink().opsPort();
            await().atMost(Duration.ofSeconds(90)).until(() -> get(processor + "/health/ready", null, null)
                    .statusCode() == 200);

            for (String internal : new String[] {processor + "/internal/budget-status/" + org,
                    sink + "/internal/query/" + org + "/v1/spend?from=2026-01-01&to=2026-01-02"}) {
                for (String token : new String[] {null, TOKEN.replace('0', '1')}) {
                    HttpResponse<String> r = get(internal, token, null);
                    assertThat(r.statusCode()).as(internal + " with token " + token).isEqualTo(401);
                    assertThat(r.body()).doesNotContain(org).doesNotContain("budgets").doesNotContain("rows");
                }
                assertThat(get(internal, TOKEN, null).statusCode()).as(internal + " with the token").isEqualTo(200);
            }
            // Health and metrics stay open.
            assertThat(get(sink + "/metrics", null, null).statusCode()).isEqualTo(200);

            String key = p.demo().apiKey();
            assertThat(get(p.apiUrl() + "/v1/spend?from=2026-01-01&to=2026-01-02", null, key).statusCode())
                    .isEqualTo(200);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                HttpResponse<String> status = get(p.apiUrl() + "/v1/budgets/status", null, key);
                assertThat(status.statusCode()).isEqualTo(200);
                assertThat(status.body()).contains("\"budgets\"");
            });
        }
    }

    private static HttpResponse<String> get(String url, String serviceToken, String apiKey) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20));
        if (serviceToken != null) {
            b.header(InternalAccess.HEADER, serviceToken);
        }
        if (apiKey != null) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
