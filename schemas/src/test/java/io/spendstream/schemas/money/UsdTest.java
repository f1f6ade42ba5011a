package io.spendstream.schemas.money;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class UsdTest {
    @Test
    void shouldFormatNanosWithNineDecimals() {
        assertThat(Usd.format(1_234_500_000L)).isEqualTo("1.234500000");
        assertThat(Usd.format(7)).isEqualTo("0.000000007");
        assertThat(Usd.format(-5_000_000_000L)).isEqualTo("-5.000000000");
    }

    @Test
    void shouldParseExactlyAndRefuseSubNanoDigits() {
        assertThat(Usd.toNanos(new BigDecimal("10.5"))).isEqualTo(10_500_000_000L);
        assertThat(Usd.toNanos(new BigDecimal("1E+2"))).isEqualTo(100_000_000_000L);
        assertThatThrownBy(() -> Usd.toNanos(new BigDecimal("0.0000000001"))).isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(() -> Usd.toNanos(new BigDecimal("1e30"))).isInstanceOf(ArithmeticException.class);
    }
}
