package io.spendstream.ingest.usage;

import com.fasterxml.jackson.databind.JsonNode;
import io.spendstream.pricing.TokenClass;
import io.spendstream.pricing.TokenCounts;

/**
 * A provider's own usage object (copied verbatim from its API response) read as our disjoint token
 * classes. Providers report totals with breakdowns inside them (prompt_tokens includes cached tokens,
 * and so on); each format's reader takes the breakdowns out of their totals so that every token is
 * counted in exactly one class.
 *
 * @param format the format the object was read as (given, or detected from its shape)
 * @param counts the disjoint counts
 */
public record ProviderUsage(UsageFormat format, TokenCounts counts) {

    /**
     * Reads {@code usage} as {@code format} (a {@link UsageFormat} name), or as the format its keys
     * show when {@code format} is null.
     *
     * @param provider the event's provider, for the OpenAI-compatible APIs that count differently (xAI)
     * @throws UsageException naming the offending field and why
     */
    public static ProviderUsage read(JsonNode usage, String format, String provider) throws UsageException {
        if (!usage.isObject()) {
            throw new UsageException("usage", "must be the provider's usage object, not " + UsageObject.describe(usage));
        }
        UsageFormat f = format == null ? UsageFormat.detect(usage) : UsageFormat.named(format);
        try {
            TokenCounts counts = f.read(new UsageObject(usage, "usage"), provider);
            // Pricing sums each side; refuse here what it could not sum.
            counts.total(TokenClass.Direction.INPUT);
            counts.total(TokenClass.Direction.OUTPUT);
            return new ProviderUsage(f, counts);
        } catch (ArithmeticException e) {
            throw new UsageException("usage", "the token counts add up to more than " + Long.MAX_VALUE);
        }
    }
}
