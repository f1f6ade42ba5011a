package io.spendstream.processor.pricing;

import io.spendstream.schema.ModelPrice;
import java.util.Optional;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Finds the price in effect for (provider, model) at an instant in the catalog store: for each name
 * of {@link ModelNames#candidates}, the entry with the latest effective_from not after the instant.
 * A price change is therefore never retroactive.
 */
public final class PriceLookup {
    private final ReadOnlyKeyValueStore<String, ModelPrice> store;

    public PriceLookup(ReadOnlyKeyValueStore<String, ModelPrice> store) {
        this.store = store;
    }

    public Optional<ModelPrice> find(String provider, String model, long atMillis) {
        String p = ModelNames.normalize(provider);
        for (String candidate : ModelNames.candidates(model)) {
            Optional<ModelPrice> found = latestAtOrBefore(p, candidate, atMillis);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    private Optional<ModelPrice> latestAtOrBefore(String provider, String model, long atMillis) {
        if (atMillis < 0) {
            return Optional.empty();
        }
        try (KeyValueIterator<String, ModelPrice> it =
                     store.reverseRange(Prices.storeKey(provider, model, 0), Prices.storeKey(provider, model, atMillis))) {
            if (it.hasNext()) {
                KeyValue<String, ModelPrice> kv = it.next();
                return Optional.of(kv.value);
            }
            return Optional.empty();
        }
    }
}
