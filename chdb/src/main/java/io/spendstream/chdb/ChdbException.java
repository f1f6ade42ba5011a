package io.spendstream.chdb;

import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An error from the chDB engine. ClickHouse reports errors as text ("Code: 60. DB::Exception: ...");
 * {@link #errorCode()} is the numeric ClickHouse error code parsed from it, so callers can sort errors
 * into retriable and fatal the same way as with a ClickHouse server.
 */
public class ChdbException extends RuntimeException {
    private static final Pattern CODE = Pattern.compile("Code: (\\d+)\\.");
    private final Integer errorCode;

    public ChdbException(String message) {
        super(message);
        Matcher m = CODE.matcher(message);
        this.errorCode = m.find() ? Integer.valueOf(m.group(1)) : null;
    }

    public ChdbException(String message, Throwable cause) {
        super(message, cause);
        this.errorCode = null;
    }

    /** The ClickHouse error code, when the engine gave one. */
    public OptionalInt errorCode() {
        return errorCode == null ? OptionalInt.empty() : OptionalInt.of(errorCode);
    }
}
