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
        List<String> expected = new ArrayList<>(List.of("/v1/events", "/v1/admin/orgs", "/v1/admin/orgs/{org}", "/v1/admin/orgs/{org}/keys",
                "/v1/admin/orgs/{org}/keys/{key_id}", "/v1/budgets", "/v1/budgets/status", "/v1/budgets/{budget_id}",
                "/v1/budgets/{budget_id}/status", "/v1/channels", "/v1/channels/{channel_id}",
                "/v1/channels/{channel_id}/rotate-secret", "/v1/channels/{channel_id}/deliveries",
                "/v1/channels/{channel_id}/test", "/health/live", "/health/ready", "/metrics", "/openapi.yaml"));
        expected.addAll(List.of(SpendQueryRoutes.PATHS));
        assertThat(paths).containsExactlyInAnyOrderElementsOf(expected);
        for (String query : SpendQueryRoutes.PATHS) {
            JsonNode op = doc.get("paths").get(query).get("get");
            assertThat(op.get("responses").fieldNames()).toIterable().as(query).contains("200", "400", "401", "503");
        }
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
        assertThat(fields).containsExactlyInAnyOrderElementsOf(EventParser.FIELD_NAMES);
    }

    @Test
    void documentsTheScopeOfEveryApiKeyOperationAsRouteScopesEnforcesIt() throws Exception {
        JsonNode doc;
        try (InputStream in = getClass().getResourceAsStream("/openapi.yaml")) {
            doc = new ObjectMapper(new YAMLFactory()).readTree(in);
        }
        int checked = 0;
        for (var path : doc.get("paths").properties()) {
            for (var op : path.getValue().properties()) {
                if (!op.getValue().path("security").toString().contains("apiKey")) {
                    continue;
                }
                String where = op.getKey() + " " + path.getKey();
                String concrete = path.getKey().replace("{budget_id}", "b1");
                var method = io.vertx.core.http.HttpMethod.valueOf(op.getKey().toUpperCase(java.util.Locale.ROOT));
                assertThat(RouteScopes.required(method, concrete).map(Scope::id)).as(where)
                        .contains(op.getValue().path("x-required-scope").asText());
                assertThat(op.getValue().get("responses").fieldNames()).toIterable().as(where).contains("401", "403");
                checked++;
            }
        }
        assertThat(checked).isEqualTo(19);
        List<String> scopes = new ArrayList<>();
        doc.at("/components/schemas/Scope/enum").forEach(n -> scopes.add(n.asText()));
        assertThat(scopes).containsExactlyElementsOf(Scope.ids());
        List<String> listed = new ArrayList<>();
        doc.at("/components/schemas/ApiKeyInfo/properties").fieldNames().forEachRemaining(listed::add);
        assertThat(listed).containsExactly("key_id", "prefix", "name", "created_at", "last_used_at", "expires_at",
                "scopes", "state", "revoked_at");
        List<String> keyFields = new ArrayList<>();
        doc.at("/paths/~1v1~1admin~1orgs~1{org}~1keys/post/requestBody/content/application~1json/schema/properties")
                .fieldNames().forEachRemaining(keyFields::add);
        assertThat(keyFields).containsExactlyInAnyOrderElementsOf(KeyRequest.FIELDS);
    }

    @Test
    void documentsEveryBudgetOperationRuleAndError() throws Exception {
        JsonNode doc;
        try (InputStream in = getClass().getResourceAsStream("/openapi.yaml")) {
            doc = new ObjectMapper(new YAMLFactory()).readTree(in);
        }
        JsonNode budget = doc.at("/paths/~1v1~1budgets~1{budget_id}");
        List<String> methods = new ArrayList<>();
        budget.fieldNames().forEachRemaining(methods::add);
        assertThat(methods).contains("get", "put", "delete");
        assertThat(budget.at("/put/responses").fieldNames()).toIterable()
                .contains("200", "201", "400", "401", "409", "413", "415", "503");
        assertThat(budget.at("/delete/responses").fieldNames()).toIterable().contains("204", "401", "404", "503");
        assertThat(doc.at("/paths/~1v1~1budgets/get/responses").fieldNames()).toIterable().contains("200", "401");
        assertThat(doc.at("/paths/~1v1~1budgets~1status/get/responses").fieldNames()).toIterable()
                .contains("200", "401", "503");
        assertThat(doc.at("/paths/~1v1~1budgets~1{budget_id}~1status/get/responses").fieldNames()).toIterable()
                .contains("200", "401", "404", "503");

        assertThat(doc.at("/components/parameters/BudgetId/schema/pattern").asText())
                .isEqualTo("^" + BudgetRequest.BUDGET_ID.pattern() + "$");
        assertThat(doc.at("/components/parameters/BudgetId/schema/not/const").asText())
                .isEqualTo(BudgetRequest.RESERVED_ID);
        JsonNode request = doc.at("/components/schemas/BudgetRequest/properties");
        List<String> fields = new ArrayList<>();
        request.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactlyInAnyOrderElementsOf(BudgetRequest.FIELDS);
        assertThat(request.at("/scope_value/maxLength").asInt()).isEqualTo(BudgetRequest.MAX_SCOPE_VALUE);
        assertThat(request.at("/thresholds_percent/maxItems").asInt()).isEqualTo(BudgetRequest.MAX_THRESHOLDS);
        assertThat(request.at("/thresholds_percent/items/maximum").asInt())
                .isEqualTo(BudgetRequest.MAX_THRESHOLD_PERCENT);
        List<Integer> defaults = new ArrayList<>();
        request.at("/thresholds_percent/default").forEach(n -> defaults.add(n.asInt()));
        assertThat(defaults).isEqualTo(BudgetRequest.DEFAULT_THRESHOLDS);
        assertThat(request.at("/time_zone/default").asText()).isEqualTo(BudgetRequest.DEFAULT_TIME_ZONE);
        assertThat(doc.at("/components/schemas/Readiness/properties/checks/properties").has("budget_table")).isTrue();
    }
}
