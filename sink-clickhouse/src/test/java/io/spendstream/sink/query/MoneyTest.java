package io.spendstream.sink.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class MoneyTest {
    @Test
    void shouldRenderNanosAsExactUsdWithNineDecimals() {
        assertThat(Money.usd(123456789012345678L)).isEqualTo("123456789.012345678");
        assertThat(Money.usd(1)).isEqualTo("0.000000001");
        assertThat(Money.usd(0)).isEqualTo("0.000000000");
        assertThat(Money.usd(-1_500_000_000L)).isEqualTo("-1.500000000");
        assertThat(Money.usd(Long.MAX_VALUE)).isEqualTo("9223372036.854775807");
        // Sums beyond Int64 (ClickHouse sums in Int128) stay exact.
        assertThat(Money.usd(BigInteger.valueOf(Long.MAX_VALUE).multiply(BigInteger.TEN).add(BigInteger.ONE)))
                .isEqualTo("92233720368.547758071");
    }

    @Test
    void shouldQuoteCsvTextAndDefuseSpreadsheetFormulas() {
        assertThat(SpendQueries.csvText("chat")).isEqualTo("chat");
        assertThat(SpendQueries.csvText("a,\"b\"")).isEqualTo("\"a,\"\"b\"\"\"");
        assertThat(SpendQueries.csvText("=HYPERLINK(1)")).isEqualTo("\"'=HYPERLINK(1)\"");
    }
}
