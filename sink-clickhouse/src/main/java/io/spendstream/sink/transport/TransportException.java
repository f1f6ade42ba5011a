package io.spendstream.sink.transport;

import java.util.OptionalInt;

/** A failed ClickHouse call, classified by {@link ClickHouseErrors}. */
public final class TransportException extends RuntimeException {
    private final boolean retriable;
    private final Integer code;

    public TransportException(String message, Throwable cause, boolean retriable, Integer code) {
        super(message, cause);
        this.retriable = retriable;
        this.code = code;
    }

    public boolean retriable() {
        return retriable;
    }

    public OptionalInt code() {
        return code == null ? OptionalInt.empty() : OptionalInt.of(code);
    }
}
