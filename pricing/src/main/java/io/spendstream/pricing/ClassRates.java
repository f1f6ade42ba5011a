package io.spendstream.pricing;

import io.spendstream.schema.ModelPrice;
import io.spendstream.schema.PriceRates;

/**
 * One complete set of prices, nano-USD per million tokens, one per {@link TokenClass}, with every
 * class that has no price of its own already resolved along {@link TokenClass#fallbacks()}.
 * Immutable.
 */
final class ClassRates {
    private final long[] perClass;

    private ClassRates(long[] perClass) {
        this.perClass = perClass;
    }

    long of(int classOrdinal) {
        return perClass[classOrdinal];
    }

    /** The base prices of an entry (its flat fields). */
    static ClassRates of(ModelPrice p) {
        Long[] own = new Long[TokenClass.count()];
        for (TokenClass c : TokenClass.all()) {
            own[c.ordinal()] = Rates.get(p, c);
        }
        return resolve(own);
    }

    /** A tier's or a window's prices. */
    static ClassRates of(PriceRates r) {
        Long[] own = new Long[TokenClass.count()];
        for (TokenClass c : TokenClass.all()) {
            own[c.ordinal()] = Rates.get(r, c);
        }
        return resolve(own);
    }

    private static ClassRates resolve(Long[] own) {
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
        return new ClassRates(out);
    }
}
