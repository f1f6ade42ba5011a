package io.spendstream.schemas.registry;

/**
 * An error answered by a schema registry (or a failure to reach one). {@link #status()} is the HTTP
 * status (0 when no answer was received) and {@link #errorCode()} the registry's error_code.
 */
public class SchemaRegistryException extends RuntimeException {
    private final int status;
    private final int errorCode;

    public SchemaRegistryException(String message, int status, int errorCode, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.errorCode = errorCode;
    }

    public int status() {
        return status;
    }

    public int errorCode() {
        return errorCode;
    }

    /** True when trying again later may succeed: no answer, a 5xx, or 429. */
    public boolean isTransient() {
        return status == 0 || status >= 500 || status == 429;
    }

    /** A schema id that the registry does not know (Confluent error 40403 on GET /schemas/ids/{id}). */
    public static final class UnknownSchemaIdException extends SchemaRegistryException {
        public UnknownSchemaIdException(int id, String registryMessage) {
            super("schema id " + id + " is unknown to the schema registry (" + registryMessage + ")", 404, 40403, null);
        }
    }

    /** The schema is not compatible with the subject's earlier versions under its compatibility level (409). */
    public static final class IncompatibleSchemaException extends SchemaRegistryException {
        public IncompatibleSchemaException(String subject, String registryMessage, int errorCode) {
            super("schema is incompatible with the latest version of subject " + subject
                    + " under the registry's compatibility level: " + registryMessage, 409, errorCode, null);
        }
    }

    /** The schema is not registered under the subject (lookup without auto-registration). */
    public static final class SchemaNotRegisteredException extends SchemaRegistryException {
        public SchemaNotRegisteredException(String subject, String registryMessage, int errorCode) {
            super("schema is not registered under subject " + subject + " (" + registryMessage
                    + "); register it or enable auto-registration", 404, errorCode, null);
        }
    }
}
