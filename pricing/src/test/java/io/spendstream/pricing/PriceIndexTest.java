package io.spendstream.pricing;

import static io.spendstream.pricing.CompiledPriceTest.entry;
import static org.assertj.core.api.Assertions.assertThat;

import io.spendstream.schema.ModelPrice;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PriceIndexTest {
    private static ModelPrice model(String provider, String model, String match, Integer order) {
        return entry("1", "2").setProvider(provider).setModel(model).setMatch(match).setMatchOrder(order).build();
    }

    private static final List<ProviderRule> PROVIDERS = List.of(
            new ProviderRule("openai", MatchRule.parse("{\"contains\":\"openai\"}"),
                    MatchRule.parse("{\"or\":[{\"starts_with\":\"gpt-\"},{\"regex\":\"^o[134]\"}]}"), List.of()),
            new ProviderRule("google", MatchRule.parse("{\"or\":[{\"contains\":\"google\"},{\"contains\":\"vertex\"},"
                    + "{\"contains\":\"gemini\"}]}"), MatchRule.parse("{\"contains\":\"gemini\"}"), List.of()),
            new ProviderRule("bedrock", MatchRule.parse("{\"or\":[{\"contains\":\"bedrock\"},{\"equals\":\"aws\"}]}"),
                    null, List.of()),
            new ProviderRule("azure", null, null, List.of("openai")));

    private final PriceIndex index = PriceIndex.of(PROVIDERS, List.of(
            model("anthropic", "claude-sonnet-4", "{\"or\":[{\"starts_with\":\"claude-sonnet-4-2025\"},"
                    + "{\"equals\":\"claude-sonnet-4-0\"}]}", 2),
            model("anthropic", "claude-sonnet-4-5", "{\"starts_with\":\"claude-sonnet-4-5\"}", 1),
            model("openai", "gpt-4o", "{\"or\":[{\"equals\":\"gpt-4o\"},{\"starts_with\":\"gpt-4o-2024\"}]}", 5),
            model("openai", "gpt-4o-mini", "{\"starts_with\":\"gpt-4o-mini\"}", 4),
            model("openai", "gpt-4-0613", null, null),
            model("google", "gemini-2.5-flash", "{\"starts_with\":\"gemini-2.5-flash\"}", 1),
            model("bedrock", "amazon.nova-pro-v1:0", "{\"contains\":\"nova-pro\"}", 1),
            model("azure", "gpt-4o-azure-only", null, 1)));

    private String resolved(String provider, String model) {
        return index.resolve(provider, model).map(m -> m.provider() + "/" + m.model()).orElse(null);
    }

    @Test
    void shouldResolveDatedNamesThroughTheCatalogsMatchRules() {
        assertThat(resolved("anthropic", "claude-sonnet-4-20250514")).isEqualTo("anthropic/claude-sonnet-4");
        assertThat(resolved("anthropic", "claude-sonnet-4-0")).isEqualTo("anthropic/claude-sonnet-4");
        assertThat(resolved("Anthropic", " Claude-Sonnet-4-5-20250929 ")).isEqualTo("anthropic/claude-sonnet-4-5");
    }

    @Test
    void shouldTryRulesInMatchOrderSoTheMoreSpecificModelWins() {
        // gpt-4o-mini-2024-07-18 also starts with gpt-4o-2024? no, but gpt-4o-mini is ordered first anyway
        assertThat(resolved("openai", "gpt-4o-mini-2024-07-18")).isEqualTo("openai/gpt-4o-mini");
        assertThat(resolved("openai", "gpt-4o-2024-08-06")).isEqualTo("openai/gpt-4o");
    }

    @Test
    void shouldResolveProviderAliasesAndUnknownProvidersByModelName() {
        assertThat(resolved("vertex_ai", "gemini-2.5-flash-preview-05-20")).isEqualTo("google/gemini-2.5-flash");
        assertThat(resolved("aws", "us.amazon.nova-pro-v1:0")).isEqualTo("bedrock/amazon.nova-pro-v1:0");
        assertThat(resolved("my-gateway", "gpt-4o")).isEqualTo("openai/gpt-4o");
        assertThat(resolved("litellm", "anthropic/claude-sonnet-4-20250514")).isEqualTo("anthropic/claude-sonnet-4");
    }

    @Test
    void shouldFallBackToTheProvidersFallbackProviders() {
        assertThat(resolved("azure", "gpt-4o-azure-only")).isEqualTo("azure/gpt-4o-azure-only");
        assertThat(resolved("azure", "gpt-4o-2024-11-20")).isEqualTo("openai/gpt-4o");
    }

    @Test
    void shouldRetryACompactDateAsAnIsoDateAndStripSuffixesLast() {
        assertThat(resolved("openai", "gpt-4o-20240806")).isEqualTo("openai/gpt-4o");
        assertThat(resolved("openai", "openai/gpt-4-0613")).isEqualTo("openai/gpt-4-0613");
        assertThat(resolved("openai", "gpt-4-0613-latest")).isEqualTo("openai/gpt-4-0613");
        assertThat(resolved("openai", "gpt-4-0314")).isNull(); // four-digit suffixes are distinct models
        assertThat(resolved("nobody", "no-such-model")).isNull();
    }

    @Test
    void shouldPriceWithTheEntryInEffectAtTheCallsTimeNeverRetroactively() {
        Instant change = Instant.parse("2026-10-01T00:00:00Z");
        PriceIndex idx = PriceIndex.of(PROVIDERS, List.of(
                entry("1", "2").setProvider("openai").setModel("gpt-4o").build(),
                entry("3", "4").setProvider("openai").setModel("gpt-4o").setEffectiveFrom(change).build()));
        TokenCounts oneM = TokenCounts.builder().set(TokenClass.INPUT, 1_000_000).build();
        assertThat(idx.price("openai", "gpt-4o", change.toEpochMilli() - 1, oneM).orElseThrow().cost().nanos())
                .isEqualTo(1_000_000_000L);
        assertThat(idx.price("openai", "gpt-4o", change.toEpochMilli(), oneM).orElseThrow().cost().nanos())
                .isEqualTo(3_000_000_000L);
        PriceIndex future = PriceIndex.of(PROVIDERS, List.of(
                entry("3", "4").setProvider("openai").setModel("gpt-5").setEffectiveFrom(change).build()));
        assertThat(future.price("openai", "gpt-5", change.toEpochMilli() - 1, oneM)).isEmpty();
    }

    @Test
    void shouldLeaveOutAnEntryThatCannotPriceAndSayWhy() {
        PriceIndex idx = PriceIndex.of(PROVIDERS, List.of(model("openai", "bad", "{\"nope\":1}", 1),
                model("openai", "good", null, 2)));
        assertThat(idx.rejected()).singleElement().asString().contains("openai/bad").contains("nope");
        assertThat(idx.resolve("openai", "good")).isPresent();
    }
}
