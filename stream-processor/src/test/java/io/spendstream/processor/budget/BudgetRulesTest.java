package io.spendstream.processor.budget;

import static org.assertj.core.api.Assertions.assertThat;

import io.spendstream.schema.AlertKind;
import io.spendstream.schema.Budget;
import io.spendstream.schema.BudgetPeriod;
import io.spendstream.schema.BudgetScope;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Periods, alert rules and the period state format, without Kafka. */
class BudgetRulesTest {
    private static BudgetPeriods.Period period(BudgetPeriod p, String zone, String at) {
        return BudgetPeriods.periodOf(p, ZoneId.of(zone), Instant.parse(at));
    }

    @Test
    void shouldMakeTheAutumnDstChangeDay25HoursLong() {
        BudgetPeriods.Period p = period(BudgetPeriod.DAY, "Europe/Berlin", "2026-10-25T12:00:00Z");
        assertThat(p.start()).isEqualTo(Instant.parse("2026-10-24T22:00:00Z"));
        assertThat(p.end()).isEqualTo(Instant.parse("2026-10-25T23:00:00Z"));
        assertThat(Duration.ofMillis(p.lengthMillis())).isEqualTo(Duration.ofHours(25));
    }

    @Test
    void shouldStartWeeksOnMondayAndMonthsOnTheFirstInTheZone() {
        assertThat(period(BudgetPeriod.WEEK, "UTC", "2026-11-22T23:59:59Z").start())
                .isEqualTo(Instant.parse("2026-11-16T00:00:00Z"));
        assertThat(period(BudgetPeriod.WEEK, "Asia/Kathmandu", "2026-11-22T18:30:00Z").start()) // Monday 00:15 local
                .isEqualTo(Instant.parse("2026-11-22T18:15:00Z"));
        BudgetPeriods.Period feb = period(BudgetPeriod.MONTH, "America/Los_Angeles", "2028-02-15T00:00:00Z");
        assertThat(feb.start()).isEqualTo(Instant.parse("2028-02-01T08:00:00Z"));
        assertThat(feb.end()).isEqualTo(Instant.parse("2028-03-01T08:00:00Z")); // leap year: 29 days
    }

    @Test
    void shouldCompareSpendToThresholdsExactlyWithoutOverflow() {
        assertThat(AlertRules.reached(499_999_999L, 1_000_000_000L, 50)).isFalse();
        assertThat(AlertRules.reached(500_000_000L, 1_000_000_000L, 50)).isTrue();
        assertThat(AlertRules.reached(Long.MAX_VALUE / 2, Long.MAX_VALUE, 50)).isFalse(); // MAX is odd
        assertThat(AlertRules.reached(Long.MAX_VALUE / 2 + 1, Long.MAX_VALUE, 50)).isTrue();
    }

    @Test
    void shouldProjectLinearlyToThePeriodEnd() {
        BudgetPeriods.Period day = period(BudgetPeriod.DAY, "UTC", "2026-11-22T00:00:00Z");
        long sixAm = Instant.parse("2026-11-22T06:00:00Z").toEpochMilli();
        assertThat(AlertRules.projected(1_000, day, sixAm)).isEqualTo(4_000);
        assertThat(AlertRules.projected(1_000, day, day.startMillis())).isEqualTo(1_000);
        assertThat(AlertRules.projected(Long.MAX_VALUE / 2, day, sixAm)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void shouldTreatHundredAsTheExceededSlotAndAddItWhenNotListed() {
        Budget b = Budget.newBuilder().setOrgId("o").setBudgetId("b").setScope(BudgetScope.ORG)
                .setPeriod(BudgetPeriod.DAY).setLimitUsdNanos(1).setThresholdsPercent(List.of(25, 120))
                .setCreatedAt(Instant.EPOCH).setUpdatedAt(Instant.EPOCH).build();
        assertThat(AlertRules.slots(b)).containsExactly(new AlertSlot(AlertKind.THRESHOLD, 25), AlertSlot.EXCEEDED,
                new AlertSlot(AlertKind.THRESHOLD, 120));
    }

    @Test
    void shouldRoundTripThePeriodState() {
        PeriodState s = new PeriodState(123_456_789_012L, 1_700_000_000_000L, 1_800_000_000_000L,
                Map.of(new AlertSlot(AlertKind.THRESHOLD, 50), false, AlertSlot.EXCEEDED, true, AlertSlot.FORECAST, true));
        PeriodState.StoreSerde serde = new PeriodState.StoreSerde();
        assertThat(serde.deserializer().deserialize("t", serde.serializer().serialize("t", s))).isEqualTo(s);
    }
}
