package io.spendstream.pricing;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spendstream.schema.DailyPriceWindow;
import io.spendstream.schema.ModelPrice;
import io.spendstream.schema.PriceRates;
import io.spendstream.schema.PriceTier;
import io.spendstream.schemas.money.Usd;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Our price catalog JSON: reads format {@value #FORMAT_V2} and the older v1 (no "format" key: flat
 * input/output/cached-input/cache-write/reasoning prices only), writes v2. Prices are USD per million
 * tokens as exact decimal strings; they become nano-USD without passing through a double.
 *
 * <p>Reading validates every entry and names the entry in its error, because the file is edited by
 * hand as well as generated. Writing is deterministic (entries sorted, fixed key order, 2-space
 * indent, "\n" line ends) so that regenerating from the same source reproduces the file byte for byte.
 */
public final class CatalogFile {
    public static final String FORMAT_V2 = "spendstream-prices/2";
    /** Where the shipped seed catalog is on the classpath. */
    public static final String SEED_RESOURCE = "/prices/model-prices.json";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final Set<String> RATE_KEYS = rateKeys();
    private static final Set<String> ROOT_KEYS = Set.of("format", "description", "generated_from", "generated_on",
            "providers", "prices");
    private static final Set<String> PROVIDER_KEYS = Set.of("id", "provider_match", "model_match",
            "fallback_providers");
    private static final Set<String> ENTRY_KEYS = union(RATE_KEYS, Set.of("provider", "model", "effective_from",
            "match", "match_order", "tiers", "daily_windows", "source", "source_date"));
    private static final Set<String> TIER_KEYS = union(RATE_KEYS, Set.of("input_tokens_above"));
    private static final Set<String> WINDOW_KEYS = union(RATE_KEYS, Set.of("start_utc", "end_utc", "tiers"));

    /** Entries in file order: provider, model, effective_from. */
    public static final Comparator<ModelPrice> ORDER = Comparator.comparing(ModelPrice::getProvider)
            .thenComparing(ModelPrice::getModel).thenComparing(ModelPrice::getEffectiveFrom);

    private CatalogFile() {}

    /** The shipped seed catalog (this module's {@code prices/model-prices.json}), or {@code file} when it is not null. */
    public static Catalog load(Path file) {
        if (file != null) {
            return read(file);
        }
        try (java.io.InputStream in = CatalogFile.class.getResourceAsStream(SEED_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("price catalog resource " + SEED_RESOURCE + " is missing");
            }
            return read(in.readAllBytes(), SEED_RESOURCE);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static Catalog read(Path file) {
        try {
            return read(Files.readAllBytes(file), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read price catalog " + file, e);
        }
    }

    /**
     * Parses and validates a catalog.
     *
     * @param source named in error messages (a file name), or null
     * @throws IllegalArgumentException naming the entry and field that is wrong
     */
    public static Catalog read(byte[] json, String source) {
        String prefix = source == null ? "" : source + " ";
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(prefix + "is not valid JSON: " + e.getMessage(), e);
        }
        try {
            return read(root);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(prefix + e.getMessage(), e);
        }
    }

    /** Parses and validates a catalog from a JSON tree (read with USE_BIG_DECIMAL_FOR_FLOATS if numbers matter). */
    public static Catalog read(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("a price catalog is a JSON object");
        }
        JsonNode format = root.get("format");
        boolean v2 = format != null;
        if (v2 && !(format.isTextual() && format.asText().equals(FORMAT_V2))) {
            throw new IllegalArgumentException("\"format\" must be \"" + FORMAT_V2 + "\" (or absent for v1), was "
                    + format);
        }
        unknownKeys(root, ROOT_KEYS, "");
        List<ProviderRule> providers = new ArrayList<>();
        JsonNode ps = root.get("providers");
        if (ps != null && !ps.isNull()) {
            if (!ps.isArray()) {
                throw new IllegalArgumentException("\"providers\" must be an array");
            }
            Set<String> ids = new HashSet<>();
            for (int i = 0; i < ps.size(); i++) {
                ProviderRule rule = provider(ps.get(i), "providers[" + i + "]");
                if (!ids.add(rule.id())) {
                    throw new IllegalArgumentException("providers[" + i + "] (" + rule.id() + "): duplicate id");
                }
                providers.add(rule);
            }
        }
        JsonNode prices = root.get("prices");
        if (prices == null || !prices.isArray()) {
            throw new IllegalArgumentException("\"prices\" must be an array");
        }
        List<ModelPrice> out = new ArrayList<>(prices.size());
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < prices.size(); i++) {
            ModelPrice p = entry(prices.get(i), i);
            if (!keys.add(p.getProvider() + "|" + p.getModel() + "|" + p.getEffectiveFrom())) {
                throw new IllegalArgumentException(label(i, p) + ": duplicate (provider, model, effective_from)");
            }
            out.add(p);
        }
        out.sort(ORDER);
        return new Catalog(optText(root, "description"), optText(root, "generated_from"),
                optText(root, "generated_on"), providers, out);
    }

    // ------------------------------------------------------------------------------------------
    // Reading

    private static ProviderRule provider(JsonNode n, String where) {
        if (!n.isObject()) {
            throw new IllegalArgumentException(where + " must be an object");
        }
        try {
            unknownKeys(n, PROVIDER_KEYS, "");
            String id = name(n, "id");
            where = where + " (" + id + ")";
            List<String> fallbacks = new ArrayList<>();
            JsonNode f = n.get("fallback_providers");
            if (f != null && !f.isNull()) {
                if (!f.isArray()) {
                    throw new IllegalArgumentException("\"fallback_providers\" must be an array of provider ids");
                }
                for (JsonNode x : f) {
                    if (!x.isTextual() || x.asText().isBlank()) {
                        throw new IllegalArgumentException("\"fallback_providers\" must be an array of provider ids");
                    }
                    fallbacks.add(MatchRule.normalize(x.asText()));
                }
            }
            return new ProviderRule(id, rule(n, "provider_match"), rule(n, "model_match"), fallbacks);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    private static ModelPrice entry(JsonNode n, int index) {
        if (!n.isObject()) {
            throw new IllegalArgumentException("prices[" + index + "] must be an object");
        }
        // Identity first, so that every later error can name the entry.
        String provider, model;
        Instant from;
        try {
            provider = name(n, "provider");
            model = name(n, "model");
            String text = text(n, "effective_from");
            try {
                from = Instant.parse(text);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("\"effective_from\" must be an instant like 2026-01-01T00:00:00Z,"
                        + " was " + text);
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("prices[" + index + "]: " + e.getMessage(), e);
        }
        ModelPrice.Builder b = ModelPrice.newBuilder().setProvider(provider).setModel(model).setEffectiveFrom(from)
                .setCurrency("USD");
        try {
            unknownKeys(n, ENTRY_KEYS, "");
            Rates.setBase(b, rates(n, ""));
            b.setTiers(tiers(n.get("tiers"), "tiers"));
            b.setDailyWindows(windows(n.get("daily_windows")));
            MatchRule match = rule(n, "match");
            b.setMatch(match == null ? null : match.toJsonText());
            JsonNode order = n.get("match_order");
            if (order != null && !order.isNull()) {
                if (!order.canConvertToInt() || !order.isIntegralNumber() || order.asInt() < 0) {
                    throw new IllegalArgumentException("\"match_order\" must be a non-negative integer or null");
                }
                b.setMatchOrder(order.asInt());
            }
            b.setSource(optText(n, "source"));
            String date = optText(n, "source_date");
            if (date != null) {
                try {
                    LocalDate.parse(date);
                } catch (DateTimeParseException e) {
                    throw new IllegalArgumentException("\"source_date\" must be YYYY-MM-DD, was " + date);
                }
            }
            b.setSourceDate(date);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(label(index, provider, model, from) + ": " + e.getMessage(), e);
        }
        return b.build();
    }

    private static PriceRates rates(JsonNode n, String path) {
        Long[] v = new Long[TokenClass.count()];
        for (TokenClass c : TokenClass.all()) {
            v[c.ordinal()] = usd(n, Rates.jsonKey(c), path);
        }
        for (TokenClass c : new TokenClass[] {TokenClass.INPUT, TokenClass.OUTPUT}) {
            if (v[c.ordinal()] == null) {
                throw new IllegalArgumentException("\"" + path + Rates.jsonKey(c) + "\" is required");
            }
        }
        return Rates.of(v);
    }

    private static List<PriceTier> tiers(JsonNode n, String path) {
        List<PriceTier> out = new ArrayList<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (!n.isArray()) {
            throw new IllegalArgumentException("\"" + path + "\" must be an array");
        }
        long previous = -1;
        for (int i = 0; i < n.size(); i++) {
            String at = path + "[" + i + "].";
            JsonNode t = n.get(i);
            if (!t.isObject()) {
                throw new IllegalArgumentException("\"" + path + "[" + i + "]\" must be an object");
            }
            unknownKeys(t, TIER_KEYS, at);
            JsonNode above = t.get("input_tokens_above");
            if (above == null || !above.isIntegralNumber() || !above.canConvertToLong() || above.asLong() < 0) {
                throw new IllegalArgumentException("\"" + at + "input_tokens_above\" must be a non-negative integer");
            }
            if (above.asLong() <= previous) {
                throw new IllegalArgumentException("\"" + at + "input_tokens_above\" must be greater than the"
                        + " previous tier's (" + previous + "): tiers are strictly ascending");
            }
            previous = above.asLong();
            out.add(new PriceTier(previous, rates(t, at)));
        }
        return out;
    }

    private static List<DailyPriceWindow> windows(JsonNode n) {
        List<DailyPriceWindow> out = new ArrayList<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (!n.isArray()) {
            throw new IllegalArgumentException("\"daily_windows\" must be an array");
        }
        for (int i = 0; i < n.size(); i++) {
            String at = "daily_windows[" + i + "].";
            JsonNode w = n.get(i);
            if (!w.isObject()) {
                throw new IllegalArgumentException("\"daily_windows[" + i + "]\" must be an object");
            }
            unknownKeys(w, WINDOW_KEYS, at);
            int start = secondOfDay(w, "start_utc", at);
            int end = secondOfDay(w, "end_utc", at);
            if (start == end) {
                throw new IllegalArgumentException("\"" + at + "end_utc\" must differ from start_utc");
            }
            out.add(new DailyPriceWindow(start, end, rates(w, at), tiers(w.get("tiers"), at + "tiers")));
        }
        return out;
    }

    private static int secondOfDay(JsonNode w, String key, String at) {
        JsonNode v = w.get(key);
        try {
            if (v == null || !v.isTextual() || !v.asText().matches("\\d{2}:\\d{2}:\\d{2}")) {
                throw new DateTimeParseException("", "", 0);
            }
            return LocalTime.parse(v.asText()).toSecondOfDay();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("\"" + at + key + "\" must be a UTC time of day HH:MM:SS"
                    + " (00:00:00 to 23:59:59), was " + v);
        }
    }

    private static Long usd(JsonNode n, String key, String path) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        String what = "\"" + path + key + "\"";
        if (!v.isTextual()) {
            throw new IllegalArgumentException(what + " must be a decimal string (USD per million tokens), was " + v);
        }
        BigDecimal d;
        try {
            d = new BigDecimal(v.asText().strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a decimal string, was \"" + v.asText() + "\"");
        }
        if (d.signum() < 0) {
            throw new IllegalArgumentException(what + " must not be negative, was " + v.asText());
        }
        try {
            return Usd.toNanos(d);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(what + " must have at most 9 decimals (nano-USD), was " + v.asText());
        }
    }

    private static MatchRule rule(JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        try {
            return MatchRule.parse(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("\"" + key + "\": " + e.getMessage(), e);
        }
    }

    private static String name(JsonNode n, String key) {
        return MatchRule.normalize(text(n, key));
    }

    private static String text(JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new IllegalArgumentException("\"" + key + "\" must be a non-empty string");
        }
        return v.asText();
    }

    private static String optText(JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException("\"" + key + "\" must be a string or null");
        }
        return v.asText();
    }

    private static void unknownKeys(JsonNode n, Set<String> known, String path) {
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!known.contains(k)) {
                throw new IllegalArgumentException("unknown key \"" + path + k + "\"");
            }
        }
    }

    private static String label(int index, ModelPrice p) {
        return label(index, p.getProvider(), p.getModel(), p.getEffectiveFrom());
    }

    private static String label(int index, String provider, String model, Instant from) {
        return "prices[" + index + "] (" + provider + "/" + model + " " + from + ")";
    }

    // ------------------------------------------------------------------------------------------
    // Writing

    private static Set<String> rateKeys() {
        Set<String> s = new HashSet<>();
        for (TokenClass c : TokenClass.all()) {
            s.add(Rates.jsonKey(c));
        }
        return Set.copyOf(s);
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> s = new HashSet<>(a);
        s.addAll(b);
        return Set.copyOf(s);
    }
}
