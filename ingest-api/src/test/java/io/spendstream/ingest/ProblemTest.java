package io.spendstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProblemTest {
    @Test
    void bodyHasTheRfc9457MembersAndExtensions() throws Exception {
        Problem p = Problem.of(ProblemType.VALIDATION_FAILED, "none valid")
                .with(Map.of("accepted", 0, "rejected", List.of(Map.of("index", 0, "field", "x", "error", "bad"))));
        JsonNode n = new ObjectMapper().readTree(p.body());
        assertThat(n.get("type").asText()).isEqualTo("https://spendstream.dev/problems/validation-failed");
        assertThat(n.get("title").asText()).isNotBlank();
        assertThat(n.get("status").asInt()).isEqualTo(400);
        assertThat(n.get("detail").asText()).isEqualTo("none valid");
        assertThat(n.get("accepted").asInt()).isZero();
        assertThat(n.get("rejected").get(0).get("field").asText()).isEqualTo("x");
    }

    @Test
    void extensionsNeverOverrideStandardMembers() throws Exception {
        Problem p = Problem.of(ProblemType.RATE_LIMITED, "slow down").with(Map.of("status", 200, "type", "x"));
        JsonNode n = new ObjectMapper().readTree(p.body());
        assertThat(n.get("status").asInt()).isEqualTo(429);
        assertThat(n.get("type").asText()).endsWith("/rate-limited");
    }

    @Test
    void everyTypeHasAStableSlugUriAndStatus() {
        assertThat(Arrays.stream(ProblemType.values()).map(ProblemType::slug)).doesNotHaveDuplicates()
                .allMatch(s -> s.matches("[a-z-]+"))
                .contains("invalid-body", "validation-failed", "unauthorized", "payload-too-large",
                        "unsupported-media-type", "rate-limited", "unavailable", "not-found", "conflict", "forbidden");
        assertThat(ProblemType.UNAVAILABLE.status()).isEqualTo(503);
        assertThat(ProblemType.PAYLOAD_TOO_LARGE.uri()).isEqualTo("https://spendstream.dev/problems/payload-too-large");
    }

    @Test
    void retryAfterIsAtLeastOneSecond() {
        assertThat(Problem.of(ProblemType.UNAVAILABLE, "x").retryAfter(0).retryAfterSeconds()).isEqualTo(1);
    }
}
