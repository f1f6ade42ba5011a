package io.spendstream.pricing;

import io.spendstream.schema.ModelPrice;
import java.util.List;

/**
 * A price catalog as a file holds it: provider rules and price entries (ModelPrice, one per model
 * and effective_from), with where they came from. See {@code CatalogFile} for the JSON form.
 *
 * @param description   free text
 * @param generatedFrom the source, e.g. {@code npm @pydantic/genai-prices@0.1.8 (MIT)}
 * @param generatedOn   YYYY-MM-DD, or null
 * @param providers     provider rules, in the order they are tried
 * @param prices        entries, sorted by provider, model and effective_from
 */
public record Catalog(String description, String generatedFrom, String generatedOn, List<ProviderRule> providers,
                      List<ModelPrice> prices) {
    public Catalog {
        providers = List.copyOf(providers);
        prices = List.copyOf(prices);
    }
}
