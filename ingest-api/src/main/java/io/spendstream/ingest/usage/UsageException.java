package io.spendstream.ingest.usage;

/** A usage object that cannot be read as token counts: the offending field's path (e.g. {@code usage.prompt_tokens}) and why. */
public final class UsageException extends Exception {
    private final String field;

    public UsageException(String field, String message) {
        super(message, null, false, false);
        this.field = field;
    }

    /** Path of the offending field from the event, starting with {@code usage} (or {@code usage_format}). */
    public String field() {
        return field;
    }
}
