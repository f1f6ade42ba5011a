package io.spendstream.pricing;

import io.spendstream.schema.UsageEvent;
import java.util.Arrays;
import java.util.StringJoiner;

/**
 * The token counts of one call, one non-negative count per {@link TokenClass} (disjoint classes).
 * Immutable; build one with {@link #builder()} or read it from a {@link UsageEvent}.
 */
public final class TokenCounts {
    /**
     * The largest count one class of one call may have: ten billion tokens, a thousand times the
     * largest context windows. It keeps every cost of a call within a signed 64-bit nano-USD value for
     * prices up to $80,000 per million tokens, and catches unit mix-ups (characters, bytes) at the edge.
     */
    public static final long MAX_PER_CLASS = 10_000_000_000L;

    private static final TokenCounts ZERO = new TokenCounts(new long[TokenClass.count()]);

    private final long[] counts;

    private TokenCounts(long[] counts) {
        this.counts = counts;
    }

    public static TokenCounts zero() {
        return ZERO;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static TokenCounts of(UsageEvent e) {
        long[] c = new long[TokenClass.count()];
        c[TokenClass.INPUT.ordinal()] = e.getInputTokens();
        c[TokenClass.CACHED_INPUT.ordinal()] = e.getCachedInputTokens();
        c[TokenClass.CACHE_WRITE.ordinal()] = e.getCacheWriteTokens();
        c[TokenClass.CACHE_WRITE_1H.ordinal()] = e.getCacheWrite1hTokens();
        c[TokenClass.INPUT_AUDIO.ordinal()] = e.getInputAudioTokens();
        c[TokenClass.CACHED_INPUT_AUDIO.ordinal()] = e.getCachedInputAudioTokens();
        c[TokenClass.INPUT_IMAGE.ordinal()] = e.getInputImageTokens();
        c[TokenClass.OUTPUT.ordinal()] = e.getOutputTokens();
        c[TokenClass.REASONING.ordinal()] = e.getReasoningTokens();
        c[TokenClass.OUTPUT_AUDIO.ordinal()] = e.getOutputAudioTokens();
        c[TokenClass.OUTPUT_IMAGE.ordinal()] = e.getOutputImageTokens();
        return new TokenCounts(c);
    }

    /** Sets these counts on an event builder (every class field). */
    public UsageEvent.Builder applyTo(UsageEvent.Builder b) {
        return b.setInputTokens(get(TokenClass.INPUT))
                .setCachedInputTokens(get(TokenClass.CACHED_INPUT))
                .setCacheWriteTokens(get(TokenClass.CACHE_WRITE))
                .setCacheWrite1hTokens(get(TokenClass.CACHE_WRITE_1H))
                .setInputAudioTokens(get(TokenClass.INPUT_AUDIO))
                .setCachedInputAudioTokens(get(TokenClass.CACHED_INPUT_AUDIO))
                .setInputImageTokens(get(TokenClass.INPUT_IMAGE))
                .setOutputTokens(get(TokenClass.OUTPUT))
                .setReasoningTokens(get(TokenClass.REASONING))
                .setOutputAudioTokens(get(TokenClass.OUTPUT_AUDIO))
                .setOutputImageTokens(get(TokenClass.OUTPUT_IMAGE));
    }

    public long get(TokenClass c) {
        return counts[c.ordinal()];
    }

    long get(int ordinal) {
        return counts[ordinal];
    }

    /** Sum of the classes on one side of the call (exact; throws ArithmeticException past Long.MAX_VALUE). */
    public long total(TokenClass.Direction side) {
        long sum = 0;
        for (TokenClass c : TokenClass.all()) {
            if (c.direction() == side) {
                sum = Math.addExact(sum, counts[c.ordinal()]);
            }
        }
        return sum;
    }

    /** The first class whose count exceeds {@link #MAX_PER_CLASS}, or null. */
    public TokenClass overLimit() {
        for (TokenClass c : TokenClass.all()) {
            if (counts[c.ordinal()] > MAX_PER_CLASS) {
                return c;
            }
        }
        return null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenCounts t && Arrays.equals(counts, t.counts);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(counts);
    }

    @Override
    public String toString() {
        StringJoiner j = new StringJoiner(", ", "TokenCounts{", "}");
        for (TokenClass c : TokenClass.all()) {
            if (counts[c.ordinal()] != 0) {
                j.add(c.field() + "=" + counts[c.ordinal()]);
            }
        }
        return j.toString();
    }

    public static final class Builder {
        private final long[] counts = new long[TokenClass.count()];

        private Builder() {}

        /** Sets a class's count; negative counts are refused. */
        public Builder set(TokenClass c, long count) {
            if (count < 0) {
                throw new IllegalArgumentException(c.field() + " must be >= 0, was " + count);
            }
            counts[c.ordinal()] = count;
            return this;
        }

        public TokenCounts build() {
            return new TokenCounts(counts.clone());
        }
    }
}
