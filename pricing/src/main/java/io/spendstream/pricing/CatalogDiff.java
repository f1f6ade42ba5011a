package io.spendstream.pricing;

import io.spendstream.schema.DailyPriceWindow;
import io.spendstream.schema.ModelPrice;
import io.spendstream.schema.PriceRates;
import io.spendstream.schema.PriceTier;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What importing a catalog file would change on the price topic, per model, at one instant. Pure:
 * the caller reads the file and the topic and publishes {@link Result#toPublish()}.
 *
 * <p>Prices are never changed retroactively: a model whose price in effect at {@code at} differs
 * gets one new entry from {@code at} on with the file's prices in effect then; file entries dated
 * after {@code at} are published as they are. Models on the topic but not in the file are only
 * reported, because deleting a price would leave that model's events unpriced.
 */
public final class CatalogDiff {
    private CatalogDiff() {}

    public enum Kind { ADDED, CHANGED, REMOVED }

    /**
     * @param before  the topic's entry in effect at the instant (null: none)
     * @param after   the file's entry in effect at the instant (null: none)
     * @param details what differs, e.g. {@code input 2.5 -> 2}, {@code tiers}, {@code future entry 2027-01-01T00:00:00Z}
     */
    public record Change(Kind kind, String provider, String model, ModelPrice before, ModelPrice after,
                         List<String> details) {
        public Change {
            details = List.copyOf(details);
        }
    }

    /**
     * @param changes   added, changed and removed models, sorted by provider and model
     * @param unchanged models whose prices are the same in file and topic
     * @param toPublish entries to produce, in catalog order
     */
    public record Result(Instant at, List<Change> changes, int unchanged, List<ModelPrice> toPublish) {
        public Result {
            changes = List.copyOf(changes);
            toPublish = List.copyOf(toPublish);
        }

        public List<Change> of(Kind kind) {
            return changes.stream().filter(c -> c.kind() == kind).toList();
        }
    }

    /**
     * @param file  the file's entries
     * @param topic the topic's live entries (latest value per key, deleted ones left out)
     * @param at    the instant the new prices take effect (now, or later; never earlier)
     */
    public static Result diff(Collection<ModelPrice> file, Collection<ModelPrice> topic, Instant at) {
        Map<String, List<ModelPrice>> inFile = byModel(file);
        Map<String, List<ModelPrice>> onTopic = byModel(topic);
        TreeSet<String> models = new TreeSet<>(inFile.keySet());
        models.addAll(onTopic.keySet());
        List<Change> changes = new ArrayList<>();
        List<ModelPrice> publish = new ArrayList<>();
        int unchanged = 0;
        for (String key : models) {
            List<ModelPrice> f = inFile.getOrDefault(key, List.of());
            List<ModelPrice> t = onTopic.getOrDefault(key, List.of());
            ModelPrice tNow = inEffect(t, at);
            if (f.isEmpty()) {
                ModelPrice any = t.getFirst();
                changes.add(new Change(Kind.REMOVED, any.getProvider(), any.getModel(), tNow, null,
                        List.of("on the topic, not in the file: left as it is")));
                continue;
            }
            ModelPrice fNow = inEffect(f, at);
            List<String> details = new ArrayList<>();
            if (fNow != null && (tNow == null || !sameTerms(fNow, tNow))) {
                details.addAll(tNow == null ? List.of("no price in effect on the topic") : differences(tNow, fNow));
                publish.add(ModelPrice.newBuilder(fNow).setEffectiveFrom(at).build());
            }
            for (ModelPrice future : f) {
                if (future.getEffectiveFrom().isAfter(at)) {
                    ModelPrice same = t.stream().filter(x -> x.getEffectiveFrom().equals(future.getEffectiveFrom()))
                            .findFirst().orElse(null);
                    if (same == null || !sameTerms(same, future)) {
                        details.add("future entry " + future.getEffectiveFrom());
                        publish.add(future);
                    }
                }
            }
            if (details.isEmpty()) {
                unchanged++;
            } else {
                ModelPrice any = f.getFirst();
                changes.add(new Change(t.isEmpty() ? Kind.ADDED : Kind.CHANGED, any.getProvider(), any.getModel(),
                        tNow, fNow, details));
            }
        }
        publish.sort(CatalogFile.ORDER);
        return new Result(at, changes, unchanged, publish);
    }

    /** Whether two entries charge the same: rates, tiers, windows and the name rule; not source or dates. */
    public static boolean sameTerms(ModelPrice a, ModelPrice b) {
        return differences(a, b).isEmpty();
    }

    /** What differs between two entries' terms, in words. */
    public static List<String> differences(ModelPrice before, ModelPrice after) {
        List<String> d = new ArrayList<>();
        PriceRates a = Rates.base(before), b = Rates.base(after);
        for (TokenClass c : TokenClass.all()) {
            Long x = Rates.get(a, c), y = Rates.get(b, c);
            if (!Objects.equals(x, y)) {
                d.add(Rates.jsonKey(c) + " " + usd(x) + " -> " + usd(y));
            }
        }
        if (!tiers(before.getTiers()).equals(tiers(after.getTiers()))) {
            d.add("tiers");
        }
        if (!windows(before.getDailyWindows()).equals(windows(after.getDailyWindows()))) {
            d.add("daily windows");
        }
        if (!Objects.equals(rule(before.getMatch()), rule(after.getMatch()))) {
            d.add("match rule");
        }
        if (!Objects.equals(before.getMatchOrder(), after.getMatchOrder())) {
            d.add("match order " + before.getMatchOrder() + " -> " + after.getMatchOrder());
        }
        return d;
    }

    private static String usd(Long nanos) {
        return nanos == null ? "null" : CatalogWriter.usdText(nanos);
    }

    // Copies built fresh, so that records read from Avro bytes and records built in memory compare
    // equal (a decoded list is an Avro GenericData.Array, not a java.util.ArrayList).
    private static List<PriceTier> tiers(List<PriceTier> tiers) {
        return tiers.stream().map(t -> new PriceTier(t.getInputTokensAbove(), t.getRates())).toList();
    }

    private static List<DailyPriceWindow> windows(List<DailyPriceWindow> ws) {
        return ws.stream().map(w -> new DailyPriceWindow(w.getStartSecondUtc(), w.getEndSecondUtc(), w.getRates(),
                tiers(w.getTiers()))).toList();
    }

    private static String rule(String json) {
        return json == null ? null : MatchRule.parse(json).toJsonText();
    }

    private static ModelPrice inEffect(List<ModelPrice> entries, Instant at) {
        ModelPrice best = null;
        for (ModelPrice p : entries) {
            if (!p.getEffectiveFrom().isAfter(at)) {
                best = p; // sorted by effective_from
            }
        }
        return best;
    }

    private static Map<String, List<ModelPrice>> byModel(Collection<ModelPrice> entries) {
        Map<String, List<ModelPrice>> m = new TreeMap<>();
        for (ModelPrice p : entries) {
            m.computeIfAbsent(p.getProvider() + "|" + p.getModel(), k -> new ArrayList<>()).add(p);
        }
        m.values().forEach(l -> l.sort(Comparator.comparing(ModelPrice::getEffectiveFrom)));
        return m;
    }
}
