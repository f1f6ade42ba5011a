package io.spendstream.ingest.usage;

import static io.spendstream.ingest.usage.Usages.counts;
import static io.spendstream.ingest.usage.Usages.error;
import static io.spendstream.ingest.usage.Usages.expect;
import static io.spendstream.ingest.usage.Usages.read;
import static io.spendstream.pricing.TokenClass.CACHED_INPUT;
import static io.spendstream.pricing.TokenClass.INPUT;
import static io.spendstream.pricing.TokenClass.OUTPUT;
import static io.spendstream.pricing.TokenClass.REASONING;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProviderUsageOpenAiResponsesTest {

    // A recorded OpenAI Responses API response (gpt-4.1-2025-04-14, prompt_cache_retention 24h), kept as the
    // fixture aibridge/fixtures/openai/responses/blocking/cached_input_tokens.txtar of coder/coder.
    static final String CACHED_EXAMPLE = """
            {
              "input_tokens": 12033,
              "input_tokens_details": {
                "cached_tokens": 11904
              },
              "output_tokens": 44,
              "output_tokens_details": {
                "reasoning_tokens": 0
              },
              "total_tokens": 12077
            }""";

    // ResponseUsage schema (OpenAI OpenAPI spec): output_tokens_details.reasoning_tokens is part of output_tokens;
    // a reasoning model's usage in that shape (the gpt-5 fixture of the agentix crate, tests/fixtures/openai).
    static final String REASONING_EXAMPLE = """
            {
              "input_tokens": 20,
              "output_tokens": 15,
              "total_tokens": 35,
              "output_tokens_details": {"reasoning_tokens": 3}
            }""";

    @Test
    void shouldCountCachedTokensOnceWhenInputTokensIncludeThem() throws Exception {
        ProviderUsage u = read(CACHED_EXAMPLE, null, "openai");
        assertThat(u.format()).isEqualTo(UsageFormat.OPENAI_RESPONSES);
        assertThat(u.counts()).isEqualTo(expect(INPUT, 129, CACHED_INPUT, 11904, OUTPUT, 44));
    }

    @Test
    void shouldTakeReasoningOutOfOutputTokens() throws Exception {
        assertThat(counts(REASONING_EXAMPLE, "openai.responses", "openai"))
                .isEqualTo(expect(INPUT, 20, OUTPUT, 12, REASONING, 3));
    }

    @Test
    void shouldRejectReasoningLargerThanOutputTokens() {
        UsageException e = error("""
                {"input_tokens": 5, "output_tokens": 10, "output_tokens_details": {"reasoning_tokens": 11}}""",
                "openai.responses", "openai");
        assertThat(e.field()).isEqualTo("usage.output_tokens_details.reasoning_tokens");
        assertThat(e.getMessage()).isEqualTo("usage.output_tokens_details.reasoning_tokens (11) exceeds"
                + " usage.output_tokens (10): output_tokens includes reasoning tokens");
    }

    @Test
    void shouldRejectCachedTokensLargerThanInputTokens() {
        UsageException e = error("""
                {"input_tokens": 5, "output_tokens": 1, "input_tokens_details": {"cached_tokens": 6}}""", null, "openai");
        assertThat(e.field()).isEqualTo("usage.input_tokens_details.cached_tokens");
        assertThat(e.getMessage()).endsWith("input_tokens includes cached tokens");
    }
}
