package io.spendstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Test
    void startsFullAndAllowsTheBurstThenRefillsAtTheRate() {
        TokenBucket b = new TokenBucket(10, 20, now::get);
        assertThat(b.tryTake(20)).isZero();
        long wait = b.tryTake(1);
        assertThat(wait).isEqualTo(100_000_000L); // one token at 10/s
        now.addAndGet(100_000_000L);
        assertThat(b.tryTake(1)).isZero();
        assertThat(b.tryTake(5)).isEqualTo(500_000_000L);
    }

    @Test
    void neverHoldsMoreThanTheBurst() {
        TokenBucket b = new TokenBucket(10, 5, now::get);
        now.addAndGet(3_600_000_000_000L);
        assertThat(b.available()).isEqualTo(5.0);
        assertThat(b.tryTake(5)).isZero();
        assertThat(b.tryTake(1)).isPositive();
    }

    @Test
    void aRequestLargerThanTheBurstPassesOnAFullBucketAndLeavesADebt() {
        TokenBucket b = new TokenBucket(10, 5, now::get);
        assertThat(b.tryTake(8)).isZero();
        assertThat(b.available()).isEqualTo(-3.0);
        assertThat(b.tryTake(1)).isEqualTo(400_000_000L); // pay 3 back, then 1
        now.addAndGet(1_000_000_000L);
        assertThat(b.tryTake(7)).isEqualTo(0L); // full again (5) -> passes
    }

    @Test
    void refusedAttemptsTakeNothing() {
        TokenBucket b = new TokenBucket(1, 2, now::get);
        assertThat(b.tryTake(2)).isZero();
        for (int i = 0; i < 10; i++) {
            assertThat(b.tryTake(1)).isPositive();
        }
        now.addAndGet(1_000_000_000L);
        assertThat(b.tryTake(1)).isZero();
    }

    @Test
    void retryAfterRoundsUpToWholeSecondsAtLeastOne() {
        assertThat(TokenBucket.retryAfterSeconds(1)).isEqualTo(1);
        assertThat(TokenBucket.retryAfterSeconds(1_000_000_000L)).isEqualTo(1);
        assertThat(TokenBucket.retryAfterSeconds(1_000_000_001L)).isEqualTo(2);
        assertThat(TokenBucket.retryAfterSeconds(0)).isEqualTo(1);
    }

    @Test
    void rateLimiterKeepsOneBucketPerKeyAndZeroRateDisablesIt() {
        RateLimiter limiter = new RateLimiter(1, 3);
        assertThat(limiter.tryAcquire("a", 3)).isZero();
        assertThat(limiter.tryAcquire("a", 1)).isPositive();
        assertThat(limiter.tryAcquire("b", 3)).isZero();
        RateLimiter off = new RateLimiter(0, 1);
        for (int i = 0; i < 1000; i++) {
            assertThat(off.tryAcquire("a", 1000)).isZero();
        }
    }
}
