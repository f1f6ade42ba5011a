package io.spendstream.ingest.usage;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.spendstream.pricing.TokenClass;
import io.spendstream.pricing.TokenCounts;

/** Test helpers: read a usage JSON text, expect a UsageException, build expected counts. */
final class Usages {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Usages() {}

    static ProviderUsage read(String usageJson, String format, String provider) throws Exception {
        return ProviderUsage.read(JSON.readTree(usageJson), format, provider);
    }

    static TokenCounts counts(String usageJson, String format, String provider) throws Exception {
        return read(usageJson, format, provider).counts();
    }

    static UsageException error(String usageJson, String format, String provider) {
        UsageException[] thrown = new UsageException[1];
        assertThatThrownBy(() -> read(usageJson, format, provider))
                .isInstanceOfSatisfying(UsageException.class, e -> thrown[0] = e);
        return thrown[0];
    }

    /** Expected counts from (class, count) pairs; every other class is 0. */
    static TokenCounts expect(Object... classAndCount) {
        TokenCounts.Builder b = TokenCounts.builder();
        for (int i = 0; i < classAndCount.length; i += 2) {
            b.set((TokenClass) classAndCount[i], ((Number) classAndCount[i + 1]).longValue());
        }
        return b.build();
    }
}
