package io.spendstream.processor.pricing;

import io.spendstream.pricing.MatchRule;
import io.spendstream.processor.Keys;
import io.spendstream.schema.ModelPrice;
import java.math.BigDecimal;
import java.time.Instant;

/** Keys and unit conversions of the price catalog. */
public final class Prices {
    private Prices() {}

    /** Key of a price on the model-prices topic: provider|model|effective_from_millis. */
    public static String topicKey(ModelPrice p) {
        return Keys.join(p.getProvider(), p.getModel(), Long.toString(p.getEffectiveFrom().toEpochMilli()));
    }

    /** Key in the price store, ordered by time within (provider, model). */
    public static String storeKey(String provider, String model, long effectiveFromMillis) {
        return Keys.join(provider, model, Keys.paddedMillis(Math.max(0, effectiveFromMillis)));
    }

    public static String storeKey(ModelPrice p) {
        return storeKey(p.getProvider(), p.getModel(), p.getEffectiveFrom().toEpochMilli());
    }

    /** Store key for a topic key (tombstones carry only the key). */
    public static String storeKeyOfTopicKey(String topicKey) {
        var parts = Keys.split(topicKey);
        if (parts.size() != 3) {
            throw new IllegalArgumentException("not a model-prices key (provider|model|effective_from_millis): " + topicKey);
        }
        return storeKey(parts.get(0), parts.get(1), Long.parseLong(parts.get(2)));
    }

    /** USD per million tokens as a decimal string ("2.50") to nano-USD per million tokens, exactly. */
    public static long usdToNanos(String usd) {
        BigDecimal d = new BigDecimal(usd.strip());
        if (d.signum() < 0) {
            throw new ArithmeticException("negative price " + usd);
        }
        return d.movePointRight(9).longValueExact(); // throws on more than 9 decimals
    }

    public static BigDecimal nanosToUsd(long nanos) {
        return BigDecimal.valueOf(nanos, 9);
    }

    public static ModelPrice.Builder builder(String provider, String model, Instant effectiveFrom) {
        return ModelPrice.newBuilder().setProvider(MatchRule.normalize(provider)).setModel(MatchRule.normalize(model))
                .setEffectiveFrom(effectiveFrom).setCurrency("USD");
    }
}
