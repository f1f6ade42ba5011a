package io.spendstream.pricing;

import io.spendstream.schema.DailyPriceWindow;
import io.spendstream.schema.ModelPrice;
import io.spendstream.schema.PriceTier;
import java.math.BigInteger;
import java.util.List;

/**
 * A catalog entry made ready to price calls quickly: base rates, prompt-size tiers and daily time
 * windows, each with fallbacks resolved. Immutable and thread-safe; built once per entry.
 *
 * <p>Which rates a call pays: inside a daily window (event time, UTC; the last window of the list
 * that contains the instant wins) that window's rates and tiers, else the base rates and tiers; then
 * the highest tier whose {@code input_tokens_above} is below the call's total input tokens (all
 * input classes), if any. The whole call pays that one rate set: a long-context call is priced
 * entirely at the long-context rates, as Google, Anthropic and OpenAI bill it.
 */
public final class CompiledPrice {
    private static final long MILLION = 1_000_000L;
    private static final long DAY_MILLIS = 86_400_000L;

    private final ModelPrice entry;
    private final Schedule base;
    private final Window[] windows;

    private CompiledPrice(ModelPrice entry, Schedule base, Window[] windows) {
        this.entry = entry;
        this.base = base;
        this.windows = windows;
    }

    /** Compiles an entry; throws IllegalArgumentException for one that cannot price (negative, unordered tiers). */
    public static CompiledPrice of(ModelPrice p) {
        Schedule base = Schedule.of(ClassRates.of(p), p.getTiers());
        List<DailyPriceWindow> ws = p.getDailyWindows();
        Window[] windows = new Window[ws.size()];
        for (int i = 0; i < windows.length; i++) {
            DailyPriceWindow w = ws.get(i);
            if (w.getStartSecondUtc() < 0 || w.getStartSecondUtc() >= 86_400 || w.getEndSecondUtc() < 0
                    || w.getEndSecondUtc() > 86_400) {
                throw new IllegalArgumentException("daily window seconds must be within a day: " + w);
            }
            windows[i] = new Window(w.getStartSecondUtc() * 1000L, w.getEndSecondUtc() * 1000L,
                    w.getStartSecondUtc(), Schedule.of(ClassRates.of(w.getRates()), w.getTiers()));
        }
        return new CompiledPrice(p, base, windows);
    }

    public ModelPrice entry() {
        return entry;
    }

    /** The exact cost of a call made at {@code atMillis} (event time) with these counts. */
    public Cost cost(TokenCounts counts, long atMillis) {
        Schedule schedule = base;
        Integer windowStart = null;
        if (windows.length > 0) {
            long ms = Math.floorMod(atMillis, DAY_MILLIS);
            for (int i = windows.length - 1; i >= 0; i--) {
                if (windows[i].contains(ms)) {
                    schedule = windows[i].schedule;
                    windowStart = windows[i].startSecond;
                    break;
                }
            }
        }
        int tier = schedule.tierFor(counts);
        ClassRates rates = tier < 0 ? schedule.base : schedule.tierRates[tier];
        return new Cost(nanos(counts, rates), tier < 0 ? null : schedule.tierAbove[tier], windowStart);
    }

    /** Sum of count x rate over the classes, in nano-USD x 1e6, rounded half-up once to a whole nano-USD. */
    private static long nanos(TokenCounts counts, ClassRates rates) {
        int n = TokenClass.count();
        try {
            long micro = 0;
            for (int i = 0; i < n; i++) {
                micro = Math.addExact(micro, Math.multiplyExact(counts.get(i), rates.of(i)));
            }
            return Math.addExact(micro, MILLION / 2) / MILLION;
        } catch (ArithmeticException overflow) {
            BigInteger micro = BigInteger.ZERO;
            for (int i = 0; i < n; i++) {
                micro = micro.add(BigInteger.valueOf(counts.get(i)).multiply(BigInteger.valueOf(rates.of(i))));
            }
            return micro.add(BigInteger.valueOf(MILLION / 2)).divide(BigInteger.valueOf(MILLION)).longValueExact();
        }
    }

    /**
     * The cost of one call.
     *
     * @param nanos             exact cost in nano-USD
     * @param tierInputAbove    the tier that applied (its input_tokens_above), or null for the base rates
     * @param windowStartSecond the daily window that applied (its start, seconds after 00:00 UTC), or null
     */
    public record Cost(long nanos, Long tierInputAbove, Integer windowStartSecond) {}

    /** Base rates and ascending tiers. */
    private record Schedule(ClassRates base, long[] tierAbove, ClassRates[] tierRates) {
        static Schedule of(ClassRates base, List<PriceTier> tiers) {
            long[] above = new long[tiers.size()];
            ClassRates[] rates = new ClassRates[tiers.size()];
            for (int i = 0; i < above.length; i++) {
                above[i] = tiers.get(i).getInputTokensAbove();
                if (above[i] < 0 || (i > 0 && above[i] <= above[i - 1])) {
                    throw new IllegalArgumentException("tiers must be ascending by input_tokens_above, >= 0: " + tiers);
                }
                rates[i] = ClassRates.of(tiers.get(i).getRates());
            }
            return new Schedule(base, above, rates);
        }

        /** Index of the highest tier the call's total input exceeds, or -1. */
        int tierFor(TokenCounts counts) {
            if (tierAbove.length == 0) {
                return -1;
            }
            long input;
            try {
                input = counts.total(TokenClass.Direction.INPUT);
            } catch (ArithmeticException overflow) {
                return tierAbove.length - 1;
            }
            int tier = -1;
            for (int i = 0; i < tierAbove.length && input > tierAbove[i]; i++) {
                tier = i;
            }
            return tier;
        }
    }

    /** A daily UTC window [start, end), wrapping past midnight when end < start. */
    private record Window(long startMs, long endMs, int startSecond, Schedule schedule) {
        boolean contains(long msOfDay) {
            return endMs < startMs ? msOfDay >= startMs || msOfDay < endMs : msOfDay >= startMs && msOfDay < endMs;
        }
    }
}
