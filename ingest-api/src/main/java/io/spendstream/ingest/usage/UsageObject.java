package io.spendstream.ingest.usage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A JSON object of a provider's usage, read by key with its path for error messages. Only the keys a
 * format reads are validated; any other key is ignored, since providers keep adding fields (total_tokens,
 * service_tier, server_tool_use, ...). An absent key and a null value both read as zero or empty: the
 * providers' own SDKs send null for counts that do not apply.
 */
final class UsageObject {
    private final JsonNode node;
    private final String path;

    UsageObject(JsonNode node, String path) {
        this.node = node;
        this.path = path;
    }

    boolean has(String key) {
        JsonNode v = node.get(key);
        return v != null && !v.isNull();
    }

    /** An exact integer >= 0 that fits a signed 64-bit long; absent or null is 0. */
    Count count(String key) throws UsageException {
        JsonNode v = node.get(key);
        String p = path + "." + key;
        if (v == null || v.isNull()) {
            return new Count(p, 0);
        }
        if (v.isFloatingPointNumber()) {
            throw new UsageException(p, "must be a whole number (no fraction or exponent)");
        }
        if (!v.isIntegralNumber()) {
            throw new UsageException(p, "must be an integer >= 0, not " + describe(v));
        }
        if (v.canConvertToLong() && v.asLong() >= 0) {
            return new Count(p, v.asLong());
        }
        throw new UsageException(p, v.bigIntegerValue().signum() < 0 ? "must be >= 0"
                : "is too large (at most " + Long.MAX_VALUE + ")");
    }

    /** A nested object; absent or null is an empty one. */
    UsageObject object(String key) throws UsageException {
        JsonNode v = node.get(key);
        String p = path + "." + key;
        if (v == null || v.isNull()) {
            return new UsageObject(MissingNode.getInstance(), p);
        }
        if (!v.isObject()) {
            throw new UsageException(p, "must be an object, not " + describe(v));
        }
        return new UsageObject(v, p);
    }

    /** An array of objects; absent or null is empty. */
    List<UsageObject> objects(String key) throws UsageException {
        JsonNode v = node.get(key);
        String p = path + "." + key;
        List<UsageObject> items = new ArrayList<>();
        if (v == null || v.isNull()) {
            return items;
        }
        if (!v.isArray()) {
            throw new UsageException(p, "must be an array, not " + describe(v));
        }
        for (int i = 0; i < v.size(); i++) {
            JsonNode item = v.get(i);
            if (!item.isObject()) {
                throw new UsageException(p + "[" + i + "]", "must be an object, not " + describe(item));
            }
            items.add(new UsageObject(item, p + "[" + i + "]"));
        }
        return items;
    }

    /** A string; absent or null is "". */
    String text(String key) throws UsageException {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return "";
        }
        if (!v.isTextual()) {
            throw new UsageException(path + "." + key, "must be a string, not " + describe(v));
        }
        return v.asText();
    }

    String path() {
        return path;
    }

    static String describe(JsonNode v) {
        return switch (v.getNodeType()) {
            case OBJECT -> "an object";
            case ARRAY -> "an array";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> v.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
