package io.spendstream.ingest.usage;

import io.spendstream.pricing.TokenClass;
import io.spendstream.pricing.TokenCounts;

/**
 * {@code anthropic}: Anthropic Messages API usage. Its counts are already disjoint: input_tokens excludes
 * cache reads and writes. cache_creation splits the writes by lifetime. Thinking tokens are billed as
 * output and not reported apart, so they stay in output_tokens.
 */
final class AnthropicUsage {
    private AnthropicUsage() {}

    static TokenCounts read(UsageObject usage, String provider) throws UsageException {
        UsageObject creation = usage.object("cache_creation");
        CacheWrites writes = CacheWrites.split(
                usage.has("cache_creation_input_tokens") ? usage.count("cache_creation_input_tokens") : null,
                creation.count("ephemeral_5m_input_tokens"),
                creation.count("ephemeral_1h_input_tokens"));
        return TokenCounts.builder()
                .set(TokenClass.INPUT, usage.count("input_tokens").value())
                .set(TokenClass.CACHED_INPUT, usage.count("cache_read_input_tokens").value())
                .set(TokenClass.CACHE_WRITE, writes.fiveMinutes())
                .set(TokenClass.CACHE_WRITE_1H, writes.oneHour())
                .set(TokenClass.OUTPUT, usage.count("output_tokens").value())
                .build();
    }
}
