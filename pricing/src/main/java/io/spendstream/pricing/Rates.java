package io.spendstream.pricing;

import io.spendstream.schema.ModelPrice;
import io.spendstream.schema.PriceRates;

/**
 * One complete set of prices, nano-USD per million tokens, one per {@link TokenClass}, with every
 * class that has no price of its own already resolved along {@link TokenClass#fallbacks()}.
 * Immutable.
 */
final class Rates {
    private final long[] perClass;

    private Rates(long[] perClass) {
        this.perClass = perClass;
    }

    long of(int classOrdinal) {
        return perClass[classOrdinal];
    }

    /** The base prices of an entry (its flat fields). */
    static Rates of(ModelPrice p) {
        Long[] own = new Long[TokenClass.count()];
        own[TokenClass.INPUT.ordinal()] = p.getInputPerMtokNanos();
        own[TokenClass.OUTPUT.ordinal()] = p.getOutputPerMtokNanos();
        own[TokenClass.CACHED_INPUT.ordinal()] = p.getCachedInputPerMtokNanos();
        own[TokenClass.CACHE_WRITE.ordinal()] = p.getCacheWritePerMtokNanos();
        own[TokenClass.CACHE_WRITE_1H.ordinal()] = p.getCacheWrite1hPerMtokNanos();
        own[TokenClass.INPUT_AUDIO.ordinal()] = p.getInputAudioPerMtokNanos();
        own[TokenClass.CACHED_INPUT_AUDIO.ordinal()] = p.getCachedInputAudioPerMtokNanos();
        own[TokenClass.INPUT_IMAGE.ordinal()] = p.getInputImagePerMtokNanos();
        own[TokenClass.OUTPUT_AUDIO.ordinal()] = p.getOutputAudioPerMtokNanos();
        own[TokenClass.OUTPUT_IMAGE.ordinal()] = p.getOutputImagePerMtokNanos();
        own[TokenClass.REASONING.ordinal()] = p.getReasoningPerMtokNanos();
        return resolve(own);
    }

    /** A tier's or a window's prices. */
    static Rates of(PriceRates r) {
        Long[] own = new Long[TokenClass.count()];
        own[TokenClass.INPUT.ordinal()] = r.getInputPerMtokNanos();
        own[TokenClass.OUTPUT.ordinal()] = r.getOutputPerMtokNanos();
        own[TokenClass.CACHED_INPUT.ordinal()] = r.getCachedInputPerMtokNanos();
        own[TokenClass.CACHE_WRITE.ordinal()] = r.getCacheWritePerMtokNanos();
        own[TokenClass.CACHE_WRITE_1H.ordinal()] = r.getCacheWrite1hPerMtokNanos();
        own[TokenClass.INPUT_AUDIO.ordinal()] = r.getInputAudioPerMtokNanos();
        own[TokenClass.CACHED_INPUT_AUDIO.ordinal()] = r.getCachedInputAudioPerMtokNanos();
        own[TokenClass.INPUT_IMAGE.ordinal()] = r.getInputImagePerMtokNanos();
        own[TokenClass.OUTPUT_AUDIO.ordinal()] = r.getOutputAudioPerMtokNanos();
        own[TokenClass.OUTPUT_IMAGE.ordinal()] = r.getOutputImagePerMtokNanos();
        own[TokenClass.REASONING.ordinal()] = r.getReasoningPerMtokNanos();
        return resolve(own);
    }

    private static Rates resolve(Long[] own) {
        long[] out = new long[own.length];
        for (TokenClass c : TokenClass.all()) {
            Long price = own[c.ordinal()];
            for (var it = c.fallbacks().iterator(); price == null && it.hasNext(); ) {
                price = own[it.next().ordinal()];
            }
            if (price == null || price < 0) {
                throw new IllegalArgumentException("no valid price for " + c.field() + " (input and output are required)");
            }
            out[c.ordinal()] = price;
        }
        return new Rates(out);
    }
}
