package io.spendstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The served OpenAPI document parses and documents every route, problem type and limit of the implementation. */
class OpenApiDocumentTest {
    @Test
    void documentsEveryRouteProblemTypeAndLimit() throws Exception {
        JsonNode doc;
        try (InputStream in = getClass().getResourceAsStream("/openapi.yaml")) {
            doc = new ObjectMapper(new YAMLFactory()).readTree(in);
        }
        assertThat(doc.get("openapi").asText()).isEqualTo("3.1.0");
        List<String> paths = new ArrayList<>();
        doc.get("paths").fieldNames().forEachRemaining(paths::add);
        assertThat(paths).containsExactlyInAnyOrder("/v1/events", "/v1/admin/orgs", "/v1/admin/orgs/{org}/keys",
                "/v1/admin/orgs/{org}/keys/{key_id}", "/health/live", "/health/ready", "/metrics", "/openapi.yaml");
        assertThat(doc.at("/paths/~1v1~1events/post/responses").fieldNames()).toIterable()
                .contains("202", "400", "401", "413", "415", "429", "503");
        List<String> types = new ArrayList<>();
        doc.at("/components/schemas/Problem/properties/type/enum").forEach(n -> types.add(n.asText()));
        assertThat(types).containsExactlyInAnyOrderElementsOf(
                Arrays.stream(ProblemType.values()).map(ProblemType::uri).toList());
        JsonNode event = doc.at("/components/schemas/UsageEvent/properties");
        assertThat(event.at("/event_id/maxLength").asInt()).isEqualTo(EventParser.MAX_ID);
        assertThat(event.at("/feature/maxLength").asInt()).isEqualTo(EventParser.MAX_FEATURE);
        assertThat(event.at("/provider/maxLength").asInt()).isEqualTo(EventParser.MAX_PROVIDER);
        assertThat(event.at("/model/maxLength").asInt()).isEqualTo(EventParser.MAX_MODEL);
        assertThat(event.at("/tags/maxProperties").asInt()).isEqualTo(EventParser.MAX_MAP_ENTRIES);
        assertThat(event.at("/metadata/additionalProperties/oneOf/0/maxLength").asInt())
                .isEqualTo(EventParser.MAX_METADATA_VALUE);
        List<String> fields = new ArrayList<>();
        event.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).hasSize(19);
    }
}
