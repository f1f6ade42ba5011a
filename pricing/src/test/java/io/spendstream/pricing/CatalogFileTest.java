package io.spendstream.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spendstream.schema.ModelPrice;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CatalogFileTest {
    private static final String V2 = """
            {"format": "spendstream-prices/2", "description": "d", "generated_from": "hand", "generated_on": "2026-12-04",
             "providers": [{"id": "google", "provider_match": {"contains": "vertex"}, "model_match": null,
                            "fallback_providers": ["anthropic"]}],
             "prices": [
              {"provider": "OpenAI", "model": "gpt-4o", "effective_from": "2024-05-13T00:00:00Z",
               "match": {"or": [{"equals": "gpt-4o"}, {"starts_with": "gpt-4o-2024"}]}, "match_order": 3,
               "input_per_mtok": "2.5", "output_per_mtok": "10", "cached_input_per_mtok": "1.25",
               "cache_write_1h_per_mtok": "0.000000001",
               "tiers": [{"input_tokens_above": 128000, "input_per_mtok": "5", "output_per_mtok": "20"}],
               "daily_windows": [{"start_utc": "16:30:00", "end_utc": "00:30:00", "input_per_mtok": "1",
                                  "output_per_mtok": "2",
                                  "tiers": [{"input_tokens_above": 1000, "input_per_mtok": "3", "output_per_mtok": "4"}]}],
               "source": "https://openai.com/api/pricing", "source_date": "2026-09-23"},
              {"provider": "anthropic", "model": "claude-2", "effective_from": "2020-01-01T00:00:00Z",
               "input_per_mtok": "8", "output_per_mtok": "24"}
             ]}""";

    private static Catalog read(String json) {
        return CatalogFile.read(json.getBytes(StandardCharsets.UTF_8), "test.json");
    }

    @Test
    void shouldRoundTripV2ExactlyAndWriteDeterministically() {
        Catalog c = read(V2);
        assertThat(c.prices()).extracting(ModelPrice::getModel).containsExactly("claude-2", "gpt-4o"); // sorted
        ModelPrice p = c.prices().get(1);
        assertThat(p.getProvider()).isEqualTo("openai"); // lower case
        assertThat(p.getInputPerMtokNanos()).isEqualTo(2_500_000_000L);
        assertThat(p.getCacheWrite1hPerMtokNanos()).isEqualTo(1L);
        assertThat(p.getTiers().getFirst().getInputTokensAbove()).isEqualTo(128_000);
        assertThat(p.getDailyWindows().getFirst().getStartSecondUtc()).isEqualTo(16 * 3600 + 1800);
        assertThat(p.getDailyWindows().getFirst().getEndSecondUtc()).isEqualTo(1800);
        assertThat(MatchRule.parse(p.getMatch()).matches("gpt-4o-2024-08-06")).isTrue();
        assertThat(c.providers().getFirst().fallbackProviders()).containsExactly("anthropic");

        String written = CatalogWriter.write(c);
        Catalog again = read(written);
        assertThat(again).isEqualTo(c);
        assertThat(CatalogWriter.write(again)).isEqualTo(written);
        assertThat(written).contains("\n  \"prices\": [\n").contains("\"input_per_mtok\": \"2.5\"")
                .contains("\"start_utc\": \"16:30:00\"").contains("\"match\": {\"or\":[{\"equals\":\"gpt-4o\"}");
    }

    @Test
    void shouldStillReadV1() {
        Catalog c = read("""
                {"description": "old", "generated_from": "npm", "generated_on": "2026-11-22", "prices": [
                  {"provider": "openai", "model": "gpt-4o", "effective_from": "2020-01-01T00:00:00Z",
                   "input_per_mtok": "2.5", "output_per_mtok": "10", "cached_input_per_mtok": "1.25",
                   "cache_write_per_mtok": null, "reasoning_per_mtok": null,
                   "source": "https://x", "source_date": "2026-09-23"}]}""");
        assertThat(c.providers()).isEmpty();
        ModelPrice p = c.prices().getFirst();
        assertThat(p.getCachedInputPerMtokNanos()).isEqualTo(1_250_000_000L);
        assertThat(p.getTiers()).isEmpty();
        assertThat(p.getMatch()).isNull();
        assertThat(p.getEffectiveFrom()).isEqualTo(Instant.parse("2020-01-01T00:00:00Z"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"input_per_mtok\": \"0.0000000001\"|input_per_mtok\" must have at most 9 decimals",
        "\"input_per_mtok\": \"-1\"|\"input_per_mtok\" must not be negative",
        "\"input_per_mtok\": 2.5|\"input_per_mtok\" must be a decimal string",
        "\"input_per_mtok\": null|\"input_per_mtok\" is required",
        "\"tiers\": [{\"input_tokens_above\": 10, \"input_per_mtok\": \"1\", \"output_per_mtok\": \"1\"}, {\"input_tokens_above\": 10, \"input_per_mtok\": \"1\", \"output_per_mtok\": \"1\"}]|\"tiers[1].input_tokens_above\" must be greater than the previous tier's (10)",
        "\"tiers\": [{\"input_tokens_above\": -1, \"input_per_mtok\": \"1\", \"output_per_mtok\": \"1\"}]|\"tiers[0].input_tokens_above\" must be a non-negative integer",
        "\"daily_windows\": [{\"start_utc\": \"24:00:00\", \"end_utc\": \"01:00:00\", \"input_per_mtok\": \"1\", \"output_per_mtok\": \"1\"}]|\"daily_windows[0].start_utc\" must be a UTC time of day",
        "\"daily_windows\": [{\"start_utc\": \"01:00:00\", \"end_utc\": \"02:00:00\", \"input_per_mtok\": \"1\"}]|\"daily_windows[0].output_per_mtok\" is required",
        "\"match\": {\"regex\": \"(\"}|\"match\": \"regex\" is not a valid pattern",
        "\"match\": {\"like\": \"x\"}|\"match\": unknown match operator \"like\"",
        "\"match_order\": -2|\"match_order\" must be a non-negative integer",
        "\"inptu_per_mtok\": \"1\"|unknown key \"inptu_per_mtok\"",
        "\"source_date\": \"23.9.2026\"|\"source_date\" must be YYYY-MM-DD",
    })
    void shouldNameTheEntryAndFieldOfEveryError(String field, String message) {
        String json = """
                {"format": "spendstream-prices/2", "prices": [
                  {"provider": "openai", "model": "gpt-4o-mini", "effective_from": "2020-01-01T00:00:00Z",
                   "input_per_mtok": "1", "output_per_mtok": "2"},
                  {"provider": "openai", "model": "gpt-4o", "effective_from": "2024-05-13T00:00:00Z",
                   "output_per_mtok": "10", "input_per_mtok": "2.5", %s}]}""".formatted(field);
        assertThatThrownBy(() -> read(json)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("test.json prices[1] (openai/gpt-4o 2024-05-13T00:00:00Z): ")
                .hasMessageContaining(message);
    }

    @Test
    void shouldRefuseDuplicatesBadIdentitiesAndBadProviders() {
        String entry = """
                {"provider": "openai", "model": "gpt-4o", "effective_from": "2024-05-13T00:00:00Z",
                 "input_per_mtok": "1", "output_per_mtok": "2"}""";
        assertThatThrownBy(() -> read("{\"prices\": [" + entry + ", " + entry.replace("openai", "OpenAI") + "]}"))
                .hasMessageContaining("prices[1] (openai/gpt-4o 2024-05-13T00:00:00Z): duplicate");
        assertThatThrownBy(() -> read("{\"prices\": [" + entry.replace("2024-05-13T00:00:00Z", "May 13") + "]}"))
                .hasMessageContaining("prices[0]: \"effective_from\" must be an instant");
        assertThatThrownBy(() -> read("{\"format\": \"spendstream-prices/2\", \"providers\": [{\"id\": \"x\","
                + " \"provider_match\": {\"or\": []}}], \"prices\": []}"))
                .hasMessageContaining("providers[0] (x): \"provider_match\": \"or\" takes a non-empty array");
        assertThatThrownBy(() -> read("{\"format\": \"spendstream-prices/3\", \"prices\": []}"))
                .hasMessageContaining("\"format\" must be \"spendstream-prices/2\"");
    }
}
