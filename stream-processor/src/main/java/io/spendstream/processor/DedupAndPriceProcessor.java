package io.spendstream.processor;

import io.spendstream.pricing.PriceIndex;
import io.spendstream.pricing.TokenCounts;
import io.spendstream.processor.pricing.PriceCatalog;
import io.spendstream.schema.CostSource;
import io.spendstream.schema.ModelPrice;
import io.spendstream.schema.PricedUsageEvent;
import io.spendstream.schema.UsageEvent;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Drops an event whose (org, event_id) was seen within the dedup retention, then prices it with the
 * catalog price in effect at the event's own timestamp (or the event's own cost), found by the
 * catalog's name rules ({@link PriceIndex}).
 *
 * <p>Dedup state is a window store keyed by org|event_id and stamped with the time the event was
 * received (the input record's timestamp), so it is bounded by the retention and does not depend
 * on producers' clocks. An input record whose key is not its org_id, or that has no value, throws:
 * the processing exception handler sends it to the dead-letter topic and processing continues.
 */
public final class DedupAndPriceProcessor implements Processor<String, UsageEvent, String, PricedUsageEvent> {
    private final long retentionMillis;
    private final PriceCatalog catalog;
    private final PipelineMetrics metrics;
    private final String[] children;
    private ProcessorContext<String, PricedUsageEvent> context;
    private WindowStore<String, Long> seen;
    private KeyValueStore<String, ModelPrice> priceStore;

    public DedupAndPriceProcessor(long retentionMillis, PriceCatalog catalog, PipelineMetrics metrics,
                                  String... children) {
        this.retentionMillis = retentionMillis;
        this.catalog = catalog;
        this.metrics = metrics;
        this.children = children;
    }

    @Override
    public void init(ProcessorContext<String, PricedUsageEvent> context) {
        this.context = context;
        this.seen = context.getStateStore(SpendTopology.DEDUP_STORE);
        this.priceStore = context.getStateStore(SpendTopology.PRICE_STORE);
    }

    @Override
    public void process(Record<String, UsageEvent> record) {
        UsageEvent e = record.value();
        if (e == null) {
            throw new IllegalArgumentException("usage event without a value (tombstone) with key " + record.key());
        }
        if (e.getOrgId().isEmpty() || e.getEventId().isEmpty()) {
            throw new IllegalArgumentException("usage event without org_id or event_id");
        }
        if (record.key() != null && !record.key().equals(e.getOrgId())) {
            throw new IllegalArgumentException("usage event key " + record.key() + " is not its org_id " + e.getOrgId()
                    + ": events must be keyed by org so that one org stays in one partition");
        }
        long now = record.timestamp();
        String dedupKey = Keys.join(e.getOrgId(), e.getEventId());
        try (WindowStoreIterator<Long> it =
                     seen.fetch(dedupKey, Math.max(0, now - retentionMillis), now + retentionMillis)) {
            if (it.hasNext()) {
                metrics.duplicate();
                return;
            }
        }
        seen.put(dedupKey, e.getTimestamp().toEpochMilli(), now);

        PricedUsageEvent priced = price(e);
        metrics.priced(priced.getCostSource());
        Record<String, PricedUsageEvent> out = record.withKey(e.getOrgId()).withValue(priced);
        for (String child : children) {
            context.forward(out, child);
        }
    }

    private PricedUsageEvent price(UsageEvent e) {
        PricedUsageEvent.Builder b = PricedUsageEvent.newBuilder().setEvent(e).setProcessedAt(Instant.now());
        if (e.getClientCostUsdNanos() != null) {
            return b.setCostUsdNanos(e.getClientCostUsdNanos()).setCostSource(CostSource.CLIENT).setPriced(true).build();
        }
        long at = e.getTimestamp().toEpochMilli();
        Optional<PriceIndex.Priced> price = catalog.index(priceStore).price(e.getProvider(), e.getModel(), at,
                TokenCounts.of(e));
        if (price.isEmpty()) {
            return b.setCostUsdNanos(0).setCostSource(CostSource.UNPRICED).setPriced(false).build();
        }
        ModelPrice p = price.get().entry();
        var cost = price.get().cost();
        return b.setCostUsdNanos(cost.nanos()).setCostSource(CostSource.CATALOG).setPriced(true)
                .setPriceProvider(p.getProvider()).setPriceModel(p.getModel())
                .setPriceEffectiveFrom(p.getEffectiveFrom()).setPriceTierInputTokensAbove(cost.tierInputAbove())
                .setPriceWindowStartSecondUtc(cost.windowStartSecond()).build();
    }
}
