package io.spendstream.processor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spendstream.schema.CallStatus;
import io.spendstream.schema.SpendRollup;
import io.spendstream.schema.UsageEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The expected output, computed independently of the production code: prices as BigDecimal USD
 * straight from the catalog JSON, lateness from the receive order, dedup from a set.
 */
final class SpendReference {
    record WindowKey(String org, String feature, String provider, String model, String size, long start) {}

    record Totals(long events, long errors, long input, long output, long cached, long cacheWrite, long reasoning,
                  long costNanos, long unpriced, long latencySum, long latencyMax) {
        static Totals of(SpendRollup r) {
            return new Totals(r.getEvents(), r.getErrors(), r.getInputTokens(), r.getOutputTokens(),
                    r.getCachedInputTokens(), r.getCacheWriteTokens(), r.getReasoningTokens(), r.getCostUsdNanos(),
                    r.getUnpricedEvents(), r.getLatencyMsSum(), r.getLatencyMsMax());
        }

        Totals plus(UsageEvent e, long cost, boolean unpricedEvent) {
            long latency = e.getLatencyMs() == null ? 0 : e.getLatencyMs();
            return new Totals(events + 1, errors + (e.getStatus() == CallStatus.ERROR ? 1 : 0),
                    input + e.getInputTokens(), output + e.getOutputTokens(), cached + e.getCachedInputTokens(),
                    cacheWrite + e.getCacheWriteTokens(), reasoning + e.getReasoningTokens(), costNanos + cost,
                    unpriced + (unpricedEvent ? 1 : 0), latencySum + latency, Math.max(latencyMax, latency));
        }
    }

    /**
     * A price entry in USD per million tokens; null class prices fall back as documented. Daily UTC
     * windows (DeepSeek's peak hours) replace the prices inside them, the last listed winning. Prompt
     * tiers are not modelled: the generated events stay below every tier (UsageGenerator: at most
     * 20,000 + 10,000 + 5,000 input tokens, tiers start at 128k).
     */
    record Price(Instant from, BigDecimal input, BigDecimal output, BigDecimal cached, BigDecimal cacheWrite,
                 BigDecimal reasoning, List<Window> windows) {
        Price(Instant from, BigDecimal input, BigDecimal output, BigDecimal cached, BigDecimal cacheWrite,
              BigDecimal reasoning) {
            this(from, input, output, cached, cacheWrite, reasoning, List.of());
        }

        /** The prices that apply at an instant: those of the last window containing its UTC time of day. */
        Price at(Instant t) {
            int second = (int) Math.floorMod(t.getEpochSecond(), 86_400L);
            for (int i = windows.size() - 1; i >= 0; i--) {
                Window w = windows.get(i);
                boolean in = w.end() < w.start() ? second >= w.start() || second < w.end()
                        : second >= w.start() && second < w.end();
                if (in) {
                    return w.prices();
                }
            }
            return this;
        }
    }

    /** A daily window [start, end) in seconds after 00:00 UTC, wrapping past midnight when end < start. */
    record Window(int start, int end, Price prices) {}

    static final Map<String, Long> SIZES = Map.of("MINUTE", 60_000L, "HOUR", 3_600_000L, "DAY", 86_400_000L);

    private final Map<String, List<Price>> prices = new HashMap<>(); // provider|model -> entries
    private final Map<String, Duration> grace;
    private final Set<String> seen = new HashSet<>();
    final Map<WindowKey, Totals> windows = new TreeMap<>(java.util.Comparator.comparing(WindowKey::toString));
    final Map<String, Set<String>> lateFor = new HashMap<>(); // event id -> sizes
    long distinct;
    BigDecimal totalUsd = BigDecimal.ZERO;

    SpendReference(Map<String, Duration> grace) {
        this.grace = grace;
        try (InputStream in = SpendReference.class.getResourceAsStream("/prices/model-prices.json")) {
            for (JsonNode p : new ObjectMapper().readTree(in).path("prices")) {
                Instant from = Instant.parse(p.get("effective_from").asText());
                List<Window> windows = new ArrayList<>();
                for (JsonNode w : p.path("daily_windows")) {
                    windows.add(new Window(LocalTime.parse(w.get("start_utc").asText()).toSecondOfDay(),
                            LocalTime.parse(w.get("end_utc").asText()).toSecondOfDay(), rates(from, w, List.of())));
                }
                addPrice(p.get("provider").asText(), p.get("model").asText(), rates(from, p, windows));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Price rates(Instant from, JsonNode p, List<Window> windows) {
        return new Price(from, dec(p, "input_per_mtok"), dec(p, "output_per_mtok"), dec(p, "cached_input_per_mtok"),
                dec(p, "cache_write_per_mtok"), dec(p, "reasoning_per_mtok"), windows);
    }

    private static BigDecimal dec(JsonNode p, String f) {
        return p.get(f) == null || p.get(f).isNull() ? null : new BigDecimal(p.get(f).asText());
    }

    void addPrice(String provider, String model, Price price) {
        prices.computeIfAbsent(provider + "|" + model, k -> new ArrayList<>()).add(price);
    }

    private Price priceAt(String provider, String model, Instant at) {
        String m = model.toLowerCase();
        for (String name : new String[] {m, m.replaceAll("-\\d{4}-\\d{2}-\\d{2}$", "")}) {
            Price best = null;
            for (Price p : prices.getOrDefault(provider + "|" + name, List.of())) {
                if (!p.from().isAfter(at) && (best == null || p.from().isAfter(best.from()))) {
                    best = p;
                }
            }
            if (best != null) {
                return best;
            }
        }
        return null;
    }

    /** Applies one record in production order (its receive time is the stream time). */
    void accept(UsageEvent e, Instant receivedAt) {
        if (!seen.add(e.getOrgId() + "/" + e.getEventId())) {
            return;
        }
        distinct++;
        long cost;
        boolean unpricedEvent = false;
        if (e.getClientCostUsdNanos() != null) {
            cost = e.getClientCostUsdNanos();
        } else {
            Price entry = priceAt(e.getProvider(), e.getModel(), e.getTimestamp());
            Price p = entry == null ? null : entry.at(e.getTimestamp());
            if (p == null) {
                cost = 0;
                unpricedEvent = true;
            } else {
                BigDecimal usd = p.input().multiply(BigDecimal.valueOf(e.getInputTokens()))
                        .add(p.output().multiply(BigDecimal.valueOf(e.getOutputTokens())))
                        .add(or(p.cached(), p.input()).multiply(BigDecimal.valueOf(e.getCachedInputTokens())))
                        .add(or(p.cacheWrite(), p.input()).multiply(BigDecimal.valueOf(e.getCacheWriteTokens())))
                        .add(or(p.reasoning(), p.output()).multiply(BigDecimal.valueOf(e.getReasoningTokens())))
                        .movePointLeft(6);
                cost = usd.movePointRight(9).setScale(0, RoundingMode.HALF_UP).longValueExact();
            }
        }
        totalUsd = totalUsd.add(BigDecimal.valueOf(cost, 9));
        long t = e.getTimestamp().toEpochMilli();
        for (var size : SIZES.entrySet()) {
            long start = t - Math.floorMod(t, size.getValue());
            boolean late = start + size.getValue() + grace.get(size.getKey()).toMillis() <= receivedAt.toEpochMilli();
            if (late) {
                lateFor.computeIfAbsent(e.getEventId(), k -> new java.util.TreeSet<>()).add(size.getKey());
                continue;
            }
            WindowKey k = new WindowKey(e.getOrgId(), e.getFeature(), e.getProvider(), e.getModel(), size.getKey(), start);
            Totals zero = new Totals(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
            windows.put(k, windows.getOrDefault(k, zero).plus(e, cost, unpricedEvent));
        }
    }

    private static BigDecimal or(BigDecimal a, BigDecimal b) {
        return a != null ? a : b;
    }

    static WindowKey keyOf(SpendRollup r) {
        return new WindowKey(r.getOrgId(), r.getFeature(), r.getProvider(), r.getModel(), r.getWindowSize().name(),
                r.getWindowStart().toEpochMilli());
    }
}
