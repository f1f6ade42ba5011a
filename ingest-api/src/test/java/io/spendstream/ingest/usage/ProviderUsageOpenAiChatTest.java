package io.spendstream.ingest.usage;

import static io.spendstream.ingest.usage.Usages.counts;
import static io.spendstream.ingest.usage.Usages.error;
import static io.spendstream.ingest.usage.Usages.expect;
import static io.spendstream.ingest.usage.Usages.read;
import static io.spendstream.pricing.TokenClass.CACHED_INPUT;
import static io.spendstream.pricing.TokenClass.CACHE_WRITE;
import static io.spendstream.pricing.TokenClass.INPUT;
import static io.spendstream.pricing.TokenClass.INPUT_AUDIO;
import static io.spendstream.pricing.TokenClass.OUTPUT;
import static io.spendstream.pricing.TokenClass.OUTPUT_AUDIO;
import static io.spendstream.pricing.TokenClass.REASONING;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProviderUsageOpenAiChatTest {

    // OpenAI API reference, "The chat completion object" example (as reproduced in 4D AIKit's
    // OpenAIChatCompletionsResult page, developer.4d.com/docs/21-R3/aikit/Classes/openaichatcompletionsresult).
    static final String REFERENCE_EXAMPLE = """
            {
              "prompt_tokens": 19,
              "completion_tokens": 10,
              "total_tokens": 29,
              "prompt_tokens_details": {
                "cached_tokens": 0,
                "audio_tokens": 0
              },
              "completion_tokens_details": {
                "reasoning_tokens": 0,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0
              }
            }""";

    // OpenAI prompt caching guide (platform.openai.com/docs/guides/prompt-caching), usage example with a cache hit.
    static final String PROMPT_CACHING_EXAMPLE = """
            {
              "prompt_tokens": 2006,
              "completion_tokens": 300,
              "total_tokens": 2306,
              "prompt_tokens_details": {
                "cached_tokens": 1920
              },
              "completion_tokens_details": {
                "reasoning_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0
              }
            }""";

    // DeepSeek chat completion response for deepseek-v4-pro with thinking enabled, as shown in the
    // DeepSeek API reference mirror at apiqik.apifox.cn/456594740e0.
    static final String DEEPSEEK_EXAMPLE = """
            {
              "prompt_tokens": 10,
              "completion_tokens": 48,
              "total_tokens": 58,
              "prompt_tokens_details": {
                "cached_tokens": 0
              },
              "completion_tokens_details": {
                "reasoning_tokens": 38
              },
              "prompt_cache_hit_tokens": 0,
              "prompt_cache_miss_tokens": 10
            }""";

    // Google Cloud Vertex AI, "Reasoning for Grok models" example response (xai/grok-4.1-fast-reasoning):
    // "The reasoning token count is outputted in the reasoning_tokens field, separated from the completion_tokens."
    static final String XAI_EXAMPLE = """
            {
              "completion_tokens":50,
              "completion_tokens_details":{
                "accepted_prediction_tokens":0,
                "audio_tokens":0,
                "reasoning_tokens":124,
                "rejected_prediction_tokens":0
              },
              "cost_in_usd_ticks":0,
              "num_sources_used":0,
              "prompt_tokens":663,
              "prompt_tokens_details":{"audio_tokens":0,"cached_tokens":654,"image_tokens":0,"text_tokens":663},
              "total_tokens":837
            }""";

    @Test
    void shouldReadTheReferenceExampleAsPlainInputAndOutput() throws Exception {
        ProviderUsage u = read(REFERENCE_EXAMPLE, null, "openai");
        assertThat(u.format()).isEqualTo(UsageFormat.OPENAI_CHAT);
        assertThat(u.counts()).isEqualTo(expect(INPUT, 19, OUTPUT, 10));
    }

    @Test
    void shouldCountCachedTokensOnceWhenPromptTokensIncludeThem() throws Exception {
        assertThat(counts(PROMPT_CACHING_EXAMPLE, "openai.chat", "openai"))
                .isEqualTo(expect(INPUT, 86, CACHED_INPUT, 1920, OUTPUT, 300));
    }

    @Test
    void shouldTakeAudioAndReasoningOutOfTheTotalsTheyArePartOf() throws Exception {
        // Constructed in the documented shape: audio in the prompt and the completion, reasoning in the completion.
        String usage = """
                {"prompt_tokens": 500, "completion_tokens": 400, "total_tokens": 900,
                 "prompt_tokens_details": {"cached_tokens": 100, "audio_tokens": 300},
                 "completion_tokens_details": {"reasoning_tokens": 50, "audio_tokens": 200}}""";
        assertThat(counts(usage, null, "openai")).isEqualTo(expect(INPUT, 100, CACHED_INPUT, 100, INPUT_AUDIO, 300,
                OUTPUT, 150, REASONING, 50, OUTPUT_AUDIO, 200));
    }

    @Test
    void shouldCountGatewayCacheWritesOnceWhenPromptTokensIncludeThem() throws Exception {
        // OpenRouter/Azure shape (the price source maps prompt_tokens_details.cache_write_tokens for openai and openrouter).
        String usage = """
                {"prompt_tokens": 1000, "completion_tokens": 10,
                 "prompt_tokens_details": {"cached_tokens": 200, "cache_write_tokens": 700}}""";
        assertThat(counts(usage, null, "openrouter"))
                .isEqualTo(expect(INPUT, 100, CACHED_INPUT, 200, CACHE_WRITE, 700, OUTPUT, 10));
    }

    @Test
    void shouldTakeDeepSeekReasoningOutOfCompletionTokens() throws Exception {
        assertThat(counts(DEEPSEEK_EXAMPLE, null, "deepseek")).isEqualTo(expect(INPUT, 10, OUTPUT, 10, REASONING, 38));
    }

    @Test
    void shouldCountDeepSeekCacheHitsAsCachedInput() throws Exception {
        String usage = """
                {"prompt_tokens": 100, "completion_tokens": 5, "prompt_cache_hit_tokens": 80, "prompt_cache_miss_tokens": 20}""";
        assertThat(counts(usage, null, "deepseek")).isEqualTo(expect(INPUT, 20, CACHED_INPUT, 80, OUTPUT, 5));
    }

    @Test
    void shouldRejectDeepSeekHitsThatDisagreeWithCachedTokens() {
        String usage = """
                {"prompt_tokens": 100, "completion_tokens": 5, "prompt_tokens_details": {"cached_tokens": 64},
                 "prompt_cache_hit_tokens": 80, "prompt_cache_miss_tokens": 20}""";
        UsageException e = error(usage, null, "deepseek");
        assertThat(e.field()).isEqualTo("usage.prompt_cache_hit_tokens");
        assertThat(e.getMessage()).isEqualTo("usage.prompt_cache_hit_tokens (80) disagrees with"
                + " usage.prompt_tokens_details.cached_tokens (64): both count the cached prompt tokens");
    }

    @Test
    void shouldRejectDeepSeekHitsAndMissesThatDoNotSplitThePrompt() {
        String usage = """
                {"prompt_tokens": 100, "completion_tokens": 5, "prompt_cache_hit_tokens": 80, "prompt_cache_miss_tokens": 30}""";
        assertThat(error(usage, null, "deepseek").getMessage()).contains("cache hits and misses split the prompt");
    }

    @Test
    void shouldAddXaiReasoningBesideCompletionTokens() throws Exception {
        assertThat(counts(XAI_EXAMPLE, null, "xai"))
                .isEqualTo(expect(INPUT, 9, CACHED_INPUT, 654, OUTPUT, 50, REASONING, 124));
        assertThat(counts(XAI_EXAMPLE, null, "x-ai")).isEqualTo(counts(XAI_EXAMPLE, null, "Grok"));
    }

    @Test
    void shouldRejectReasoningLargerThanCompletionTokensOutsideXai() {
        UsageException e = error(XAI_EXAMPLE, null, "openai");
        assertThat(e.field()).isEqualTo("usage.completion_tokens_details.reasoning_tokens");
        assertThat(e.getMessage()).isEqualTo("usage.completion_tokens_details.reasoning_tokens (124) exceeds"
                + " usage.completion_tokens (50): completion_tokens includes reasoning tokens");
    }

    @Test
    void shouldRejectCachedTokensLargerThanPromptTokens() {
        UsageException e = error("""
                {"prompt_tokens": 800, "completion_tokens": 1, "prompt_tokens_details": {"cached_tokens": 900}}""",
                null, "openai");
        assertThat(e.field()).isEqualTo("usage.prompt_tokens_details.cached_tokens");
        assertThat(e.getMessage()).isEqualTo("usage.prompt_tokens_details.cached_tokens (900) exceeds"
                + " usage.prompt_tokens (800): prompt_tokens includes cached tokens");
    }

    @Test
    void shouldNameEveryBreakdownWhenTheirSumExceedsTheTotal() {
        UsageException e = error("""
                {"prompt_tokens": 800, "completion_tokens": 1,
                 "prompt_tokens_details": {"cached_tokens": 600, "audio_tokens": 300}}""", null, "openai");
        assertThat(e.field()).isEqualTo("usage.prompt_tokens_details.audio_tokens");
        assertThat(e.getMessage()).isEqualTo("usage.prompt_tokens_details.audio_tokens (300) plus"
                + " usage.prompt_tokens_details.cached_tokens (600) exceeds usage.prompt_tokens (800):"
                + " prompt_tokens includes audio tokens");
    }

    @Test
    void shouldIgnoreUnknownKeysSuchAsGroqTimings() throws Exception {
        String usage = """
                {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15, "queue_time": 0.017,
                 "prompt_time": 0.0012, "completion_time": 0.004, "total_time": 0.0052, "service_tier": "on_demand",
                 "prompt_tokens_details": {"cached_tokens": 2, "text_tokens": 12}}""";
        assertThat(counts(usage, null, "groq")).isEqualTo(expect(INPUT, 10, CACHED_INPUT, 2, OUTPUT, 3));
    }

    @Test
    void shouldReadNullCountsAndDetailsAsAbsent() throws Exception {
        String usage = """
                {"prompt_tokens": 12, "completion_tokens": 3, "prompt_tokens_details": null,
                 "completion_tokens_details": {"reasoning_tokens": null}}""";
        assertThat(counts(usage, null, "mistral")).isEqualTo(expect(INPUT, 12, OUTPUT, 3));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "-1|must be >= 0",
            "1.5|must be a whole number",
            "1.0|must be a whole number",
            "1e3|must be a whole number",
            "\"12\"|must be an integer >= 0, not a string",
            "true|must be an integer >= 0, not a boolean",
            "99999999999999999999|is too large",
            "-99999999999999999999|must be >= 0"})
    void shouldRejectAKnownCountThatIsNotANonNegativeLong(String value, String error) {
        UsageException e = error("{\"prompt_tokens\": 5, \"completion_tokens\": " + value + "}", null, "openai");
        assertThat(e.field()).isEqualTo("usage.completion_tokens");
        assertThat(e.getMessage()).contains(error);
    }

    @Test
    void shouldRejectDetailsThatAreNotAnObject() {
        UsageException e = error("{\"prompt_tokens\": 5, \"completion_tokens\": 1, \"prompt_tokens_details\": [1]}",
                null, "openai");
        assertThat(e.field()).isEqualTo("usage.prompt_tokens_details");
        assertThat(e.getMessage()).isEqualTo("must be an object, not an array");
    }
}
