package io.spendstream.processor.budget;

import io.spendstream.schema.Budget;
import io.spendstream.schema.BudgetPeriod;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;

/**
 * Budget periods: a calendar day, an ISO week (Monday to Monday) or a calendar month, each starting
 * at local midnight in the budget's IANA time zone. Periods are computed with java.time, so a DST
 * change day is 23 or 25 hours long and a month is as long as the calendar says.
 */
public final class BudgetPeriods {
    private BudgetPeriods() {}

    /** A half-open period [start, end) as instants. */
    public record Period(Instant start, Instant end) {
        public long startMillis() {
            return start.toEpochMilli();
        }

        public long endMillis() {
            return end.toEpochMilli();
        }

        public long lengthMillis() {
            return endMillis() - startMillis();
        }

        public boolean contains(long millis) {
            return millis >= startMillis() && millis < endMillis();
        }
    }

    public static Period periodOf(Budget b, long atMillis) {
        return periodOf(b.getPeriod(), ZoneId.of(b.getTimeZone()), Instant.ofEpochMilli(atMillis));
    }

    public static Period periodOf(BudgetPeriod period, ZoneId zone, Instant at) {
        LocalDate day = at.atZone(zone).toLocalDate();
        LocalDate first = switch (period) {
            case DAY -> day;
            case WEEK -> day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            case MONTH -> day.withDayOfMonth(1);
        };
        LocalDate next = switch (period) {
            case DAY -> first.plusDays(1);
            case WEEK -> first.plusWeeks(1);
            case MONTH -> first.plusMonths(1);
        };
        return new Period(first.atStartOfDay(zone).toInstant(), next.atStartOfDay(zone).toInstant());
    }
}
