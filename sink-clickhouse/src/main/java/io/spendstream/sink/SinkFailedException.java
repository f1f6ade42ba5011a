package io.spendstream.sink;

/** The sink stopped because of an error it may not skip (a fatal ClickHouse error with SPENDSTREAM_SINK_ON_FATAL=stop). */
public final class SinkFailedException extends RuntimeException {
    public SinkFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
