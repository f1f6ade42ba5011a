package io.spendstream.config;

import java.util.Objects;

/**
 * A setting's secret value (password, token, JAAS line). It is a type of its own so that no config
 * record, log line or exception message can print it by accident: {@link #toString()} is
 * {@code <redacted>}, and only {@link #reveal()}, called where the value is handed to a client,
 * gives it out.
 */
public final class Secret {
    private static final String REDACTED = "<redacted>";

    private final String value;

    private Secret(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    public static Secret of(String value) {
        return new Secret(value);
    }

    /** The value itself, for the client that needs it; never for a log line. */
    public String reveal() {
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret s && s.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return REDACTED;
    }
}
