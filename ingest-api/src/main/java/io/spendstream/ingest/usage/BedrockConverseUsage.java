package io.spendstream.ingest.usage;

import io.spendstream.pricing.TokenClass;
import io.spendstream.pricing.TokenCounts;

/**
 * {@code bedrock.converse}: AWS Bedrock Converse TokenUsage. inputTokens excludes cacheReadInputTokens and
 * cacheWriteInputTokens; cacheDetails ({ttl: 5m | 1h, inputTokens}) splits the writes by lifetime.
 */
final class BedrockConverseUsage {
    private BedrockConverseUsage() {}

    static TokenCounts read(UsageObject usage, String provider) throws UsageException {
        long fiveMinutes = 0;
        long oneHour = 0;
        String fiveMinutesPath = usage.path() + ".cacheDetails[ttl=5m].inputTokens";
        String oneHourPath = usage.path() + ".cacheDetails[ttl=1h].inputTokens";
        for (UsageObject detail : usage.objects("cacheDetails")) {
            long tokens = detail.count("inputTokens").value();
            if (detail.text("ttl").equals("1h")) {
                oneHour = Math.addExact(oneHour, tokens);
            } else {
                fiveMinutes = Math.addExact(fiveMinutes, tokens);
            }
        }
        CacheWrites writes = CacheWrites.split(
                usage.has("cacheWriteInputTokens") ? usage.count("cacheWriteInputTokens") : null,
                new Count(fiveMinutesPath, fiveMinutes), new Count(oneHourPath, oneHour));
        return TokenCounts.builder()
                .set(TokenClass.INPUT, usage.count("inputTokens").value())
                .set(TokenClass.CACHED_INPUT, usage.count("cacheReadInputTokens").value())
                .set(TokenClass.CACHE_WRITE, writes.fiveMinutes())
                .set(TokenClass.CACHE_WRITE_1H, writes.oneHour())
                .set(TokenClass.OUTPUT, usage.count("outputTokens").value())
                .build();
    }
}
