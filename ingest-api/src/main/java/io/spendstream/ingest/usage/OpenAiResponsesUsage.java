package io.spendstream.ingest.usage;

import io.spendstream.pricing.TokenClass;
import io.spendstream.pricing.TokenCounts;

/**
 * {@code openai.responses}: OpenAI Responses API usage. input_tokens includes input_tokens_details (cached
 * tokens, and cache writes where a gateway reports them); output_tokens includes reasoning tokens.
 */
final class OpenAiResponsesUsage {
    private OpenAiResponsesUsage() {}

    static TokenCounts read(UsageObject usage, String provider) throws UsageException {
        Count inputTokens = usage.count("input_tokens");
        Count outputTokens = usage.count("output_tokens");
        UsageObject inputDetails = usage.object("input_tokens_details");
        Count cached = inputDetails.count("cached_tokens");
        Count cacheWrite = inputDetails.count("cache_write_tokens");
        Count reasoning = usage.object("output_tokens_details").count("reasoning_tokens");

        long input = Remainder.of(inputTokens)
                .less(cached, "input_tokens includes cached tokens")
                .less(cacheWrite, "input_tokens includes cache writes")
                .value();
        long output = Remainder.of(outputTokens).less(reasoning, "output_tokens includes reasoning tokens").value();

        return TokenCounts.builder()
                .set(TokenClass.INPUT, input)
                .set(TokenClass.CACHED_INPUT, cached.value())
                .set(TokenClass.CACHE_WRITE, cacheWrite.value())
                .set(TokenClass.OUTPUT, output)
                .set(TokenClass.REASONING, reasoning.value())
                .build();
    }
}
