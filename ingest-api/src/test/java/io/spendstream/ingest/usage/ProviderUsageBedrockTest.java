package io.spendstream.ingest.usage;

import static io.spendstream.ingest.usage.Usages.counts;
import static io.spendstream.ingest.usage.Usages.error;
import static io.spendstream.ingest.usage.Usages.expect;
import static io.spendstream.ingest.usage.Usages.read;
import static io.spendstream.pricing.TokenClass.CACHED_INPUT;
import static io.spendstream.pricing.TokenClass.CACHE_WRITE;
import static io.spendstream.pricing.TokenClass.CACHE_WRITE_1H;
import static io.spendstream.pricing.TokenClass.INPUT;
import static io.spendstream.pricing.TokenClass.OUTPUT;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProviderUsageBedrockTest {

    // A recorded Converse response (AWS SDK for JavaScript) with the TokenUsage fields of the Bedrock API
    // reference (docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_TokenUsage.html).
    static final String CONVERSE_EXAMPLE = """
            {
              "inputTokens": 15,
              "outputTokens": 395,
              "totalTokens": 410,
              "cacheReadInputTokens": 0,
              "cacheWriteInputTokens": 0
            }""";

    @Test
    void shouldReadTheRecordedConverseUsage() throws Exception {
        ProviderUsage u = read(CONVERSE_EXAMPLE, null, "bedrock");
        assertThat(u.format()).isEqualTo(UsageFormat.BEDROCK_CONVERSE);
        assertThat(u.counts()).isEqualTo(expect(INPUT, 15, OUTPUT, 395));
    }

    @Test
    void shouldReadInputTokensAsAlreadyExcludingCacheReadsAndWrites() throws Exception {
        String usage = """
                {"inputTokens": 43, "outputTokens": 44, "totalTokens": 288,
                 "cacheReadInputTokens": 100, "cacheWriteInputTokens": 101}""";
        assertThat(counts(usage, "bedrock.converse", "bedrock"))
                .isEqualTo(expect(INPUT, 43, CACHED_INPUT, 100, CACHE_WRITE, 101, OUTPUT, 44));
    }

    @Test
    void shouldSplitCacheWritesByTheTtlOfCacheDetails() throws Exception {
        // CacheDetail (API_runtime_CacheDetail): {ttl: 5m | 1h, inputTokens}, sorted 1h before 5m.
        String usage = """
                {"inputTokens": 5, "outputTokens": 7, "cacheWriteInputTokens": 300,
                 "cacheDetails": [{"ttl": "1h", "inputTokens": 200}, {"ttl": "5m", "inputTokens": 100}]}""";
        assertThat(counts(usage, null, "bedrock"))
                .isEqualTo(expect(INPUT, 5, CACHE_WRITE, 100, CACHE_WRITE_1H, 200, OUTPUT, 7));
    }

    @Test
    void shouldRejectCacheDetailsLargerThanTheCacheWrites() {
        UsageException e = error("""
                {"inputTokens": 5, "outputTokens": 7, "cacheWriteInputTokens": 150,
                 "cacheDetails": [{"ttl": "1h", "inputTokens": 200}]}""", null, "bedrock");
        assertThat(e.field()).isEqualTo("usage.cacheDetails[ttl=1h].inputTokens");
        assertThat(e.getMessage()).isEqualTo("usage.cacheDetails[ttl=1h].inputTokens (200) exceeds"
                + " usage.cacheWriteInputTokens (150): the split by lifetime is part of the cache writes");
    }

    @Test
    void shouldRejectANegativeCount() {
        UsageException e = error("{\"inputTokens\": -5, \"outputTokens\": 7}", null, "bedrock");
        assertThat(e.field()).isEqualTo("usage.inputTokens");
        assertThat(e.getMessage()).isEqualTo("must be >= 0");
    }
}
