package io.spendstream.sink.transport;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeoutException;

/**
 * Sorts ClickHouse failures into retriable (the same insert may succeed later: retry with backoff,
 * never skip) and fatal (retrying cannot help: schema mismatch, bad data, bad SQL).
 *
 * <p>The retriable codes follow the list ClickHouse's own Kafka Connect sink keeps
 * (github.com/ClickHouse/clickhouse-kafka-connect, src/main/java/com/clickhouse/kafka/connect/util/Utils.java,
 * {@code Utils.handleException}: "retriable" ClickHouse error codes), with names from ClickHouse's
 * src/Common/ErrorCodes.cpp. Everything with a ClickHouse code not listed is fatal; failures without
 * a code are retriable when caused by I/O or timeouts.
 */
public final class ClickHouseErrors {
    /** Retriable ClickHouse error codes and their names. */
    public static final Map<Integer, String> RETRIABLE = Map.ofEntries(
            Map.entry(3, "UNEXPECTED_END_OF_FILE"),
            Map.entry(107, "FILE_DOESNT_EXIST"),
            Map.entry(159, "TIMEOUT_EXCEEDED"),
            Map.entry(164, "READONLY"),
            Map.entry(202, "TOO_MANY_SIMULTANEOUS_QUERIES"),
            Map.entry(203, "NO_FREE_CONNECTION"),
            Map.entry(209, "SOCKET_TIMEOUT"),
            Map.entry(210, "NETWORK_ERROR"),
            Map.entry(241, "MEMORY_LIMIT_EXCEEDED"),
            Map.entry(242, "TABLE_IS_READ_ONLY"),
            Map.entry(252, "TOO_MANY_PARTS"),
            Map.entry(285, "TOO_FEW_LIVE_REPLICAS"),
            Map.entry(319, "UNKNOWN_STATUS_OF_INSERT"),
            Map.entry(425, "SYSTEM_ERROR"),
            Map.entry(999, "KEEPER_EXCEPTION"),
            Map.entry(1002, "UNKNOWN_EXCEPTION"));

    /** Fatal codes the sink meets most often (documentation and tests; any unlisted code is fatal too). */
    public static final Map<Integer, String> KNOWN_FATAL = Map.ofEntries(
            Map.entry(16, "NO_SUCH_COLUMN_IN_TABLE"),
            Map.entry(26, "CANNOT_PARSE_QUOTED_STRING"),
            Map.entry(27, "CANNOT_PARSE_INPUT_ASSERTION_FAILED"),
            Map.entry(33, "CANNOT_READ_ALL_DATA"),
            Map.entry(38, "CANNOT_PARSE_DATE"),
            Map.entry(41, "CANNOT_PARSE_DATETIME"),
            Map.entry(53, "TYPE_MISMATCH"),
            Map.entry(60, "UNKNOWN_TABLE"),
            Map.entry(62, "SYNTAX_ERROR"),
            Map.entry(81, "UNKNOWN_DATABASE"),
            Map.entry(117, "INCORRECT_DATA"));

    private ClickHouseErrors() {}

    public static boolean isRetriableCode(int code) {
        return RETRIABLE.containsKey(code);
    }

    /** Whether a failure with this ClickHouse code (if any) and cause chain is worth retrying. */
    public static boolean isRetriable(OptionalInt code, Throwable cause) {
        if (code.isPresent()) {
            return isRetriableCode(code.getAsInt());
        }
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof IOException || t instanceof TimeoutException || t instanceof SocketTimeoutException
                    || t instanceof ConnectException || t instanceof ClosedChannelException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    public static String name(int code) {
        String n = RETRIABLE.get(code);
        return n != null ? n : KNOWN_FATAL.getOrDefault(code, "CODE_" + code);
    }
}
