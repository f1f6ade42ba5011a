package io.spendstream.pricing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spendstream.schema.DailyPriceWindow;
import io.spendstream.schema.ModelPrice;
import io.spendstream.schema.PriceRates;
import io.spendstream.schema.PriceTier;
import io.spendstream.schemas.money.Usd;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Converts the provider data of @pydantic/genai-prices (its {@code Provider[]}, as in the source's
 * {@code prices/new_data/v2/data.json} or {@code tools/prices/dump-genai-prices.mjs}) to our catalog,
 * reproducing what the source's calculator would charge: tiers, time-of-day windows and start
 * dates included. Read the tree with USE_BIG_DECIMAL_FOR_FLOATS so that prices stay exact.
 *
 * <p>What our catalog cannot carry (per-request, per-page, per-hour prices, ...) is left out and
 * listed in the returned report rather than silently lost.
 */
public final class GenAiPricesConverter {
    /** Our first effective_from: a model's oldest entry applies to every earlier event too. */
    public static final Instant BEGINNING = Instant.parse("2020-01-01T00:00:00Z");
    public static final String DESCRIPTION =
            "spendstream model price catalog. Prices in USD per 1,000,000 tokens as exact decimal strings.";

    /** Source provider id -> ours; providers not listed are not taken. */
    static final Map<String, String> PROVIDERS = providers();
    /** Source price key -> our token class; other keys are dropped and reported. */
    static final Map<String, TokenClass> PRICE_KEYS = priceKeys();

    private static final Pattern TIME = Pattern.compile(
            "^(\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d+))?(Z|([+-])(\\d{2}):(\\d{2}))$");

    private GenAiPricesConverter() {}

    /** One thing the conversion left out, e.g. {@code openai/gpt-4o: dropped web_searches_kcount}. */
    public record Note(String provider, String model, String what) {
        @Override
        public String toString() {
            return provider + "/" + model + ": " + what;
        }
    }

    public record Result(Catalog catalog, List<Note> report) {
        public Result {
            report = List.copyOf(report);
        }
    }

    /**
     * @param data          the source's Provider[] array
     * @param generatedFrom e.g. {@code npm @pydantic/genai-prices@0.1.8 (MIT)}
     * @param generatedOn   YYYY-MM-DD
     * @param sourceDate    YYYY-MM-DD: when the source's prices were read (the package's publish date)
     */
    public static Result convert(JsonNode data, String generatedFrom, String generatedOn, String sourceDate) {
        if (data == null || !data.isArray()) {
            throw new IllegalArgumentException("genai-prices data must be a JSON array of providers");
        }
        List<ProviderRule> rules = new ArrayList<>();
        List<ModelPrice> prices = new ArrayList<>();
        Set<Note> report = new LinkedHashSet<>();
        for (JsonNode p : data) {
            String sourceId = p.path("id").asText();
            String id = PROVIDERS.get(sourceId);
            if (id == null) {
                continue;
            }
            rules.add(providerRule(p, sourceId, id));
            String source = p.path("pricing_urls").path(0).asText(sourceId);
            Set<String> seen = new java.util.HashSet<>();
            JsonNode models = p.path("models");
            for (int i = 0; i < models.size(); i++) {
                JsonNode m = models.get(i);
                String model = MatchRule.normalize(m.path("id").asText());
                if (!seen.add(model)) {
                    report.add(new Note(id, model, "skipped: a second model with this id"));
                    continue;
                }
                try {
                    new ModelConversion(id, model, i, m, source, sourceDate, report).run(prices);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(sourceId + "/" + m.path("id").asText() + ": " + e.getMessage(),
                            e);
                }
            }
        }
        prices.sort(CatalogFile.ORDER);
        return new Result(new Catalog(DESCRIPTION, generatedFrom, generatedOn, rules, prices),
                new ArrayList<>(report));
    }

    private static ProviderRule providerRule(JsonNode p, String sourceId, String id) {
        MatchRule providerMatch = optRule(p.get("provider_match"));
        if (!sourceId.equals(id)) {
            // Names as sent keep working under the source's id (x-ai, aws) after the rename.
            MatchRule old = MatchRule.equalsName(sourceId);
            if (providerMatch == null) {
                providerMatch = old;
            } else {
                List<MatchRule> any = new ArrayList<>(providerMatch instanceof MatchRule.Combined c && c.any()
                        ? c.parts() : List.of(providerMatch));
                any.add(old);
                providerMatch = new MatchRule.Combined(true, List.copyOf(any));
            }
        }
        List<String> fallbacks = new ArrayList<>();
        for (JsonNode f : p.path("fallback_model_providers")) {
            String ours = PROVIDERS.get(f.asText());
            if (ours != null) {
                fallbacks.add(ours);
            }
        }
        return new ProviderRule(id, providerMatch, optRule(p.get("model_match")), fallbacks);
    }

    private static MatchRule optRule(JsonNode n) {
        return n == null || n.isNull() ? null : MatchRule.parse(n);
    }

    /** What the source charges in one date segment: base rates and tiers, and the daily windows. */
    private record Terms(PriceRates rates, List<PriceTier> tiers, List<DailyPriceWindow> windows) {}

    /** A conditional price of the source, its constraint normalized (the source allows it without "type"). */
    private record Conditional(LocalDate startDate, Integer startSecond, Integer endSecond, JsonNode prices) {
        boolean always() {
            return startDate == null && startSecond == null;
        }
    }

    /** Converts one model to its entries, one per date segment with distinct terms. */
    private record ModelConversion(String provider, String model, int order, JsonNode m, String source,
                                   String sourceDate, Set<Note> report) {
        void run(List<ModelPrice> out) {
            List<Conditional> conds = conditionals(m.get("prices"));
            TreeSet<Instant> starts = new TreeSet<>();
            starts.add(BEGINNING);
            for (Conditional c : conds) {
                if (c.startDate() != null && c.startDate().atStartOfDay().toInstant(java.time.ZoneOffset.UTC)
                        .isAfter(BEGINNING)) {
                    starts.add(c.startDate().atStartOfDay().toInstant(java.time.ZoneOffset.UTC));
                }
            }
            String match = optRule(m.get("match")) == null ? null : MatchRule.parse(m.get("match")).toJsonText();
            Terms previous = null;
            for (Instant start : starts) {
                Terms terms;
                try {
                    terms = termsAt(conds, start);
                } catch (Skip e) {
                    report.add(new Note(provider, model, "skipped from " + start + ": " + e.getMessage()));
                    previous = null;
                    continue;
                }
                if (terms.equals(previous)) {
                    continue; // a change only in prices we do not carry (web search, ...)
                }
                previous = terms;
                ModelPrice.Builder b = ModelPrice.newBuilder().setProvider(provider).setModel(model)
                        .setEffectiveFrom(start).setCurrency("USD").setTiers(terms.tiers())
                        .setDailyWindows(terms.windows()).setMatch(match).setMatchOrder(order).setSource(source)
                        .setSourceDate(sourceDate);
                out.add(Rates.setBase(b, terms.rates()).build());
            }
        }

        /**
         * The source's lookup for a time in the segment from {@code start}: it scans from the last
         * conditional backwards and takes the first that holds. Daily windows met before the first
         * entry that holds all day become our windows; the one met first must win, and in our
         * format the later window in the list wins, so they are listed in reverse.
         */
        private Terms termsAt(List<Conditional> conds, Instant start) {
            List<DailyPriceWindow> windows = new ArrayList<>();
            JsonNode base = null;
            for (int k = conds.size() - 1; k >= 0 && base == null; k--) {
                Conditional c = conds.get(k);
                if (c.always()) {
                    base = c.prices();
                } else if (c.startDate() != null) {
                    if (!c.startDate().atStartOfDay().toInstant(java.time.ZoneOffset.UTC).isAfter(start)) {
                        base = c.prices();
                    }
                } else {
                    Priced w = priced(c.prices());
                    if (w == null) {
                        report.add(new Note(provider, model, "dropped a daily window without token prices"));
                        continue;
                    }
                    windows.addFirst(new DailyPriceWindow(c.startSecond(), c.endSecond(), w.rates(), w.tiers()));
                }
            }
            if (base == null) {
                base = conds.getFirst().prices(); // the source's answer when nothing holds
            }
            Priced b = priced(base);
            if (b == null) {
                throw new Skip("no input_mtok and no output_mtok (" + keys(base) + ")");
            }
            return new Terms(b.rates(), b.tiers(), List.copyOf(windows));
        }

        private record Priced(PriceRates rates, List<PriceTier> tiers) {}

        /** Base rates and merged tiers of one source prices object; null when it has no token prices. */
        private Priced priced(JsonNode prices) {
            Map<TokenClass, JsonNode> byClass = new LinkedHashMap<>();
            for (Iterator<String> it = prices.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                TokenClass c = PRICE_KEYS.get(key);
                if (c == null) {
                    report.add(new Note(provider, model, "dropped " + key));
                } else if (!prices.get(key).isNull()) {
                    byClass.put(c, prices.get(key));
                }
            }
            if (!byClass.containsKey(TokenClass.INPUT) && !byClass.containsKey(TokenClass.OUTPUT)) {
                return null;
            }
            // One tier per distinct start: for total input T the source takes, per key, the last
            // tier with T > start; our tier with the largest start below T gives every key the
            // price of its last tier with start <= that start, which is the same one.
            TreeSet<Long> tierStarts = new TreeSet<>();
            for (JsonNode v : byClass.values()) {
                for (JsonNode t : v.path("tiers")) {
                    tierStarts.add(t.path("start").asLong());
                }
            }
            PriceRates base = rates(byClass, null);
            List<PriceTier> tiers = new ArrayList<>();
            for (long s : tierStarts) {
                tiers.add(new PriceTier(s, rates(byClass, s)));
            }
            return new Priced(base, tiers);
        }

        /** Rates at tier start {@code tier} (null: the bases). A missing input or output price is 0. */
        private PriceRates rates(Map<TokenClass, JsonNode> byClass, Long tier) {
            Long[] v = new Long[TokenClass.count()];
            v[TokenClass.INPUT.ordinal()] = 0L;
            v[TokenClass.OUTPUT.ordinal()] = 0L;
            for (var e : byClass.entrySet()) {
                v[e.getKey().ordinal()] = nanos(priceAt(e.getValue(), tier), e.getKey());
            }
            return Rates.of(v);
        }

        private static JsonNode priceAt(JsonNode value, Long tier) {
            if (value.isNumber()) {
                return value;
            }
            if (!value.isObject() || !value.path("base").isNumber() || !value.path("tiers").isArray()) {
                throw new IllegalArgumentException("unsupported price value " + value);
            }
            JsonNode price = value.get("base");
            if (tier != null) {
                // The source sorts tiers by start; so do we, by taking the greatest start <= tier.
                long best = -1;
                for (JsonNode t : value.get("tiers")) {
                    long s = t.path("start").asLong();
                    if (s <= tier && s > best) {
                        best = s;
                        price = t.get("price");
                    }
                }
            }
            return price;
        }

        private static long nanos(JsonNode price, TokenClass c) {
            if (price == null || !price.isNumber()) {
                throw new IllegalArgumentException("price of " + c.field() + " is not a number: " + price);
            }
            BigDecimal d = price.decimalValue();
            if (d.signum() < 0) {
                throw new Skip("negative price " + d.toPlainString() + " for " + c.field());
            }
            try {
                return Usd.toNanos(d);
            } catch (ArithmeticException e) {
                throw new Skip("price " + d.toPlainString() + " for " + c.field() + " needs more than 9 decimals");
            }
        }

        private static String keys(JsonNode prices) {
            List<String> k = new ArrayList<>();
            prices.fieldNames().forEachRemaining(k::add);
            return k.isEmpty() ? "no prices" : String.join(", ", k);
        }
    }

    /** Why a segment of a model is left out; reported, not fatal. */
    private static final class Skip extends RuntimeException {
        Skip(String message) {
            super(message, null, false, false);
        }
    }

    private static List<Conditional> conditionals(JsonNode prices) {
        if (prices == null || prices.isNull()) {
            return List.of(new Conditional(null, null, null, JsonNodeFactory.instance.objectNode()));
        }
        if (prices.isObject()) {
            return List.of(new Conditional(null, null, null, prices));
        }
        if (!prices.isArray() || prices.isEmpty()) {
            throw new IllegalArgumentException("\"prices\" must be an object or a non-empty array");
        }
        List<Conditional> out = new ArrayList<>();
        for (JsonNode c : prices) {
            JsonNode p = c.get("prices");
            if (p == null || !p.isObject()) {
                throw new IllegalArgumentException("a conditional price needs a \"prices\" object: " + c);
            }
            out.add(conditional(c.get("constraint"), p));
        }
        return out;
    }

    private static Conditional conditional(JsonNode constraint, JsonNode prices) {
        if (constraint == null || constraint.isNull()) {
            return new Conditional(null, null, null, prices);
        }
        ObjectNode c = constraint.deepCopy();
        String type = c.has("type") ? c.remove("type").asText() : null;
        Set<String> keys = new TreeSet<>();
        c.fieldNames().forEachRemaining(keys::add);
        if ((type == null || type.equals("start_date")) && keys.equals(Set.of("start_date"))) {
            try {
                return new Conditional(LocalDate.parse(c.get("start_date").asText()), null, null, prices);
            } catch (java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException("bad start_date in constraint " + constraint);
            }
        }
        if ((type == null || type.equals("time_of_date")) && keys.equals(Set.of("start_time", "end_time"))) {
            return new Conditional(null, utcSecond(c.get("start_time").asText()),
                    utcSecond(c.get("end_time").asText()), prices);
        }
        throw new IllegalArgumentException("unknown price constraint " + constraint);
    }

    /** "16:30:00+08:00" -> seconds after 00:00 UTC, as the source's time parser does. */
    static int utcSecond(String time) {
        Matcher m = TIME.matcher(time);
        if (!m.matches()) {
            throw new IllegalArgumentException("bad time of day " + time);
        }
        int h = Integer.parseInt(m.group(1)), min = Integer.parseInt(m.group(2)), s = Integer.parseInt(m.group(3));
        if (h > 23 || min > 59 || s > 59 || (m.group(4) != null && !m.group(4).matches("0*"))) {
            throw new IllegalArgumentException("bad or sub-second time of day " + time);
        }
        int offset = 0;
        if (!m.group(5).equals("Z")) {
            int oh = Integer.parseInt(m.group(7)), om = Integer.parseInt(m.group(8));
            if (oh > 23 || om > 59) {
                throw new IllegalArgumentException("bad time of day " + time);
            }
            offset = (oh * 60 + om) * 60 * (m.group(6).equals("+") ? 1 : -1);
        }
        return Math.floorMod(h * 3600 + min * 60 + s - offset, 86_400);
    }

    private static Map<String, String> providers() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String id : List.of("openai", "anthropic", "google", "mistral", "deepseek", "groq", "together",
                "fireworks", "cerebras", "azure")) {
            m.put(id, id);
        }
        m.put("x-ai", "xai");
        m.put("aws", "bedrock");
        return Map.copyOf(m);
    }

    private static Map<String, TokenClass> priceKeys() {
        Map<String, TokenClass> m = new TreeMap<>();
        m.put("input_mtok", TokenClass.INPUT);
        m.put("output_mtok", TokenClass.OUTPUT);
        m.put("cache_read_mtok", TokenClass.CACHED_INPUT);
        m.put("cache_write_mtok", TokenClass.CACHE_WRITE);
        m.put("cache_write_1h_mtok", TokenClass.CACHE_WRITE_1H);
        m.put("input_audio_mtok", TokenClass.INPUT_AUDIO);
        m.put("cache_audio_read_mtok", TokenClass.CACHED_INPUT_AUDIO);
        m.put("input_image_mtok", TokenClass.INPUT_IMAGE);
        m.put("output_audio_mtok", TokenClass.OUTPUT_AUDIO);
        m.put("output_image_mtok", TokenClass.OUTPUT_IMAGE);
        m.put("output_reasoning_mtok", TokenClass.REASONING);
        return Map.copyOf(m);
    }

}
