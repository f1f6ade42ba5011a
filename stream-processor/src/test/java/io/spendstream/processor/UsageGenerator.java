package io.spendstream.processor;

import io.spendstream.schema.CallStatus;
import io.spendstream.schema.UsageEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Deterministic test traffic: records in production order, each with the receive time that becomes
 * its Kafka timestamp. Receive times only grow, so the stream time when a record is processed is its
 * own receive time. Mixes in out-of-order events (within grace), late events (past some or all
 * graces), duplicates re-sent later, client costs, unpriced and dated model names.
 */
final class UsageGenerator {
    record Sent(UsageEvent event, Instant receivedAt, boolean duplicate) {}

    static final String[][] MODELS = {
            {"openai", "gpt-4o"}, {"openai", "gpt-4o-mini"}, {"openai", "gpt-4o-2024-08-06"},
            {"anthropic", "claude-sonnet-4-5"}, {"google", "gemini-2.5-pro"}, {"deepseek", "deepseek-chat"},
            {"acme-ai", "mystery-model-x"}};
    static final String[] FEATURES = {"chat", "search", "summarize", "agent|tools", "embeddings"};

    private final Random rnd;
    private final Instant start;
    private final Duration step;
    private final List<UsageEvent> sentSoFar = new ArrayList<>();
    private long receivedMillis;
    private int next;

    UsageGenerator(long seed, Instant start, Duration step) {
        this.rnd = new Random(seed);
        this.start = start;
        this.step = step;
        this.receivedMillis = start.toEpochMilli();
    }

    Instant now() {
        return Instant.ofEpochMilli(receivedMillis);
    }

    /** The next {@code n} distinct events, with duplicates of earlier ones mixed in (not counted in n). */
    List<Sent> next(int n) {
        List<Sent> out = new ArrayList<>(n + n / 10);
        for (int i = 0; i < n; i++) {
            receivedMillis += step.toMillis();
            UsageEvent e = event(next++);
            sentSoFar.add(e);
            out.add(new Sent(e, Instant.ofEpochMilli(receivedMillis), false));
            if (rnd.nextInt(100) < 5 && sentSoFar.size() > 10) { // a producer retry, some time later
                UsageEvent again = sentSoFar.get(sentSoFar.size() - 1 - rnd.nextInt(Math.min(5000, sentSoFar.size())));
                out.add(new Sent(again, Instant.ofEpochMilli(receivedMillis), true));
            }
        }
        return out;
    }

    private UsageEvent event(int i) {
        String[] model = MODELS[rnd.nextInt(MODELS.length)];
        long eventMillis;
        int kind = rnd.nextInt(100);
        if (kind < 2) {
            eventMillis = receivedMillis - Duration.ofMinutes(3 + rnd.nextInt(180)).toMillis(); // late for some sizes
        } else if (kind < 3) {
            eventMillis = receivedMillis - Duration.ofDays(1).toMillis() - rnd.nextInt(3_600_000); // late for all
        } else {
            eventMillis = receivedMillis - rnd.nextInt(90_000); // out of order, within the minute grace
        }
        UsageEvent.Builder b = UsageEvent.newBuilder()
                .setEventId("evt-" + i)
                .setOrgId("org-" + rnd.nextInt(20))
                .setTimestamp(Instant.ofEpochMilli(eventMillis))
                .setReceivedAt(Instant.ofEpochMilli(receivedMillis))
                .setFeature(FEATURES[rnd.nextInt(FEATURES.length)])
                .setProvider(model[0]).setModel(model[1])
                .setInputTokens(rnd.nextInt(20_000)).setOutputTokens(rnd.nextInt(4_000))
                .setCachedInputTokens(rnd.nextInt(4) == 0 ? rnd.nextInt(10_000) : 0)
                .setCacheWriteTokens(rnd.nextInt(10) == 0 ? rnd.nextInt(5_000) : 0)
                .setReasoningTokens(rnd.nextInt(5) == 0 ? rnd.nextInt(3_000) : 0)
                .setLatencyMs(rnd.nextInt(10) == 0 ? null : (long) rnd.nextInt(30_000))
                .setStatus(rnd.nextInt(50) == 0 ? CallStatus.ERROR : CallStatus.OK)
                .setTags(Map.of("env", rnd.nextBoolean() ? "prod" : "staging"));
        if (rnd.nextInt(20) == 0) {
            b.setClientCostUsdNanos((long) rnd.nextInt(50_000_000));
        }
        return b.build();
    }

    Instant start() {
        return start;
    }
}
