package io.spendstream.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed reading of settings from environment-style keys (SPENDSTREAM_...), each with a default and
 * validation; a bad value fails fast with a {@link ConfigException} that names the key. The same
 * key can also be given as a JVM system property (-DSPENDSTREAM_...), which wins over the
 * environment. Every key a config class reads is recorded in {@link #keysRead()}, so deployment
 * files can be checked against what the services know.
 */
public final class Settings {
    private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private final Map<String, String> values;
    private final Set<String> keysRead = Collections.synchronizedSet(new TreeSet<>());

    public Settings(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    /** The process environment, overridden by system properties of the same name. */
    public static Settings fromEnvironment() {
        Map<String, String> merged = new LinkedHashMap<>(System.getenv());
        System.getProperties().forEach((k, v) -> {
            if (k.toString().startsWith("SPENDSTREAM_")) {
                merged.put(k.toString(), v.toString());
            }
        });
        return new Settings(merged);
    }

    public static Settings of(Map<String, String> values) {
        return new Settings(values);
    }

    /** A copy with some values replaced (for tests and launchers). */
    public Settings with(Map<String, String> overrides) {
        Map<String, String> merged = new LinkedHashMap<>(values);
        merged.putAll(overrides);
        return new Settings(merged);
    }

    /** The keys read so far, sorted. */
    public Set<String> keysRead() {
        synchronized (keysRead) {
            return Collections.unmodifiableSortedSet(new TreeSet<>(keysRead));
        }
    }

    private String raw(String key) {
        keysRead.add(key);
        String v = values.get(key);
        return v == null || v.isBlank() ? null : v.strip();
    }

    public String string(String key, String defaultValue) {
        String v = raw(key);
        return v == null ? defaultValue : v;
    }

    public String required(String key, String expected) {
        String v = raw(key);
        if (v == null) {
            throw new ConfigException(key, null, expected);
        }
        return v;
    }

    /**
     * A secret read from {@code key}, or from the file named by {@code key_FILE} (the convention of
     * Docker and Kubernetes secrets: a mounted file can be rotated without touching the environment).
     * One trailing newline of the file is dropped, as editors and {@code echo} add one. Null when neither
     * is set; both set is an error, since which one wins would be a guess.
     */
    public Secret secret(String key) {
        String fileKey = key + "_FILE";
        String direct = raw(key);
        String file = raw(fileKey);
        if (direct != null && file != null) {
            throw new ConfigException(key, "<redacted>", "either " + key + " or " + fileKey + ", not both");
        }
        if (file == null) {
            return direct == null ? null : Secret.of(direct);
        }
        try {
            String content = Files.readString(Path.of(file), StandardCharsets.UTF_8);
            return Secret.of(content.endsWith("\r\n") ? content.substring(0, content.length() - 2)
                    : content.endsWith("\n") ? content.substring(0, content.length() - 1) : content);
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(fileKey, file, "a readable file holding the secret (" + e.getClass().getSimpleName()
                    + ")");
        }
    }

    /** The keys set (non-blank) that start with {@code prefix}, sorted; each is recorded as read. */
    public Set<String> keysWithPrefix(String prefix) {
        Set<String> keys = new TreeSet<>();
        values.forEach((k, v) -> {
            if (k.startsWith(prefix) && v != null && !v.isBlank()) {
                keys.add(k);
            }
        });
        keysRead.addAll(keys);
        return keys;
    }

    public int integer(String key, int defaultValue, int min, int max) {
        String v = raw(key);
        if (v == null) {
            return defaultValue;
        }
        try {
            int i = Integer.parseInt(v);
            if (i < min || i > max) {
                throw new ConfigException(key, v, "an integer from " + min + " to " + max);
            }
            return i;
        } catch (NumberFormatException e) {
            throw new ConfigException(key, v, "an integer from " + min + " to " + max);
        }
    }

    public long longValue(String key, long defaultValue, long min, long max) {
        String v = raw(key);
        if (v == null) {
            return defaultValue;
        }
        try {
            long l = Long.parseLong(v);
            if (l < min || l > max) {
                throw new ConfigException(key, v, "an integer from " + min + " to " + max);
            }
            return l;
        } catch (NumberFormatException e) {
            throw new ConfigException(key, v, "an integer from " + min + " to " + max);
        }
    }

    public boolean bool(String key, boolean defaultValue) {
        String v = raw(key);
        if (v == null) {
            return defaultValue;
        }
        return switch (v.toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw new ConfigException(key, v, "true or false");
        };
    }

    /** A duration as {@code 250ms}, {@code 30s}, {@code 10m}, {@code 2h}, {@code 7d} or ISO-8601 ({@code PT5M}). */
    public Duration duration(String key, Duration defaultValue, Duration min, Duration max) {
        String v = raw(key);
        if (v == null) {
            return defaultValue;
        }
        Duration d = parseDuration(v);
        if (d == null || d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new ConfigException(key, v, "a duration from " + min + " to " + max + " (e.g. 250ms, 30s, 10m, 2h, 7d)");
        }
        return d;
    }

    public Path path(String key, Path defaultValue) {
        String v = raw(key);
        return v == null ? defaultValue : Path.of(v);
    }

    static Duration parseDuration(String v) {
        Matcher m = SIMPLE_DURATION.matcher(v);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            return Duration.parse(v);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
