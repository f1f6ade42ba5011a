package io.spendstream.processor.pricing;

import io.spendstream.pricing.PriceIndex;
import io.spendstream.pricing.ProviderRule;
import io.spendstream.schema.ModelPrice;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The price index of one topology, kept in step with its global price store: the updater calls
 * {@link #changed()} after every write, and the next event re-indexes the store (a few hundred
 * entries, milliseconds) before it is priced. Restoration at start-up writes the store without the
 * updater, which is why the first use always indexes. Shared by every stream thread of the instance.
 */
public final class PriceCatalog {
    private static final Logger LOG = LoggerFactory.getLogger(PriceCatalog.class);

    private final List<ProviderRule> providers;
    private final AtomicLong version = new AtomicLong();
    private volatile Snapshot snapshot;

    public PriceCatalog(List<ProviderRule> providers) {
        this.providers = List.copyOf(providers);
    }

    /** The store changed: the next {@link #index} re-reads it. */
    public void changed() {
        version.incrementAndGet();
    }

    /** The index of the store's current content. */
    public PriceIndex index(ReadOnlyKeyValueStore<String, ModelPrice> store) {
        Snapshot s = snapshot;
        long v = version.get();
        if (s != null && s.version == v) {
            return s.index;
        }
        synchronized (this) {
            s = snapshot;
            v = version.get();
            if (s == null || s.version != v) {
                s = new Snapshot(v, build(store));
                snapshot = s;
            }
            return s.index;
        }
    }

    private PriceIndex build(ReadOnlyKeyValueStore<String, ModelPrice> store) {
        List<ModelPrice> entries = new ArrayList<>();
        try (KeyValueIterator<String, ModelPrice> it = store.all()) {
            it.forEachRemaining(kv -> entries.add(kv.value));
        }
        PriceIndex index = PriceIndex.of(providers, entries);
        for (String r : index.rejected()) {
            LOG.error("model-prices entry left out of pricing: {}", r);
        }
        return index;
    }

    private record Snapshot(long version, PriceIndex index) {}
}
