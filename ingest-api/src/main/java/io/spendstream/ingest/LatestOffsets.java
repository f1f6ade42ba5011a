package io.spendstream.ingest;

import java.util.HashMap;
import java.util.Map;

/**
 * The offset of the newest record applied per key of a compacted topic, so that a table fed both by its
 * topic and by this instance's own acknowledged writes never lets an older record overwrite a newer one.
 * Not thread-safe: the tables call it under their own lock.
 */
final class LatestOffsets {
    private final Map<String, Long> offsets = new HashMap<>();

    /** Records {@code offset} for {@code key}; false when a newer record of the key was applied already. */
    boolean acceptNewer(String key, long offset) {
        Long seen = offsets.get(key);
        if (seen != null && seen > offset) {
            return false;
        }
        offsets.put(key, offset);
        return true;
    }
}
