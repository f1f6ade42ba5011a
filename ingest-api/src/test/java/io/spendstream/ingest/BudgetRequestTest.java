package io.spendstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spendstream.schema.Budget;
import io.spendstream.schema.BudgetPeriod;
import io.spendstream.schema.BudgetScope;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every rule of the PUT /v1/budgets/{budget_id} body, with the exact errors a client sees. */
class BudgetRequestTest {
    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    static final String MINIMAL = "{\"scope\":\"org\",\"period\":\"month\",\"limit_usd\":\"100\"}";

    static BudgetRequest parse(String body) throws BudgetRequest.Invalid {
        return BudgetRequest.parse("monthly", body.getBytes(StandardCharsets.UTF_8), NOW);
    }

    static BudgetRequest.Invalid invalid(String budgetId, String body) {
        return catchThrowableOfType(BudgetRequest.Invalid.class,
                () -> BudgetRequest.parse(budgetId, body == null ? null : body.getBytes(StandardCharsets.UTF_8), NOW));
    }

    static BudgetRequest.Invalid invalid(String body) {
        return invalid("monthly", body);
    }

    /** A valid feature budget with {@code field} set (or added) to the raw JSON {@code value}. */
    static String with(String field, String value) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("scope", "\"feature\"");
        fields.put("scope_value", "\"chat\"");
        fields.put("period", "\"month\"");
        fields.put("limit_usd", "\"100\"");
        fields.put(field, value);
        return fields.entrySet().stream().map(e -> "\"" + e.getKey() + "\":" + e.getValue())
                .collect(Collectors.joining(",", "{", "}"));
    }

    static void assertOnlyError(BudgetRequest.Invalid e, String field, String messagePart) {
        assertThat(e).as("expected a validation error").isNotNull();
        assertThat(e.problem().type()).isEqualTo(ProblemType.VALIDATION_FAILED);
        assertThat(e.errors()).hasSize(1);
        assertThat(e.errors().getFirst().field()).isEqualTo(field);
        assertThat(e.errors().getFirst().message()).contains(messagePart);
        assertThat(e.problem().detail()).startsWith(field + ": ");
    }

    @Test
    void shouldApplyTheDefaultsToAMinimalOrgBudget() throws Exception {
        BudgetRequest r = parse(MINIMAL);
        assertThat(r.scope()).isEqualTo(BudgetScope.ORG);
        assertThat(r.scopeValue()).isNull();
        assertThat(r.period()).isEqualTo(BudgetPeriod.MONTH);
        assertThat(r.timeZone()).isEqualTo("UTC");
        assertThat(r.limitUsdNanos()).isEqualTo(100_000_000_000L);
        assertThat(r.thresholdsPercent()).containsExactly(50, 80, 100);
        assertThat(r.enabled()).isTrue();
    }

    @Test
    void shouldTreatNullOptionalFieldsAsAbsent() throws Exception {
        BudgetRequest r = parse("{\"scope\":\"org\",\"scope_value\":null,\"period\":\"day\",\"limit_usd\":\"1\","
                + "\"time_zone\":null,\"thresholds_percent\":null,\"enabled\":null}");
        assertThat(r.timeZone()).isEqualTo("UTC");
        assertThat(r.thresholdsPercent()).containsExactly(50, 80, 100);
        assertThat(r.enabled()).isTrue();
    }

    @Test
    void shouldReadEveryFieldOfAFullRequest() throws Exception {
        BudgetRequest r = parse("{\"scope\":\"model\",\"scope_value\":\"gpt-4o\",\"period\":\"week\","
                + "\"time_zone\":\"Europe/Berlin\",\"limit_usd\":\"250.5\",\"thresholds_percent\":[10,90,100,150],"
                + "\"enabled\":false}");
        assertThat(r).isEqualTo(new BudgetRequest(BudgetScope.MODEL, "gpt-4o", BudgetPeriod.WEEK, "Europe/Berlin",
                250_500_000_000L, List.of(10, 90, 100, 150), false));
        Budget b = r.toBudget("acme", "gpt", Instant.parse("2026-01-01T00:00:00Z"), NOW);
        assertThat(b.getOrgId()).isEqualTo("acme");
        assertThat(b.getBudgetId()).isEqualTo("gpt");
        assertThat(b.getScope()).isEqualTo(BudgetScope.MODEL);
        assertThat(b.getScopeValue()).isEqualTo("gpt-4o");
        assertThat(b.getLimitUsdNanos()).isEqualTo(250_500_000_000L);
        assertThat(b.getThresholdsPercent()).containsExactly(10, 90, 100, 150);
        assertThat(b.getEnabled()).isFalse();
        assertThat(b.getCreatedAt()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(b.getUpdatedAt()).isEqualTo(NOW);
    }

    @Test
    void shouldAcceptScopeAndPeriodInAnyCase() throws Exception {
        BudgetRequest r = parse("{\"scope\":\"FeAtUrE\",\"scope_value\":\"chat\",\"period\":\"DAY\",\"limit_usd\":1}");
        assertThat(r.scope()).isEqualTo(BudgetScope.FEATURE);
        assertThat(r.period()).isEqualTo(BudgetPeriod.DAY);
        assertThat(parse("{\"scope\":\"ORG\",\"period\":\"Week\",\"limit_usd\":1}").period())
                .isEqualTo(BudgetPeriod.WEEK);
    }

    @Test
    void shouldParseTheLimitExactlyFromStringsAndNumbers() throws Exception {
        assertThat(parse(with("limit_usd", "\"0.1\"")).limitUsdNanos()).isEqualTo(100_000_000L);
        assertThat(parse(with("limit_usd", "0.1")).limitUsdNanos()).isEqualTo(100_000_000L);
        // 12.345678901 is not exact as a double (12.3456789009999...); read as a decimal it is.
        assertThat(parse(with("limit_usd", "12.345678901")).limitUsdNanos()).isEqualTo(12_345_678_901L);
        assertThat(parse(with("limit_usd", "\"0.000000001\"")).limitUsdNanos()).isEqualTo(1L);
        assertThat(parse(with("limit_usd", "1e2")).limitUsdNanos()).isEqualTo(100_000_000_000L);
        assertThat(parse(with("limit_usd", "\"5.1000000000000\"")).limitUsdNanos()).isEqualTo(5_100_000_000L);
        assertThat(parse(with("limit_usd", "\"9223372036.854775807\"")).limitUsdNanos()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void shouldRejectALimitWithMoreThanNineDecimals() {
        BudgetRequest.Invalid e = invalid(with("limit_usd", "12.3456789012"));
        assertOnlyError(e, "limit_usd", "has more than 9 decimals");
        assertThat(e.problem().detail()).isEqualTo("limit_usd: has more than 9 decimals (nano-USD is the smallest unit)");
        assertOnlyError(invalid(with("limit_usd", "\"0.0000000001\"")), "limit_usd", "has more than 9 decimals");
        assertOnlyError(invalid(with("limit_usd", "1e-10")), "limit_usd", "has more than 9 decimals");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "\"0\"", "\"0.000\"", "-1", "\"-1\"", "-0.5"})
    void shouldRejectALimitThatIsNotPositive(String limit) {
        assertOnlyError(invalid(with("limit_usd", limit)), "limit_usd", "must be > 0");
    }

    @Test
    void shouldRejectALimitThatIsMissingMalformedOrTooLarge() {
        assertOnlyError(invalid("{\"scope\":\"org\",\"period\":\"day\"}"), "limit_usd", "is required");
        assertOnlyError(invalid(with("limit_usd", "null")), "limit_usd", "is required");
        assertOnlyError(invalid(with("limit_usd", "\"12,50\"")), "limit_usd", "must be a decimal");
        assertOnlyError(invalid(with("limit_usd", "\"1e3\"")), "limit_usd", "must be a decimal");
        assertOnlyError(invalid(with("limit_usd", "\"\"")), "limit_usd", "must be a decimal");
        assertOnlyError(invalid(with("limit_usd", "true")), "limit_usd", "must be a decimal string or a number");
        assertOnlyError(invalid(with("limit_usd", "[1]")), "limit_usd", "must be a decimal string or a number");
        assertOnlyError(invalid(with("limit_usd", "\"9223372036.854775808\"")), "limit_usd", "is too large");
        assertOnlyError(invalid(with("limit_usd", "1e400")), "limit_usd", "is too large");
    }

    @Test
    void shouldRequireAScopeValueForFeatureAndModelAndForbidItForOrg() {
        assertOnlyError(invalid("{\"scope\":\"feature\",\"period\":\"day\",\"limit_usd\":1}"), "scope_value",
                "is required for scope feature");
        assertOnlyError(invalid("{\"scope\":\"model\",\"scope_value\":null,\"period\":\"day\",\"limit_usd\":1}"),
                "scope_value", "is required for scope model");
        assertOnlyError(invalid("{\"scope\":\"org\",\"scope_value\":\"chat\",\"period\":\"day\",\"limit_usd\":1}"),
                "scope_value", "must be absent or null for scope org");
    }

    @Test
    void shouldBoundTheScopeValueFrom1To256Characters() throws Exception {
        assertOnlyError(invalid(with("scope_value", "\"\"")), "scope_value", "must be 1 to 256 characters");
        assertOnlyError(invalid(with("scope_value", "\"" + "x".repeat(257) + "\"")), "scope_value",
                "must be 1 to 256 characters");
        assertOnlyError(invalid(with("scope_value", "42")), "scope_value", "must be a string");
        assertThat(parse(with("scope_value", "\"" + "x".repeat(256) + "\"")).scopeValue()).hasSize(256);
        // characters, not UTF-16 units: 256 emoji are fine
        assertThat(parse(with("scope_value", "\"" + "😀".repeat(256) + "\"")).scopeValue()).hasSize(512);
    }

    @Test
    void shouldRejectMissingOrUnknownScopeAndPeriod() {
        assertOnlyError(invalid("{\"period\":\"day\",\"limit_usd\":1}"), "scope", "is required");
        assertOnlyError(invalid("{\"scope\":\"team\",\"period\":\"day\",\"limit_usd\":1}"), "scope",
                "must be org, feature or model");
        assertOnlyError(invalid("{\"scope\":1,\"period\":\"day\",\"limit_usd\":1}"), "scope",
                "must be org, feature or model");
        assertOnlyError(invalid("{\"scope\":\"org\",\"limit_usd\":1}"), "period", "is required");
        assertOnlyError(invalid("{\"scope\":\"org\",\"period\":\"year\",\"limit_usd\":1}"), "period",
                "must be day, week or month");
    }

    @Test
    void shouldAcceptTimeZonesWhoseOffsetsAreWholeQuarterHours() throws Exception {
        assertThat(parse(with("time_zone", "\"Asia/Kathmandu\"")).timeZone()).isEqualTo("Asia/Kathmandu"); // +05:45
        assertThat(parse(with("time_zone", "\"Asia/Kolkata\"")).timeZone()).isEqualTo("Asia/Kolkata"); // +05:30
        assertThat(parse(with("time_zone", "\"Australia/Eucla\"")).timeZone()).isEqualTo("Australia/Eucla"); // +08:45
        assertThat(parse(with("time_zone", "\"America/New_York\"")).timeZone()).isEqualTo("America/New_York");
        assertThat(parse(with("time_zone", "\"+05:00\"")).timeZone()).isEqualTo("+05:00");
        assertThat(parse(with("time_zone", "\"Z\"")).timeZone()).isEqualTo("Z");
    }

    @Test
    void shouldRejectTimeZonesWithOffsetsThatAreNotWholeQuarterHours() {
        BudgetRequest.Invalid e = invalid(with("time_zone", "\"+05:30:30\""));
        assertOnlyError(e, "time_zone", "is not a whole multiple of 15 minutes");
        assertThat(e.errors().getFirst().message()).contains("+05:30:30");
        assertOnlyError(invalid(with("time_zone", "\"+00:20\"")), "time_zone", "not a whole multiple of 15 minutes");
        assertOnlyError(invalid(with("time_zone", "\"UTC+01:10\"")), "time_zone", "not a whole multiple of 15 minutes");
    }

    @Test
    void shouldRejectUnknownOrMalformedTimeZones() {
        assertOnlyError(invalid(with("time_zone", "\"Mars/Olympus\"")), "time_zone", "is not a known time zone id");
        assertOnlyError(invalid(with("time_zone", "\"\"")), "time_zone", "is not a known time zone id");
        assertOnlyError(invalid(with("time_zone", "\"europe/berlin\"")), "time_zone", "is not a known time zone id");
        assertOnlyError(invalid(with("time_zone", "60")), "time_zone", "must be a time zone id");
    }

    @Test
    void shouldAcceptThresholdsThatAreStrictlyAscendingWholePercentages() throws Exception {
        assertThat(parse(with("thresholds_percent", "[1]")).thresholdsPercent()).containsExactly(1);
        assertThat(parse(with("thresholds_percent", "[100,1000]")).thresholdsPercent()).containsExactly(100, 1000);
        String twenty = IntStream.rangeClosed(1, 20).mapToObj(Integer::toString)
                .collect(Collectors.joining(",", "[", "]"));
        assertThat(parse(with("thresholds_percent", twenty)).thresholdsPercent()).hasSize(20);
    }

    @Test
    void shouldRejectThresholdsThatAreEmptyTooManyOutOfRangeFractionalOrNotAscending() {
        assertOnlyError(invalid(with("thresholds_percent", "[]")), "thresholds_percent", "must have 1 to 20 entries");
        String many = IntStream.rangeClosed(1, 21).mapToObj(Integer::toString)
                .collect(Collectors.joining(",", "[", "]"));
        assertOnlyError(invalid(with("thresholds_percent", many)), "thresholds_percent", "must have 1 to 20 entries");
        assertOnlyError(invalid(with("thresholds_percent", "[0,50]")), "thresholds_percent", "from 1 to 1000");
        assertOnlyError(invalid(with("thresholds_percent", "[50,1001]")), "thresholds_percent", "(entry 1 is 1001)");
        assertOnlyError(invalid(with("thresholds_percent", "[50.5]")), "thresholds_percent", "whole numbers");
        assertOnlyError(invalid(with("thresholds_percent", "[\"50\"]")), "thresholds_percent", "whole numbers");
        assertOnlyError(invalid(with("thresholds_percent", "[99999999999]")), "thresholds_percent", "whole numbers");
        assertOnlyError(invalid(with("thresholds_percent", "[50,80,80]")), "thresholds_percent",
                "must be strictly ascending");
        assertOnlyError(invalid(with("thresholds_percent", "[80,50]")), "thresholds_percent",
                "must be strictly ascending (entry 1, 50, is not above 80)");
        assertOnlyError(invalid(with("thresholds_percent", "50")), "thresholds_percent", "must be an array");
    }

    @Test
    void shouldRejectANonBooleanEnabled() {
        assertOnlyError(invalid(with("enabled", "\"yes\"")), "enabled", "must be true or false");
        assertOnlyError(invalid(with("enabled", "1")), "enabled", "must be true or false");
    }

    @Test
    void shouldRejectUnknownFieldsByName() {
        BudgetRequest.Invalid e = invalid(with("colour", "\"blue\""));
        assertOnlyError(e, "colour", "unknown field");
        // the ids come from the path and the key, never from the body
        assertOnlyError(invalid(with("org_id", "\"other\"")), "org_id", "unknown field");
        assertOnlyError(invalid(with("budget_id", "\"x\"")), "budget_id", "unknown field");
    }

    @Test
    void shouldReportEveryFieldErrorInDetailAndInTheErrorsMember() throws Exception {
        BudgetRequest.Invalid e = invalid("Bad|Id", "{\"scope\":\"team\",\"period\":\"year\",\"limit_usd\":\"0.0000000001\","
                + "\"thresholds_percent\":[],\"extra\":1}");
        assertThat(e.errors()).extracting(BudgetRequest.FieldError::field)
                .containsExactly("budget_id", "extra", "scope", "period", "limit_usd", "thresholds_percent");
        Problem p = e.problem();
        assertThat(p.status()).isEqualTo(400);
        assertThat(p.detail()).startsWith("budget_id: must be 1 to 64").contains("; extra: unknown field")
                .contains("; limit_usd: has more than 9 decimals");
        JsonNode body = new ObjectMapper().readTree(p.body());
        assertThat(body.get("type").asText()).isEqualTo(ProblemType.VALIDATION_FAILED.uri());
        assertThat(body.get("errors")).hasSize(6);
        assertThat(body.get("errors").get(4).get("field").asText()).isEqualTo("limit_usd");
        assertThat(body.get("errors").get(4).get("message").asText())
                .isEqualTo("has more than 9 decimals (nano-USD is the smallest unit)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "Monthly-Chat_1.v2", "0", "a.", "1-", "a_"})
    void shouldAcceptBudgetIdsOfTheAllowedShape(String id) throws Exception {
        assertThat(BudgetRequest.checkBudgetId(id)).isNull();
        assertThat(BudgetRequest.parse(id, MINIMAL.getBytes(StandardCharsets.UTF_8), NOW)).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-a", ".a", "_a", "a|b", "a b", "a/b", "ä", "a%20"})
    void shouldRejectBudgetIdsOfAnotherShape(String id) {
        assertOnlyError(invalid(id, MINIMAL), "budget_id", "must be 1 to 64 letters, digits");
    }

    @Test
    void shouldAllowBudgetIdsOfAtMost64Characters() {
        assertThat(BudgetRequest.checkBudgetId("x".repeat(64))).isNull();
        assertOnlyError(invalid("x".repeat(65), MINIMAL), "budget_id", "must be 1 to 64 letters, digits");
    }

    @Test
    void shouldRejectTheReservedBudgetIdStatus() {
        assertOnlyError(invalid("status", MINIMAL), "budget_id", "'status' is reserved");
        assertThat(BudgetRequest.checkBudgetId("Status")).isNull(); // ids are case-sensitive; only "status" collides
    }

    @Test
    void shouldAnswerInvalidBodyWhenTheBodyIsNotOneJsonObject() {
        for (String body : new String[] {null, "", "{", "[]", "\"x\"", "{} {}", "{\"scope\":\"org\",\"scope\":\"org\"}"}) {
            BudgetRequest.Invalid e = invalid(body);
            assertThat(e).as(String.valueOf(body)).isNotNull();
            assertThat(e.problem().type()).as(String.valueOf(body)).isEqualTo(ProblemType.INVALID_BODY);
            assertThat(e.errors()).isEmpty();
        }
        BudgetRequest.Invalid utf8 = catchThrowableOfType(BudgetRequest.Invalid.class, () ->
                BudgetRequest.parse("a", new byte[] {'{', '"', (byte) 0xC3, '"', ':', '1', '}'}, NOW));
        assertThat(utf8.problem().type()).isEqualTo(ProblemType.INVALID_BODY);
        assertThat(utf8.problem().detail()).contains("UTF-8");
    }
}
