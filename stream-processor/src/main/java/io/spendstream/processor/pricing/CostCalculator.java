package io.spendstream.processor.pricing;

import io.spendstream.schema.ModelPrice;
import io.spendstream.schema.UsageEvent;
import java.math.BigInteger;

/**
 * The exact cost of one event in nano-USD. Prices are nano-USD per million tokens (integers), so
 * the cost is {@code sum(tokens_class * price_class) / 1,000,000}, rounded half-up once per event to
 * a whole nano-dollar. Integer arithmetic throughout; BigInteger when a product would overflow.
 *
 * <p>Classes without a price of their own: cached input and cache writes are billed as input,
 * reasoning as output (how most providers bill reasoning tokens).
 */
public final class CostCalculator {
    private static final long MILLION = 1_000_000L;

    private CostCalculator() {}

    public static long costNanos(UsageEvent e, ModelPrice p) {
        long input = p.getInputPerMtokNanos();
        long output = p.getOutputPerMtokNanos();
        long cached = p.getCachedInputPerMtokNanos() != null ? p.getCachedInputPerMtokNanos() : input;
        long cacheWrite = p.getCacheWritePerMtokNanos() != null ? p.getCacheWritePerMtokNanos() : input;
        long reasoning = p.getReasoningPerMtokNanos() != null ? p.getReasoningPerMtokNanos() : output;
        long[] tokens = {e.getInputTokens(), e.getOutputTokens(), e.getCachedInputTokens(), e.getCacheWriteTokens(),
                e.getReasoningTokens()};
        long[] prices = {input, output, cached, cacheWrite, reasoning};
        try {
            long micro = 0; // nano-USD * 1e6
            for (int i = 0; i < tokens.length; i++) {
                micro = Math.addExact(micro, Math.multiplyExact(tokens[i], prices[i]));
            }
            return Math.addExact(micro, MILLION / 2) / MILLION;
        } catch (ArithmeticException overflow) {
            BigInteger micro = BigInteger.ZERO;
            for (int i = 0; i < tokens.length; i++) {
                micro = micro.add(BigInteger.valueOf(tokens[i]).multiply(BigInteger.valueOf(prices[i])));
            }
            return micro.add(BigInteger.valueOf(MILLION / 2)).divide(BigInteger.valueOf(MILLION)).longValueExact();
        }
    }
}
