package io.spendstream.sink;

import io.spendstream.schema.AlertKind;
import io.spendstream.schema.BudgetAlert;
import io.spendstream.schema.BudgetScope;
import io.spendstream.schema.CallStatus;
import io.spendstream.schema.CostSource;
import io.spendstream.schema.PricedUsageEvent;
import io.spendstream.schema.SpendRollup;
import io.spendstream.schema.UsageEvent;
import io.spendstream.schema.WindowSize;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A deterministic data set as the stream processor would emit it: rollup updates with several
 * versions per window (interleaved across windows, with duplicates and stale re-sends), priced
 * events (with duplicates), budget alerts (with duplicates); and the reference results computed
 * here, in Java, independently of ClickHouse.
 */
public final class TestData {
    public static final String[] ORGS = {"org-a", "org-b", "org-c"};
    public static final String[] FEATURES = {"chat", "search", "summarize,\"quoted\""};
    public static final String[][] MODELS = {{"openai", "gpt-4o"}, {"anthropic", "claude-sonnet-4"}};

    public final List<SpendRollup> rollups = new ArrayList<>();
    public final List<PricedUsageEvent> events = new ArrayList<>();
    public final List<BudgetAlert> alerts = new ArrayList<>();
    /** Latest version per rollup key (the reference). */
    public final Map<String, SpendRollup> latest = new TreeMap<>();
    /** Distinct events by org|event_id. */
    public final Map<String, PricedUsageEvent> distinctEvents = new TreeMap<>();
    public final Map<String, BudgetAlert> distinctAlerts = new TreeMap<>();
    public final YearMonth month;

    public TestData(long seed, int windowsPerSize) {
        Random rnd = new Random(seed);
        month = YearMonth.now(ZoneOffset.UTC);
        Instant monthStart = month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        List<List<SpendRollup>> perKey = new ArrayList<>();
        for (String org : ORGS) {
            for (String feature : FEATURES) {
                for (String[] pm : MODELS) {
                    for (WindowSize size : WindowSize.values()) {
                        Duration len = switch (size) {
                            case MINUTE -> Duration.ofMinutes(1);
                            case HOUR -> Duration.ofHours(1);
                            case DAY -> Duration.ofDays(1);
                        };
                        for (int w = 0; w < windowsPerSize; w++) {
                            // Day windows spread over the month (max 28 days); minute/hour windows at its start.
                            Instant start = size == WindowSize.DAY ? monthStart.plus(len.multipliedBy(w % 28))
                                    : monthStart.plus(len.multipliedBy(w));
                            if (size == WindowSize.DAY && w >= 28) {
                                continue;
                            }
                            int versions = 1 + rnd.nextInt(4);
                            List<SpendRollup> chain = new ArrayList<>();
                            long events = 0, cost = 0, in = 0, out = 0, unpriced = 0, errors = 0;
                            for (int v = 1; v <= versions; v++) {
                                long n = 1 + rnd.nextInt(20);
                                events += n;
                                errors += rnd.nextInt(2);
                                in += n * (100 + rnd.nextInt(1000));
                                out += n * (10 + rnd.nextInt(500));
                                // Large, odd nano amounts so that any rounding or float would show.
                                cost += n * (1_000_000_007L + rnd.nextInt(999_999_937));
                                unpriced += rnd.nextInt(3) == 0 ? 1 : 0;
                                chain.add(SpendRollup.newBuilder().setOrgId(org).setFeature(feature)
                                        .setProvider(pm[0]).setModel(pm[1]).setWindowSize(size)
                                        .setWindowStart(start).setWindowEnd(start.plus(len))
                                        .setEvents(events).setErrors(errors).setInputTokens(in).setOutputTokens(out)
                                        .setCachedInputTokens(in / 3).setCacheWriteTokens(in / 7)
                                        .setReasoningTokens(out / 5).setCostUsdNanos(cost).setUnpricedEvents(unpriced)
                                        .setLatencyMsSum(events * 120).setLatencyMsMax(900 + v).setVersion(v)
                                        .setUpdatedAt(start.plusSeconds(v)).build());
                            }
                            latest.put(key(chain.getLast()), chain.getLast());
                            perKey.add(chain);
                        }
                    }
                }
            }
        }
        // Interleave the chains (each in version order), then add duplicates and stale re-sends.
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < perKey.size(); i++) {
            for (int j = 0; j < perKey.get(i).size(); j++) {
                order.add(i);
            }
        }
        Collections.shuffle(order, rnd);
        int[] next = new int[perKey.size()];
        for (int i : order) {
            SpendRollup r = perKey.get(i).get(next[i]++);
            rollups.add(r);
            if (rnd.nextInt(10) == 0) {
                rollups.add(r); // exact duplicate
            }
        }
        for (int i = 0; i < perKey.size(); i += 7) {
            rollups.add(perKey.get(i).getFirst()); // stale version re-sent late: must not win
        }

        int nEvents = 1500;
        for (int i = 0; i < nEvents; i++) {
            String org = ORGS[rnd.nextInt(ORGS.length)];
            String[] pm = MODELS[rnd.nextInt(MODELS.length)];
            boolean unpricedEvent = rnd.nextInt(8) == 0;
            Instant ts = monthStart.plusMillis(rnd.nextLong(Duration.ofDays(27).toMillis()));
            Map<String, String> tags = new HashMap<>();
            tags.put("env", rnd.nextBoolean() ? "prod" : "dev");
            Map<String, Object> meta = new HashMap<>();
            meta.put("attempt", (long) rnd.nextInt(3));
            meta.put("cached", rnd.nextBoolean());
            UsageEvent e = UsageEvent.newBuilder().setEventId("ev-" + i).setOrgId(org).setTimestamp(ts)
                    .setReceivedAt(ts.plusMillis(5)).setFeature(FEATURES[rnd.nextInt(FEATURES.length)])
                    .setProvider(pm[0]).setModel(unpricedEvent ? "mystery-model-" + (i % 2) : pm[1])
                    .setInputTokens(rnd.nextInt(5000)).setOutputTokens(rnd.nextInt(2000))
                    .setLatencyMs(i % 5 == 0 ? null : (long) rnd.nextInt(3000))
                    .setStatus(i % 17 == 0 ? CallStatus.ERROR : CallStatus.OK)
                    .setErrorCode(i % 17 == 0 ? "rate_limited" : null).setUserId("user-" + rnd.nextInt(50))
                    .setTags(tags).setMetadata(meta).setApiKeyId("key-1").build();
            PricedUsageEvent p = PricedUsageEvent.newBuilder().setEvent(e)
                    .setCostUsdNanos(unpricedEvent ? 0 : 1 + rnd.nextLong(5_000_000_000L))
                    .setCostSource(unpricedEvent ? CostSource.UNPRICED : CostSource.CATALOG).setPriced(!unpricedEvent)
                    .setPriceProvider(unpricedEvent ? null : pm[0]).setPriceModel(unpricedEvent ? null : pm[1])
                    .setPriceEffectiveFrom(unpricedEvent ? null : Instant.parse("2024-01-01T00:00:00Z"))
                    .setProcessedAt(ts.plusMillis(9)).build();
            events.add(p);
            distinctEvents.put(org + "|" + e.getEventId(), p);
            if (rnd.nextInt(20) == 0) {
                events.add(p); // replayed by an upstream retry
            }
        }
        for (int i = 0; i < 20; i++) {
            String org = ORGS[i % ORGS.length];
            BudgetAlert a = BudgetAlert.newBuilder().setAlertId("alert-" + i).setOrgId(org).setBudgetId("budget-" + (i % 4))
                    .setScope(i % 2 == 0 ? BudgetScope.ORG : BudgetScope.FEATURE)
                    .setScopeValue(i % 2 == 0 ? null : "chat")
                    .setPeriodStart(monthStart).setPeriodEnd(month.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant())
                    .setThresholdPercent(50 + i).setKind(i % 3 == 0 ? AlertKind.FORECAST : AlertKind.THRESHOLD)
                    .setSpendUsdNanos(123_456_789_012L + i).setLimitUsdNanos(200_000_000_000L)
                    .setProjectedUsdNanos(250_000_000_001L).setTriggeredAt(monthStart.plusSeconds(3600L * i))
                    .setTriggerEventId(i % 2 == 0 ? "ev-" + i : null).build();
            alerts.add(a);
            distinctAlerts.put(org + "|" + a.getAlertId(), a);
            if (i % 4 == 0) {
                alerts.add(a);
            }
        }
    }

    public static String key(SpendRollup r) {
        return r.getOrgId() + "|" + r.getFeature() + "|" + r.getProvider() + "|" + r.getModel() + "|"
                + r.getWindowSize() + "|" + r.getWindowStart().toEpochMilli();
    }

    /** Reference totals for one window size: rows, events, input tokens, cost nanos. */
    public String rollupTotals(WindowSize size) {
        long rows = 0, events = 0, in = 0;
        BigInteger cost = BigInteger.ZERO;
        for (SpendRollup r : latest.values()) {
            if (r.getWindowSize() == size) {
                rows++;
                events += r.getEvents();
                in += r.getInputTokens();
                cost = cost.add(BigInteger.valueOf(r.getCostUsdNanos()));
            }
        }
        return rows + "\t" + events + "\t" + in + "\t" + cost;
    }

    public String eventTotals() {
        long rows = distinctEvents.size(), unpriced = 0, in = 0;
        BigInteger cost = BigInteger.ZERO;
        for (PricedUsageEvent p : distinctEvents.values()) {
            in += p.getEvent().getInputTokens();
            unpriced += p.getCostSource() == CostSource.UNPRICED ? 1 : 0;
            cost = cost.add(BigInteger.valueOf(p.getCostUsdNanos()));
        }
        return rows + "\t" + unpriced + "\t" + in + "\t" + cost;
    }

    /** Reference day spend of one org: day|feature|provider|model -> cost nanos. */
    public Map<String, BigInteger> dailyCost(String org) {
        Map<String, BigInteger> out = new TreeMap<>();
        for (SpendRollup r : latest.values()) {
            if (r.getWindowSize() == WindowSize.DAY && r.getOrgId().equals(org)) {
                String k = LocalDate.ofInstant(r.getWindowStart(), ZoneOffset.UTC) + "|" + r.getFeature() + "|"
                        + r.getProvider() + "|" + r.getModel();
                out.merge(k, BigInteger.valueOf(r.getCostUsdNanos()), BigInteger::add);
            }
        }
        return out;
    }

    /** Reference hour spend of one org by window start only: epoch millis -> cost nanos. */
    public Map<Long, BigInteger> hourlyCost(String org) {
        Map<Long, BigInteger> out = new LinkedHashMap<>();
        latest.values().stream().filter(r -> r.getWindowSize() == WindowSize.HOUR && r.getOrgId().equals(org))
                .sorted((a, b) -> a.getWindowStart().compareTo(b.getWindowStart()))
                .forEach(r -> out.merge(r.getWindowStart().toEpochMilli(), BigInteger.valueOf(r.getCostUsdNanos()),
                        BigInteger::add));
        return out;
    }
}
