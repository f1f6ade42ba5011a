package io.spendstream.ingest.usage;

import static io.spendstream.ingest.usage.Usages.error;
import static io.spendstream.ingest.usage.Usages.read;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ProviderUsageDetectionTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"prompt_tokens\": 1, \"completion_tokens\": 1}|OPENAI_CHAT",
            "{\"promptTokenCount\": 1}|GEMINI",
            "{\"usageMetadata\": {\"promptTokenCount\": 1}}|GEMINI",
            "{\"inputTokens\": 1, \"outputTokens\": 1}|BEDROCK_CONVERSE",
            "{\"input_tokens\": 1, \"output_tokens\": 1, \"total_tokens\": 2}|OPENAI_RESPONSES",
            "{\"input_tokens\": 1, \"input_tokens_details\": {\"cached_tokens\": 0}}|OPENAI_RESPONSES",
            "{\"input_tokens\": 1, \"output_tokens_details\": {\"reasoning_tokens\": 0}}|OPENAI_RESPONSES",
            "{\"input_tokens\": 1, \"output_tokens\": 1, \"cache_read_input_tokens\": 0}|ANTHROPIC",
            "{\"input_tokens\": 1, \"output_tokens\": 1}|ANTHROPIC"})
    void shouldDetectTheFormatFromTheKeysItAlwaysSends(String usage, UsageFormat format) throws Exception {
        assertThat(read(usage, null, "any").format()).isEqualTo(format);
    }

    @Test
    void shouldRejectAShapeOfNoKnownFormatNamingTheFormats() {
        UsageException e = error("{\"tokens\": 5}", null, "cohere");
        assertThat(e.field()).isEqualTo("usage");
        assertThat(e.getMessage()).isEqualTo("cannot tell the provider format from its fields: send usage_format,"
                + " one of openai.chat, openai.responses, anthropic, gemini, bedrock.converse");
    }

    @Test
    void shouldRejectAnUnknownFormatNamingTheFormats() {
        UsageException e = error("{\"prompt_tokens\": 5}", "openai", "openai");
        assertThat(e.field()).isEqualTo("usage_format");
        assertThat(e.getMessage()).isEqualTo("unknown usage format \"openai\": use one of openai.chat,"
                + " openai.responses, anthropic, gemini, bedrock.converse");
    }

    @Test
    void shouldReadTheGivenFormatEvenWhenTheShapeSuggestsAnother() throws Exception {
        // Plain {input_tokens, output_tokens} reads the same as Anthropic or Responses.
        assertThat(read("{\"input_tokens\": 4, \"output_tokens\": 2}", "openai.responses", "openai").counts())
                .isEqualTo(read("{\"input_tokens\": 4, \"output_tokens\": 2}", null, "anthropic").counts());
    }

    @Test
    void shouldRejectANonObject() {
        UsageException e = error("[1, 2]", null, "openai");
        assertThat(e.field()).isEqualTo("usage");
        assertThat(e.getMessage()).isEqualTo("must be the provider's usage object, not an array");
    }

    @Test
    void shouldRejectCountsWhoseSumOverflows() {
        UsageException e = error("{\"input_tokens\": 9223372036854775807, \"cache_read_input_tokens\": 1,"
                + " \"output_tokens\": 0}", null, "anthropic");
        assertThat(e.field()).isEqualTo("usage");
        assertThat(e.getMessage()).contains("add up to more than");
    }
}
