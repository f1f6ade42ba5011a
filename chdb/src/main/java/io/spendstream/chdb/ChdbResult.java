package io.spendstream.chdb;

import java.nio.charset.StandardCharsets;

/** The output of one query: the bytes in the requested format, and the engine's counters. */
public record ChdbResult(byte[] data, long rowsRead, long rowsWritten, double elapsedSeconds) {
    public String text() {
        return new String(data, StandardCharsets.UTF_8);
    }
}
