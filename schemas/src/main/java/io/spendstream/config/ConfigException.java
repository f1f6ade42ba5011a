package io.spendstream.config;

/** A setting with a missing or invalid value; the message names the key, the value and what is expected. */
public final class ConfigException extends RuntimeException {
    private final String key;

    public ConfigException(String key, String value, String expected) {
        super("invalid setting " + key + (value == null ? " (not set)" : "=" + value) + ": " + expected);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
