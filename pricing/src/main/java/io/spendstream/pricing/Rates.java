package io.spendstream.pricing;

import io.spendstream.schema.ModelPrice;
import io.spendstream.schema.PriceRates;
import java.util.List;

/**
 * Per-class price access on the generated Avro records. ModelPrice (its base prices) and PriceRates
 * name a class's price the same way, {@code <json key>_nanos}, so one table of field names serves
 * both, and a new class needs no code here.
 */
public final class Rates {
    private Rates() {}

    /** The classes in the catalog file's key order: input and output first, then as the JSON format lists them. */
    public static final List<TokenClass> FILE_ORDER = List.of(TokenClass.INPUT, TokenClass.OUTPUT,
            TokenClass.CACHED_INPUT, TokenClass.CACHE_WRITE, TokenClass.CACHE_WRITE_1H, TokenClass.INPUT_AUDIO,
            TokenClass.CACHED_INPUT_AUDIO, TokenClass.INPUT_IMAGE, TokenClass.OUTPUT_AUDIO, TokenClass.OUTPUT_IMAGE,
            TokenClass.REASONING);

    /** The catalog JSON key of a class's price: {@code input_tokens} -> {@code input_per_mtok}. */
    public static String jsonKey(TokenClass c) {
        return c.field().replace("_tokens", "_per_mtok");
    }

    private static String avroField(TokenClass c) {
        return jsonKey(c) + "_nanos";
    }

    /** A class's price in nano-USD per million tokens; null: it falls back (never for input/output). */
    public static Long get(PriceRates r, TokenClass c) {
        return (Long) r.get(avroField(c));
    }

    public static Long get(ModelPrice p, TokenClass c) {
        return (Long) p.get(avroField(c));
    }

    /** Rates from one value per class (indexed by ordinal); input and output must be set. */
    public static PriceRates of(Long[] byClass) {
        requireInputOutput(byClass);
        PriceRates r = new PriceRates();
        for (TokenClass c : TokenClass.all()) {
            r.put(avroField(c), byClass[c.ordinal()]);
        }
        return r;
    }

    /** The base prices of an entry as rates. */
    public static PriceRates base(ModelPrice p) {
        Long[] v = new Long[TokenClass.count()];
        for (TokenClass c : TokenClass.all()) {
            v[c.ordinal()] = get(p, c);
        }
        return of(v);
    }

    /** Sets an entry's base prices from rates (on the builder, before build()). */
    public static ModelPrice.Builder setBase(ModelPrice.Builder b, PriceRates r) {
        return b.setInputPerMtokNanos(get(r, TokenClass.INPUT))
                .setOutputPerMtokNanos(get(r, TokenClass.OUTPUT))
                .setCachedInputPerMtokNanos(get(r, TokenClass.CACHED_INPUT))
                .setCacheWritePerMtokNanos(get(r, TokenClass.CACHE_WRITE))
                .setCacheWrite1hPerMtokNanos(get(r, TokenClass.CACHE_WRITE_1H))
                .setInputAudioPerMtokNanos(get(r, TokenClass.INPUT_AUDIO))
                .setCachedInputAudioPerMtokNanos(get(r, TokenClass.CACHED_INPUT_AUDIO))
                .setInputImagePerMtokNanos(get(r, TokenClass.INPUT_IMAGE))
                .setOutputAudioPerMtokNanos(get(r, TokenClass.OUTPUT_AUDIO))
                .setOutputImagePerMtokNanos(get(r, TokenClass.OUTPUT_IMAGE))
                .setReasoningPerMtokNanos(get(r, TokenClass.REASONING));
    }

    private static void requireInputOutput(Long[] v) {
        for (TokenClass c : new TokenClass[] {TokenClass.INPUT, TokenClass.OUTPUT}) {
            if (v[c.ordinal()] == null) {
                throw new IllegalArgumentException("\"" + jsonKey(c) + "\" is required");
            }
        }
    }
}
