package io.spendstream.ingest;

import static io.spendstream.ingest.IngestFixture.json;
import static io.spendstream.ingest.IngestFixture.withKey;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.spendstream.embedded.KafkaTestCluster;
import io.spendstream.notifier.channel.UrlPolicy;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The channel API over HTTP against a real broker: CRUD, the secret shown once, rotation, refused URLs. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ChannelApiIT {
    private static IngestApi api;
    private static String key;
    private static String otherKey;

    @BeforeAll
    static void start() {
        IngestConfig config = IngestFixture.config(KafkaTestCluster.shared().bootstrapServers(), "channels", Map.of(
                ChannelConfig.TOPIC_CHANNELS, "channels-" + UUID.randomUUID().toString().substring(0, 8),
                UrlPolicy.ALLOW_LOOPBACK, "true"));
        api = IngestFixture.startReady(config);
        key = IngestFixture.orgAndKey(api, "org-ch");
        otherKey = IngestFixture.orgAndKey(api, "org-other");
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
    }

    @Test
    void shouldCreateReadPatchRotateAndDeleteAChannelShowingTheSecretOnlyOnce() {
        HttpResponse<String> created = withKey(api.port(), key, "POST", "/v1/channels",
                "{\"kind\":\"webhook\",\"url\":\"http://127.0.0.1:9/hook\",\"name\":\"finance\","
                        + "\"filter\":{\"alert_kinds\":[\"exceeded\"],\"min_threshold_percent\":80}}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode c = json(created.body());
        String id = c.get("channel_id").asText();
        assertThat(id).matches("ch_[A-Za-z0-9_-]{22}");
        assertThat(c.get("secret").asText()).matches("whsec_[A-Za-z0-9+/]{43}=");
        assertThat(created.headers().firstValue("Location")).hasValue("/v1/channels/" + id);

        HttpResponse<String> got = withKey(api.port(), key, "GET", "/v1/channels/" + id, null);
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(got.body()).doesNotContain("whsec_").doesNotContain("\"secret\"");
        assertThat(json(got.body()).at("/filter/alert_kinds/0").asText()).isEqualTo("exceeded");
        assertThat(withKey(api.port(), key, "GET", "/v1/channels", null).body()).contains(id).doesNotContain("whsec_");
        assertThat(withKey(api.port(), otherKey, "GET", "/v1/channels/" + id, null).statusCode())
                .as("another org's channel is not found").isEqualTo(404);

        HttpResponse<String> patched = withKey(api.port(), key, "PATCH", "/v1/channels/" + id,
                "{\"enabled\":false,\"name\":\"ops\"}");
        assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
        assertThat(json(patched.body()).get("enabled").asBoolean()).isFalse();
        assertThat(json(patched.body()).get("name").asText()).isEqualTo("ops");
        assertThat(withKey(api.port(), key, "PATCH", "/v1/channels/" + id, "{\"kind\":\"slack\"}").statusCode())
                .isEqualTo(400);

        HttpResponse<String> rotated = withKey(api.port(), key, "POST", "/v1/channels/" + id + "/rotate-secret", null);
        assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
        assertThat(json(rotated.body()).get("secret").asText()).startsWith("whsec_")
                .isNotEqualTo(c.get("secret").asText());
        assertThat(json(withKey(api.port(), key, "GET", "/v1/channels/" + id, null).body())
                .has("previous_secret_expires_at")).isTrue();

        assertThat(withKey(api.port(), key, "DELETE", "/v1/channels/" + id, null).statusCode()).isEqualTo(204);
        assertThat(withKey(api.port(), key, "GET", "/v1/channels/" + id, null).statusCode()).isEqualTo(404);
    }

    @Test
    void shouldRefuseAPrivateOrMetadataAddressWithA400ThatSaysWhy() {
        HttpResponse<String> priv = withKey(api.port(), key, "POST", "/v1/channels",
                "{\"kind\":\"webhook\",\"url\":\"https://10.1.2.3/hook\"}");
        assertThat(priv.statusCode()).isEqualTo(400);
        assertThat(json(priv.body()).get("detail").asText())
                .isEqualTo("url's host 10.1.2.3 resolves to 10.1.2.3, a private address; channels must point to"
                        + " public addresses");
        HttpResponse<String> metadata = withKey(api.port(), key, "POST", "/v1/channels",
                "{\"kind\":\"slack\",\"url\":\"https://169.254.169.254/latest/meta-data\"}");
        assertThat(metadata.statusCode()).isEqualTo(400);
        assertThat(json(metadata.body()).get("detail").asText()).contains("link-local");
        HttpResponse<String> http = withKey(api.port(), key, "POST", "/v1/channels",
                "{\"kind\":\"teams\",\"url\":\"http://93.184.215.14/hook\"}");
        assertThat(json(http.body()).get("detail").asText()).contains("https");
        assertThat(withKey(api.port(), key, "POST", "/v1/channels", "{\"kind\":\"fax\",\"url\":\"https://x\"}")
                .statusCode()).isEqualTo(400);
    }

    @Test
    void shouldShowSlackAndTeamsUrlsOnlyUpToTheHost() {
        HttpResponse<String> created = withKey(api.port(), key, "POST", "/v1/channels",
                "{\"kind\":\"slack\",\"url\":\"http://127.0.0.1:9/services/T0/B0/secret-token\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(created.body()).doesNotContain("secret-token").doesNotContain("whsec_");
        assertThat(json(created.body()).get("url").asText()).isEqualTo("http://127.0.0.1:9/…");
    }
}
