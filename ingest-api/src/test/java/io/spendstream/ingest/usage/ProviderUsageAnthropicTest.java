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

class ProviderUsageAnthropicTest {

    // Messages API example response for claude-3-7-sonnet-20250219 in Squared AI's Anthropic model docs
    // (docs.squared.ai/activation/ai-ml-sources/anthropic-model).
    static final String MESSAGES_EXAMPLE = """
            { "input_tokens": 10, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0, "output_tokens": 41 }""";

    // A Messages API usage with the current fields (cache_creation split, server_tool_use, service_tier),
    // as kept in a Go test of an Anthropic adapter (ResponseBuilder.FromMessage).
    static final String CACHE_READ_EXAMPLE = """
            {
              "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0},
              "cache_creation_input_tokens": 0,
              "cache_read_input_tokens": 2,
              "input_tokens": 5,
              "output_tokens": 3,
              "server_tool_use": {"web_search_requests": 0},
              "service_tier": "standard"
            }""";

    // A recorded claude-haiku usage with 1-hour cache writes (Claude Code, cache_control ttl 1h).
    static final String ONE_HOUR_EXAMPLE = """
            {"cache_creation": {"ephemeral_1h_input_tokens": 6853, "ephemeral_5m_input_tokens": 0},
             "cache_creation_input_tokens": 6853, "cache_read_input_tokens": 0, "inference_geo": "",
             "input_tokens": 10, "iterations": [], "output_tokens": 792,
             "server_tool_use": {"web_fetch_requests": 0, "web_search_requests": 0},
             "service_tier": "standard", "speed": "standard"}""";

    @Test
    void shouldReadInputTokensAsAlreadyExcludingTheCache() throws Exception {
        ProviderUsage u = read(MESSAGES_EXAMPLE, null, "anthropic");
        assertThat(u.format()).isEqualTo(UsageFormat.ANTHROPIC);
        assertThat(u.counts()).isEqualTo(expect(INPUT, 10, OUTPUT, 41));
        assertThat(counts(CACHE_READ_EXAMPLE, null, "anthropic")).isEqualTo(expect(INPUT, 5, CACHED_INPUT, 2, OUTPUT, 3));
    }

    @Test
    void shouldBillOneHourCacheWritesInTheirOwnClass() throws Exception {
        assertThat(counts(ONE_HOUR_EXAMPLE, "anthropic", "anthropic"))
                .isEqualTo(expect(INPUT, 10, CACHE_WRITE_1H, 6853, OUTPUT, 792));
    }

    @Test
    void shouldPutCacheWritesTheSplitLeavesOutInTheFiveMinuteClass() throws Exception {
        String usage = """
                {"input_tokens": 7, "output_tokens": 5, "cache_creation_input_tokens": 30, "cache_read_input_tokens": 13,
                 "cache_creation": {"ephemeral_5m_input_tokens": 11, "ephemeral_1h_input_tokens": 13}}""";
        assertThat(counts(usage, null, "anthropic"))
                .isEqualTo(expect(INPUT, 7, CACHED_INPUT, 13, CACHE_WRITE, 17, CACHE_WRITE_1H, 13, OUTPUT, 5));
    }

    @Test
    void shouldTakeTheSplitAsTheWritesWhenTheTotalIsMissing() throws Exception {
        String usage = """
                {"input_tokens": 7, "output_tokens": 5,
                 "cache_creation": {"ephemeral_5m_input_tokens": 11, "ephemeral_1h_input_tokens": 13}}""";
        assertThat(counts(usage, "anthropic", "anthropic"))
                .isEqualTo(expect(INPUT, 7, CACHE_WRITE, 11, CACHE_WRITE_1H, 13, OUTPUT, 5));
    }

    @Test
    void shouldRejectASplitLargerThanTheCacheWrites() {
        UsageException e = error("""
                {"input_tokens": 7, "output_tokens": 5, "cache_creation_input_tokens": 20,
                 "cache_creation": {"ephemeral_5m_input_tokens": 11, "ephemeral_1h_input_tokens": 13}}""",
                null, "anthropic");
        assertThat(e.field()).isEqualTo("usage.cache_creation.ephemeral_5m_input_tokens");
        assertThat(e.getMessage()).isEqualTo("usage.cache_creation.ephemeral_5m_input_tokens (11) plus"
                + " usage.cache_creation.ephemeral_1h_input_tokens (13) exceeds usage.cache_creation_input_tokens (20):"
                + " the split by lifetime is part of the cache writes");
    }

    @Test
    void shouldKeepThinkingInOutputTokens() throws Exception {
        // Thinking is billed as output and Anthropic does not report it apart: no reasoning class.
        assertThat(counts("{\"input_tokens\": 3, \"output_tokens\": 900}", null, "anthropic"))
                .isEqualTo(expect(INPUT, 3, OUTPUT, 900));
    }
}
