package io.spendstream.processor.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spendstream.schema.CallStatus;
import io.spendstream.schema.ModelPrice;
import io.spendstream.schema.UsageEvent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class PricingUnitsTest {
    private static UsageEvent tokens(long in, long out) {
        return UsageEvent.newBuilder().setEventId("e").setOrgId("o").setTimestamp(Instant.EPOCH)
                .setReceivedAt(Instant.EPOCH).setFeature("f").setProvider("p").setModel("m").setInputTokens(in)
                .setOutputTokens(out).setStatus(CallStatus.OK).build();
    }

    private static ModelPrice price(String in, String out) {
        return Prices.builder("p", "m", Instant.EPOCH).setInputPerMtokNanos(Prices.usdToNanos(in))
                .setOutputPerMtokNanos(Prices.usdToNanos(out)).build();
    }

    @Test
    void shouldConvertDecimalUsdToNanosExactlyAndRefuseMoreThanNineDecimals() {
        assertThat(Prices.usdToNanos("2.50")).isEqualTo(2_500_000_000L);
        assertThat(Prices.usdToNanos("0.0375")).isEqualTo(37_500_000L);
        assertThat(Prices.usdToNanos("0.000000001")).isEqualTo(1L);
        assertThatThrownBy(() -> Prices.usdToNanos("0.0000000001")).isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(() -> Prices.usdToNanos("-1")).isInstanceOf(ArithmeticException.class);
    }

    @Test
    void shouldRoundHalfUpOncePerEventToTheNanoDollar() {
        // 1 token at $0.0375/M = 0.0375 micro-USD = 37.5 nano-USD -> 38
        assertThat(CostCalculator.costNanos(tokens(1, 0), price("0.0375", "0"))).isEqualTo(38);
        // 3 tokens: 112.5 -> 113; 1 token at $0.0374/M: 37.4 -> 37
        assertThat(CostCalculator.costNanos(tokens(3, 0), price("0.0375", "0"))).isEqualTo(113);
        assertThat(CostCalculator.costNanos(tokens(1, 0), price("0.0374", "0"))).isEqualTo(37);
    }

    @Test
    void shouldStayExactWhereLongArithmeticWouldOverflow() {
        long huge = 4_000_000_000_000L; // tokens; times $150/M overflows a long in nano-USD * 1e6
        long cost = CostCalculator.costNanos(tokens(huge, huge), price("150", "600"));
        BigInteger expected = BigInteger.valueOf(huge).multiply(BigInteger.valueOf(750_000_000_000L))
                .add(BigInteger.valueOf(500_000)).divide(BigInteger.valueOf(1_000_000));
        assertThat(BigInteger.valueOf(cost)).isEqualTo(expected);
    }

    @Test
    void shouldMatchAnIndependentBigDecimalComputation() {
        var rnd = new java.util.Random(42);
        for (int i = 0; i < 10_000; i++) {
            long in = rnd.nextInt(2_000_000), out = rnd.nextInt(200_000);
            String pin = BigDecimal.valueOf(rnd.nextInt(20_000_000), 6).toPlainString();
            String pout = BigDecimal.valueOf(rnd.nextInt(80_000_000), 6).toPlainString();
            BigDecimal usd = new BigDecimal(pin).multiply(BigDecimal.valueOf(in))
                    .add(new BigDecimal(pout).multiply(BigDecimal.valueOf(out)))
                    .divide(BigDecimal.valueOf(1_000_000));
            long expected = usd.movePointRight(9).setScale(0, RoundingMode.HALF_UP).longValueExact();
            assertThat(CostCalculator.costNanos(tokens(in, out), price(pin, pout))).isEqualTo(expected);
        }
    }

    @Test
    void shouldOfferMostSpecificModelNamesFirst() {
        assertThat(ModelNames.candidates("GPT-4o-2024-08-06")).containsExactly("gpt-4o-2024-08-06", "gpt-4o");
        assertThat(ModelNames.candidates("claude-3-5-haiku-20241022")).containsExactly("claude-3-5-haiku-20241022",
                "claude-3-5-haiku");
        assertThat(ModelNames.candidates("accounts/fireworks/models/llama-v3p1-8b-instruct"))
                .containsExactly("accounts/fireworks/models/llama-v3p1-8b-instruct", "llama-v3p1-8b-instruct");
        assertThat(ModelNames.candidates("mistral-small-latest")).containsExactly("mistral-small-latest",
                "mistral-small");
        assertThat(ModelNames.candidates("gemini-2.0-flash@20250101")).containsExactly("gemini-2.0-flash@20250101",
                "gemini-2.0-flash");
        assertThat(ModelNames.candidates("gpt-4-0613")).containsExactly("gpt-4-0613");
    }

    @Test
    void shouldLoadTheShippedCatalogWithEveryRequiredProvider() {
        List<ModelPrice> all = SeedCatalog.load(null);
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
        assertThatThrownBy(() -> SeedCatalog.parse(json.getBytes(), "test.json"))
                .hasMessageContaining("test.json prices[0]");
    }
}
