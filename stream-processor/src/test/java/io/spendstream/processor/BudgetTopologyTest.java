package io.spendstream.processor;

import static io.spendstream.processor.TopologyFixture.budget;
import static io.spendstream.processor.TopologyFixture.event;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spendstream.processor.budget.BudgetSettings;
import io.spendstream.processor.pricing.Prices;
import io.spendstream.schema.AlertKind;
import io.spendstream.schema.Budget;
import io.spendstream.schema.BudgetAlert;
import io.spendstream.schema.BudgetPeriod;
import io.spendstream.schema.BudgetScope;
import io.spendstream.schema.UsageEvent;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Budgets and alerts through {@link SpendTopology#build}, on the test driver. */
class BudgetTopologyTest {
    private TopologyFixture f = new TopologyFixture();
    private final AtomicInteger ids = new AtomicInteger();

    @AfterEach
    void close() {
        f.close();
    }

    /** An event of the org costing exactly {@code usd} (client cost), at {@code at}. */
    private UsageEvent spend(String org, String usd, String at) {
        return event(org, "e" + ids.incrementAndGet(), at).setClientCostUsdNanos(Prices.usdToNanos(usd)).build();
    }

    private List<String> alerts() {
        return f.alerts.readValuesToList().stream().map(BudgetAlertTestLines::shortLine).toList();
    }

    @Test
    void shouldEmitOneAlertPerThresholdAsSpendCrossesThem() throws Exception {
        f.putBudget(budget("acme", "daily", BudgetPeriod.DAY, "UTC", "1", "2026-11-22T00:00:00Z").build());
        f.send(spend("acme", "0.3", "2026-11-22T01:00:00Z"));
        f.send(spend("acme", "0.3", "2026-11-22T02:00:00Z"));
        UsageEvent third = spend("acme", "0.3", "2026-11-22T03:00:00Z");
        f.send(third);
        f.send(third); // a duplicate is not counted again
        f.send(spend("acme", "0.05", "2026-11-22T04:00:00Z"));
        f.send(spend("acme", "0.1", "2026-11-22T05:00:00Z"));
        f.send(spend("acme", "0.5", "2026-11-22T06:00:00Z"));

        List<BudgetAlert> sent = f.alerts.readValuesToList();
        assertThat(sent).extracting(BudgetAlertTestLines::line).containsExactly(
                "daily THRESHOLD 50 2026-11-22T00:00:00Z spend=600000000",
                "daily THRESHOLD 80 2026-11-22T00:00:00Z spend=900000000",
                "daily EXCEEDED 100 2026-11-22T00:00:00Z spend=1050000000");
        BudgetAlert exceeded = sent.get(2);
        assertThat(exceeded.getTriggerEventId()).isEqualTo("e5");
        assertThat(exceeded.getTriggeredAt()).isEqualTo(Instant.parse("2026-11-22T05:00:00Z"));
        assertThat(exceeded.getPeriodEnd()).isEqualTo(Instant.parse("2026-11-23T00:00:00Z"));
        assertThat(exceeded.getLimitUsdNanos()).isEqualTo(1_000_000_000L);
        assertThat(sent).extracting(BudgetAlert::getAlertId).doesNotHaveDuplicates();

        List<String> json = f.alertsJson.readValuesToList();
        assertThat(json).hasSize(3);
        JsonNode last = new ObjectMapper().readTree(json.get(2));
        assertThat(last.get("alert_id").asText()).isEqualTo(exceeded.getAlertId());
        assertThat(last.get("kind").asText()).isEqualTo("EXCEEDED");
        assertThat(last.get("spend_usd").asText()).isEqualTo("1.050000000");
        assertThat(last.get("limit_usd").asText()).isEqualTo("1.000000000");
        assertThat(last.get("period_start").asText()).isEqualTo("2026-11-22T00:00:00Z");
        assertThat(last.get("trigger_event_id").asText()).isEqualTo("e5");
    }

    @Test
    void shouldFireEveryThresholdAnEventJumpsOver() {
        f.putBudget(budget("acme", "daily", BudgetPeriod.DAY, "UTC", "1", "2026-11-22T00:00:00Z").build());
        f.send(spend("acme", "2", "2026-11-22T01:00:00Z"));
        assertThat(alerts()).containsExactly("daily THRESHOLD 50", "daily THRESHOLD 80", "daily EXCEEDED 100");
    }

    @Test
    void shouldStartEachPeriodFromZero() {
        f.putBudget(budget("acme", "daily", BudgetPeriod.DAY, "UTC", "1", "2026-11-22T00:00:00Z").build());
        f.send(spend("acme", "0.6", "2026-11-22T23:00:00Z"));
        f.send(spend("acme", "0.3", "2026-11-23T00:10:00Z")); // next day: 30%, no alert
        f.send(spend("acme", "0.3", "2026-11-23T01:00:00Z")); // 60% of the new day
        List<BudgetAlert> sent = f.alerts.readValuesToList();
        assertThat(sent).extracting(BudgetAlertTestLines::line).containsExactly(
                "daily THRESHOLD 50 2026-11-22T00:00:00Z spend=600000000",
                "daily THRESHOLD 50 2026-11-23T00:00:00Z spend=600000000");
        assertThat(sent.get(0).getAlertId()).isNotEqualTo(sent.get(1).getAlertId());
    }

    @Test
    void shouldCountSpendInTheBudgetsTimeZone() {
        f.putBudget(budget("acme", "ny", BudgetPeriod.DAY, "America/New_York", "1", "2026-11-21T12:00:00Z").build());
        f.send(spend("acme", "0.4", "2026-11-22T03:00:00Z")); // 22:00 on the 21st in New York
        f.send(spend("acme", "0.4", "2026-11-22T06:00:00Z")); // 01:00 on the 22nd: a new New York day
        assertThat(alerts()).isEmpty(); // by UTC days this would be 80% already
        f.send(spend("acme", "0.2", "2026-11-22T07:00:00Z"));
        assertThat(f.alerts.readValuesToList()).extracting(BudgetAlertTestLines::line)
                .containsExactly("ny THRESHOLD 50 2026-11-22T05:00:00Z spend=600000000");
    }

    @Test
    void shouldUseA23HourDayOnTheSpringDstChange() {
        // Europe/Berlin moves to summer time on 2026-03-29: that day runs from 23:00Z to 22:00Z.
        f.putBudget(budget("acme", "berlin", BudgetPeriod.DAY, "Europe/Berlin", "1", "2026-03-28T12:00:00Z").build());
        f.send(spend("acme", "0.3", "2026-03-28T23:30:00Z")); // 00:30 CET on the 29th
        f.send(spend("acme", "0.3", "2026-03-29T21:30:00Z")); // 23:30 CEST on the 29th
        f.send(spend("acme", "0.9", "2026-03-29T22:30:00Z")); // 00:30 CEST on the 30th
        List<BudgetAlert> sent = f.alerts.readValuesToList();
        assertThat(sent).extracting(BudgetAlertTestLines::line).containsExactly(
                "berlin THRESHOLD 50 2026-03-28T23:00:00Z spend=600000000",
                "berlin THRESHOLD 50 2026-03-29T22:00:00Z spend=900000000",
                "berlin THRESHOLD 80 2026-03-29T22:00:00Z spend=900000000");
        assertThat(sent.get(0).getPeriodEnd()).isEqualTo(Instant.parse("2026-03-29T22:00:00Z"));
    }

    @Test
    void shouldUseIsoWeeksStartingMonday() {
        // 2026-11-23 is a Monday.
        f.putBudget(budget("acme", "weekly", BudgetPeriod.WEEK, "UTC", "10", "2026-11-16T00:00:00Z").build());
        f.send(spend("acme", "4", "2026-11-22T23:59:00Z")); // Sunday
        f.send(spend("acme", "4", "2026-11-23T00:01:00Z")); // Monday: new week
        assertThat(alerts()).isEmpty();
        f.send(spend("acme", "1", "2026-11-29T23:00:00Z"));
        List<BudgetAlert> sent = f.alerts.readValuesToList();
        assertThat(sent).extracting(BudgetAlertTestLines::line)
                .containsExactly("weekly THRESHOLD 50 2026-11-23T00:00:00Z spend=5000000000");
        assertThat(sent.get(0).getPeriodEnd()).isEqualTo(Instant.parse("2026-11-30T00:00:00Z"));
    }

    @Test
    void shouldUseCalendarMonthsInTheZone() {
        f.putBudget(budget("acme", "monthly", BudgetPeriod.MONTH, "Asia/Tokyo", "10", "2026-10-01T00:00:00Z").build());
        f.send(spend("acme", "4", "2026-10-31T14:00:00Z")); // 23:00 on Oct 31 in Tokyo
        f.send(spend("acme", "5", "2026-10-31T15:30:00Z")); // 00:30 on Nov 1 in Tokyo
        f.send(spend("acme", "0.5", "2026-11-29T00:00:00Z"));
        assertThat(f.alerts.readValuesToList()).extracting(BudgetAlertTestLines::line)
                .containsExactly("monthly THRESHOLD 50 2026-10-31T15:00:00Z spend=5000000000");
    }

    @Test
    void shouldFireOnlyTheHighestCrossedThresholdWhenABudgetIsCreatedMidPeriod() {
        f.send(spend("acme", "0.45", "2026-11-22T01:00:00Z"));
        f.send(spend("acme", "0.45", "2026-11-22T02:00:00Z"));
        f.putBudget(budget("acme", "daily", BudgetPeriod.DAY, "UTC", "1", "2026-11-22T03:00:00Z").build());
        List<BudgetAlert> onCreate = f.alerts.readValuesToList();
        assertThat(onCreate).extracting(BudgetAlertTestLines::line)
                .containsExactly("daily THRESHOLD 80 2026-11-22T00:00:00Z spend=900000000");
        assertThat(onCreate.get(0).getTriggerEventId()).isNull();
        assertThat(onCreate.get(0).getTriggeredAt()).isEqualTo(Instant.parse("2026-11-22T03:00:00Z"));

        f.send(spend("acme", "0.2", "2026-11-22T04:00:00Z"));
        assertThat(alerts()).containsExactly("daily EXCEEDED 100"); // 50 was passed over, never sent
    }

    @Test
    void shouldNotFireAgainWhenRaisedAndFireNewThresholdsOfTheNewLimit() {
        Budget b = budget("acme", "daily", BudgetPeriod.DAY, "UTC", "1", "2026-11-22T00:00:00Z").build();
        f.putBudget(b);
        f.send(spend("acme", "0.6", "2026-11-22T01:00:00Z"));
        assertThat(alerts()).containsExactly("daily THRESHOLD 50");
        f.putBudget(Budget.newBuilder(b).setLimitUsdNanos(Prices.usdToNanos("2"))
                .setUpdatedAt(Instant.parse("2026-11-22T02:00:00Z")).build());
        assertThat(alerts()).isEmpty(); // 30% of the new limit
        f.send(spend("acme", "0.5", "2026-11-22T03:00:00Z")); // 55%: 50 was sent for this period already
        assertThat(alerts()).isEmpty();
        f.send(spend("acme", "0.6", "2026-11-22T04:00:00Z")); // 85%
        assertThat(alerts()).containsExactly("daily THRESHOLD 80");
    }

    @Test
    void shouldFireAtOnceWhenALimitIsLowered() {
        Budget b = budget("acme", "daily", BudgetPeriod.DAY, "UTC", "10", "2026-11-22T00:00:00Z").build();
        f.putBudget(b);
        f.send(spend("acme", "1", "2026-11-22T01:00:00Z"));
        assertThat(alerts()).isEmpty();
        f.putBudget(Budget.newBuilder(b).setLimitUsdNanos(Prices.usdToNanos("1.5"))
                .setUpdatedAt(Instant.parse("2026-11-22T02:00:00Z")).build());
        List<BudgetAlert> sent = f.alerts.readValuesToList();
        assertThat(sent).extracting(BudgetAlertTestLines::line)
                .containsExactly("daily THRESHOLD 50 2026-11-22T00:00:00Z spend=1000000000");
        assertThat(sent.get(0).getLimitUsdNanos()).isEqualTo(1_500_000_000L);
    }

    @Test
    void shouldStopAlertingWhenDeletedAndNeverRepeatAnAlertWhenRecreated() {
        Budget b = budget("acme", "daily", BudgetPeriod.DAY, "UTC", "1", "2026-11-22T00:00:00Z").build();
        f.putBudget(b);
        f.send(spend("acme", "0.6", "2026-11-22T01:00:00Z"));
        assertThat(alerts()).containsExactly("daily THRESHOLD 50");
        f.deleteBudget("acme", "daily", "2026-11-22T02:00:00Z");
        f.send(spend("acme", "0.3", "2026-11-22T03:00:00Z"));
        assertThat(alerts()).isEmpty();
        f.putBudget(Budget.newBuilder(b).setUpdatedAt(Instant.parse("2026-11-22T04:00:00Z")).build());
        assertThat(alerts()).containsExactly("daily THRESHOLD 80"); // 90% now; 50 was already sent
    }

    @Test
    void shouldNotAlertWhileDisabledAndFireTheHighestOnReenable() {
        Budget b = budget("acme", "daily", BudgetPeriod.DAY, "UTC", "1", "2026-11-22T00:00:00Z").setEnabled(false).build();
        f.putBudget(b);
        f.send(spend("acme", "1.2", "2026-11-22T01:00:00Z"));
        assertThat(alerts()).isEmpty();
        f.putBudget(Budget.newBuilder(b).setEnabled(true).setUpdatedAt(Instant.parse("2026-11-22T02:00:00Z")).build());
        assertThat(alerts()).containsExactly("daily EXCEEDED 100");
    }

    @Test
    void shouldCountOnlyTheFeatureOrModelInScope() {
        f.putBudget(budget("acme", "chat", BudgetPeriod.DAY, "UTC", "1", "2026-11-22T00:00:00Z")
                .setScope(BudgetScope.FEATURE).setScopeValue("chat").build());
        f.putBudget(budget("acme", "opus", BudgetPeriod.DAY, "UTC", "1", "2026-11-22T00:00:00Z")
                .setScope(BudgetScope.MODEL).setScopeValue("claude-opus-4").build());
        f.send(event("acme", "s1", "2026-11-22T01:00:00Z").setFeature("search").setModel("claude-opus-4")
                .setClientCostUsdNanos(Prices.usdToNanos("0.6")).build());
        assertThat(alerts()).containsExactly("opus THRESHOLD 50");
        f.send(event("acme", "c1", "2026-11-22T01:00:00Z").setFeature("chat").setModel("gpt-4o")
                .setClientCostUsdNanos(Prices.usdToNanos("0.85")).build());
        assertThat(alerts()).containsExactly("chat THRESHOLD 50", "chat THRESHOLD 80");
    }

    @Test
    void shouldKeepOrgsApart() {
        f.putBudget(budget("acme", "daily", BudgetPeriod.DAY, "UTC", "1", "2026-11-22T00:00:00Z").build());
        f.putBudget(budget("globex", "daily", BudgetPeriod.DAY, "UTC", "1", "2026-11-22T00:00:00Z").build());
        f.send(spend("globex", "0.7", "2026-11-22T01:00:00Z"));
        List<BudgetAlert> sent = f.alerts.readValuesToList();
        assertThat(sent).extracting(BudgetAlert::getOrgId).containsExactly("globex");
    }

    @Test
    void shouldForecastOncePerPeriodAfterTheMinimumShareOfThePeriod() {
        // November has 30 days; forecasts need 20% of it (6 days) to have passed.
        f.putBudget(budget("acme", "monthly", BudgetPeriod.MONTH, "UTC", "100", "2026-11-01T00:00:00Z").build());
        f.send(spend("acme", "30", "2026-11-02T00:00:00Z")); // projects to 900 but only 1 day passed
        assertThat(alerts()).isEmpty();
        f.send(spend("acme", "1", "2026-11-11T00:00:00Z")); // 31 after 10 days: 93 projected
        assertThat(alerts()).isEmpty();
        f.send(spend("acme", "4", "2026-11-11T00:00:00Z")); // 35 after 10 days: 105 projected
        List<BudgetAlert> sent = f.alerts.readValuesToList();
        assertThat(sent).extracting(BudgetAlertTestLines::line)
                .containsExactly("monthly FORECAST 100 2026-11-01T00:00:00Z spend=35000000000");
        assertThat(sent.get(0).getProjectedUsdNanos()).isEqualTo(105_000_000_000L);
        f.send(spend("acme", "10", "2026-11-12T00:00:00Z"));
        assertThat(alerts()).isEmpty(); // 45: still projecting over, but FORECAST is once per period
    }

    @Test
    void shouldCountALateEventInItsOwnPeriod() {
        f.putBudget(budget("acme", "daily", BudgetPeriod.DAY, "UTC", "1", "2026-11-21T00:00:00Z").build());
        f.send(spend("acme", "0.4", "2026-11-21T22:00:00Z"));
        f.send(spend("acme", "0.1", "2026-11-22T10:00:00Z"));
        // Yesterday's event arrives late, received after today's.
        f.send(spend("acme", "0.2", "2026-11-21T23:00:00Z"), "2026-11-22T10:05:00Z");
        assertThat(f.alerts.readValuesToList()).extracting(BudgetAlertTestLines::line)
                .containsExactly("daily THRESHOLD 50 2026-11-21T00:00:00Z spend=600000000");
    }

    @Test
    void shouldAnswerStatusFromTheStores() {
        f.putBudget(budget("acme", "daily", BudgetPeriod.DAY, "UTC", "1", "2026-11-22T00:00:00Z").build());
        f.putBudget(budget("acme", "monthly", BudgetPeriod.MONTH, "UTC", "100", "2026-11-01T00:00:00Z").build());
        f.send(spend("acme", "0.6", "2026-11-22T01:00:00Z"));
        f.send(spend("acme", "0.25", "2026-11-22T05:00:00Z"));
        f.send(spend("acme", "5", "2026-11-20T05:00:00Z"), "2026-11-22T05:00:01Z");
        Clock noon = Clock.fixed(Instant.parse("2026-11-22T12:00:00Z"), ZoneOffset.UTC);

        JsonNode org = f.statusReader(noon).org("acme");
        assertThat(org.get("as_of").asText()).isEqualTo("2026-11-22T05:00:00Z");
        assertThat(org.get("budgets")).extracting(n -> n.get("budget_id").asText()).containsExactly("daily", "monthly");
        JsonNode daily = org.get("budgets").get(0);
        assertThat(daily.get("spend_usd").asText()).isEqualTo("0.850000000");
        assertThat(daily.get("limit_usd").asText()).isEqualTo("1.000000000");
        assertThat(daily.get("percent_used").decimalValue()).isEqualByComparingTo("85.00");
        assertThat(daily.get("projected_usd").asText()).isEqualTo("1.700000000"); // half the day gone
        assertThat(daily.get("period_start").asText()).isEqualTo("2026-11-22T00:00:00Z");
        assertThat(daily.get("thresholds_crossed")).extracting(JsonNode::asInt).containsExactly(50, 80);
        assertThat(daily.get("exceeded").asBoolean()).isFalse();
        assertThat(daily.get("alerts_sent")).extracting(n -> n.get("kind").asText() + n.get("threshold_percent"))
                .containsExactly("THRESHOLD50", "THRESHOLD80", "FORECAST100"); // 0.85 by 05:00 projects to 4.08
        JsonNode monthly = f.statusReader(noon).budget("acme", "monthly").orElseThrow();
        assertThat(monthly.get("spend_usd").asText()).isEqualTo("5.850000000");

        // Tomorrow, before any event of tomorrow: a new period, nothing spent yet.
        JsonNode tomorrow = f.statusReader(Clock.fixed(Instant.parse("2026-11-23T06:00:00Z"), ZoneOffset.UTC))
                .budget("acme", "daily").orElseThrow();
        assertThat(tomorrow.get("spend_usd").asText()).isEqualTo("0.000000000");
        assertThat(tomorrow.get("alerts_sent")).isEmpty();
        assertThat(f.statusReader(noon).budget("acme", "nope")).isEmpty();
        assertThat(f.statusReader(noon).budget("globex", "daily")).isEmpty();
    }

    @Test
    void shouldDeadLetterABudgetProducedToTheWrongPartition() {
        f.close();
        TopologySettings s = TopologySettings.defaults().withBudgets(BudgetSettings.defaults().withOrgPartitions(6));
        f = new TopologyFixture(s);
        // The driver runs partition 0; pick an org that hashes elsewhere and one that hashes to 0.
        String elsewhere = java.util.stream.IntStream.range(0, 100).mapToObj(i -> "org" + i)
                .filter(o -> io.spendstream.schemas.topics.OrgPartitioning.partitionOf(o, 6) != 0).findFirst().orElseThrow();
        String here = java.util.stream.IntStream.range(0, 100).mapToObj(i -> "org" + i)
                .filter(o -> io.spendstream.schemas.topics.OrgPartitioning.partitionOf(o, 6) == 0).findFirst().orElseThrow();
        f.putBudget(budget(elsewhere, "daily", BudgetPeriod.DAY, "UTC", "1", "2026-11-22T00:00:00Z").build());
        f.putBudget(budget(here, "daily", BudgetPeriod.DAY, "UTC", "1", "2026-11-22T00:00:00Z").build());
        assertThat(f.deadLetters.readRecordsToList()).hasSize(1);
        f.send(spend(here, "0.6", "2026-11-22T01:00:00Z"));
        assertThat(f.alerts.readValuesToList()).extracting(BudgetAlert::getOrgId).containsExactly(here);
    }

    @Test
    void shouldGiveTheSameAlertTheSameIdAndDifferentAlertsDifferentIds() {
        var slot = new io.spendstream.processor.budget.AlertSlot(AlertKind.THRESHOLD, 80);
        String id = io.spendstream.processor.budget.BudgetKeys.alertId("acme", "daily", 1_000L, slot);
        assertThat(io.spendstream.processor.budget.BudgetKeys.alertId("acme", "daily", 1_000L, slot)).isEqualTo(id);
        assertThat(io.spendstream.processor.budget.BudgetKeys.alertId("acme", "daily", 2_000L, slot)).isNotEqualTo(id);
        assertThat(io.spendstream.processor.budget.BudgetKeys.alertId("acme", "daily", 1_000L,
                io.spendstream.processor.budget.AlertSlot.EXCEEDED)).isNotEqualTo(id);
        assertThat(io.spendstream.processor.budget.BudgetKeys.alertId("globex", "daily", 1_000L, slot)).isNotEqualTo(id);
    }
}
