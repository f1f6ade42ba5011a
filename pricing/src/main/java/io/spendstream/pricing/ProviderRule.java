package io.spendstream.pricing;

import java.util.List;
import java.util.Objects;

/**
 * How a provider name as sent resolves to a catalog provider, and where its model lookup goes next.
 *
 * @param id                 the catalog's provider id (lower case), e.g. {@code google}
 * @param providerMatch      names as sent that mean this provider besides its id ({@code vertex},
 *                           {@code gemini} for google); null: the id only
 * @param modelMatch         model names that identify this provider when the provider as sent is
 *                           unknown ({@code gpt-} for openai); null: never chosen by model name
 * @param fallbackProviders  catalog providers whose models price this provider's calls when none of
 *                           its own matches (azure falls back to openai), in order
 */
public record ProviderRule(String id, MatchRule providerMatch, MatchRule modelMatch, List<String> fallbackProviders) {
    public ProviderRule {
        Objects.requireNonNull(id, "id");
        fallbackProviders = List.copyOf(fallbackProviders);
    }
}
