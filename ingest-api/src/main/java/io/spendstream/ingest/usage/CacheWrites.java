package io.spendstream.ingest.usage;

/**
 * Cache writes split by lifetime (Anthropic's cache_creation, Bedrock's cacheDetails). The provider's
 * total of writes, when sent, is what is billed; a split that accounts for less than the total leaves
 * the rest at the default 5-minute lifetime, and a split that accounts for more is inconsistent.
 */
record CacheWrites(long fiveMinutes, long oneHour) {
    static CacheWrites split(Count totalOrAbsent, Count fiveMinutes, Count oneHour) throws UsageException {
        if (totalOrAbsent == null) {
            return new CacheWrites(fiveMinutes.value(), oneHour.value());
        }
        String why = "the split by lifetime is part of the cache writes";
        Remainder.of(totalOrAbsent).less(oneHour, why).less(fiveMinutes, why);
        return new CacheWrites(totalOrAbsent.value() - oneHour.value(), oneHour.value());
    }
}
