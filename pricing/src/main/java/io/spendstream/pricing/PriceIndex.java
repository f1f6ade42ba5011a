package io.spendstream.pricing;

import io.spendstream.schema.ModelPrice;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An immutable snapshot of the price catalog, indexed to price calls: which catalog model a
 * (provider, model) as sent means, and its entry in effect at an instant. Thread-safe; build a new
 * one when the catalog changes.
 *
 * <p>Lookup order, on names lower-cased and trimmed:
 * <ol>
 *   <li>Provider: a catalog provider with that id; else the first provider rule whose
 *       {@code provider_match} matches ({@code vertex} → google, {@code aws} → bedrock); else, for a
 *       provider the catalog does not know, the first rule whose {@code model_match} matches the model
 *       ({@code gpt-4o} → openai); else the routing prefix of the model ({@code anthropic/claude-…}).</li>
 *   <li>Model, within that provider: the first model, in {@code match_order}, whose match rule
 *       matches the name; then the models of the provider's fallback providers (azure → openai);
 *       then the same with a compact date written as an ISO date ({@link ModelNames#isoDated}). This is
 *       the price source's own order, so a name it prices is priced with the same entry.</li>
 *   <li>Last resort, for names no rule matches: {@link ModelNames#shorterNames}, each by exact model id
 *       or rule, in the provider and its fallbacks.</li>
 *   <li>Entry: the one with the latest {@code effective_from} not after the call's time. None: unpriced.</li>
 * </ol>
 * Resolutions are cached per name as sent, so the rules run once per distinct name.
 */
public final class PriceIndex {
    private static final int MAX_CACHED_NAMES = 100_000;
    private static final Model NONE = new Model("", "", MatchRule.equalsName(""), Integer.MAX_VALUE,
            new long[0], new CompiledPrice[0]);

    private final List<ProviderRule> rules;
    private final Map<String, ProviderRule> rulesById;
    private final Map<String, List<Model>> modelsByProvider;
    private final List<String> rejected;
    private final ConcurrentHashMap<String, Model> resolved = new ConcurrentHashMap<>();

    private PriceIndex(List<ProviderRule> rules, Map<String, List<Model>> modelsByProvider, List<String> rejected) {
        this.rules = rules;
        this.rulesById = new HashMap<>();
        rules.forEach(r -> rulesById.putIfAbsent(r.id(), r));
        this.modelsByProvider = modelsByProvider;
        this.rejected = List.copyOf(rejected);
    }

    /**
     * Indexes catalog entries. An entry that cannot price (e.g. unordered tiers) or whose match rule
     * does not parse is left out and listed in {@link #rejected()}, so one bad record on the topic
     * cannot stop pricing.
     */
    public static PriceIndex of(List<ProviderRule> providers, Iterable<ModelPrice> entries) {
        Map<String, Map<String, List<ModelPrice>>> grouped = new LinkedHashMap<>();
        for (ModelPrice p : entries) {
            grouped.computeIfAbsent(MatchRule.normalize(p.getProvider()), k -> new LinkedHashMap<>())
                    .computeIfAbsent(MatchRule.normalize(p.getModel()), k -> new ArrayList<>()).add(p);
        }
        List<String> rejected = new ArrayList<>();
        Map<String, List<Model>> byProvider = new HashMap<>();
        grouped.forEach((provider, models) -> {
            List<Model> list = new ArrayList<>(models.size());
            models.forEach((model, list2) -> {
                Model m = Model.of(provider, model, list2, rejected);
                if (m != null) {
                    list.add(m);
                }
            });
            list.sort(Comparator.comparingInt(Model::order).thenComparing(Model::model));
            byProvider.put(provider, List.copyOf(list));
        });
        return new PriceIndex(List.copyOf(providers), byProvider, rejected);
    }

    /** Entries left out of the index, with why. */
    public List<String> rejected() {
        return rejected;
    }

    /** The catalog model that prices calls of this provider and model as sent, if any. */
    public Optional<Model> resolve(String provider, String model) {
        String key = provider + '\n' + model;
        Model m = resolved.get(key);
        if (m == null) {
            if (resolved.size() >= MAX_CACHED_NAMES) {
                resolved.clear();
            }
            m = find(MatchRule.normalize(provider), MatchRule.normalize(model));
            resolved.put(key, m == null ? NONE : m);
        }
        return m == NONE || m == null ? Optional.empty() : Optional.of(m);
    }

    /** The price of a call: its catalog entry in effect at {@code atMillis} and the exact cost. */
    public Optional<Priced> price(String provider, String model, long atMillis, TokenCounts counts) {
        Optional<Model> m = resolve(provider, model);
        if (m.isEmpty()) {
            return Optional.empty();
        }
        CompiledPrice p = m.get().at(atMillis);
        return p == null ? Optional.empty() : Optional.of(new Priced(p.entry(), p.cost(counts, atMillis)));
    }

    private Model find(String provider, String model) {
        String id = providerOf(provider, model);
        String name = model;
        if (id == null) {
            int slash = model.indexOf('/');
            if (slash > 0 && slash < model.length() - 1) {
                id = providerOf(model.substring(0, slash), model.substring(slash + 1));
                name = model.substring(slash + 1);
            }
            if (id == null) {
                return null;
            }
        }
        Model m = byRule(id, name);
        if (m == null) {
            String iso = ModelNames.isoDated(name);
            m = iso.equals(name) ? null : byRule(id, iso);
        }
        for (var it = ModelNames.shorterNames(name).iterator(); m == null && it.hasNext(); ) {
            m = byRule(id, it.next());
        }
        return m;
    }

    /** The catalog provider a provider name as sent means, or null. */
    private String providerOf(String provider, String model) {
        if (modelsByProvider.containsKey(provider) || rulesById.containsKey(provider)) {
            return provider;
        }
        for (ProviderRule r : rules) {
            if (r.providerMatch() != null && r.providerMatch().matches(provider)) {
                return r.id();
            }
        }
        for (ProviderRule r : rules) {
            if (r.modelMatch() != null && r.modelMatch().matches(model)) {
                return r.id();
            }
        }
        return null;
    }

    /** The first model of the provider, then of its fallback providers, whose rule matches. */
    private Model byRule(String provider, String name) {
        Model m = firstMatch(provider, name);
        ProviderRule rule = rulesById.get(provider);
        if (m == null && rule != null) {
            for (var it = rule.fallbackProviders().iterator(); m == null && it.hasNext(); ) {
                m = firstMatch(it.next(), name);
            }
        }
        return m;
    }

    private Model firstMatch(String provider, String name) {
        for (Model m : modelsByProvider.getOrDefault(provider, List.of())) {
            if (m.rule().matches(name)) {
                return m;
            }
        }
        return null;
    }

    /** A priced call: the entry used and the cost. */
    public record Priced(ModelPrice entry, CompiledPrice.Cost cost) {}

    /**
     * One catalog model: its rule (its own name, or'ed with the match of its newest entry that has
     * one) and its entries by effective_from.
     */
    public record Model(String provider, String model, MatchRule rule, int order, long[] effectiveFrom,
                        CompiledPrice[] prices) {
        static Model of(String provider, String model, List<ModelPrice> entries, List<String> rejected) {
            List<ModelPrice> sorted = new ArrayList<>(entries);
            sorted.sort(Comparator.comparing(ModelPrice::getEffectiveFrom));
            List<CompiledPrice> compiled = new ArrayList<>(sorted.size());
            MatchRule rule = MatchRule.equalsName(model);
            Integer order = null;
            for (ModelPrice p : sorted) {
                try {
                    compiled.add(CompiledPrice.of(p));
                    if (p.getMatch() != null) {
                        rule = new MatchRule.Combined(true, List.of(MatchRule.equalsName(model), MatchRule.parse(p.getMatch())));
                    }
                    if (p.getMatchOrder() != null) {
                        order = p.getMatchOrder();
                    }
                } catch (IllegalArgumentException e) {
                    rejected.add(provider + "/" + model + " " + p.getEffectiveFrom() + ": " + e.getMessage());
                }
            }
            if (compiled.isEmpty()) {
                return null;
            }
            long[] from = compiled.stream().mapToLong(c -> c.entry().getEffectiveFrom().toEpochMilli()).toArray();
            return new Model(provider, model, rule, order == null ? Integer.MAX_VALUE : order, from,
                    compiled.toArray(CompiledPrice[]::new));
        }

        /** The entry in effect at the instant (latest effective_from not after it), or null. */
        public CompiledPrice at(long atMillis) {
            int i = Arrays.binarySearch(effectiveFrom, atMillis);
            if (i < 0) {
                i = -i - 2;
            } else {
                while (i + 1 < effectiveFrom.length && effectiveFrom[i + 1] == atMillis) {
                    i++;
                }
            }
            return i < 0 ? null : prices[i];
        }
    }
}
