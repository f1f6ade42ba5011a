package io.spendstream.processor.budget;

import io.spendstream.schema.Budget;
import io.spendstream.schema.BudgetAlert;
import io.spendstream.schemas.topics.TopicSpec;
import io.spendstream.schemas.topics.Topics;
import java.time.Duration;

/**
 * What the budget part of the topology needs.
 *
 * @param budgets            the compacted budgets topic (key org_id|budget_id, partitioned by org)
 * @param alerts             Avro alert topic
 * @param alertsJson         JSON alert topic
 * @param forecastMinPeriodPercent FORECAST fires only after this share of the period has passed
 * @param orgPartitions      partitions of the input topics, to check that a budget arrived in its org's
 *                           partition; 0 skips the check (the test driver has a single partition)
 * @param purgeInterval      how often spend buckets and period states older than the horizon are dropped
 */
public record BudgetSettings(TopicSpec<String, Budget> budgets, TopicSpec<String, BudgetAlert> alerts,
                             TopicSpec<String, String> alertsJson, int forecastMinPeriodPercent, int orgPartitions,
                             Duration purgeInterval) {
    /** Spend is kept in buckets of this length; every period boundary of today's time zones falls on one. */
    public static final long BUCKET_MILLIS = Duration.ofMinutes(15).toMillis();
    /**
     * How far back in event time, from stream time, spend is kept and counted against budgets: the
     * longest period (31 days) plus the widest zone offsets plus room for late events.
     */
    public static final Duration HORIZON = Duration.ofDays(35);

    public BudgetSettings {
        if (forecastMinPeriodPercent < 1 || forecastMinPeriodPercent > 100) {
            throw new IllegalArgumentException("forecastMinPeriodPercent must be 1..100");
        }
    }

    public static BudgetSettings defaults() {
        return new BudgetSettings(Topics.BUDGETS, Topics.BUDGET_ALERTS, Topics.BUDGET_ALERTS_JSON, 20, 0,
                Duration.ofMinutes(10));
    }

    public BudgetSettings withOrgPartitions(int n) {
        return new BudgetSettings(budgets, alerts, alertsJson, forecastMinPeriodPercent, n, purgeInterval);
    }

    public BudgetSettings withForecastMinPeriodPercent(int p) {
        return new BudgetSettings(budgets, alerts, alertsJson, p, orgPartitions, purgeInterval);
    }
}
