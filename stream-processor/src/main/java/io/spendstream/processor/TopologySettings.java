package io.spendstream.processor;

import io.spendstream.pricing.ProviderRule;
import io.spendstream.processor.budget.BudgetSettings;
import io.spendstream.pricing.CatalogFile;
import io.spendstream.schema.ModelPrice;
import io.spendstream.schema.PricedUsageEvent;
import io.spendstream.schema.SpendRollup;
import io.spendstream.schema.UsageEvent;
import io.spendstream.schema.WindowSize;
import io.spendstream.schemas.topics.TopicSpec;
import io.spendstream.schemas.topics.Topics;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What the topology needs to know, independent of how it is deployed.
 *
 * @param dedupRetention how long an (org, event_id) is remembered
 * @param grace          per window size: how long after a window's end events are still counted in it
 * @param emitInterval   how often changed rollups are emitted (wall clock)
 * @param purgeInterval  how often closed windows are dropped from the store (wall clock)
 * @param budgets        topics and settings of budgets and alerts
 * @param priceProviders provider rules of the price catalog (aliases, fallbacks), from the seed catalog file
 */
public record TopologySettings(Duration dedupRetention, Map<WindowSize, Duration> grace, Duration emitInterval,
                               Duration purgeInterval, TopicSpec<String, UsageEvent> usageEvents,
                               TopicSpec<String, PricedUsageEvent> pricedEvents,
                               TopicSpec<String, SpendRollup> rollups,
                               TopicSpec<String, PricedUsageEvent> lateEvents,
                               TopicSpec<String, ModelPrice> modelPrices, BudgetSettings budgets,
                               List<ProviderRule> priceProviders) {
    public TopologySettings {
        grace = Map.copyOf(new EnumMap<>(grace));
        priceProviders = List.copyOf(priceProviders);
        for (WindowSize w : WindowSize.values()) {
            if (!grace.containsKey(w)) {
                throw new IllegalArgumentException("no grace for " + w);
            }
        }
    }

    public static TopologySettings defaults() {
        return new TopologySettings(Duration.ofDays(7),
                Map.of(WindowSize.MINUTE, Duration.ofMinutes(2), WindowSize.HOUR, Duration.ofMinutes(10),
                        WindowSize.DAY, Duration.ofHours(1)),
                Duration.ofMillis(100), Duration.ofMinutes(1),
                Topics.USAGE_EVENTS, Topics.PRICED_USAGE_EVENTS, Topics.SPEND_ROLLUPS, Topics.LATE_USAGE_EVENTS,
                Topics.MODEL_PRICES, BudgetSettings.defaults(), CatalogFile.load(null).providers());
    }

    public TopologySettings withGrace(WindowSize size, Duration g) {
        Map<WindowSize, Duration> m = new EnumMap<>(grace);
        m.put(size, g);
        return new TopologySettings(dedupRetention, m, emitInterval, purgeInterval, usageEvents, pricedEvents, rollups,
                lateEvents, modelPrices, budgets, priceProviders);
    }

    public TopologySettings withDedupRetention(Duration d) {
        return new TopologySettings(d, grace, emitInterval, purgeInterval, usageEvents, pricedEvents, rollups,
                lateEvents, modelPrices, budgets, priceProviders);
    }

    public TopologySettings withBudgets(BudgetSettings b) {
        return new TopologySettings(dedupRetention, grace, emitInterval, purgeInterval, usageEvents, pricedEvents, rollups,
                lateEvents, modelPrices, b, priceProviders);
    }

    public static long sizeMillis(WindowSize size) {
        return switch (size) {
            case MINUTE -> 60_000L;
            case HOUR -> 3_600_000L;
            case DAY -> 86_400_000L;
        };
    }
}
