package io.spendstream.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spendstream.schema.DailyPriceWindow;
import io.spendstream.schema.ModelPrice;
import io.spendstream.schema.PriceRates;
import io.spendstream.schema.PriceTier;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CompiledPriceTest {
    private static final long T0 = Instant.parse("2026-10-01T12:00:00Z").toEpochMilli();

    static long usd(String perMtok) {
        return new BigDecimal(perMtok).movePointRight(9).longValueExact();
    }

    static ModelPrice.Builder entry(String in, String out) {
        return ModelPrice.newBuilder().setProvider("p").setModel("m").setEffectiveFrom(Instant.EPOCH)
                .setInputPerMtokNanos(usd(in)).setOutputPerMtokNanos(usd(out));
    }

    static PriceRates.Builder rates(String in, String out) {
        return PriceRates.newBuilder().setInputPerMtokNanos(usd(in)).setOutputPerMtokNanos(usd(out));
    }

    static TokenCounts counts(Object... classAndCount) {
        TokenCounts.Builder b = TokenCounts.builder();
        for (int i = 0; i < classAndCount.length; i += 2) {
            b.set((TokenClass) classAndCount[i], ((Number) classAndCount[i + 1]).longValue());
        }
        return b.build();
    }

    static long cost(ModelPrice p, TokenCounts c) {
        return CompiledPrice.of(p).cost(c, T0).nanos();
    }

    @Test
    void shouldRoundHalfUpOncePerCallToTheNanoDollar() {
        ModelPrice p = entry("0.0375", "0").build();
        // 1 token at $0.0375/M = 37.5 nano-USD -> 38; 3 tokens: 112.5 -> 113
        assertThat(cost(p, counts(TokenClass.INPUT, 1))).isEqualTo(38);
        assertThat(cost(p, counts(TokenClass.INPUT, 3))).isEqualTo(113);
        assertThat(cost(entry("0.0374", "0").build(), counts(TokenClass.INPUT, 1))).isEqualTo(37);
    }

    @Test
    void shouldStayExactWhereLongArithmeticWouldOverflow() {
        long huge = 4_000_000_000_000L; // tokens; times $150/M overflows a long in nano-USD * 1e6
        long cost = cost(entry("150", "600").build(), counts(TokenClass.INPUT, huge, TokenClass.OUTPUT, huge));
        BigInteger expected = BigInteger.valueOf(huge).multiply(BigInteger.valueOf(750_000_000_000L))
                .add(BigInteger.valueOf(500_000)).divide(BigInteger.valueOf(1_000_000));
        assertThat(BigInteger.valueOf(cost)).isEqualTo(expected);
    }

    @Test
    void shouldMatchAnIndependentBigDecimalComputationOverEveryClass() {
        Random rnd = new Random(42);
        for (int i = 0; i < 5_000; i++) {
            BigDecimal[] price = new BigDecimal[TokenClass.count()];
            ModelPrice.Builder b = entry("0", "0");
            PriceRates.Builder r = rates("0", "0");
            for (TokenClass c : TokenClass.all()) {
                price[c.ordinal()] = BigDecimal.valueOf(rnd.nextInt(80_000_000), 6);
            }
            b.setInputPerMtokNanos(usd(price[0].toPlainString()));
            b.setOutputPerMtokNanos(usd(price[TokenClass.OUTPUT.ordinal()].toPlainString()));
            b.setCachedInputPerMtokNanos(usd(price[TokenClass.CACHED_INPUT.ordinal()].toPlainString()))
                    .setCacheWritePerMtokNanos(usd(price[TokenClass.CACHE_WRITE.ordinal()].toPlainString()))
                    .setCacheWrite1hPerMtokNanos(usd(price[TokenClass.CACHE_WRITE_1H.ordinal()].toPlainString()))
                    .setInputAudioPerMtokNanos(usd(price[TokenClass.INPUT_AUDIO.ordinal()].toPlainString()))
                    .setCachedInputAudioPerMtokNanos(usd(price[TokenClass.CACHED_INPUT_AUDIO.ordinal()].toPlainString()))
                    .setInputImagePerMtokNanos(usd(price[TokenClass.INPUT_IMAGE.ordinal()].toPlainString()))
                    .setReasoningPerMtokNanos(usd(price[TokenClass.REASONING.ordinal()].toPlainString()))
                    .setOutputAudioPerMtokNanos(usd(price[TokenClass.OUTPUT_AUDIO.ordinal()].toPlainString()))
                    .setOutputImagePerMtokNanos(usd(price[TokenClass.OUTPUT_IMAGE.ordinal()].toPlainString()));
            TokenCounts.Builder cb = TokenCounts.builder();
            BigDecimal usd = BigDecimal.ZERO;
            for (TokenClass c : TokenClass.all()) {
                long n = rnd.nextInt(2_000_000);
                cb.set(c, n);
                usd = usd.add(price[c.ordinal()].multiply(BigDecimal.valueOf(n)));
            }
            long expected = usd.divide(BigDecimal.valueOf(1_000_000)).movePointRight(9)
                    .setScale(0, RoundingMode.HALF_UP).longValueExact();
            assertThat(cost(b.build(), cb.build())).isEqualTo(expected);
        }
    }

    @Test
    void shouldBillAClassWithoutItsOwnPriceAtItsNearestPricedAncestor() {
        ModelPrice p = entry("3", "15").setCacheWritePerMtokNanos(usd("3.75")).build();
        // 1h cache writes without a price of their own -> the cache-write price, not input
        assertThat(cost(p, counts(TokenClass.CACHE_WRITE_1H, 1_000_000))).isEqualTo(3_750_000_000L);
        // cached audio without cached-input or input-audio prices -> input
        assertThat(cost(p, counts(TokenClass.CACHED_INPUT_AUDIO, 1_000_000))).isEqualTo(3_000_000_000L);
        // reasoning, audio and image output -> output
        assertThat(cost(p, counts(TokenClass.REASONING, 1_000_000, TokenClass.OUTPUT_AUDIO, 1_000_000,
                TokenClass.OUTPUT_IMAGE, 1_000_000))).isEqualTo(45_000_000_000L);
        ModelPrice audio = entry("2.5", "10").setInputAudioPerMtokNanos(usd("40")).build();
        assertThat(cost(audio, counts(TokenClass.CACHED_INPUT_AUDIO, 1_000_000))).isEqualTo(40_000_000_000L);
    }

    @Test
    void shouldPriceTheWholeCallAtTheHighestTierItsTotalInputExceeds() {
        // Gemini 2.5 Pro: $1.25 / $10 up to 200k input tokens, $2.50 / $15 above
        ModelPrice p = entry("1.25", "10").setCachedInputPerMtokNanos(usd("0.31"))
                .setTiers(List.of(new PriceTier(200_000L, rates("2.5", "15").setCachedInputPerMtokNanos(usd("0.625"))
                        .build()))).build();
        CompiledPrice c = CompiledPrice.of(p);
        assertThat(c.cost(counts(TokenClass.INPUT, 300_000), T0).nanos()).isEqualTo(750_000_000L);
        assertThat(c.cost(counts(TokenClass.INPUT, 300_000), T0).tierInputAbove()).isEqualTo(200_000L);
        // exactly 200,000 is not above the tier
        assertThat(c.cost(counts(TokenClass.INPUT, 200_000), T0).nanos()).isEqualTo(250_000_000L);
        assertThat(c.cost(counts(TokenClass.INPUT, 200_000), T0).tierInputAbove()).isNull();
        // cached input counts towards the tier and pays the tier's cached price; output pays the tier's
        assertThat(c.cost(counts(TokenClass.INPUT, 150_000, TokenClass.CACHED_INPUT, 100_000,
                TokenClass.OUTPUT, 10_000), T0).nanos()).isEqualTo(375_000_000L + 62_500_000L + 150_000_000L);
        // output alone never moves the tier
        assertThat(c.cost(counts(TokenClass.INPUT, 1000, TokenClass.OUTPUT, 1_000_000), T0).tierInputAbove()).isNull();
    }

    @Test
    void shouldUseTheLastDailyWindowThatContainsTheEventTimeInUtc() {
        // off-peak base; peak 01:00-04:00 and 06:00-10:00 UTC; a wrapping window 22:00-02:00 listed first
        ModelPrice p = entry("0.07", "0.28").setDailyWindows(List.of(
                new DailyPriceWindow(22 * 3600, 2 * 3600, rates("0.5", "0.5").build(), List.of()),
                new DailyPriceWindow(3600, 4 * 3600, rates("0.14", "0.56").build(), List.of()),
                new DailyPriceWindow(6 * 3600, 10 * 3600, rates("0.14", "0.56").build(), List.of()))).build();
        CompiledPrice c = CompiledPrice.of(p);
        TokenCounts oneM = counts(TokenClass.INPUT, 1_000_000);
        assertThat(c.cost(oneM, at("2026-10-01T00:59:59.999Z")).nanos()).isEqualTo(500_000_000L);
        assertThat(c.cost(oneM, at("2026-10-01T01:00:00Z")).nanos()).isEqualTo(140_000_000L); // later window wins
        assertThat(c.cost(oneM, at("2026-10-01T01:00:00Z")).windowStartSecond()).isEqualTo(3600);
        assertThat(c.cost(oneM, at("2026-10-01T03:59:59.999Z")).nanos()).isEqualTo(140_000_000L);
        assertThat(c.cost(oneM, at("2026-10-01T04:00:00Z")).nanos()).isEqualTo(70_000_000L);
        assertThat(c.cost(oneM, at("2026-10-01T04:00:00Z")).windowStartSecond()).isNull();
        assertThat(c.cost(oneM, at("2026-10-01T09:30:00Z")).nanos()).isEqualTo(140_000_000L);
        assertThat(c.cost(oneM, at("2026-10-01T23:00:00Z")).nanos()).isEqualTo(500_000_000L);
        assertThat(c.cost(oneM, at("1969-12-31T23:00:00Z")).nanos()).isEqualTo(500_000_000L); // before the epoch
    }

    @Test
    void shouldRefuseTiersOutOfOrderOrWindowsOutsideADay() {
        assertThatThrownBy(() -> CompiledPrice.of(entry("1", "1").setTiers(List.of(
                new PriceTier(200_000L, rates("2", "2").build()), new PriceTier(100_000L, rates("3", "3").build())))
                .build())).hasMessageContaining("ascending");
        assertThatThrownBy(() -> CompiledPrice.of(entry("1", "1").setDailyWindows(List.of(
                new DailyPriceWindow(0, 90_000, rates("2", "2").build(), List.of()))).build()))
                .hasMessageContaining("within a day");
    }

    private static long at(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }
}
