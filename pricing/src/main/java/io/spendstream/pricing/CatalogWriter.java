package io.spendstream.pricing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spendstream.schema.DailyPriceWindow;
import io.spendstream.schema.ModelPrice;
import io.spendstream.schema.PriceRates;
import io.spendstream.schema.PriceTier;
import io.spendstream.schemas.money.Usd;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.List;

/**
 * Writes a catalog as {@link CatalogFile#FORMAT_V2} JSON, deterministically (entries sorted, a fixed key
 * order and layout), so regenerating a catalog from the same source reproduces the file byte for byte.
 * {@link CatalogFile} reads it back.
 */
public final class CatalogWriter {
    private CatalogWriter() {}

    /** The catalog as v2 JSON text, entries sorted, ending with a newline. */
    /** The catalog as v2 JSON text, entries sorted, ending with a newline. */
    public static String write(Catalog c) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        root.put("format", CatalogFile.FORMAT_V2);
        root.put("description", c.description());
        root.put("generated_from", c.generatedFrom());
        root.put("generated_on", c.generatedOn());
        ArrayNode providers = root.putArray("providers");
        for (ProviderRule p : c.providers()) {
            ObjectNode n = providers.addObject();
            n.put("id", p.id());
            n.set("provider_match", p.providerMatch() == null ? f.nullNode() : p.providerMatch().toJson());
            n.set("model_match", p.modelMatch() == null ? f.nullNode() : p.modelMatch().toJson());
            ArrayNode fb = n.putArray("fallback_providers");
            p.fallbackProviders().forEach(fb::add);
        }
        ArrayNode prices = root.putArray("prices");
        c.prices().stream().sorted(CatalogFile.ORDER).forEach(p -> prices.add(entryJson(p)));
        StringBuilder out = new StringBuilder();
        Pretty.write(root, out, 0);
        return out.append('\n').toString();
    }

    private static ObjectNode entryJson(ModelPrice p) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode n = f.objectNode();
        n.put("provider", p.getProvider());
        n.put("model", p.getModel());
        n.put("effective_from", p.getEffectiveFrom().toString());
        n.set("match", p.getMatch() == null ? f.nullNode() : MatchRule.parse(p.getMatch()).toJson());
        if (p.getMatchOrder() == null) {
            n.putNull("match_order");
        } else {
            n.put("match_order", p.getMatchOrder());
        }
        putRates(n, Rates.base(p));
        n.set("tiers", tiersJson(p.getTiers()));
        ArrayNode ws = n.putArray("daily_windows");
        for (DailyPriceWindow w : p.getDailyWindows()) {
            ObjectNode wn = ws.addObject();
            wn.put("start_utc", hms(w.getStartSecondUtc()));
            wn.put("end_utc", hms(w.getEndSecondUtc()));
            putRates(wn, w.getRates());
            wn.set("tiers", tiersJson(w.getTiers()));
        }
        n.put("source", p.getSource());
        n.put("source_date", p.getSourceDate());
        return n;
    }

    private static String hms(int second) {
        return String.format("%02d:%02d:%02d", second / 3600, second / 60 % 60, second % 60);
    }

    private static ArrayNode tiersJson(List<PriceTier> tiers) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (PriceTier t : tiers) {
            ObjectNode tn = a.addObject();
            tn.put("input_tokens_above", t.getInputTokensAbove());
            putRates(tn, t.getRates());
        }
        return a;
    }

    private static void putRates(ObjectNode n, PriceRates r) {
        for (TokenClass c : Rates.FILE_ORDER) {
            Long v = Rates.get(r, c);
            if (v == null) {
                n.putNull(Rates.jsonKey(c));
            } else {
                n.put(Rates.jsonKey(c), usdText(v));
            }
        }
    }

    /** Nano-USD as the shortest exact decimal: 2500000000 -> "2.5", 0 -> "0". */
    public static String usdText(long nanos) {
        BigDecimal d = BigDecimal.valueOf(nanos, Usd.SCALE).stripTrailingZeros();
        return d.signum() == 0 ? "0" : d.toPlainString();
    }

    /**
     * A small JSON printer with a fixed layout: objects one key per line, arrays one element per line,
     * empty containers as {} and [], match rules (objects under a *match key) on one line so they read
     * as a rule.
     */
    private static final class Pretty {
        static void write(JsonNode n, StringBuilder out, int depth) {
            if (n.isObject() && !n.isEmpty()) {
                out.append("{\n");
                Iterator<String> keys = n.fieldNames();
                while (keys.hasNext()) {
                    String k = keys.next();
                    JsonNode v = n.get(k);
                    indent(out, depth + 1).append(JsonNodeFactory.instance.textNode(k)).append(": ");
                    if (k.endsWith("match") && v.isObject()) {
                        out.append(v);
                    } else {
                        write(v, out, depth + 1);
                    }
                    out.append(keys.hasNext() ? ",\n" : "\n");
                }
                indent(out, depth).append('}');
            } else if (n.isArray() && !n.isEmpty()) {
                out.append("[\n");
                for (int i = 0; i < n.size(); i++) {
                    indent(out, depth + 1);
                    write(n.get(i), out, depth + 1);
                    out.append(i + 1 < n.size() ? ",\n" : "\n");
                }
                indent(out, depth).append(']');
            } else {
                out.append(n); // scalars, {} and []: Jackson's compact form is exact JSON
            }
        }

        private static StringBuilder indent(StringBuilder out, int depth) {
            return out.append("  ".repeat(depth));
        }
    }
}
