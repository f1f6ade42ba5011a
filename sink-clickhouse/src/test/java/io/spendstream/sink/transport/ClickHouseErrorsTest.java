package io.spendstream.sink.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.spendstream.chdb.ChdbException;
import java.io.IOException;
import java.net.ConnectException;
import java.util.OptionalInt;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class ClickHouseErrorsTest {
    @Test
    void shouldRetryNetworkTimeoutAndOverloadCodes() {
        for (int code : new int[] {3, 107, 159, 164, 202, 203, 209, 210, 241, 242, 252, 285, 319, 425, 999, 1002}) {
            assertThat(ClickHouseErrors.isRetriable(OptionalInt.of(code), null)).as("code %d", code).isTrue();
        }
        assertThat(ClickHouseErrors.name(252)).isEqualTo("TOO_MANY_PARTS");
    }

    @Test
    void shouldTreatSchemaParseAndSyntaxErrorsAsFatal() {
        for (int code : new int[] {16, 26, 27, 33, 38, 41, 53, 60, 62, 81, 117, 36}) {
            assertThat(ClickHouseErrors.isRetriable(OptionalInt.of(code), new IOException("even with an I/O cause")))
                    .as("code %d", code).isFalse();
        }
        assertThat(ClickHouseErrors.name(16)).isEqualTo("NO_SUCH_COLUMN_IN_TABLE");
    }

    @Test
    void shouldRetryIoAndTimeoutsWithoutCodeAndNotOtherFailures() {
        assertThat(ClickHouseErrors.isRetriable(OptionalInt.empty(), new RuntimeException(new ConnectException("refused"))))
                .isTrue();
        assertThat(ClickHouseErrors.isRetriable(OptionalInt.empty(), new TimeoutException())).isTrue();
        assertThat(ClickHouseErrors.isRetriable(OptionalInt.empty(), new IllegalStateException("bug"))).isFalse();
        assertThat(ClickHouseErrors.isRetriable(OptionalInt.empty(), null)).isFalse();
    }

    @Test
    void shouldClassifyChdbErrorsByTheirClickHouseCode() {
        TransportException fatal = ChdbTransport.classify(new ChdbException(
                "Code: 16. DB::Exception: No such column foo in table x. (NO_SUCH_COLUMN_IN_TABLE)"));
        assertThat(fatal.retriable()).isFalse();
        assertThat(fatal.code()).hasValue(16);
        TransportException retriable = ChdbTransport.classify(new ChdbException(
                "Code: 252. DB::Exception: Too many parts (300). (TOO_MANY_PARTS)"));
        assertThat(retriable.retriable()).isTrue();
    }
}
