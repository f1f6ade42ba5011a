package io.spendstream.processor.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spendstream.pricing.CatalogFile;
import io.spendstream.schema.ModelPrice;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class PricingUnitsTest {
    @Test
    void shouldConvertDecimalUsdToNanosExactlyAndRefuseMoreThanNineDecimals() {
        assertThat(Prices.usdToNanos("2.50")).isEqualTo(2_500_000_000L);
        assertThat(Prices.usdToNanos("0.0375")).isEqualTo(37_500_000L);
        assertThat(Prices.usdToNanos("0.000000001")).isEqualTo(1L);
        assertThatThrownBy(() -> Prices.usdToNanos("0.0000000001")).isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(() -> Prices.usdToNanos("-1")).isInstanceOf(ArithmeticException.class);
    }

    @Test
    void shouldLoadTheShippedCatalogWithEveryRequiredProvider() {
        List<ModelPrice> all = CatalogFile.load(null).prices();
        Map<String, Long> perProvider = all.stream().collect(Collectors.groupingBy(ModelPrice::getProvider,
                Collectors.counting()));
        assertThat(perProvider).containsKeys("openai", "anthropic", "google", "mistral", "xai", "deepseek", "groq",
                "together", "fireworks");
        ModelPrice gpt4o = all.stream().filter(p -> p.getProvider().equals("openai") && p.getModel().equals("gpt-4o"))
                .findFirst().orElseThrow();
        assertThat(gpt4o.getInputPerMtokNanos()).isEqualTo(2_500_000_000L);
        assertThat(gpt4o.getOutputPerMtokNanos()).isEqualTo(10_000_000_000L);
        assertThat(gpt4o.getSource()).startsWith("https://");
        assertThat(all).allSatisfy(p -> assertThat(p.getSourceDate()).matches("\\d{4}-\\d{2}-\\d{2}"));
    }

    @Test
    void shouldRejectACatalogEntryWithTooManyDecimalsNamingIt() {
        String json = """
                {"prices": [{"provider": "p", "model": "m", "effective_from": "2026-01-01T00:00:00Z",
                  "input_per_mtok": "0.0000000001", "output_per_mtok": "1"}]}""";
        assertThatThrownBy(() -> CatalogFile.read(json.getBytes(), "test.json"))
                .hasMessageContaining("test.json prices[0]");
    }
}
