package io.spendstream.local.bench;

import io.spendstream.pricing.Catalog;
import io.spendstream.pricing.CatalogFile;
import io.spendstream.pricing.PriceIndex;
import io.spendstream.pricing.TokenClass;
import io.spendstream.pricing.TokenCounts;
import java.time.Instant;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The pricing step alone, per event, on one thread: {@code PriceIndex.price} (name resolution, entry
 * in effect, tier and window, exact cost) for a realistic mix of model names as producers send them
 * (dated, aliased, routed, one unknown), with the shipped seed catalog; and how long re-indexing the
 * catalog takes, which the stream processor does once per price change.
 *
 * <pre>bin/bench pricing [--calls 20000000]</pre>
 */
public final class PricingBenchmark {
    private static final String[][] NAMES = {
            {"openai", "gpt-4o"}, {"openai", "gpt-4o-mini"}, {"openai", "gpt-4o-2024-08-06"}, {"openai", "gpt-5"},
            {"openai", "gpt-5-chat-latest"}, {"anthropic", "claude-sonnet-4-5"}, {"anthropic", "claude-sonnet-4-20250514"},
            {"anthropic", "claude-3-5-haiku-20241022"}, {"google", "gemini-2.5-pro"}, {"vertex_ai", "gemini-2.5-flash"},
            {"deepseek", "deepseek-chat"}, {"xai", "grok-4"}, {"mistral", "mistral-small-latest"},
            {"aws", "anthropic.claude-3-5-sonnet-20240620-v1:0"}, {"litellm", "openai/gpt-4o"},
            {"self-hosted", "acme-summarizer-8b"}};

    private PricingBenchmark() {}

    public static void main(String[] args) {
        long calls = Long.parseLong(BenchArgs.parse(args).getOrDefault("calls", "20000000"));
        Catalog seed = CatalogFile.load(null);

        long t0 = System.nanoTime();
        int builds = 50;
        PriceIndex index = null;
        for (int i = 0; i < builds; i++) {
            index = PriceIndex.of(seed.providers(), seed.prices());
        }
        double buildMs = (System.nanoTime() - t0) / 1e6 / builds;

        SplittableRandom rnd = new SplittableRandom(42);
        int n = 4096;
        String[][] names = new String[n][];
        TokenCounts[] counts = new TokenCounts[n];
        long[] at = new long[n];
        long now = Instant.parse("2026-12-04T12:00:00Z").toEpochMilli();
        for (int i = 0; i < n; i++) {
            names[i] = NAMES[rnd.nextInt(NAMES.length)];
            counts[i] = TokenCounts.builder().set(TokenClass.INPUT, rnd.nextLong(100, 300_000))
                    .set(TokenClass.CACHED_INPUT, rnd.nextInt(3) == 0 ? rnd.nextLong(0, 20_000) : 0)
                    .set(TokenClass.OUTPUT, rnd.nextLong(10, 4_000))
                    .set(TokenClass.REASONING, rnd.nextInt(4) == 0 ? rnd.nextLong(0, 3_000) : 0).build();
            at[i] = now - rnd.nextLong(0, 86_400_000L);
        }
        long sink = 0;
        long warm = Math.min(calls / 4, 5_000_000);
        for (long i = 0; i < warm; i++) {
            int k = (int) (i & (n - 1));
            sink += index.price(names[k][0], names[k][1], at[k], counts[k]).map(p -> p.cost().nanos()).orElse(0L);
        }
        long start = System.nanoTime();
        for (long i = 0; i < calls; i++) {
            int k = (int) (i & (n - 1));
            sink += index.price(names[k][0], names[k][1], at[k], counts[k]).map(p -> p.cost().nanos()).orElse(0L);
        }
        double nsPerCall = (System.nanoTime() - start) / (double) calls;
        System.out.printf(Locale.ROOT, "pricing: %,d calls over %d names as sent: %.1f ns per call (%,.0f calls/s),"
                + " one thread; catalog of %d entries indexed in %.2f ms (checksum %d)%n", calls, NAMES.length,
                nsPerCall, 1e9 / nsPerCall, seed.prices().size(), buildMs, sink);
        for (String[] nm : NAMES) {
            System.out.printf(Locale.ROOT, "  %-12s %-42s -> %s%n", nm[0], nm[1], index.resolve(nm[0], nm[1])
                    .map(m -> m.provider() + "/" + m.model()).orElse("unpriced"));
        }
    }
}
