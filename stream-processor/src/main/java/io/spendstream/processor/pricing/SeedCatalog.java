package io.spendstream.processor.pricing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spendstream.schema.ModelPrice;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The seed price catalog file (prices/model-prices.json in this module, or a file named by
 * configuration): USD per million tokens as exact decimal strings, with source and date per entry.
 */
public final class SeedCatalog {
    public static final String RESOURCE = "/prices/model-prices.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private SeedCatalog() {}

    /** Provider rules of the catalog file (interim: none until the v2 format lands). */
    public static List<io.spendstream.pricing.ProviderRule> providers(Path file) {
        return List.of();
    }

    public static List<ModelPrice> load(Path file) {
        if (file == null) {
            try (InputStream in = SeedCatalog.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("price catalog resource " + RESOURCE + " is missing");
                }
                return parse(in.readAllBytes(), RESOURCE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        try {
            return parse(Files.readAllBytes(file), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read price catalog " + file, e);
        }
    }

    static List<ModelPrice> parse(byte[] json, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("price catalog " + source + " is not valid JSON: " + e.getMessage(), e);
        }
        JsonNode prices = root.path("prices");
        if (!prices.isArray()) {
            throw new IllegalArgumentException("price catalog " + source + " has no \"prices\" array");
        }
        List<ModelPrice> out = new ArrayList<>(prices.size());
        Set<String> seen = new HashSet<>();
        int index = 0;
        for (JsonNode p : prices) {
            String where = source + " prices[" + index++ + "]";
            try {
                ModelPrice price = Prices.builder(text(p, "provider"), text(p, "model"),
                                Instant.parse(text(p, "effective_from")))
                        .setInputPerMtokNanos(Prices.usdToNanos(text(p, "input_per_mtok")))
                        .setOutputPerMtokNanos(Prices.usdToNanos(text(p, "output_per_mtok")))
                        .setCachedInputPerMtokNanos(optionalNanos(p, "cached_input_per_mtok"))
                        .setCacheWritePerMtokNanos(optionalNanos(p, "cache_write_per_mtok"))
                        .setReasoningPerMtokNanos(optionalNanos(p, "reasoning_per_mtok"))
                        .setSource(p.path("source").asText(null))
                        .setSourceDate(p.path("source_date").asText(null))
                        .build();
                if (!seen.add(Prices.topicKey(price))) {
                    throw new IllegalArgumentException("duplicate entry for " + Prices.topicKey(price));
                }
                out.add(price);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    private static String text(JsonNode p, String field) {
        JsonNode v = p.get(field);
        if (v == null || v.isNull() || !v.isTextual() || v.asText().isBlank()) {
            throw new IllegalArgumentException("\"" + field + "\" must be a non-empty string");
        }
        return v.asText();
    }

    private static Long optionalNanos(JsonNode p, String field) {
        JsonNode v = p.get(field);
        return v == null || v.isNull() ? null : Prices.usdToNanos(text(p, field));
    }
}
