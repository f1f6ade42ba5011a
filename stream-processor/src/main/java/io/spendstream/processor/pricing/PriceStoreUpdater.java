package io.spendstream.processor.pricing;

import io.spendstream.schema.ModelPrice;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the global price store in step with the compacted model-prices topic, on every instance:
 * a new or changed entry applies to events processed after it arrives, without a restart; a
 * tombstone removes the entry. Each change tells the {@link PriceCatalog} to re-index.
 */
public final class PriceStoreUpdater implements Processor<String, ModelPrice, Void, Void> {
    private static final Logger LOG = LoggerFactory.getLogger(PriceStoreUpdater.class);
    private final String storeName;
    private final PriceCatalog catalog;
    private KeyValueStore<String, ModelPrice> store;

    public PriceStoreUpdater(String storeName, PriceCatalog catalog) {
        this.storeName = storeName;
        this.catalog = catalog;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        store = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, ModelPrice> record) {
        try {
            if (record.value() == null) {
                if (record.key() != null) {
                    store.delete(Prices.storeKeyOfTopicKey(record.key()));
                    catalog.changed();
                }
                return;
            }
            store.put(Prices.storeKey(record.value()), record.value());
            catalog.changed();
        } catch (IllegalArgumentException e) {
            // A global store has no dead-letter path; a bad key must not stop every instance.
            LOG.error("ignoring model-prices record with key {}: {}", record.key(), e.getMessage());
        }
    }
}
