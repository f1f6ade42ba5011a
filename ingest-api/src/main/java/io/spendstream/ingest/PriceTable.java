package io.spendstream.ingest;

import io.spendstream.schemas.topics.TopicFollower;
import io.spendstream.config.KafkaClientSettings;
import io.spendstream.pricing.PriceIndex;
import io.spendstream.pricing.ProviderRule;
import io.spendstream.schema.ModelPrice;
import io.spendstream.schemas.registry.SchemaRegistry;
import io.spendstream.schemas.topics.TopicSpec;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model price catalog as one ingest-api instance sees it, read whole from the compacted
 * model-prices topic by a {@link TopicFollower} and kept following it, indexed with the stream
 * processor's own name rules ({@link PriceIndex}). It answers one question on the events path:
 * would the catalog price this (provider, model) at that time? A "no" becomes an
 * {@code unpriced_model} warning in the 202, so a producer sees a typo on its first call.
 *
 * <p>It is not part of readiness: events are accepted whatever the catalog says, and before the
 * table is loaded no warning is given (rather than false ones). The stream processor decides the
 * price; this is advice, and can differ only for a price change that reaches one before the other.
 */
public final class PriceTable implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PriceTable.class);

    private final Map<String, ModelPrice> entries = new ConcurrentHashMap<>();
    private final List<ProviderRule> providers;
    private final Deserializer<ModelPrice> deserializer;
    private final TopicFollower follower;
    private volatile PriceIndex index;

    public PriceTable(KafkaClientSettings kafka, SchemaRegistry registry, TopicSpec<String, ModelPrice> pricesTopic,
                      List<ProviderRule> providers) {
        this.providers = List.copyOf(providers);
        this.deserializer = pricesTopic.valueSerde(registry).deserializer();
        this.follower = new TopicFollower("ingest-price-table", kafka, List.of(pricesTopic.name()),
                this::applyRecord, () -> LOG.info("price table loaded: {} entries", entries.size()));
    }

    public void start() {
        follower.start();
    }

    public boolean loaded() {
        return follower.loaded();
    }

    /**
     * False when the table is loaded and the catalog has no price for the call at that time; true
     * otherwise (priced, or not known yet).
     */
    public boolean prices(String provider, String model, long atMillis) {
        if (!loaded()) {
            return true;
        }
        PriceIndex i = index;
        if (i == null) {
            i = reindex();
        }
        return i.resolve(provider, model).map(m -> m.at(atMillis) != null).orElse(false);
    }

    private synchronized PriceIndex reindex() {
        PriceIndex i = index;
        if (i == null) {
            i = PriceIndex.of(providers, List.copyOf(entries.values()));
            index = i;
        }
        return i;
    }

    private void applyRecord(ConsumerRecord<String, byte[]> r) {
        if (r.key() == null) {
            return;
        }
        if (r.value() == null) {
            entries.remove(r.key());
        } else {
            entries.put(r.key(), deserializer.deserialize(r.topic(), r.value()));
        }
        index = null;
    }

    @Override
    public void close() {
        follower.close();
    }
}
