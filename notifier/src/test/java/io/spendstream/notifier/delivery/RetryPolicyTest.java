package io.spendstream.notifier.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private final RetryPolicy policy = new RetryPolicy(Duration.ofSeconds(1), Duration.ofMinutes(10), Duration.ofHours(24));
    private final Instant alertAt = Instant.parse("2026-11-23T10:00:00Z");

    @Test
    void shouldDoubleTheDelayWithJitterUpToTheMaximum() {
        Instant now = alertAt.plusSeconds(5);
        for (int attempts = 1; attempts <= 20; attempts++) {
            long full = Math.min(1000L << Math.min(attempts - 1, 30), 600_000);
            for (int i = 0; i < 50; i++) {
                long delay = Duration.between(now, policy.next(attempts, null, alertAt, now)).toMillis();
                assertThat(delay).as("attempt %d", attempts).isBetween(full / 2, full);
            }
        }
    }

    @Test
    void shouldWaitAtLeastRetryAfter() {
        Instant now = alertAt.plusSeconds(5);
        assertThat(policy.next(1, Duration.ofSeconds(120), alertAt, now)).isEqualTo(now.plusSeconds(120));
    }

    @Test
    void shouldStopAtTheHorizon() {
        Instant late = alertAt.plus(Duration.ofHours(24)).minusSeconds(1);
        assertThat(policy.next(12, null, alertAt, late)).isNull();
        assertThat(policy.next(1, Duration.ofDays(2), alertAt, alertAt)).as("a Retry-After past the horizon").isNull();
        assertThat(policy.expired(alertAt, alertAt.plus(Duration.ofHours(25)))).isTrue();
    }

    @Test
    void shouldClassifyAnswers() {
        Instant t = Instant.now();
        assertThat(result(200).success()).isTrue();
        for (int code : new int[] {500, 502, 503, 408, 429}) {
            assertThat(result(code).retryable()).as("%d", code).isTrue();
        }
        for (int code : new int[] {301, 400, 401, 404, 410, 422}) {
            assertThat(result(code).retryable()).as("%d", code).isFalse();
        }
        assertThat(new AttemptResult(t, null, 10, "timeout", null, null, false).retryable()).isTrue();
        assertThat(new AttemptResult(t, null, 0, "private", null, null, true).retryable()).isFalse();
    }

    @Test
    void shouldReadRetryAfterAsSecondsOrHttpDate() {
        Instant now = Instant.parse("2026-11-23T10:00:00Z");
        assertThat(HttpSender.retryAfter("30", now)).isEqualTo(Duration.ofSeconds(30));
        assertThat(HttpSender.retryAfter("Mon, 23 Nov 2026 10:01:00 GMT", now)).isEqualTo(Duration.ofMinutes(1));
        assertThat(HttpSender.retryAfter("soon", now)).isNull();
    }

    private static AttemptResult result(int code) {
        return new AttemptResult(Instant.now(), code, 5, null, null, null, false);
    }
}
