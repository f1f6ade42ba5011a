package io.spendstream.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.spendstream.schema.DailyPriceWindow;
import io.spendstream.schema.ModelPrice;
import io.spendstream.schema.PriceTier;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class GenAiPricesConverterTest {
    private static final long B = 1_000_000_000L; // 1 USD in nanos

    private static GenAiPricesConverter.Result convert(String json) throws IOException {
        return GenAiPricesConverter.convert(ConvertCommand.JSON.readTree(json), "test", "2026-12-04", "2026-09-23");
    }

    private static List<ModelPrice> entries(GenAiPricesConverter.Result r, String model) {
        return r.catalog().prices().stream().filter(p -> p.getModel().equals(model)).toList();
    }

    private static long nanos(String usd) {
        return new java.math.BigDecimal(usd).movePointRight(9).longValueExact();
    }

    @Test
    void shouldMergeTiersWithDifferentStartsPerKeyAsTheSourcePricesThem() throws IOException {
        var r = convert("""
                [{"id": "google", "pricing_urls": ["https://g"], "models": [
                  {"id": "m", "match": {"equals": "m"}, "prices": {
                    "input_mtok": {"base": 1, "tiers": [{"start": 200000, "price": 2}, {"start": 100000, "price": 1.5}]},
                    "output_mtok": {"base": 10, "tiers": [{"start": 150000, "price": 20}]},
                    "cache_read_mtok": 0.1}}]}]""");
        ModelPrice p = entries(r, "m").getFirst();
        assertThat(p.getInputPerMtokNanos()).isEqualTo(B);
        assertThat(p.getOutputPerMtokNanos()).isEqualTo(10 * B);
        assertThat(p.getTiers()).extracting(PriceTier::getInputTokensAbove).containsExactly(100000L, 150000L, 200000L);
        assertThat(p.getTiers()).extracting(t -> t.getRates().getInputPerMtokNanos())
                .containsExactly(nanos("1.5"), nanos("1.5"), 2 * B);
        assertThat(p.getTiers()).extracting(t -> t.getRates().getOutputPerMtokNanos())
                .containsExactly(10 * B, 20 * B, 20 * B);
        assertThat(p.getTiers()).extracting(t -> t.getRates().getCachedInputPerMtokNanos())
                .containsOnly(nanos("0.1"));
        assertThat(p.getSource()).isEqualTo("https://g");
        assertThat(p.getSourceDate()).isEqualTo("2026-09-23");
    }

    /** DeepSeek's models as in the package 0.1.8, prices and constraints unchanged. */
    private static final String DEEPSEEK = """
            [{"id": "deepseek", "pricing_urls": ["https://api-docs.deepseek.com/quick_start/pricing"],
              "model_match": {"starts_with": "deepseek"}, "models": [
              {"id":"deepseek-chat","match":{"or":[{"starts_with":"deepseek-chat"},{"equals":"deepseek-chat-v3-0324"}]},"prices":[{"prices":{"input_mtok":0.135,"cache_read_mtok":0.035,"output_mtok":0.55}},{"constraint":{"start_time":"00:30:00Z","end_time":"16:30:00Z","type":"time_of_date"},"prices":{"input_mtok":0.27,"cache_read_mtok":0.07,"output_mtok":1.1}}]},
              {"id":"deepseek-v4-flash","match":{"or":[{"starts_with":"deepseek-v4-flash"}]},"prices":[{"prices":{"input_mtok":0.14,"cache_read_mtok":0.0028,"output_mtok":0.28}},{"constraint":{"start_date":"2026-08-17","type":"start_date"},"prices":{"input_mtok":0.22,"cache_read_mtok":0.007,"output_mtok":0.66}},{"constraint":{"start_time":"01:00:00Z","end_time":"04:00:00Z","type":"time_of_date"},"prices":{"input_mtok":0.44,"cache_read_mtok":0.014,"output_mtok":1.32}},{"constraint":{"start_time":"06:00:00Z","end_time":"10:00:00Z","type":"time_of_date"},"prices":{"input_mtok":0.44,"cache_read_mtok":0.014,"output_mtok":1.32}}]},
              {"id":"typeless","match":{"equals":"typeless"},"prices":[{"prices":{"input_mtok":1,"output_mtok":2}},{"constraint":{"start_time":"16:30:00+08:00","end_time":"00:30:00+08:00"},"prices":{"input_mtok":3,"output_mtok":4}},{"constraint":{"start_date":"2026-01-01"},"prices":{"input_mtok":5,"output_mtok":6}}]}
            ]}]""";

    @Test
    void shouldTurnTimeOfDayPricesIntoDailyWindowsAndDatesIntoEntries() throws IOException {
        var r = convert(DEEPSEEK);
        ModelPrice chat = entries(r, "deepseek-chat").getFirst();
        assertThat(entries(r, "deepseek-chat")).hasSize(1);
        assertThat(chat.getInputPerMtokNanos()).isEqualTo(nanos("0.135"));
        assertThat(chat.getDailyWindows()).singleElement().satisfies(w -> {
            assertThat(w.getStartSecondUtc()).isEqualTo(1800);
            assertThat(w.getEndSecondUtc()).isEqualTo(16 * 3600 + 1800);
            assertThat(w.getRates().getOutputPerMtokNanos()).isEqualTo(nanos("1.1"));
        });

        // The source's quirk: the peak windows also apply before 2026-08-17 (see its price_comments).
        List<ModelPrice> flash = entries(r, "deepseek-v4-flash");
        assertThat(flash).extracting(ModelPrice::getEffectiveFrom)
                .containsExactly(GenAiPricesConverter.BEGINNING, Instant.parse("2026-08-17T00:00:00Z"));
        assertThat(flash.get(0).getInputPerMtokNanos()).isEqualTo(nanos("0.14"));
        assertThat(flash.get(1).getInputPerMtokNanos()).isEqualTo(nanos("0.22"));
        for (ModelPrice p : flash) {
            assertThat(p.getDailyWindows()).extracting(DailyPriceWindow::getStartSecondUtc)
                    .containsExactly(3600, 6 * 3600);
            assertThat(p.getDailyWindows()).extracting(w -> w.getRates().getInputPerMtokNanos())
                    .containsOnly(nanos("0.44"));
        }
        assertThat(flash).allSatisfy(p -> assertThat(MatchRule.parse(p.getMatch()).matches("deepseek-v4-flash-x"))
                .isTrue());

        // Constraints without "type", and times with an offset, as the source normalizes them. The
        // start-date entry is the last in the list, so from 2026 on the window is never reached.
        List<ModelPrice> typeless = entries(r, "typeless");
        assertThat(typeless).hasSize(2);
        assertThat(typeless.get(0).getDailyWindows()).singleElement().satisfies(w -> {
            assertThat(w.getStartSecondUtc()).isEqualTo(8 * 3600 + 1800);
            assertThat(w.getEndSecondUtc()).isEqualTo(16 * 3600 + 1800);
        });
        assertThat(typeless.get(1).getDailyWindows()).isEmpty();
        assertThat(typeless.get(1).getInputPerMtokNanos()).isEqualTo(5 * B);
    }

    @Test
    void shouldListTheWindowTheSourceMeetsFirstLast() throws IOException {
        var r = convert("""
                [{"id": "deepseek", "models": [{"id": "w", "match": {"equals": "w"}, "prices": [
                  {"prices": {"input_mtok": 1, "output_mtok": 1}},
                  {"constraint": {"start_time": "00:00:00Z", "end_time": "12:00:00Z"}, "prices": {"input_mtok": 2, "output_mtok": 2}},
                  {"constraint": {"start_time": "06:00:00Z", "end_time": "07:00:00Z"}, "prices": {"input_mtok": 3, "output_mtok": 3}}]}]}]""");
        ModelPrice p = entries(r, "w").getFirst();
        // At 06:30 the source meets 06:00-07:00 first (it scans backwards): in our list it comes last, and the last wins.
        assertThat(p.getDailyWindows()).extracting(DailyPriceWindow::getStartSecondUtc).containsExactly(0, 6 * 3600);
        assertThat(p.getSource()).isEqualTo("deepseek");
        assertThat(p.getMatchOrder()).isZero();
    }

    @Test
    void shouldRenameProvidersKeepTheirOldNamesAndDropFallbacksNotTaken() throws IOException {
        var r = convert("""
                [{"id": "x-ai", "provider_match": {"equals": "xai"}, "model_match": {"contains": "grok"},
                  "models": [{"id": "Grok-4", "match": {"starts_with": "grok-4"}, "prices": {"input_mtok": 3, "output_mtok": 15}}]},
                 {"id": "aws", "provider_match": {"or": [{"contains": "bedrock"}]}, "models": []},
                 {"id": "azure", "fallback_model_providers": ["openai", "moonshotai", "x-ai"], "models": []},
                 {"id": "openrouter", "models": [{"id": "x", "match": {"equals": "x"}, "prices": {"input_mtok": 1}}]}]""");
        var rules = r.catalog().providers();
        assertThat(rules).extracting(ProviderRule::id).containsExactly("xai", "bedrock", "azure");
        assertThat(rules.get(0).providerMatch().matches("x-ai")).isTrue();
        assertThat(rules.get(0).providerMatch().matches("xai")).isTrue();
        assertThat(rules.get(0).modelMatch().matches("grok-3")).isTrue();
        assertThat(rules.get(1).providerMatch().toJsonText())
                .isEqualTo("{\"or\":[{\"contains\":\"bedrock\"},{\"equals\":\"aws\"}]}");
        assertThat(rules.get(2).fallbackProviders()).containsExactly("openai", "xai");
        assertThat(r.catalog().prices()).singleElement().satisfies(p -> {
            assertThat(p.getProvider()).isEqualTo("xai");
            assertThat(p.getModel()).isEqualTo("grok-4");
        });
    }

    @Test
    void shouldReportDroppedKeysSkippedModelsAndTooPrecisePrices() throws IOException {
        var r = convert("""
                [{"id": "openai", "models": [
                  {"id": "a", "match": {"equals": "a"}, "prices": {"input_mtok": 1, "web_searches_kcount": 10, "requests_kcount": 1}},
                  {"id": "whisper", "match": {"equals": "whisper"}, "prices": {"audio_hours": 0.36}},
                  {"id": "fine", "match": {"equals": "fine"}, "prices": {"input_mtok": 0.0000000001, "output_mtok": 1}}]}]""");
        assertThat(r.report()).extracting(Object::toString).contains("openai/a: dropped web_searches_kcount",
                "openai/a: dropped requests_kcount", "openai/whisper: dropped audio_hours");
        assertThat(r.report()).extracting(Object::toString)
                .anyMatch(s -> s.startsWith("openai/whisper: skipped") && s.contains("no input_mtok and no output_mtok"))
                .anyMatch(s -> s.startsWith("openai/fine: skipped") && s.contains("more than 9 decimals"));
        ModelPrice a = entries(r, "a").getFirst();
        assertThat(a.getOutputPerMtokNanos()).isZero(); // input only (embeddings): output costs nothing
        assertThat(r.catalog().prices()).extracting(ModelPrice::getModel).containsExactly("a");
    }

    @Test
    void shouldNameTheModelOfAnUnknownConstraint() {
        assertThatThrownBy(() -> convert("""
                [{"id": "openai", "models": [{"id": "m", "match": {"equals": "m"}, "prices": [
                  {"prices": {"input_mtok": 1}}, {"constraint": {"weekday": "sat"}, "prices": {"input_mtok": 2}}]}]}]"""))
                .hasMessageContaining("openai/m: unknown price constraint");
    }

    @Test
    void shouldConvertThePackageData() throws IOException {
        JsonNode data;
        try (InputStream in = getClass().getResourceAsStream("/genai-prices/data-0.1.8.json")) {
            data = ConvertCommand.JSON.readTree(in);
        }
        var r = GenAiPricesConverter.convert(data, "npm @pydantic/genai-prices@0.1.8 (MIT)", "2026-12-04",
                "2026-09-23");
        Catalog c = r.catalog();
        ModelPrice gemini = only(c, "google", "gemini-2.5-pro");
        assertThat(gemini.getInputPerMtokNanos()).isEqualTo(nanos("1.25"));
        assertThat(gemini.getTiers()).singleElement().satisfies(t -> {
            assertThat(t.getInputTokensAbove()).isEqualTo(200_000);
            assertThat(t.getRates().getInputPerMtokNanos()).isEqualTo(nanos("2.5"));
            assertThat(t.getRates().getOutputPerMtokNanos()).isEqualTo(15 * B);
        });
        assertThat(c.prices()).filteredOn(p -> p.getProvider().equals("deepseek")
                && p.getModel().startsWith("deepseek-v4")).isNotEmpty()
                .allSatisfy(p -> assertThat(p.getDailyWindows()).isNotEmpty());
        ModelPrice sonnet = only(c, "anthropic", "claude-sonnet-4-0");
        assertThat(MatchRule.parse(sonnet.getMatch()).matches("claude-sonnet-4-20250514")).isTrue();
        assertThat(MatchRule.parse(sonnet.getMatch()).matches("claude-sonnet-4")).isTrue();
        assertThat(c.prices()).filteredOn(p -> p.getModel().equals("deepseek-v4-pro")
                && p.getProvider().equals("deepseek")).extracting(p -> p.getCachedInputPerMtokNanos())
                .containsExactly(nanos("0.003625"), nanos("0.022"));
        assertThat(c.providers()).extracting(ProviderRule::id).contains("azure", "bedrock", "xai");
        // What we write we read back unchanged (rules compare by their JSON: a Pattern has no equals).
        String text = CatalogWriter.write(c);
        Catalog back = CatalogFile.read(text.getBytes(java.nio.charset.StandardCharsets.UTF_8), "x");
        assertThat(back.prices().equals(c.prices())).isTrue();
        assertThat(CatalogWriter.write(back).equals(text)).isTrue();
    }

    private static ModelPrice only(Catalog c, String provider, String model) {
        return c.prices().stream().filter(p -> p.getProvider().equals(provider) && p.getModel().equals(model))
                .reduce((a, b) -> {
                    throw new AssertionError("more than one entry for " + model);
                }).orElseThrow();
    }
}
