package io.spendstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spendstream.ingest.EventParser.Accepted;
import io.spendstream.ingest.EventParser.BodyException;
import io.spendstream.ingest.EventParser.Format;
import io.spendstream.ingest.EventParser.Item;
import io.spendstream.ingest.EventParser.Rejected;
import io.spendstream.pricing.TokenClass;
import io.spendstream.pricing.TokenCounts;
import io.spendstream.schema.CallStatus;
import io.spendstream.schema.UsageEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EventParserTest {
    static final Instant NOW = Instant.parse("2025-06-01T12:00:00.123456Z");
    static final String MINIMAL = "\"timestamp\":\"2025-06-01T11:59:00Z\",\"feature\":\"chat\",\"provider\":\"openai\","
            + "\"model\":\"gpt-4o\",\"input_tokens\":10,\"output_tokens\":5";

    private final EventParser parser = new EventParser(1000, Duration.ofHours(24), 1024 * 1024);

    private List<Item> parse(String body, Format format) throws BodyException {
        return parser.parse(body.getBytes(StandardCharsets.UTF_8), format, "acme", "key_1", NOW);
    }

    private Item one(String fields) throws BodyException {
        List<Item> items = parse("{" + fields + "}", Format.JSON);
        assertThat(items).hasSize(1);
        return items.getFirst();
    }

    private UsageEvent accepted(String fields) throws BodyException {
        Item item = one(fields);
        assertThat(item).as(item.toString()).isInstanceOf(Accepted.class);
        return ((Accepted) item).event();
    }

    private Rejected rejected(String fields) throws BodyException {
        Item item = one(fields);
        assertThat(item).as(item.toString()).isInstanceOf(Rejected.class);
        return (Rejected) item;
    }

    @Test
    void minimalEventGetsDefaultsAnAssignedIdTheKeysOrgAndReceiveTime() throws Exception {
        UsageEvent e = accepted(MINIMAL);
        assertThat(e.getEventIdAssigned()).isTrue();
        assertThat(e.getEventId()).matches("[0-9a-f-]{36}");
        assertThat(e.getOrgId()).isEqualTo("acme");
        assertThat(e.getApiKeyId()).isEqualTo("key_1");
        assertThat(e.getReceivedAt()).isEqualTo(Instant.parse("2025-06-01T12:00:00.123Z"));
        assertThat(e.getTimestamp()).isEqualTo(Instant.parse("2025-06-01T11:59:00Z"));
        assertThat(e.getCachedInputTokens()).isZero();
        assertThat(e.getCacheWriteTokens()).isZero();
        assertThat(e.getReasoningTokens()).isZero();
        assertThat(e.getClientCostUsdNanos()).isNull();
        assertThat(e.getLatencyMs()).isNull();
        assertThat(e.getStatus()).isEqualTo(CallStatus.OK);
        assertThat(e.getTags()).isEmpty();
        assertThat(e.getMetadata()).isEmpty();
    }

    @Test
    void shouldRejectATokenCountNoModelCallCanHaveNamingTheClass() throws Exception {
        Rejected r = rejected("\"timestamp\":\"2025-06-01T11:59:00Z\",\"feature\":\"f\",\"provider\":\"openai\","
                + "\"model\":\"gpt-4o\",\"input_tokens\":1,\"output_tokens\":1,\"reasoning_tokens\":10000000001");
        assertThat(r.field()).isEqualTo("reasoning_tokens");
        assertThat(r.error()).contains("more than 10000000000");
        Rejected viaUsage = rejected("\"timestamp\":\"2025-06-01T11:59:00Z\",\"feature\":\"f\",\"provider\":\"openai\","
                + "\"model\":\"gpt-4o\",\"usage\":{\"prompt_tokens\":20000000000,\"completion_tokens\":1}");
        assertThat(viaUsage.field()).isEqualTo("usage");
        assertThat(viaUsage.error()).startsWith("input_tokens is 20000000000");
    }

    @Test
    void fullEventKeepsEveryField() throws Exception {
        UsageEvent e = accepted("\"event_id\":\"evt-1\",\"org_id\":\"acme\",\"timestamp\":\"2025-06-01T13:59:00.5+02:00\","
                + "\"feature\":\"chat\",\"provider\":\"anthropic\",\"model\":\"claude-x\",\"input_tokens\":10000000000,"
                + "\"output_tokens\":0,\"cached_input_tokens\":3,\"cache_write_tokens\":4,\"reasoning_tokens\":5,"
                + "\"cost_usd\":\"0.000000001\",\"latency_ms\":1234,\"status\":\"error\",\"error_code\":\"429\","
                + "\"user_id\":\"u1\",\"session_id\":\"s1\",\"tags\":{\"team\":\"a\"},"
                + "\"metadata\":{\"s\":\"x\",\"i\":42,\"d\":1.5,\"b\":true}");
        assertThat(e.getEventId()).isEqualTo("evt-1");
        assertThat(e.getEventIdAssigned()).isFalse();
        assertThat(e.getTimestamp()).isEqualTo(Instant.parse("2025-06-01T11:59:00.5Z"));
        assertThat(e.getInputTokens()).isEqualTo(TokenCounts.MAX_PER_CLASS);
        assertThat(e.getCachedInputTokens()).isEqualTo(3);
        assertThat(e.getCacheWriteTokens()).isEqualTo(4);
        assertThat(e.getReasoningTokens()).isEqualTo(5);
        assertThat(e.getClientCostUsdNanos()).isEqualTo(1L);
        assertThat(e.getLatencyMs()).isEqualTo(1234L);
        assertThat(e.getStatus()).isEqualTo(CallStatus.ERROR);
        assertThat(e.getErrorCode()).isEqualTo("429");
        assertThat(e.getUserId()).isEqualTo("u1");
        assertThat(e.getSessionId()).isEqualTo("s1");
        assertThat(e.getTags()).isEqualTo(Map.of("team", "a"));
        assertThat(e.getMetadata()).isEqualTo(Map.of("s", "x", "i", 42L, "d", 1.5, "b", true));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"1.5\"|1500000000",
            "1.5|1500000000",
            "0|0",
            "\"0\"|0",
            "0.123456789|123456789",
            "\"0.123456789\"|123456789",
            "12345.000000001|12345000000001",
            "1.10000000000|1100000000",
            "1E-9|1",
            "9223372036.854775807|9223372036854775807"})
    void costIsExactNanoUsdFromTheDecimalText(String json, long nanos) throws Exception {
        assertThat(accepted(MINIMAL + ",\"cost_usd\":" + json).getClientCostUsdNanos()).isEqualTo(nanos);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0.0000000001|more than 9 decimals",
            "\"0.0000000001\"|more than 9 decimals",
            "-1|must be >= 0",
            "\"-0.5\"|must be >= 0",
            "\"1e3\"|decimal number",
            "\" 1\"|decimal number",
            "\"\"|decimal number",
            "9223372036.854775808|too large",
            "true|must be a decimal string or a number",
            "{}|must be a decimal string or a number"})
    void invalidCostIsRejected(String json, String error) throws Exception {
        Rejected r = rejected(MINIMAL + ",\"cost_usd\":" + json);
        assertThat(r.field()).isEqualTo("cost_usd");
        assertThat(r.error()).contains(error);
    }

    @ParameterizedTest
    @ValueSource(strings = {"input_tokens", "output_tokens", "cached_input_tokens", "cache_write_tokens",
            "reasoning_tokens", "cache_write_1h_tokens", "input_audio_tokens", "cached_input_audio_tokens",
            "input_image_tokens", "output_audio_tokens", "output_image_tokens", "latency_ms"})
    void countsMustBeNonNegativeExactLongs(String field) throws Exception {
        String base = MINIMAL.replace("\"" + field + "\":10,", "").replace(",\"" + field + "\":5", "");
        for (String bad : List.of("-1", "1.0", "1.5", "1e2", "\"5\"", "9223372036854775808",
                "-9223372036854775809", "true", "[1]", "{\"a\":1}")) {
            Rejected r = rejected(base + ",\"" + field + "\":" + bad);
            assertThat(r.field()).as(bad).isEqualTo(field);
        }
        assertThat(rejected(base + ",\"" + field + "\":99999999999999999999999999").error()).contains("too large");
        assertThat(rejected(base + ",\"" + field + "\":-3").error()).contains(">= 0");
        assertThat(rejected(base + ",\"" + field + "\":2.5").error()).contains("whole number");
    }

    @ParameterizedTest
    @ValueSource(strings = {"timestamp", "feature", "provider", "model", "input_tokens", "output_tokens"})
    void requiredFieldsAreRequired(String field) throws Exception {
        String without = MINIMAL.replaceAll("\"" + field + "\":(\"[^\"]*\"|\\d+),?", "").replaceAll(",$", "");
        Rejected r = rejected(without);
        assertThat(r.field()).isEqualTo(field);
        assertThat(r.error()).isEqualTo("is required");
    }

    @Test
    void stringLimitsAreEnforcedInCharacters() throws Exception {
        record Limit(String field, int max) {}
        for (Limit l : List.of(new Limit("event_id", 128), new Limit("error_code", 128), new Limit("user_id", 256),
                new Limit("session_id", 256))) {
            assertThat(accepted(MINIMAL + ",\"" + l.field + "\":\"" + "é".repeat(l.max) + "\"")).isNotNull();
            Rejected r = rejected(MINIMAL + ",\"" + l.field + "\":\"" + "x".repeat(l.max + 1) + "\"");
            assertThat(r.field()).isEqualTo(l.field);
            assertThat(r.error()).contains("at most " + l.max);
        }
        for (Limit l : List.of(new Limit("feature", 128), new Limit("provider", 64), new Limit("model", 128))) {
            String body = MINIMAL.replaceAll("\"" + l.field + "\":\"[^\"]*\"",
                    "\"" + l.field + "\":\"" + "x".repeat(l.max + 1) + "\"");
            assertThat(rejected(body).field()).isEqualTo(l.field);
        }
        // 4-byte characters count once
        assertThat(accepted(MINIMAL + ",\"event_id\":\"" + "😀".repeat(128) + "\"").getEventId()).hasSize(256);
        assertThat(rejected(MINIMAL + ",\"event_id\":\"\"").error()).contains("empty");
        assertThat(rejected(MINIMAL + ",\"event_id\":7").error()).contains("must be a string");
    }

    @Test
    void unknownFieldsAreRejectedByName() throws Exception {
        Rejected r = rejected(MINIMAL + ",\"input_token\":3");
        assertThat(r.field()).isEqualTo("input_token");
        assertThat(r.error()).isEqualTo("unknown field");
        assertThat(rejected(MINIMAL + ",\"x\":{\"deep\":[1,2,{}]}").field()).isEqualTo("x");
    }

    @Test
    void duplicateFieldsAreRejected() throws Exception {
        Rejected r = rejected(MINIMAL + ",\"feature\":\"again\"");
        assertThat(r.field()).isEqualTo("feature");
        assertThat(r.error()).isEqualTo("duplicate field");
        assertThat(rejected(MINIMAL + ",\"tags\":{\"a\":\"1\",\"a\":\"2\"}").error()).isEqualTo("duplicate key");
    }

    @Test
    void orgIdMustMatchTheKeysOrg() throws Exception {
        assertThat(accepted(MINIMAL + ",\"org_id\":\"acme\"").getOrgId()).isEqualTo("acme");
        Rejected r = rejected(MINIMAL + ",\"org_id\":\"other\"");
        assertThat(r.field()).isEqualTo("org_id");
        assertThat(r.error()).contains("does not match");
    }

    @Test
    void timestampNeedsRfc3339WithOffsetAndNotTooFarInTheFuture() throws Exception {
        String base = MINIMAL.replace("\"timestamp\":\"2025-06-01T11:59:00Z\",", "");
        for (String bad : List.of("\"2025-06-01T11:59:00\"", "\"2025-06-01\"", "\"yesterday\"", "1717243140000",
                "\"2025-13-01T00:00:00Z\"", "null", "\"+999999999-12-31T23:59:59Z\"")) {
            Rejected r = rejected(base + ",\"timestamp\":" + bad);
            assertThat(r.field()).as(bad).isEqualTo("timestamp");
        }
        assertThat(accepted(base + ",\"timestamp\":\"2025-06-02T12:00:00Z\"")).isNotNull(); // exactly +24h
        Rejected future = rejected(base + ",\"timestamp\":\"2025-06-02T12:00:01Z\"");
        assertThat(future.error()).contains("24h in the future");
        assertThat(accepted(base + ",\"timestamp\":\"2025-06-01t11:00:00z\"").getTimestamp())
                .isEqualTo(Instant.parse("2025-06-01T11:00:00Z"));
    }

    @Test
    void statusIsOkOrError() throws Exception {
        assertThat(accepted(MINIMAL + ",\"status\":\"ok\"").getStatus()).isEqualTo(CallStatus.OK);
        assertThat(rejected(MINIMAL + ",\"status\":\"OK\"").field()).isEqualTo("status");
        assertThat(rejected(MINIMAL + ",\"status\":1").field()).isEqualTo("status");
    }

    @Test
    void tagsAreBoundedStringMaps() throws Exception {
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 33; i++) {
            many.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
        }
        assertThat(rejected(MINIMAL + ",\"tags\":{" + many + "}").error()).contains("at most 32");
        assertThat(rejected(MINIMAL + ",\"tags\":{\"" + "k".repeat(65) + "\":\"v\"}").field()).startsWith("tags.");
        assertThat(rejected(MINIMAL + ",\"tags\":{\"k\":\"" + "v".repeat(257) + "\"}").field()).isEqualTo("tags.k");
        assertThat(rejected(MINIMAL + ",\"tags\":{\"k\":1}").error()).contains("must be a string");
        assertThat(rejected(MINIMAL + ",\"tags\":[\"a\"]").field()).isEqualTo("tags");
    }

    @Test
    void metadataIsFlatAndBounded() throws Exception {
        assertThat(rejected(MINIMAL + ",\"metadata\":{\"a\":{\"b\":1}}").error()).contains("flat");
        assertThat(rejected(MINIMAL + ",\"metadata\":{\"a\":[1]}").field()).isEqualTo("metadata.a");
        assertThat(rejected(MINIMAL + ",\"metadata\":{\"a\":null}").field()).isEqualTo("metadata.a");
        assertThat(rejected(MINIMAL + ",\"metadata\":{\"a\":\"" + "x".repeat(1025) + "\"}").error())
                .contains("not prompts");
        assertThat(rejected(MINIMAL + ",\"metadata\":{\"a\":123456789012345678901234567890}").error())
                .contains("range");
        assertThat(rejected(MINIMAL + ",\"metadata\":{\"a\":1e999}").error()).contains("range");
    }

    @Test
    void arrayBodyGivesOneItemPerElementWithIndexes() throws Exception {
        List<Item> items = parse("[{" + MINIMAL + "}, 5, {" + MINIMAL + ",\"bogus\":1}, {" + MINIMAL + "}]", Format.JSON);
        assertThat(items).hasSize(4);
        assertThat(items.get(0)).isInstanceOf(Accepted.class);
        assertThat(items.get(1)).isEqualTo(new Rejected(1, "", "an event must be a JSON object, not a number"));
        assertThat(items.get(2)).isEqualTo(new Rejected(2, "bogus", "unknown field"));
        assertThat(items.get(3)).isInstanceOf(Accepted.class);
    }

    @Test
    void ndjsonBodyGivesOneItemPerNonBlankLineAndRejectsBadLinesAlone() throws Exception {
        String body = "{" + MINIMAL + "}\r\n\n   \n{not json}\n[1]\n{" + MINIMAL + "} {}\n{" + MINIMAL + "}";
        List<Item> items = parse(body, Format.NDJSON);
        assertThat(items).hasSize(5);
        assertThat(items.get(0)).isInstanceOf(Accepted.class);
        assertThat(((Rejected) items.get(1)).error()).startsWith("invalid JSON");
        assertThat(((Rejected) items.get(2)).error()).contains("one JSON object");
        assertThat(((Rejected) items.get(3)).error()).contains("unexpected content");
        assertThat(items.get(4)).isInstanceOf(Accepted.class).extracting(Item::index).isEqualTo(4);
    }

    @Test
    void unreadableBodiesAreBodyErrors() {
        for (String bad : List.of("", "   ", "5", "\"x\"", "null", "{", "[{" + MINIMAL + "}", "{\"a\":", "[1,]",
                "{" + MINIMAL + "} {" + MINIMAL + "}", "[]", "{'a':1}", "[" + "[".repeat(10_000) + "]".repeat(10_000) + "]")) {
            assertThatThrownBy(() -> parse(bad, Format.JSON)).as(bad.length() > 50 ? bad.substring(0, 50) : bad)
                    .isInstanceOf(BodyException.class)
                    .extracting(e -> ((BodyException) e).type()).isEqualTo(ProblemType.INVALID_BODY);
        }
        assertThatThrownBy(() -> parse("\n\n", Format.NDJSON)).isInstanceOf(BodyException.class);
    }

    @Test
    void invalidUtf8IsABodyError() {
        byte[][] bad = {
                {'{', '"', (byte) 0xC3, '"', '}'},               // truncated 2-byte sequence
                {'{', '"', (byte) 0xC0, (byte) 0x80, '"', '}'},  // overlong NUL
                {'{', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'}, // surrogate
                {'{', '"', (byte) 0xF5, (byte) 0x80, (byte) 0x80, (byte) 0x80, '"', '}'}, // > U+10FFFF
                {(byte) 0xFF}};
        for (byte[] b : bad) {
            assertThatThrownBy(() -> parser.parse(b, Format.JSON, "acme", "k", NOW))
                    .isInstanceOf(BodyException.class).hasMessageContaining("UTF-8");
        }
        assertThat(Utf8.firstInvalid("aé😀€".getBytes(StandardCharsets.UTF_8), 0, 10)).isEqualTo(-1);
    }

    @Test
    void tooManyEventsIsPayloadTooLarge() {
        EventParser small = new EventParser(2, Duration.ofHours(24), 1 << 20);
        String three = "[{" + MINIMAL + "},{" + MINIMAL + "},{" + MINIMAL + "}]";
        assertThatThrownBy(() -> small.parse(three.getBytes(StandardCharsets.UTF_8), Format.JSON, "a", "k", NOW))
                .isInstanceOf(BodyException.class)
                .extracting(e -> ((BodyException) e).type()).isEqualTo(ProblemType.PAYLOAD_TOO_LARGE);
        String nd = "{}\n{}\n{}\n";
        assertThatThrownBy(() -> small.parse(nd.getBytes(StandardCharsets.UTF_8), Format.NDJSON, "a", "k", NOW))
                .extracting(e -> ((BodyException) e).type()).isEqualTo(ProblemType.PAYLOAD_TOO_LARGE);
    }

    @Test
    void nullOptionalFieldsMeanAbsent() throws Exception {
        UsageEvent e = accepted(MINIMAL + ",\"event_id\":null,\"cost_usd\":null,\"latency_ms\":null,\"tags\":null,"
                + "\"metadata\":null,\"status\":null,\"user_id\":null");
        assertThat(e.getEventIdAssigned()).isTrue();
        assertThat(e.getClientCostUsdNanos()).isNull();
        assertThat(e.getLatencyMs()).isNull();
    }

    static final String WITHOUT_TOKENS = MINIMAL.replace(",\"input_tokens\":10,\"output_tokens\":5", "");

    @Test
    void everyTokenClassFieldIsParsedIntoItsOwnCount() throws Exception {
        UsageEvent e = accepted(MINIMAL + ",\"cached_input_tokens\":1,\"cache_write_tokens\":2,\"reasoning_tokens\":3,"
                + "\"cache_write_1h_tokens\":4,\"input_audio_tokens\":6,\"cached_input_audio_tokens\":7,"
                + "\"input_image_tokens\":8,\"output_audio_tokens\":9,\"output_image_tokens\":11");
        assertThat(TokenCounts.of(e)).isEqualTo(TokenCounts.builder().set(TokenClass.INPUT, 10)
                .set(TokenClass.CACHED_INPUT, 1).set(TokenClass.CACHE_WRITE, 2).set(TokenClass.REASONING, 3)
                .set(TokenClass.CACHE_WRITE_1H, 4).set(TokenClass.INPUT_AUDIO, 6).set(TokenClass.CACHED_INPUT_AUDIO, 7)
                .set(TokenClass.INPUT_IMAGE, 8).set(TokenClass.OUTPUT, 5).set(TokenClass.OUTPUT_AUDIO, 9)
                .set(TokenClass.OUTPUT_IMAGE, 11).build());
        assertThat(e.getUsageFormat()).isNull();
    }

    @Test
    void providerUsageObjectReplacesTheTokenFields() throws Exception {
        UsageEvent e = accepted(WITHOUT_TOKENS + ",\"usage\":{\"prompt_tokens\":2006,\"completion_tokens\":300,"
                + "\"total_tokens\":2306,\"prompt_tokens_details\":{\"cached_tokens\":1920},"
                + "\"completion_tokens_details\":{\"reasoning_tokens\":100}}");
        assertThat(TokenCounts.of(e)).isEqualTo(TokenCounts.builder().set(TokenClass.INPUT, 86)
                .set(TokenClass.CACHED_INPUT, 1920).set(TokenClass.OUTPUT, 200).set(TokenClass.REASONING, 100).build());
        assertThat(e.getUsageFormat()).isEqualTo("openai.chat");
    }

    @Test
    void usageFormatNamesTheFormatAndTheEventsProviderIsPassedOn() throws Exception {
        String xai = ",\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5,"
                + "\"completion_tokens_details\":{\"reasoning_tokens\":7}},\"usage_format\":\"openai.chat\"";
        UsageEvent e = accepted(WITHOUT_TOKENS.replace("\"provider\":\"openai\"", "\"provider\":\"xai\"") + xai);
        assertThat(e.getOutputTokens()).isEqualTo(5);
        assertThat(e.getReasoningTokens()).isEqualTo(7);
        assertThat(e.getUsageFormat()).isEqualTo("openai.chat");
        Rejected openai = rejected(WITHOUT_TOKENS + xai);
        assertThat(openai.field()).isEqualTo("usage.completion_tokens_details.reasoning_tokens");
    }

    @ParameterizedTest
    @ValueSource(strings = {"input_tokens", "output_tokens", "cached_input_tokens", "reasoning_tokens",
            "output_image_tokens"})
    void usageWithAnyTokenFieldIsRejected(String field) throws Exception {
        Rejected r = rejected(WITHOUT_TOKENS + ",\"" + field + "\":0,\"usage\":{\"input_tokens\":1,\"output_tokens\":1}");
        assertThat(r.field()).isEqualTo("usage");
        assertThat(r.error()).isEqualTo("usage replaces the token fields: send the provider's usage object or the"
                + " token fields, not both");
    }

    @Test
    void usageFormatWithoutUsageIsRejected() throws Exception {
        Rejected r = rejected(MINIMAL + ",\"usage_format\":\"anthropic\"");
        assertThat(r.field()).isEqualTo("usage_format");
        assertThat(r.error()).contains("usage, which is missing");
        assertThat(rejected(MINIMAL + ",\"usage\":null,\"usage_format\":\"anthropic\"").field()).isEqualTo("usage_format");
        assertThat(accepted(MINIMAL + ",\"usage\":null,\"usage_format\":null").getUsageFormat()).isNull();
    }

    @Test
    void invalidUsageIsRejectedWithTheFieldPath() throws Exception {
        Rejected r = rejected(WITHOUT_TOKENS + ",\"usage\":{\"prompt_tokens\":800,\"completion_tokens\":1,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":900}}");
        assertThat(r.field()).isEqualTo("usage.prompt_tokens_details.cached_tokens");
        assertThat(r.error()).isEqualTo("usage.prompt_tokens_details.cached_tokens (900) exceeds usage.prompt_tokens"
                + " (800): prompt_tokens includes cached tokens");
        assertThat(rejected(WITHOUT_TOKENS + ",\"usage\":{\"input_tokens\":1.5}").field())
                .isEqualTo("usage.input_tokens");
        assertThat(rejected(WITHOUT_TOKENS + ",\"usage\":{\"tokens\":1}").error()).contains("send usage_format");
        assertThat(rejected(WITHOUT_TOKENS + ",\"usage\":{\"input_tokens\":1},\"usage_format\":\"cohere\"").field())
                .isEqualTo("usage_format");
    }

    @Test
    void usageMustBeAnObject() throws Exception {
        for (String bad : List.of("[1]", "5", "\"{}\"", "true")) {
            Rejected r = rejected(WITHOUT_TOKENS + ",\"usage\":" + bad);
            assertThat(r.field()).as(bad).isEqualTo("usage");
            assertThat(r.error()).as(bad).startsWith("must be the provider's usage object");
        }
    }

    @Test
    void aBatchKeepsItsValidEventsBesideAnInvalidUsage() throws Exception {
        String good = "{" + WITHOUT_TOKENS + ",\"usage\":{\"inputTokens\":3,\"outputTokens\":4}}";
        String bad = "{" + WITHOUT_TOKENS + ",\"usage\":{\"inputTokens\":-3,\"outputTokens\":4}}";
        List<Item> items = parse("[" + good + "," + bad + ",{" + MINIMAL + "}]", Format.JSON);
        assertThat(((Accepted) items.get(0)).event().getUsageFormat()).isEqualTo("bedrock.converse");
        assertThat(items.get(1)).isEqualTo(new Rejected(1, "usage.inputTokens", "must be >= 0"));
        assertThat(items.get(2)).isInstanceOf(Accepted.class);
        List<Item> lines = parse(good + "\n" + bad + "\n", Format.NDJSON);
        assertThat(lines.get(0)).isInstanceOf(Accepted.class);
        assertThat(lines.get(1)).isInstanceOf(Rejected.class);
    }

    @Test
    void contentTypesMapToFormats() {
        assertThat(IngestApi.format("application/json")).isEqualTo(Format.JSON);
        assertThat(IngestApi.format("Application/JSON; charset=UTF-8")).isEqualTo(Format.JSON);
        assertThat(IngestApi.format("application/x-ndjson")).isEqualTo(Format.NDJSON);
        assertThat(IngestApi.format("application/json; charset=latin1")).isNull();
        assertThat(IngestApi.format("text/plain")).isNull();
        assertThat(IngestApi.format(null)).isNull();
    }
}
