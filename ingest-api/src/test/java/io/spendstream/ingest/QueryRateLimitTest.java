package io.spendstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spendstream.config.ConfigException;
import io.spendstream.config.Settings;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueryRateLimitTest {
    @Test
    void shouldDefaultToAGenerousLimitAndReadBothSettings() {
        assertThat(IngestConfig.from(Settings.of(Map.of())).queryRateLimit()).isEqualTo(new QueryRateLimit(50, 200));
        assertThat(IngestConfig.keys()).contains(QueryRateLimit.RATE, QueryRateLimit.BURST);
        QueryRateLimit l = QueryRateLimit.from(Settings.of(Map.of(QueryRateLimit.RATE, "2", QueryRateLimit.BURST, "3")));
        assertThat(l).isEqualTo(new QueryRateLimit(2, 3));
        assertThat(l).hasToString("2/s burst 3");
        assertThatThrownBy(() -> QueryRateLimit.from(Settings.of(Map.of(QueryRateLimit.BURST, "0"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining(QueryRateLimit.BURST);
    }

    @Test
    void shouldLimitEachOrgSeparatelyAndNotAtAllWhenOff() {
        RateLimiter limiter = new QueryRateLimit(1, 2).limiter();
        assertThat(limiter.tryAcquire("acme", 1)).isZero();
        assertThat(limiter.tryAcquire("acme", 1)).isZero();
        assertThat(limiter.tryAcquire("acme", 1)).as("nanoseconds until the next token").isPositive();
        assertThat(limiter.tryAcquire("beta", 1)).isZero();
        RateLimiter off = new QueryRateLimit(0, 1).limiter();
        for (int i = 0; i < 1000; i++) {
            assertThat(off.tryAcquire("acme", 1)).isZero();
        }
        assertThat(new QueryRateLimit(0, 1)).hasToString("off");
    }
}
