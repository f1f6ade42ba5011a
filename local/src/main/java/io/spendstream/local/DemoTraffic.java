package io.spendstream.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spendstream.config.KafkaClientSettings;
import io.spendstream.pricing.Catalog;
import io.spendstream.pricing.CatalogFile;
import io.spendstream.pricing.PriceIndex;
import io.spendstream.pricing.TokenClass;
import io.spendstream.pricing.TokenCounts;
import io.spendstream.schemas.topics.Topics;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The demo of the one-command run ({@code ./run-local --demo}): three demo orgs with API keys (through the
 * admin API), budgets per org whose limits are crossed by the demo's own traffic within the run (through the
 * budget API), realistic LLM usage events for all three over HTTP, the budget alerts as they arrive on
 * {@code budget-alerts-json}, and at the end the spend per feature and the alerts from the query API.
 *
 * <p>Everything goes through the public API and the alert topic, like a real client would; nothing reads the
 * pipeline's internals. Local development only: the keys are kept in the data directory like the demo key.
 */
public final class DemoTraffic {
    /** One demo org: its traffic rate and how its calls are spread over the features (weights). */
    public record Org(String orgId, String name, int eventsPerSecond, Map<String, Integer> featureWeights) {}

    /** A budget the demo set, with the spend already in its period when it was set. */
    public record DemoBudget(String orgId, String budgetId, String scope, String scopeValue, String period,
                             BigDecimal spendBeforeUsd, BigDecimal limitUsd) {}

    /** An alert as read from budget-alerts-json. */
    public record Alert(String alertId, String orgId, String budgetId, String kind, int thresholdPercent,
                        String spendUsd, String limitUsd, String projectedUsd, String periodStart, String triggeredAt) {}

    /** One row of the spend per feature of today (UTC) from {@code GET /v1/spend}. */
    public record FeatureSpend(String feature, BigDecimal costUsd, long events) {}

    /**
     * What a demo run did: events accepted (answered 202), events rejected inside accepted requests,
     * requests that failed (not 202, or no answer), the budgets set, the alerts received on the topic in
     * arrival order, today's spend per org and feature (from the spend API, after the sink caught up), the
     * alert ids the alerts API lists per org since the run's start, and the requests the demo's webhook
     * receiver got from the notifier for the first org's channel.
     */
    public record Result(Instant start, long eventsAccepted, long eventsRejected, long requestsFailed,
                         Map<String, DemoOrg.Credentials> orgs, List<DemoBudget> budgets, List<Alert> alerts,
                         Map<String, List<FeatureSpend>> spendToday, Map<String, List<String>> apiAlertIds,
                         List<DemoReceiver.Delivery> webhookDeliveries) {}

    public static final List<Org> ORGS = List.of(
            new Org(DemoOrg.ORG_ID, "Demo org", 40, weights("chat", 45, "search", 25, "summarize", 20, "agent", 10)),
            new Org("demo-globex", "Globex (demo)", 60, weights("chat", 30, "search", 20, "summarize", 15, "agent", 35)),
            new Org("demo-initech", "Initech (demo)", 80, weights("chat", 25, "search", 45, "summarize", 25, "agent", 5)));

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter HHMMSS = DateTimeFormatter.ofPattern("HHmmss").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);
    /** Budget ids of earlier demo runs (removed at the start of a run, so they do not pile up). */
    private static final Pattern DEMO_BUDGET_ID = Pattern.compile("^(daily-org|daily-chat|monthly-gpt-4o)-\\d{6}$");
    private static final String PROBE_LIMIT_USD = "1000000000";
    private static final int BATCHES_PER_SECOND = 4;

    private final String apiUrl;
    private final String adminToken;
    private final KafkaClientSettings kafka;
    private final Path dataDir;
    private final Duration duration;
    private final Console console;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final Map<String, AtomicLong> acceptedPerOrg = new ConcurrentHashMap<>();
    private final Map<String, Alert> alerts = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    private volatile boolean stopping;
    private volatile Thread runner;

    public DemoTraffic(String apiUrl, String adminToken, KafkaClientSettings kafka, Path dataDir, Duration duration,
                       PrintStream out) {
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("the demo duration must be positive");
        }
        this.apiUrl = apiUrl;
        this.adminToken = adminToken;
        this.kafka = kafka;
        this.dataDir = dataDir;
        this.duration = duration;
        this.console = new Console(out);
    }

    public static DemoTraffic of(LocalPipeline pipeline, Path dataDir, Duration duration, PrintStream out) {
        return new DemoTraffic(pipeline.apiUrl(), pipeline.adminToken(), pipeline.kafkaClient(), dataDir,
                duration, out);
    }

    /** Runs the demo against a started pipeline whose data directory is {@code dataDir}. */
    public static Result run(LocalPipeline pipeline, Path dataDir, Duration duration, PrintStream out)
            throws InterruptedException {
        return of(pipeline, dataDir, duration, out).run();
    }

    /** Ends a running demo early (e.g. on Ctrl-C): the traffic stops and {@link #run} returns soon. */
    public void stop() {
        stopping = true;
        Thread t = runner;
        if (t != null) {
            t.interrupt();
        }
    }

    public Result run() throws InterruptedException {
        runner = Thread.currentThread();
        Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String suffix = HHMMSS.format(start);
        LocalDate today = LocalDate.ofInstant(start, ZoneOffset.UTC);
        console.line("");
        console.line("Demo: " + ORGS.size() + " orgs posting LLM usage events for " + duration.toSeconds()
                + " s, with budgets that their own traffic crosses.");

        Map<String, DemoOrg.Credentials> orgs = new LinkedHashMap<>();
        for (Org o : ORGS) {
            orgs.put(o.orgId(), DemoOrg.ensure(apiUrl, adminToken, dataDir, o.orgId(), o.name()));
        }

        try (AlertFollower follower = new AlertFollower(orgs.keySet()); DemoReceiver receiver = new DemoReceiver()) {
            String webhookOrg = ORGS.getFirst().orgId();
            String channelId = addWebhook(orgs.get(webhookOrg), receiver);
            List<DemoBudget> budgets = setBudgets(orgs, suffix, today);
            console.line("");
            console.line("Traffic: " + ORGS.stream().map(o -> o.orgId() + " " + o.eventsPerSecond() + "/s")
                    .collect(Collectors.joining(", ")) + " (POST /v1/events, " + BATCHES_PER_SECOND
                    + " batches per second per org). Alerts from budget-alerts-json:");
            Map<String, Long> eventsBefore = new LinkedHashMap<>();
            for (Org o : ORGS) {
                eventsBefore.put(o.orgId(), eventsToday(orgs.get(o.orgId()), today));
            }
            sendTraffic(orgs, start);
            console.endProgress();

            console.line("Waiting for the sink to write the last events...");
            Map<String, List<String>> apiAlertIds = awaitSink(orgs, today, eventsBefore, start);
            follower.close();
            Map<String, List<FeatureSpend>> spend = new LinkedHashMap<>();
            for (Org o : ORGS) {
                spend.put(o.orgId(), spendRows(orgs.get(o.orgId()), today, "feature").stream()
                        .map(r -> new FeatureSpend(r.path("feature").asText(), new BigDecimal(r.path("cost_usd").asText()),
                                r.path("events").asLong()))
                        .sorted(Comparator.comparing(FeatureSpend::feature)).toList());
            }
            List<Alert> received;
            synchronized (alerts) {
                received = List.copyOf(alerts.values());
            }
            printSpend(today, spend);
            printUnpriced(start, orgs);
            printAlerts(start, received, apiAlertIds);
            List<DemoReceiver.Delivery> delivered = printWebhook(webhookOrg, channelId, receiver, received);
            console.line("");
            console.line("Demo done. The pipeline keeps running; stop it with Ctrl-C.");
            return new Result(start, accepted.get(), rejected.get(), failed.get(), orgs, budgets, received, spend,
                    apiAlertIds, delivered);
        } finally {
            runner = null;
            Thread.interrupted(); // a stop() at the very end must not leak into the caller
        }
    }

    // ---- webhook channel ---------------------------------------------------------------------------------

    /** A webhook channel of the org pointing at the demo's receiver (replacing the one of an earlier run); its id. */
    private String addWebhook(DemoOrg.Credentials c, DemoReceiver receiver) throws InterruptedException {
        HttpResponse<String> list = call("GET", "/v1/channels", c.apiKey(), null, s -> s == 200, Duration.ofSeconds(60));
        for (JsonNode ch : json(list).path("channels")) {
            if (ch.path("name").asText().equals("demo-receiver")) {
                call("DELETE", "/v1/channels/" + ch.path("channel_id").asText(), c.apiKey(), null,
                        s -> s == 204 || s == 404, Duration.ofSeconds(30));
            }
        }
        var body = JSON.createObjectNode().put("kind", "webhook").put("url", receiver.url()).put("name", "demo-receiver");
        JsonNode created = json(call("POST", "/v1/channels", c.apiKey(), body.toString(), s -> s == 201,
                Duration.ofSeconds(30)));
        receiver.secret(created.path("secret").asText());
        console.line("Webhook channel " + created.path("channel_id").asText() + " of " + c.orgId() + " (POST /v1/channels)"
                + " -> " + receiver.url() + ", a receiver this demo runs; its alerts arrive there signed.");
        return created.path("channel_id").asText();
    }

    /** Waits up to 10 s for the org's alerts to reach the receiver, then says where they landed; returns what it got. */
    private List<DemoReceiver.Delivery> printWebhook(String orgId, String channelId, DemoReceiver receiver,
                                                      List<Alert> received)
            throws InterruptedException {
        long expected = received.stream().filter(a -> a.orgId().equals(orgId)).count();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (receiver.deliveries().size() < expected && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        List<DemoReceiver.Delivery> got = receiver.deliveries();
        long valid = got.stream().filter(DemoReceiver.Delivery::signatureValid).count();
        console.line("");
        console.line("Webhook deliveries: " + got.size() + " of " + orgId + "'s " + expected + " alerts landed at "
                + receiver.url() + " (" + valid + " with a valid Standard Webhooks signature); the log is at"
                + " GET " + apiUrl + "/v1/channels/" + channelId + "/deliveries (" + orgId + "'s key).");
        for (DemoReceiver.Delivery d : got) {
            console.line("  " + d.receivedAt().truncatedTo(ChronoUnit.MILLIS) + "  " + d.type() + "  webhook-id "
                    + d.webhookId());
        }
        return got;
    }

    // ---- budgets ---------------------------------------------------------------------------------------

    private record Plan(Org org, String budgetId, String scope, String scopeValue, String period, BigDecimal apiSpend,
                        BigDecimal usdPerSecond, double seconds) {}

    private List<DemoBudget> setBudgets(Map<String, DemoOrg.Credentials> orgs, String suffix, LocalDate today)
            throws InterruptedException {
        double d = duration.toMillis() / 1000.0;
        // How long (seconds of demo traffic at the planned rate) until a budget's limit is reached: well
        // inside the run, so that 50 %, 80 % and 100 % are all crossed even if the rate is not quite reached.
        double orgSeconds = clamp(0.6 * d, 3, 40);
        double chatSeconds = clamp(0.5 * d, 2.5, 30);
        double modelSeconds = clamp(0.7 * d, 3.5, 50);
        LocalDate monthStart = today.withDayOfMonth(1);
        PriceIndex prices = prices();
        List<Plan> plans = new ArrayList<>();
        int removed = 0;
        for (Org o : ORGS) {
            DemoOrg.Credentials c = orgs.get(o.orgId());
            removed += removeEarlierDemoBudgets(c);
            Estimate e = estimate(o, prices);
            BigDecimal orgToday = sum(spendRows(c, today, ""), r -> true);
            BigDecimal chatToday = sum(spendRows(c, today, "feature"), r -> r.path("feature").asText().equals("chat"));
            BigDecimal gpt4oMonth = sum(spendRows(c, monthStart, monthStart.plusMonths(1), "model"),
                    r -> r.path("model").asText().equals("gpt-4o"));
            plans.add(new Plan(o, "daily-org-" + suffix, "org", null, "day", orgToday, e.org(), orgSeconds));
            plans.add(new Plan(o, "daily-chat-" + suffix, "feature", "chat", "day", chatToday, e.chat(), chatSeconds));
            plans.add(new Plan(o, "monthly-gpt-4o-" + suffix, "model", "gpt-4o", "month", gpt4oMonth, e.gpt4o(),
                    modelSeconds));
        }
        if (removed > 0) {
            console.line("Removed " + removed + " budgets of earlier demo runs.");
        }
        // The spend API may lag behind the stream processor (the sink writes in batches, and catches up after a
        // restart): each budget is first set with a limit out of reach, and its status (the stream processor's
        // exact spend in the period) is read, so the real limit is set above the larger of the two.
        for (Plan p : plans) {
            putBudget(orgs.get(p.org().orgId()), p, PROBE_LIMIT_USD);
        }
        List<BigDecimal> spentBefore = new ArrayList<>();
        for (Plan p : plans) {
            HttpResponse<String> status = call("GET", "/v1/budgets/" + p.budgetId() + "/status",
                    orgs.get(p.org().orgId()).apiKey(), null, s -> s == 200, Duration.ofSeconds(120));
            spentBefore.add(p.apiSpend().max(new BigDecimal(json(status).path("spend_usd").asText("0"))));
        }
        console.line("");
        console.line("Budgets (PUT /v1/budgets/{id}, UTC, thresholds 50/80/100 %; limit = spend already in the period"
                + " + about " + Math.round(chatSeconds) + "-" + Math.round(modelSeconds) + " s of demo traffic):");
        if (spentBefore.stream().anyMatch(b -> b.signum() > 0)) {
            console.line("  (a budget set on a period that already holds spend sends the highest threshold it"
                    + " already reached at once)");
        }
        List<DemoBudget> out = new ArrayList<>();
        for (int i = 0; i < plans.size(); i++) {
            Plan p = plans.get(i);
            BigDecimal spent = spentBefore.get(i);
            BigDecimal limit = spent.add(p.usdPerSecond().multiply(BigDecimal.valueOf(p.seconds())))
                    .setScale(2, RoundingMode.UP).max(new BigDecimal("0.01"));
            DemoBudget b = new DemoBudget(p.org().orgId(), p.budgetId(), p.scope(), p.scopeValue(), p.period(), spent,
                    limit);
            console.line(String.format(Locale.ROOT, "  %-13s %-22s %-15s %-6s spent so far %10s   limit %10s",
                    b.orgId(), b.budgetId(), b.scope() + (b.scopeValue() == null ? "" : " " + b.scopeValue()),
                    b.period(), usd(b.spendBeforeUsd()), usd(b.limitUsd())));
            putBudget(orgs.get(p.org().orgId()), p, limit.toPlainString());
            out.add(b);
        }
        return out;
    }

    private int removeEarlierDemoBudgets(DemoOrg.Credentials c) throws InterruptedException {
        // Also the wait for a new key and the budget table: until they are loaded, budget calls answer 401 or 503.
        HttpResponse<String> list = call("GET", "/v1/budgets", c.apiKey(), null, s -> s == 200, Duration.ofSeconds(60));
        int removed = 0;
        for (JsonNode b : json(list).path("budgets")) {
            String id = b.path("budget_id").asText();
            if (DEMO_BUDGET_ID.matcher(id).matches()) {
                call("DELETE", "/v1/budgets/" + id, c.apiKey(), null, s -> s == 204 || s == 404, Duration.ofSeconds(30));
                removed++;
            }
        }
        return removed;
    }

    private void putBudget(DemoOrg.Credentials c, Plan p, String limitUsd) throws InterruptedException {
        ObjectNode body = JSON.createObjectNode().put("scope", p.scope());
        if (p.scopeValue() != null) {
            body.put("scope_value", p.scopeValue());
        }
        body.put("period", p.period()).put("time_zone", "UTC").put("limit_usd", limitUsd);
        body.putArray("thresholds_percent").add(50).add(80).add(100);
        call("PUT", "/v1/budgets/" + p.budgetId(), c.apiKey(), body.toString(), s -> s == 200 || s == 201,
                Duration.ofSeconds(30));
    }

    /** Expected USD per second of an org's traffic: in all, on feature chat, on model gpt-4o. */
    private record Estimate(BigDecimal org, BigDecimal chat, BigDecimal gpt4o) {}

    private static Estimate estimate(Org o, PriceIndex prices) {
        // The mean cost of the org's traffic, from a sample of its generator priced with the seed catalog.
        Generator g = new Generator(o, "estimate", Instant.EPOCH, 42);
        int n = 20_000;
        double all = 0;
        double chat = 0;
        double gpt4o = 0;
        for (int i = 0; i < n; i++) {
            Call call = g.next();
            long now = System.currentTimeMillis();
            double cost = prices.price(call.provider(), call.model(), now, call.tokens())
                    .map(p -> p.cost().nanos()).orElse(0L) / 1e9;
            all += cost;
            chat += call.feature().equals("chat") ? cost : 0;
            gpt4o += call.model().equals("gpt-4o") ? cost : 0;
        }
        double perSecond = (double) o.eventsPerSecond() / n;
        return new Estimate(BigDecimal.valueOf(all * perSecond), BigDecimal.valueOf(chat * perSecond),
                BigDecimal.valueOf(gpt4o * perSecond));
    }

    /** The seed catalog indexed as the stream processor indexes it (same name rules, same prices). */
    private static PriceIndex prices() {
        Catalog seed = CatalogFile.load(null);
        return PriceIndex.of(seed.providers(), seed.prices());
    }

    // ---- traffic ---------------------------------------------------------------------------------------

    private void sendTraffic(Map<String, DemoOrg.Credentials> orgs, Instant start) throws InterruptedException {
        String runId = STAMP.format(start);
        long t0 = System.nanoTime();
        long end = t0 + duration.toNanos();
        List<Thread> senders = new ArrayList<>();
        int seed = 1;
        for (Org o : ORGS) {
            Generator g = new Generator(o, runId, start, start.toEpochMilli() * 31 + seed++);
            String key = orgs.get(o.orgId()).apiKey();
            acceptedPerOrg.put(o.orgId(), new AtomicLong());
            senders.add(Thread.ofVirtual().name("demo-" + o.orgId()).start(() -> sendLoop(o, g, key, t0, end)));
        }
        try {
            for (int s = 1; System.nanoTime() < end && !stopping; s++) {
                long next = t0 + TimeUnit.SECONDS.toNanos(s);
                sleepUntil(Math.min(next, end));
                console.progress(progressLine(Math.min(s, duration.toSeconds())));
            }
        } finally {
            for (Thread t : senders) {
                if (stopping) {
                    t.interrupt();
                }
                t.join();
            }
        }
        console.progress(progressLine(Math.round((System.nanoTime() - t0) / 1e9)));
    }

    private String progressLine(long seconds) {
        return String.format(Locale.ROOT, "  %3d s of %d   events accepted %,9d   requests failed %,d   alerts %d",
                seconds, duration.toSeconds(), accepted.get(), failed.get(), alerts.size());
    }

    private void sendLoop(Org o, Generator g, String apiKey, long t0, long end) {
        long intervalNanos = TimeUnit.SECONDS.toNanos(1) / BATCHES_PER_SECOND;
        long sent = 0;
        for (long tick = t0; tick <= end && !stopping; tick += intervalNanos) {
            try {
                sleepUntil(tick);
            } catch (InterruptedException e) {
                return;
            }
            // The events due by now at the org's rate, so a slow request is made up in the next batch.
            long due = Math.min(o.eventsPerSecond() * (System.nanoTime() - t0) / 1_000_000_000L + 1,
                    o.eventsPerSecond() * duration.toSeconds());
            int n = (int) Math.min(1000, due - sent);
            if (n <= 0) {
                continue;
            }
            ArrayNode batch = JSON.createArrayNode();
            for (int i = 0; i < n; i++) {
                batch.add(g.next().toJson(Instant.now()));
            }
            sent += n;
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(apiUrl + "/v1/events"))
                        .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + apiKey)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(batch.toString())).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 202) {
                    JsonNode body = JSON.readTree(r.body());
                    long ok = body.path("accepted").asLong();
                    accepted.addAndGet(ok);
                    acceptedPerOrg.get(o.orgId()).addAndGet(ok);
                    rejected.addAndGet(body.path("rejected").size());
                } else {
                    failed.incrementAndGet();
                    if (failed.get() <= 3) {
                        console.line("request failed: " + r.statusCode() + " " + r.body());
                    }
                }
            } catch (IOException e) {
                failed.incrementAndGet();
                if (failed.get() <= 3 && !stopping) {
                    console.line("request failed: " + e);
                }
            } catch (InterruptedException e) {
                failed.incrementAndGet();
                return;
            }
        }
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long wait = nanoTime - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

    // ---- after the traffic -----------------------------------------------------------------------------

    /**
     * Waits (at most 60 s, at least 3 s so late alerts arrive) until the spend API counts every event of the
     * run and the alerts API lists exactly the alerts received on the topic; returns the alert ids it lists.
     */
    private Map<String, List<String>> awaitSink(Map<String, DemoOrg.Credentials> orgs, LocalDate today,
                                                Map<String, Long> eventsBefore, Instant start)
            throws InterruptedException {
        long t0 = System.nanoTime();
        long minEnd = t0 + TimeUnit.SECONDS.toNanos(3);
        long deadline = t0 + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            boolean done = System.nanoTime() >= minEnd;
            Map<String, List<String>> ids = new LinkedHashMap<>();
            for (Org o : ORGS) {
                DemoOrg.Credentials c = orgs.get(o.orgId());
                done &= eventsToday(c, today) >= eventsBefore.get(o.orgId()) + acceptedPerOrg.get(o.orgId()).get();
                List<String> listed = new ArrayList<>();
                json(call("GET", "/v1/alerts?since=" + start, c.apiKey(), null, s -> s == 200, Duration.ofSeconds(30)))
                        .path("alerts").forEach(a -> listed.add(a.path("alert_id").asText()));
                ids.put(o.orgId(), listed);
            }
            synchronized (alerts) {
                Set<String> listed = ids.values().stream().flatMap(List::stream).collect(Collectors.toSet());
                // Equal sets: the topic and the table get the same alerts (one transaction writes both topics).
                done &= listed.equals(alerts.keySet());
            }
            if (done || stopping) {
                return ids;
            }
            if (System.nanoTime() > deadline) {
                console.line("(the sink has not caught up after 60 s; the numbers below may be incomplete)");
                return ids;
            }
            Thread.sleep(500);
        }
    }

    private void printSpend(LocalDate today, Map<String, List<FeatureSpend>> spend) {
        console.line("");
        console.line("Spend today (" + today + ", UTC) per feature, from GET /v1/spend?granularity=day&group_by=feature:");
        console.line(String.format(Locale.ROOT, "  %-13s %-10s %9s %12s", "org", "feature", "events", "cost"));
        for (var e : spend.entrySet()) {
            BigDecimal total = BigDecimal.ZERO;
            long events = 0;
            for (FeatureSpend f : e.getValue()) {
                console.line(String.format(Locale.ROOT, "  %-13s %-10s %,9d %12s", e.getKey(), f.feature(), f.events(),
                        usd(f.costUsd())));
                total = total.add(f.costUsd());
                events += f.events();
            }
            console.line(String.format(Locale.ROOT, "  %-13s %-10s %,9d %12s", e.getKey(), "(all)", events, usd(total)));
        }
    }

    private void printUnpriced(Instant start, Map<String, DemoOrg.Credentials> orgs) throws InterruptedException {
        console.line("");
        console.line("Models without a price (counted at $0), from GET /v1/unpriced?since=" + start + ":");
        for (Org o : ORGS) {
            JsonNode models = json(call("GET", "/v1/unpriced?since=" + start, orgs.get(o.orgId()).apiKey(), null,
                    s -> s == 200, Duration.ofSeconds(30))).path("models");
            if (models.isEmpty()) {
                console.line(String.format(Locale.ROOT, "  %-13s none", o.orgId()));
            }
            for (JsonNode m : models) {
                console.line(String.format(Locale.ROOT, "  %-13s %s/%s: %,d events, %,d tokens, last seen %s", o.orgId(),
                        m.path("provider").asText(), m.path("model").asText(), m.path("events").asLong(),
                        m.path("tokens").path("total").asLong(), m.path("last_seen").asText()));
            }
        }
    }

    private void printAlerts(Instant start, Collection<Alert> received, Map<String, List<String>> apiAlertIds) {
        console.line("");
        console.line("Alerts of this run, from GET /v1/alerts?since=" + start + ": " + apiAlertIds.entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue().size()).collect(Collectors.joining(", "))
                + " (" + apiAlertIds.values().stream().mapToInt(List::size).sum() + " in all; " + received.size()
                + " received on budget-alerts-json)");
    }

    // ---- alerts ----------------------------------------------------------------------------------------

    /** Reads budget-alerts-json (read_committed) from its end at construction, printing the demo orgs' alerts. */
    private final class AlertFollower implements AutoCloseable {
        private final KafkaConsumer<String, String> consumer;
        private final Thread thread;
        private volatile boolean closed;

        AlertFollower(Set<String> orgIds) {
            Properties p = kafka.clientProperties();
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            p.put(ConsumerConfig.CLIENT_ID_CONFIG, "spendstream-demo-alerts");
            consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
            String topic = Topics.BUDGET_ALERTS_JSON.name();
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(tp -> consumer.position(tp, Duration.ofSeconds(30))); // the seek is lazy otherwise
            thread = Thread.ofPlatform().name("demo-alerts").daemon().start(() -> {
                try {
                    while (!closed) {
                        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                            onAlert(r.value(), orgIds);
                        }
                    }
                } catch (WakeupException e) {
                    // closing
                } finally {
                    consumer.close(Duration.ofSeconds(5));
                }
            });
        }

        private void onAlert(String value, Set<String> orgIds) {
            JsonNode n;
            try {
                n = JSON.readTree(value);
            } catch (IOException e) {
                return;
            }
            Alert a = new Alert(n.path("alert_id").asText(), n.path("org_id").asText(), n.path("budget_id").asText(),
                    n.path("kind").asText(), n.path("threshold_percent").asInt(), n.path("spend_usd").asText(),
                    n.path("limit_usd").asText(), n.path("projected_usd").asText(), n.path("period_start").asText(),
                    n.path("triggered_at").asText());
            if (!orgIds.contains(a.orgId()) || alerts.putIfAbsent(a.alertId(), a) != null) {
                return;
            }
            console.line(alertLine(a));
        }

        @Override
        public void close() throws InterruptedException {
            if (!closed) {
                closed = true;
                consumer.wakeup();
                thread.join(10_000);
            }
        }
    }

    static String alertLine(Alert a) {
        String what = switch (a.kind()) {
            case "FORECAST" -> String.format(Locale.ROOT, "%-9s %4s  projected %s of %s (spend %s)", a.kind(), "",
                    usd(new BigDecimal(a.projectedUsd())), usd(new BigDecimal(a.limitUsd())),
                    usd(new BigDecimal(a.spendUsd())));
            default -> String.format(Locale.ROOT, "%-9s %4s  spend %s of %s", a.kind(), a.thresholdPercent() + "%",
                    usd(new BigDecimal(a.spendUsd())), usd(new BigDecimal(a.limitUsd())));
        };
        return String.format(Locale.ROOT, "ALERT %-13s %-22s %s", a.orgId(), a.budgetId(), what);
    }

    // ---- HTTP helpers ----------------------------------------------------------------------------------

    private List<JsonNode> spendRows(DemoOrg.Credentials c, LocalDate day, String groupBy) throws InterruptedException {
        return spendRows(c, day, day.plusDays(1), groupBy);
    }

    private List<JsonNode> spendRows(DemoOrg.Credentials c, LocalDate from, LocalDate to, String groupBy)
            throws InterruptedException {
        String q = "/v1/spend?from=" + from + "T00:00:00Z&to=" + to + "T00:00:00Z&granularity=day"
                + (groupBy.isEmpty() ? "" : "&group_by=" + URLEncoder.encode(groupBy, StandardCharsets.UTF_8));
        List<JsonNode> rows = new ArrayList<>();
        json(call("GET", q, c.apiKey(), null, s -> s == 200, Duration.ofSeconds(30))).path("rows").forEach(rows::add);
        return rows;
    }

    /** The org's events on {@code day} (UTC) as the spend API counts them. */
    private long eventsToday(DemoOrg.Credentials c, LocalDate day) throws InterruptedException {
        return spendRows(c, day, "").stream().mapToLong(r -> r.path("events").asLong()).sum();
    }

    private static BigDecimal sum(List<JsonNode> rows, Predicate<JsonNode> which) {
        return rows.stream().filter(which).map(r -> new BigDecimal(r.path("cost_usd").asText("0")))
                .reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    /**
     * One API call, repeated (after Retry-After, or 500 ms) while the answer is not {@code ok} and is 401
     * (a new key not loaded yet), 404 (a new budget not yet known to the stream processor), 429 or 5xx, until
     * {@code patience} has passed.
     */
    private HttpResponse<String> call(String method, String pathAndQuery, String bearer, String body,
                                      Predicate<Integer> ok, Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(apiUrl + pathAndQuery))
                    .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + bearer);
            if (body != null) {
                b.header("Content-Type", "application/json");
            }
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            String problem;
            long waitMillis = 500;
            try {
                HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
                if (ok.test(r.statusCode())) {
                    return r;
                }
                int s = r.statusCode();
                problem = s + " " + r.body();
                if (s != 401 && s != 404 && s != 429 && s < 500) {
                    throw new IllegalStateException(method + " " + pathAndQuery + " answered " + problem);
                }
                waitMillis = r.headers().firstValue("Retry-After").filter(v -> v.strip().matches("\\d{1,4}"))
                        .map(v -> Long.parseLong(v.strip()) * 1000).orElse(500L);
            } catch (IOException e) {
                problem = e.toString();
            }
            if (stopping) {
                throw new IllegalStateException("the demo was stopped");
            }
            if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis) > deadline) {
                throw new IllegalStateException(method + " " + pathAndQuery + " did not succeed within "
                        + patience.toSeconds() + " s: " + problem);
            }
            Thread.sleep(waitMillis);
        }
    }

    private static JsonNode json(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + r.body(), e);
        }
    }

    static String usd(BigDecimal amount) {
        return "$" + String.format(Locale.ROOT, "%,.2f", amount.setScale(2, RoundingMode.HALF_UP));
    }

    private static double clamp(double v, double min, double max) {
        return Math.max(min, Math.min(max, v));
    }

    private static Map<String, Integer> weights(Object... kv) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (Integer) kv[i + 1]);
        }
        return m;
    }

    // ---- the console -----------------------------------------------------------------------------------

    /** One progress line rewritten in place with '\r'; other lines are printed above it. */
    private static final class Console {
        private final PrintStream out;
        private String progress;
        private int width;

        Console(PrintStream out) {
            this.out = out;
        }

        synchronized void line(String s) {
            if (progress != null) {
                out.print("\r" + " ".repeat(width) + "\r");
            }
            out.println(s);
            if (progress != null) {
                out.print(progress);
            }
            out.flush();
        }

        synchronized void progress(String s) {
            out.print("\r" + s + " ".repeat(Math.max(0, width - s.length())));
            width = Math.max(width, s.length());
            progress = s;
            out.flush();
        }

        synchronized void endProgress() {
            if (progress != null) {
                out.println();
                progress = null;
                width = 0;
                out.flush();
            }
        }
    }

    // ---- the events --------------------------------------------------------------------------------------

    /** A model a feature calls, with its weight and a rough latency profile. */
    private record ModelChoice(String provider, String model, int weight, int baseLatencyMs, double msPerOutputToken) {}

    private static final Map<String, List<ModelChoice>> MODELS = Map.of(
            "chat", List.of(
                    new ModelChoice("openai", "gpt-4o", 35, 350, 14),
                    new ModelChoice("openai", "gpt-4o-mini", 35, 250, 8),
                    new ModelChoice("anthropic", "claude-sonnet-4-5", 30, 550, 18)),
            "search", List.of(
                    new ModelChoice("google", "gemini-2.5-flash", 55, 200, 5),
                    new ModelChoice("openai", "gpt-4o-mini", 45, 250, 8)),
            "summarize", List.of(
                    new ModelChoice("anthropic", "claude-3-5-haiku-latest", 45, 300, 9),
                    new ModelChoice("google", "gemini-2.5-flash", 35, 200, 5),
                    new ModelChoice("openai", "gpt-4o", 17, 350, 14),
                    // an in-house model the catalog has no price for: shows up in GET /v1/unpriced
                    new ModelChoice("self-hosted", "acme-summarizer-8b", 3, 150, 4)),
            "agent", List.of(
                    new ModelChoice("anthropic", "claude-sonnet-4-5", 55, 550, 18),
                    new ModelChoice("openai", "gpt-4o", 45, 350, 14)));

    /** Token ranges of a feature's calls (drawn log-uniformly) and the team that owns it. */
    private record Shape(int minInput, int maxInput, int minOutput, int maxOutput, double cachedShare, String team) {}

    private static final Map<String, Shape> SHAPES = Map.of(
            "chat", new Shape(400, 4_000, 60, 900, 0.45, "support"),
            "search", new Shape(1_500, 9_000, 40, 400, 0.10, "search"),
            "summarize", new Shape(2_000, 15_000, 150, 800, 0.05, "docs"),
            "agent", new Shape(3_000, 25_000, 200, 2_000, 0.60, "automation"));

    private static final String[] ERROR_CODES = {"rate_limit_exceeded", "timeout", "overloaded", "context_length_exceeded"};
    private static final String[] REGIONS = {"us-east-1", "us-east-1", "eu-west-1", "ap-southeast-1"};

    /** One model call to report. Errors carry no tokens (not billed). */
    record Call(String eventId, String feature, String provider, String model, long inputTokens, long outputTokens,
                long cachedInputTokens, long latencyMs, String errorCode, String userId, String sessionId,
                String team, String region) {

        ObjectNode toJson(Instant timestamp) {
            ObjectNode n = JSON.createObjectNode();
            n.put("event_id", eventId).put("timestamp", timestamp.truncatedTo(ChronoUnit.MILLIS).toString())
                    .put("feature", feature).put("provider", provider).put("model", model)
                    .put("input_tokens", inputTokens).put("output_tokens", outputTokens);
            if (cachedInputTokens > 0) {
                n.put("cached_input_tokens", cachedInputTokens);
            }
            n.put("latency_ms", latencyMs).put("status", errorCode == null ? "ok" : "error");
            if (errorCode != null) {
                n.put("error_code", errorCode);
            }
            n.put("user_id", userId).put("session_id", sessionId);
            n.putObject("tags").put("team", team).put("env", "demo");
            n.putObject("metadata").put("region", region);
            return n;
        }

        /** The call as the stream processor prices it ({@link PriceIndex}): its model and token counts. */
        TokenCounts tokens() {
            return TokenCounts.builder().set(TokenClass.INPUT, inputTokens).set(TokenClass.OUTPUT, outputTokens)
                    .set(TokenClass.CACHED_INPUT, cachedInputTokens).build();
        }
    }

    /** Realistic calls of one org: its feature mix, per-feature models and token shapes, users and sessions. */
    static final class Generator {
        private final Org org;
        private final String runId;
        private final SplittableRandom random;
        private final long sessionEpoch;
        private long seq;

        Generator(Org org, String runId, Instant start, long seed) {
            this.org = org;
            this.runId = runId;
            this.random = new SplittableRandom(seed);
            this.sessionEpoch = start.getEpochSecond() / 600;
        }

        Call next() {
            String feature = pick(org.featureWeights());
            List<ModelChoice> models = MODELS.get(feature);
            ModelChoice m = models.getFirst();
            int r = random.nextInt(models.stream().mapToInt(ModelChoice::weight).sum());
            for (ModelChoice c : models) {
                if ((r -= c.weight()) < 0) {
                    m = c;
                    break;
                }
            }
            Shape s = SHAPES.get(feature);
            // Users: a few heavy ones and a long tail; a user's session changes every ten minutes.
            int user = (int) (Math.pow(random.nextDouble(), 2) * 300);
            String userId = "user-" + user;
            String sessionId = "s-" + Long.toString((sessionEpoch * 7919 + user) * 31 + user % 7, 36);
            String eventId = org.orgId() + "-" + runId + "-" + (++seq);
            String region = REGIONS[random.nextInt(REGIONS.length)];
            if (random.nextDouble() < 0.03) {
                String code = ERROR_CODES[random.nextInt(ERROR_CODES.length)];
                long latency = code.equals("timeout") ? 30_000 : 80 + random.nextInt(400);
                return new Call(eventId, feature, m.provider(), m.model(), 0, 0, 0, latency, code, userId, sessionId,
                        s.team(), region);
            }
            long prompt = logUniform(s.minInput(), s.maxInput());
            long cached = random.nextDouble() < s.cachedShare() ? (long) (prompt * (0.3 + 0.5 * random.nextDouble())) : 0;
            long output = logUniform(s.minOutput(), s.maxOutput());
            long latency = Math.round((m.baseLatencyMs() + output * m.msPerOutputToken() + prompt / 1000.0 * 15)
                    * (0.8 + 0.4 * random.nextDouble()));
            return new Call(eventId, feature, m.provider(), m.model(), prompt - cached, output, cached, latency, null,
                    userId, sessionId, s.team(), region);
        }

        private String pick(Map<String, Integer> weights) {
            int r = random.nextInt(weights.values().stream().mapToInt(Integer::intValue).sum());
            for (var e : weights.entrySet()) {
                if ((r -= e.getValue()) < 0) {
                    return e.getKey();
                }
            }
            throw new IllegalStateException("no weights");
        }

        private long logUniform(int min, int max) {
            return Math.round(Math.exp(Math.log(min) + random.nextDouble() * (Math.log(max) - Math.log(min))));
        }
    }
}
