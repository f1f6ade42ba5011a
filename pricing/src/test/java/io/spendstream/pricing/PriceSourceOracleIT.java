package io.spendstream.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spendstream.embedded.NodePackages;
import io.spendstream.schema.ModelPrice;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * spendstream's prices against the price source's own calculator: a few thousand generated calls
 * (every catalog model, names derived from its match rules, every token class, tier edges, time
 * window edges, price-change edges) are priced by {@code calcPrice} of @pydantic/genai-prices (the
 * same version the seed catalog was generated from, run with node) and by {@link PriceIndex} on the
 * shipped seed catalog. Both must choose the same catalog model, and the costs must agree to the
 * nano-dollar: the source sums in floating point, spendstream exactly and rounds half-up once, so a
 * difference of at most half a nano-dollar (plus the source's floating-point error) is agreement.
 */
@Timeout(600)
class PriceSourceOracleIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The version the seed catalog was generated from (see tools/prices). */
    private static final Map<String, String> PACKAGES = Map.of("@pydantic/genai-prices", "0.1.8");
    private static final Path SCRIPT = Path.of("src/test/node/price-oracle.mjs");
    /** spendstream provider id -> the source's. */
    private static final Map<String, String> SOURCE_PROVIDER = Map.of("xai", "x-ai", "bedrock", "aws");
    /** Model names as the providers' APIs return them, which must be priced like the source prices them. */
    private static final List<String[]> NAMES_SENT = List.of(
            new String[] {"anthropic", "claude-sonnet-4-20250514"}, new String[] {"anthropic", "claude-opus-4-20250514"},
            new String[] {"anthropic", "claude-3-7-sonnet-20250219"}, new String[] {"anthropic", "claude-3-5-haiku-20241022"},
            new String[] {"xai", "grok-4"}, new String[] {"xai", "grok-2-latest"}, new String[] {"openai", "gpt-5-chat-latest"},
            new String[] {"google", "gemini-2.5-flash-preview-05-20"}, new String[] {"mistral", "open-mixtral-8x7b"},
            new String[] {"mistral", "devstral-small-2507"});

    private static NodePackages node;

    @TempDir
    Path tmp;

    @BeforeAll
    static void priceSource(@TempDir Path logs) throws Exception {
        assertThat(SCRIPT).isRegularFile();
        node = NodePackages.prepare("price-oracle", PACKAGES, logs);
    }

    private final Catalog catalog = CatalogFile.load(null);
    private final PriceIndex index = PriceIndex.of(catalog.providers(), catalog.prices());

    @Test
    void shouldPriceTheNamesProvidersReturnWithTheSourcesEntries() throws Exception {
        List<Call> calls = new ArrayList<>();
        SplittableRandom rnd = new SplittableRandom(7);
        for (String[] pm : NAMES_SENT) {
            calls.add(new Call("name-" + calls.size(), pm[0], pm[1], at("2026-10-01T12:00:00Z"), randomCounts(rnd, 0)));
        }
        Map<String, JsonNode> source = priceWithSource(calls);
        for (Call c : calls) {
            assertThat(index.resolve(c.provider, c.model)).as("%s/%s is priced", c.provider, c.model).isPresent();
        }
        Report r = compare(calls, source);
        assertThat(r.compared).isEqualTo(NAMES_SENT.size());
        assertThat(r.mismatches).isEmpty();
    }

    @Test
    void shouldAgreeWithTheSourcesCalculatorOnGeneratedCalls() throws Exception {
        List<Call> calls = generate(new SplittableRandom(20261204));
        assertThat(calls).hasSizeGreaterThan(2_000);
        Map<String, JsonNode> source = priceWithSource(calls);
        Report r = compare(calls, source);
        System.out.printf("PriceSourceOracleIT: %d calls, %d compared (%d with the same nano-dollar, %d half-nano"
                        + " rounding differences), %d the source does not price, %d the source refuses%n",
                calls.size(), r.compared, r.exact, r.compared - r.exact, r.sourceUnpriced, r.sourceErrors.size());
        r.sourceErrors.stream().limit(5).forEach(e -> System.out.println("  source refused: " + e));
        assertThat(r.mismatches).as("calls where spendstream and the source disagree").isEmpty();
        assertThat(r.compared).as("calls both priced").isGreaterThan(calls.size() * 3 / 4);
    }

    // ---- generation -------------------------------------------------------------------------------

    private record Call(String id, String provider, String model, long at, TokenCounts counts) {}

    private List<Call> generate(SplittableRandom rnd) {
        Map<String, List<ModelPrice>> byModel = new TreeMap<>();
        for (ModelPrice p : catalog.prices()) {
            byModel.computeIfAbsent(p.getProvider() + "|" + p.getModel(), k -> new ArrayList<>()).add(p);
        }
        List<Call> calls = new ArrayList<>();
        for (List<ModelPrice> entries : byModel.values()) {
            ModelPrice newest = entries.getLast();
            Set<String> names = new LinkedHashSet<>();
            names.add(newest.getModel());
            if (newest.getMatch() != null) {
                sampleNames(MatchRule.parse(newest.getMatch()), names);
            }
            Set<Long> times = new LinkedHashSet<>(List.of(at("2026-10-01T12:00:00Z"), at("2026-10-02T02:30:00Z")));
            for (ModelPrice e : entries) {
                long from = e.getEffectiveFrom().toEpochMilli();
                if (from > at("2021-01-01T00:00:00Z")) {
                    times.add(from - 1);
                    times.add(from);
                }
                for (var w : e.getDailyWindows()) {
                    long day = Math.max(from, at("2026-10-01T00:00:00Z")) / 86_400_000L * 86_400_000L + 86_400_000L;
                    times.add(day + w.getStartSecondUtc() * 1000L - 1);
                    times.add(day + w.getStartSecondUtc() * 1000L);
                    times.add(day + w.getEndSecondUtc() * 1000L - 1);
                    times.add(day + w.getEndSecondUtc() * 1000L);
                }
            }
            Set<Long> tierEdges = new LinkedHashSet<>();
            newest.getTiers().forEach(t -> tierEdges.add(t.getInputTokensAbove()));
            for (String name : names) {
                for (long t : times) {
                    calls.add(new Call("c" + calls.size(), newest.getProvider(), name, t, randomCounts(rnd, 0)));
                }
                for (long edge : tierEdges) {
                    calls.add(new Call("c" + calls.size(), newest.getProvider(), name, times.iterator().next(),
                            randomCounts(rnd, edge)));
                    calls.add(new Call("c" + calls.size(), newest.getProvider(), name, times.iterator().next(),
                            randomCounts(rnd, edge + 1)));
                }
            }
        }
        return calls;
    }

    /** Names a rule matches: its literal texts, prefixes with a date suffix; regexes add nothing. */
    private static void sampleNames(MatchRule rule, Set<String> into) {
        switch (rule) {
            case MatchRule.Text t -> {
                into.add(t.lower());
                if (t.op() == MatchRule.Op.STARTS_WITH) {
                    into.add(t.lower() + "-20250514");
                    into.add(t.lower() + "-2025-05-14");
                }
            }
            case MatchRule.Combined c when c.any() -> c.parts().forEach(p -> sampleNames(p, into));
            default -> { }
        }
    }

    /**
     * Random disjoint counts; with {@code totalInput > 0}, the input classes are split so that their
     * total is exactly that (a tier edge).
     */
    private static TokenCounts randomCounts(SplittableRandom rnd, long totalInput) {
        TokenCounts.Builder b = TokenCounts.builder();
        List<TokenClass> inputs = new ArrayList<>();
        for (TokenClass c : TokenClass.all()) {
            if (c.direction() == TokenClass.Direction.INPUT) {
                inputs.add(c);
            } else if (rnd.nextInt(3) > 0 || c == TokenClass.OUTPUT) {
                b.set(c, rnd.nextLong(0, 20_000));
            }
        }
        if (totalInput > 0) {
            long left = totalInput;
            for (int i = 0; i < inputs.size(); i++) {
                long n = i == inputs.size() - 1 ? left : rnd.nextInt(2) == 0 ? 0 : rnd.nextLong(0, left / 3 + 1);
                b.set(inputs.get(i), n);
                left -= n;
            }
        } else {
            for (TokenClass c : inputs) {
                if (c == TokenClass.INPUT || rnd.nextInt(3) == 0) {
                    b.set(c, rnd.nextLong(0, rnd.nextInt(4) == 0 ? 400_000 : 20_000));
                }
            }
        }
        return b.build();
    }

    /** The source's usage keys: totals with breakdowns (its input_tokens includes cache and audio, etc.). */
    static ObjectNode sourceUsage(TokenCounts c) {
        ObjectNode u = JSON.createObjectNode();
        u.put("input_tokens", c.total(TokenClass.Direction.INPUT));
        u.put("cache_read_tokens", c.get(TokenClass.CACHED_INPUT) + c.get(TokenClass.CACHED_INPUT_AUDIO));
        u.put("cache_audio_read_tokens", c.get(TokenClass.CACHED_INPUT_AUDIO));
        u.put("cache_write_tokens", c.get(TokenClass.CACHE_WRITE) + c.get(TokenClass.CACHE_WRITE_1H));
        u.put("cache_write_1h_tokens", c.get(TokenClass.CACHE_WRITE_1H));
        u.put("input_audio_tokens", c.get(TokenClass.INPUT_AUDIO) + c.get(TokenClass.CACHED_INPUT_AUDIO));
        u.put("input_image_tokens", c.get(TokenClass.INPUT_IMAGE));
        u.put("output_tokens", c.total(TokenClass.Direction.OUTPUT));
        u.put("output_reasoning_tokens", c.get(TokenClass.REASONING));
        u.put("output_audio_tokens", c.get(TokenClass.OUTPUT_AUDIO));
        u.put("output_image_tokens", c.get(TokenClass.OUTPUT_IMAGE));
        return u;
    }

    // ---- the source's side ------------------------------------------------------------------------

    private Map<String, JsonNode> priceWithSource(List<Call> calls) throws Exception {
        Assumptions.assumeTrue(node.skipReason() == null, node::skipReason);
        Path input = tmp.resolve("calls.ndjson");
        StringBuilder lines = new StringBuilder();
        for (Call c : calls) {
            ObjectNode n = JSON.createObjectNode().put("id", c.id)
                    .put("provider", SOURCE_PROVIDER.getOrDefault(c.provider, c.provider)).put("model", c.model)
                    .put("at", c.at);
            n.set("usage", sourceUsage(c.counts));
            lines.append(n).append('\n');
        }
        Files.writeString(input, lines);
        NodePackages.Result r = NodePackages.run(tmp, List.of("node", SCRIPT.toAbsolutePath().toString(),
                input.toString()), null, Map.of("ORACLE_MODULES", node.modulesDir().toString()), Duration.ofMinutes(5));
        if (!r.ok()) {
            fail("node price-oracle.mjs failed:\n" + NodePackages.tail(r.stderr()));
        }
        Map<String, JsonNode> byId = new HashMap<>();
        for (String line : r.stdout().lines().filter(l -> !l.isBlank()).toList()) {
            JsonNode n = JSON.readTree(line);
            byId.put(n.path("id").asText(), n);
        }
        assertThat(byId).hasSize(calls.size());
        return byId;
    }

    // ---- comparison -------------------------------------------------------------------------------

    private static final class Report {
        int compared;
        int exact;
        int sourceUnpriced;
        final List<String> sourceErrors = new ArrayList<>();
        final Map<String, String> mismatches = new LinkedHashMap<>();
    }

    private Report compare(List<Call> calls, Map<String, JsonNode> source) {
        Report r = new Report();
        for (Call c : calls) {
            JsonNode s = source.get(c.id);
            if (s.hasNonNull("error")) {
                r.sourceErrors.add(c.provider + "/" + c.model + ": " + s.get("error").asText());
                continue;
            }
            if (s.get("total").isNull()) {
                r.sourceUnpriced++;
                continue;
            }
            String what = c.provider + "/" + c.model + " at " + Instant.ofEpochMilli(c.at) + " " + c.counts;
            var ours = index.price(c.provider, c.model, c.at, c.counts);
            String sourceModel = sourceProviderAsOurs(s.path("provider").asText()) + "/" + s.path("model").asText()
                    .toLowerCase();
            if (ours.isEmpty()) {
                r.mismatches.put(what, "unpriced here; the source prices it with " + sourceModel);
                continue;
            }
            String ourModel = ours.get().entry().getProvider() + "/" + ours.get().entry().getModel();
            if (!ourModel.equals(sourceModel)) {
                r.mismatches.put(what, "priced with " + ourModel + "; the source uses " + sourceModel);
                continue;
            }
            BigDecimal theirs = new BigDecimal(s.get("total").asText()).movePointRight(9);
            long nanos = ours.get().cost().nanos();
            BigDecimal diff = theirs.subtract(BigDecimal.valueOf(nanos)).abs();
            BigDecimal tolerance = new BigDecimal("0.5").add(theirs.abs().multiply(new BigDecimal("1e-12")));
            r.compared++;
            if (diff.compareTo(tolerance) > 0) {
                r.mismatches.put(what, "costs " + nanos + " nano-USD here, " + theirs.toPlainString() + " at the source");
            } else if (theirs.setScale(0, java.math.RoundingMode.HALF_UP).longValueExact() == nanos) {
                r.exact++;
            }
        }
        r.mismatches.entrySet().stream().limit(20).forEach(e -> System.out.println("  MISMATCH " + e.getKey()
                + ": " + e.getValue()));
        return r;
    }

    private static String sourceProviderAsOurs(String sourceId) {
        for (var e : SOURCE_PROVIDER.entrySet()) {
            if (e.getValue().equals(sourceId)) {
                return e.getKey();
            }
        }
        return sourceId;
    }

    private static long at(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }
}
