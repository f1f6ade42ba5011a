package io.spendstream.sink.schema;

/** A migration that cannot be applied, or an applied one that was changed afterwards. */
public final class MigrationException extends RuntimeException {
    public MigrationException(String message) {
        super(message);
    }

    public MigrationException(String message, Throwable cause) {
        super(message, cause);
    }
}
