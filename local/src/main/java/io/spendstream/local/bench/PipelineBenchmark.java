package io.spendstream.local.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spendstream.chdb.Chdb;
import io.spendstream.config.Settings;
import io.spendstream.embedded.ProcessRss;
import io.spendstream.ingest.IngestConfig;
import io.spendstream.local.DemoOrg;
import io.spendstream.local.LocalConfig;
import io.spendstream.local.LocalPipeline;
import io.spendstream.processor.StreamProcessorConfig;
import io.spendstream.processor.budget.BudgetStatusRoutes;
import io.spendstream.schemas.topics.Topics;
import io.spendstream.sink.SinkConfig;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Benchmark command (not a test) of the whole local pipeline on one machine: {@link LocalPipeline} (embedded
 * KRaft broker, schema registry child process, chDB, stream processor, sink and ingest-api) and the load
 * generator all in this JVM, on the same cores. It creates {@code --orgs} orgs with an API key and a daily
 * budget each (limit 100 USD, thresholds 5, 10, ..., 95 % plus the implied 100 % EXCEEDED: 20 alert slots),
 * then for {@code --duration}:
 * <ol>
 *   <li>background load: batches of {@code --batch} events at {@code --rate} events/s (open loop, at most
 *       {@code --connections} requests in flight), cost_usd "0" so budgets never move, unique event_ids;</li>
 *   <li>alert latency: every {@code --alert-interval} one event of cost "5" (5 % of the limit) for a round-robin
 *       org, so it crosses exactly one alert slot; latency = arrival of the alert on budget-alerts-json
 *       (read_committed) − arrival of the event's 202;</li>
 *   <li>freshness: every {@code --fresh-interval} one marker event; chDB is polled every 100 ms until the
 *       marker is in priced_events; freshness = end of the poll that saw it − its 202;</li>
 *   <li>status latency: GET /v1/budgets/status through ingest-api and the stream processor's internal
 *       endpoint directly, each at {@code --status-rate} requests/s;</li>
 *   <li>RSS of this JVM plus its child processes (the schema registry) every second.</li>
 * </ol>
 * With {@code --warmup} the background load runs that long first, unmeasured (a fresh JVM compiles its hot
 * paths in the first tens of seconds, which otherwise shows in the latencies). Then it waits for outstanding
 * alerts and markers ({@code --drain}), checks that ClickHouse holds exactly the
 * accepted events, prints a summary with target checks and writes a PNG chart ({@code --chart}).
 *
 * <p>Usage: {@code bin/bench pipeline [--duration 60s] [--rate 50000] [--batch 100] [--connections 8]
 * [--orgs 20] [--alert-interval 200ms] [--fresh-interval 200ms] [--status-rate 100] [--drain 60s] [--warmup 0s]
 * [--chart docs/benchmarks/pipeline.png] [--keep-data false]}; {@code bin/bench budgets} is the same with
 * {@code --rate 5000 --duration 60s} first. SPENDSTREAM_* environment variables are passed to the pipeline
 * (ports and the data directory are always chosen by the benchmark).
 */
public final class PipelineBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter CH_TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
            .withZone(ZoneOffset.UTC);
    private static final String BUDGET_ID = "bench-daily";
    private static final String LIMIT_USD = "100";
    private static final String CROSSING_COST_USD = "5"; // 5 % of the limit: one alert slot per event
    private static final int SLOTS = 20; // thresholds 5..95 (19) + EXCEEDED at 100

    private PipelineBenchmark() {}

    /** The machine and JVM lines of the header and summary, and the CPU model of the chart, read once. */
    record Host(String cpuModel, String machine, String jvm) {
        static Host describe() {
            String cpu = PipelineBenchmark.cpuModel();
            return new Host(cpu, PipelineBenchmark.machine(cpu), PipelineBenchmark.jvm());
        }
    }

    /** One second of the run, for the progress line and the chart. */
    record Sample(int second, String phase, long acceptedEvents, long rejected, long skipped, double loadP99Ms,
                  double alertP99Ms, double freshP99Ms, double statusP99Ms, double internalP99Ms, long rssJvm,
                  long rssChildren, long alertsReceived, int markersPending, long rowsInClickHouse) {}

    /** A latency in microseconds (at least 1): the current 1-s window and the total of the windows taken. */
    static final class Latency {
        final Recorder now = new Recorder(3);
        final Histogram total = new Histogram(3);

        void record(long nanos) {
            now.recordValue(Math.max(1, nanos / 1000));
        }

        /** The values recorded since the last call, also added to the total. */
        Histogram interval() {
            var h = now.getIntervalHistogram();
            total.add(h);
            return h;
        }
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        Map<String, String> a = BenchArgs.parse(args);
        String name = a.getOrDefault("name", "pipeline");
        int orgCount = Integer.parseInt(a.getOrDefault("orgs", "20"));
        int batch = Integer.parseInt(a.getOrDefault("batch", "100"));
        double rate = Double.parseDouble(a.getOrDefault("rate", "50000"));
        int connections = Integer.parseInt(a.getOrDefault("connections", "8"));
        Duration duration = duration(a.getOrDefault("duration", "60s"));
        Duration alertInterval = duration(a.getOrDefault("alert-interval", "200ms"));
        Duration freshInterval = duration(a.getOrDefault("fresh-interval", "200ms"));
        double statusRate = Double.parseDouble(a.getOrDefault("status-rate", "100"));
        Duration drain = duration(a.getOrDefault("drain", "60s"));
        Duration warmup = duration(a.getOrDefault("warmup", "0s"));
        Path chart = Path.of(a.getOrDefault("chart", "docs/benchmarks/" + name + ".png"));
        boolean keepData = Boolean.parseBoolean(a.getOrDefault("keep-data", "false"));
        if (orgCount < 1 || batch < 1 || rate < 0 || connections < 1 || duration.isZero()) {
            throw new IllegalArgumentException("--orgs, --batch, --connections and --duration must be positive");
        }

        Path dir = Files.createTempDirectory("spendstream-pipeline-bench-");
        Path log = dir.resolve("pipeline.log");
        if (System.getProperty("logback.configurationFile") == null) { // everything to a file, warnings also here
            Path xml = dir.resolve("logback-bench.xml");
            Files.writeString(xml, """
                    <configuration>
                      <appender name="F" class="ch.qos.logback.core.FileAppender">
                        <file>%s</file>
                        <encoder><pattern>%%d{HH:mm:ss.SSS} %%-5level [%%thread] %%logger{36} - %%msg%%n</pattern></encoder>
                      </appender>
                      <appender name="E" class="ch.qos.logback.core.ConsoleAppender">
                        <filter class="ch.qos.logback.classic.filter.ThresholdFilter"><level>ERROR</level></filter>
                        <encoder><pattern>%%d{HH:mm:ss.SSS} %%-5level %%logger{36} - %%msg%%n</pattern></encoder>
                      </appender>
                      <logger name="org.apache.kafka" level="WARN"/>
                      <logger name="kafka" level="WARN"/>
                      <logger name="state.change.logger" level="WARN"/>
                      <root level="INFO"><appender-ref ref="F"/><appender-ref ref="E"/></root>
                    </configuration>
                    """.formatted(log));
            System.setProperty("logback.configurationFile", xml.toString());
        }

        Host host = Host.describe();
        System.out.println(host.machine());
        System.out.println(host.jvm());
        System.out.printf("%s benchmark: %d orgs, %,.0f events/s offered in batches of %d over at most %d requests"
                        + " in flight, %d s (after %d s of unmeasured warm-up load); a crossing every %d ms, a marker"
                        + " every %d ms, status %s; data in %s%n",
                name, orgCount, rate, batch, connections, duration.toSeconds(), warmup.toSeconds(),
                alertInterval.toMillis(),
                freshInterval.toMillis(), statusRate > 0 ? String.format("%.0f/s per endpoint", statusRate)
                        : "back to back", dir);

        Map<String, String> values = new HashMap<>(System.getenv());
        values.putAll(LocalConfig.onFreePorts(dir.resolve("data")));
        values.remove(IngestConfig.ADMIN_TOKEN); // LocalPipeline makes one; ingest-api reaches the processor by itself
        Settings settings = Settings.of(values);
        LocalConfig config = LocalConfig.from(settings);

        long t0 = System.nanoTime();
        LocalPipeline pipeline = LocalPipeline.start(config, settings);
        int exit = 0;
        try {
            System.out.printf("pipeline up in %.1f s (API %s, stream processor port %d; logs in %s)%n",
                    (System.nanoTime() - t0) / 1e9, pipeline.apiUrl(), pipeline.processor().opsPort(), log);
            exit = new Run(pipeline, settings, host, name, orgCount, batch, rate, connections, duration, alertInterval,
                    freshInterval, statusRate, drain, warmup, chart).run();
        } finally {
            long c0 = System.nanoTime();
            pipeline.close();
            System.out.printf("pipeline closed in %.1f s%n", (System.nanoTime() - c0) / 1e9);
            if (!keepData) {
                deleteTree(dir.resolve("data"));
                System.out.println("data deleted (--keep-data true keeps it); log kept in " + log);
            }
        }
        System.exit(exit);
    }

    /** One run's state: the generators, the probes and what they measured. */
    private static final class Run {
        final LocalPipeline pipeline;
        final Settings settings;
        final Host host;
        final String name;
        final int orgCount;
        final int batch;
        final double rate;
        final int connections;
        final Duration duration;
        final Duration alertInterval;
        final Duration freshInterval;
        final double statusRate;
        final Duration drain;
        final Duration warmup;
        final Path chart;
        final String api;
        final String internal;
        final String database;
        final List<DemoOrg.Credentials> orgs = new ArrayList<>();

        final HttpClient loadHttp = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).executor(Executors.newFixedThreadPool(2, daemon("load-http")))
                .build();
        final HttpClient probeHttp = client("probe-http");
        final HttpClient statusHttp = client("status-http");
        final HttpClient internalHttp = client("internal-http");

        // background load
        final AtomicLong acceptedEvents = new AtomicLong();
        final AtomicLong acceptedRequests = new AtomicLong();
        final AtomicLong skippedRequests = new AtomicLong();
        final AtomicLong rejected429 = new AtomicLong();
        final AtomicLong rejected503 = new AtomicLong();
        final AtomicLong eventsRejectedInBatch = new AtomicLong();
        final Map<String, AtomicLong> otherErrors = new ConcurrentHashMap<>();
        final Latency loadLatency = new Latency();
        final AtomicLong eventSeq = new AtomicLong();
        /** The background counters at the end of the warm-up, subtracted from the figures of the measured run. */
        long warmAccepted;
        /** Rows in priced_events when the measured load started and when it ended: what got through end to end. */
        long rowsAtStart = -1;
        long rowsAtLoadEnd = -1;
        long warmRequests;
        long warm429;
        long warm503;
        long warmSkipped;
        long warmInBatch;

        // alerts
        final Map<String, Crossing> crossings = new ConcurrentHashMap<>();
        final OrgCrossings[] orgCrossings;
        int nextCrossingOrg;
        final AtomicLong crossingsAccepted = new AtomicLong();
        final AtomicLong crossingAttemptsFailed = new AtomicLong();
        final Set<String> alertIds = ConcurrentHashMap.newKeySet();
        final AtomicLong alertRecords = new AtomicLong();
        final AtomicLong alertDuplicates = new AtomicLong();
        final AtomicLong alertsUnmatched = new AtomicLong();
        final AtomicLong alertsBefore202 = new AtomicLong();
        final AtomicLong crossingsWithExtraAlerts = new AtomicLong();
        final Map<String, AtomicLong> alertKinds = new ConcurrentHashMap<>();
        final Latency alertLatency = new Latency();

        // freshness
        final Map<String, Marker> markersPending = new ConcurrentHashMap<>();
        final AtomicLong markersAccepted = new AtomicLong();
        final AtomicLong markersFailed = new AtomicLong();
        final AtomicLong markersSeen = new AtomicLong();
        final AtomicInteger nextMarkerOrg = new AtomicInteger();
        final Latency freshness = new Latency();
        final Histogram pollTime = new Histogram(3);
        final AtomicLong pollErrors = new AtomicLong();

        // status
        final Latency statusLatency = new Latency();
        final Map<Integer, AtomicLong> statusCodes = new ConcurrentHashMap<>();
        final Latency internalLatency = new Latency();
        final Map<Integer, AtomicLong> internalCodes = new ConcurrentHashMap<>();

        final List<Sample> samples = new ArrayList<>();
        /** The counters at the previous sample (or the end of the warm-up), so each sample shows one second. */
        long lastAccepted;
        long lastRejected;
        long lastSkipped;
        String gcDuringLoad = "?";
        double waitedAfterLoad;
        long peakRss;
        long peakRssJvm;
        long peakRssChildren;

        final AtomicBoolean loadOn = new AtomicBoolean(true);
        final AtomicBoolean probesOn = new AtomicBoolean(true);
        final AtomicBoolean consumerOn = new AtomicBoolean(true);
        final Semaphore inFlight;

        Run(LocalPipeline pipeline, Settings settings, Host host, String name, int orgCount, int batch, double rate,
            int connections, Duration duration, Duration alertInterval, Duration freshInterval, double statusRate,
            Duration drain, Duration warmup, Path chart) {
            this.pipeline = pipeline;
            this.settings = settings;
            this.host = host;
            this.name = name;
            this.orgCount = orgCount;
            this.batch = batch;
            this.rate = rate;
            this.connections = connections;
            this.duration = duration;
            this.alertInterval = alertInterval;
            this.freshInterval = freshInterval;
            this.statusRate = statusRate;
            this.drain = drain;
            this.warmup = warmup;
            this.chart = chart;
            this.api = pipeline.apiUrl();
            this.internal = "http://127.0.0.1:" + pipeline.processor().opsPort() + BudgetStatusRoutes.PATH + "/";
            this.database = settings.string(SinkConfig.DATABASE, "spendstream");
            this.inFlight = new Semaphore(connections);
            this.orgCrossings = new OrgCrossings[orgCount];
        }

        int run() throws Exception {
            setUpOrgs();
            String alertsTopic = settings.string(StreamProcessorConfig.TOPIC_ALERTS_JSON,
                    Topics.BUDGET_ALERTS_JSON.name());
            Thread consumer = alertConsumer(alertsTopic);
            Bodies bodies = new Bodies(batch, 64);
            System.out.printf("load: %d-event JSON array bodies of about %,d bytes, cost_usd \"0\"%n", batch,
                    bodies.templates.get(0).length);

            if (!warmup.isZero()) {
                warmUp(bodies);
            }
            long[] gcBefore = gcTotals();
            rowsAtStart = pricedRows();
            long start = System.nanoTime();
            long loadEnd = start + duration.toNanos();
            Thread pacer = Thread.ofPlatform().name("load-pacer").daemon().start(() -> pace(bodies, start, loadEnd));
            ScheduledExecutorService probes = Executors.newScheduledThreadPool(1, daemon("probes"));
            probes.scheduleAtFixedRate(guarded("crossing", this::crossingTick), 0, alertInterval.toNanos(),
                    TimeUnit.NANOSECONDS);
            probes.scheduleAtFixedRate(guarded("marker", this::markerTick), freshInterval.toNanos() / 2,
                    freshInterval.toNanos(), TimeUnit.NANOSECONDS);
            Thread poller = Thread.ofPlatform().name("chdb-poller").daemon().start(this::pollMarkers);
            List<Thread> statusThreads = new ArrayList<>();
            statusThreads.add(Thread.ofPlatform().name("status-api").daemon().start(() -> statusLoop(statusHttp,
                    true, statusLatency, statusCodes)));
            statusThreads.add(Thread.ofPlatform().name("status-internal").daemon().start(() -> statusLoop(internalHttp,
                    false, internalLatency, internalCodes)));

            // Load phase: a progress line each second.
            int second = 0;
            while (System.nanoTime() < loadEnd) {
                second++;
                sleepUntil(start + second * 1_000_000_000L);
                boolean ending = System.nanoTime() >= loadEnd;
                if (ending) {
                    loadOn.set(false);
                    probesOn.set(false);
                }
                sample(second, "load");
            }
            loadOn.set(false);
            probesOn.set(false);
            rowsAtLoadEnd = pricedRows();
            probes.shutdown();
            probes.awaitTermination(10, TimeUnit.SECONDS);
            pacer.join(10_000);
            for (Thread t : statusThreads) {
                t.join(10_000);
            }
            boolean drained = awaitInFlight();
            long loadNanos = System.nanoTime() - start;
            long[] gcAfter = gcTotals();
            gcDuringLoad = String.format("%,d collections, %,d ms in total (all collectors, from load start to load"
                    + " end)", gcAfter[0] - gcBefore[0], gcAfter[1] - gcBefore[1]);

            // Drain: wait for the alerts and markers still on their way.
            long drainEnd = System.nanoTime() + drain.toNanos();
            while (System.nanoTime() < drainEnd && (!markersPending.isEmpty() || alertsOutstanding() > 0)) {
                second++;
                sleepUntil(start + second * 1_000_000_000L);
                sample(second, "drain");
            }
            // The consumer and the poller keep recording while the sink drains, so late arrivals still count.
            Exactness exact = exactness();
            consumerOn.set(false);
            consumer.join(10_000);
            poller.interrupt();
            poller.join(10_000);
            addRemaining();
            waitedAfterLoad = (System.nanoTime() - (start + loadNanos)) / 1e9;
            String summary = summary(drained, exact);
            System.out.println(summary);
            writeChart();
            return 0;
        }

        // ------------------------------------------------------------------ setup

        void setUpOrgs() throws Exception {
            String admin = pipeline.adminToken();
            String runId = Long.toString(System.currentTimeMillis() % 100_000, 36);
            for (int i = 0; i < orgCount; i++) {
                String id = String.format("bench-%s-%02d", runId, i);
                orgs.add(DemoOrg.create(api, admin, id, "Bench org " + i, "bench"));
                orgCrossings[i] = new OrgCrossings();
            }
            StringBuilder thresholds = new StringBuilder();
            for (int t = 5; t <= 95; t += 5) {
                thresholds.append(thresholds.isEmpty() ? "" : ",").append(t);
            }
            String budget = "{\"scope\":\"org\",\"period\":\"day\",\"time_zone\":\"UTC\",\"limit_usd\":\"" + LIMIT_USD
                    + "\",\"thresholds_percent\":[" + thresholds + "]}";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (DemoOrg.Credentials o : orgs) {
                while (true) {
                    HttpResponse<String> r = send(probeHttp, HttpRequest.newBuilder(URI.create(api + "/v1/budgets/"
                                    + BUDGET_ID)).timeout(Duration.ofSeconds(30))
                            .header("Authorization", "Bearer " + o.apiKey()).header("Content-Type", "application/json")
                            .PUT(HttpRequest.BodyPublishers.ofString(budget)).build());
                    if (r.statusCode() == 201 || r.statusCode() == 200) {
                        break;
                    }
                    if ((r.statusCode() == 503 || r.statusCode() == 401) && System.nanoTime() < deadline) {
                        Thread.sleep(250); // budget table or key still loading
                        continue;
                    }
                    throw new IllegalStateException("cannot create the budget of " + o.orgId() + ": " + r.statusCode()
                            + " " + r.body());
                }
            }
            // The stream processor must know every budget before the first crossing, or that crossing alerts nothing.
            long t = System.nanoTime();
            for (DemoOrg.Credentials o : orgs) {
                while (true) {
                    HttpResponse<String> r = send(internalHttp, HttpRequest.newBuilder(URI.create(internal + o.orgId()))
                            .timeout(Duration.ofSeconds(10)).GET().build());
                    if (r.statusCode() == 200 && JSON.readTree(r.body()).path("budgets").size() > 0) {
                        break;
                    }
                    if (System.nanoTime() > t + TimeUnit.SECONDS.toNanos(60)) {
                        throw new IllegalStateException("the stream processor does not show the budget of " + o.orgId()
                                + " after 60 s: " + r.statusCode() + " " + r.body());
                    }
                    Thread.sleep(100);
                }
            }
            System.out.printf("%d orgs with an API key and a daily budget (limit %s USD, thresholds 5..95 %% + 100 %%"
                    + " EXCEEDED = %d slots each), visible to the stream processor after %.1f s%n", orgCount,
                    LIMIT_USD, SLOTS, (System.nanoTime() - t) / 1e9);
        }

        // ------------------------------------------------------------------ background load

        /** Background load alone, unmeasured: lets the JIT compile the hot paths of every component first. */
        void warmUp(Bodies bodies) throws InterruptedException {
            long start = System.nanoTime();
            long end = start + warmup.toNanos();
            Thread pacer = Thread.ofPlatform().name("warm-up-pacer").daemon().start(() -> pace(bodies, start, end));
            int second = 0;
            while (System.nanoTime() < end) {
                second++;
                sleepUntil(start + second * 1_000_000_000L);
                sample(second, "warm");
            }
            pacer.join(10_000);
            awaitInFlight();
            samples.clear();
            loadLatency.total.reset();
            loadLatency.now.reset();
            peakRss = 0;
            peakRssJvm = 0;
            peakRssChildren = 0;
            warmAccepted = acceptedEvents.get();
            warmRequests = acceptedRequests.get();
            warm429 = rejected429.get();
            warm503 = rejected503.get();
            warmSkipped = skippedRequests.get();
            warmInBatch = eventsRejectedInBatch.get();
            lastAccepted = warmAccepted;
            lastRejected = warm429 + warm503;
            lastSkipped = warmSkipped;
            System.out.printf("warm-up done: %,d events accepted in %d s (not counted below)%n", warmAccepted,
                    warmup.toSeconds());
        }

        void pace(Bodies bodies, long start, long end) {
            if (rate <= 0) {
                return;
            }
            URI uri = URI.create(api + "/v1/events");
            double periodNanos = 1e9 * batch / rate;
            long i = 0;
            int org = 0;
            while (loadOn.get()) {
                long due = start + (long) (i * periodNanos);
                if (due >= end) {
                    break;
                }
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                    continue;
                }
                i++;
                if (!inFlight.tryAcquire()) {
                    skippedRequests.incrementAndGet(); // open loop: this request's slot passes unsent
                    continue;
                }
                DemoOrg.Credentials o = orgs.get(org++ % orgs.size());
                byte[] body = bodies.next(eventSeq.getAndAdd(batch), Instant.now());
                long t0 = System.nanoTime();
                HttpRequest req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                        .header("Authorization", "Bearer " + o.apiKey()).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
                loadHttp.sendAsync(req, HttpResponse.BodyHandlers.ofString()).whenComplete((r, ex) -> {
                    inFlight.release();
                    loadLatency.record(System.nanoTime() - t0);
                    if (ex != null) {
                        otherErrors.computeIfAbsent(rootCause(ex), k -> new AtomicLong()).incrementAndGet();
                    } else if (r.statusCode() == 202) {
                        int n = acceptedCount(r.body(), batch);
                        acceptedEvents.addAndGet(n);
                        acceptedRequests.incrementAndGet();
                        eventsRejectedInBatch.addAndGet(batch - n);
                    } else if (r.statusCode() == 429) {
                        rejected429.incrementAndGet();
                    } else if (r.statusCode() == 503) {
                        rejected503.incrementAndGet();
                    } else {
                        otherErrors.computeIfAbsent("HTTP " + r.statusCode() + " " + abbreviate(r.body()),
                                k -> new AtomicLong()).incrementAndGet();
                    }
                });
            }
        }

        /** Waits (at most 60 s) until no background request is in flight; false when some still are. */
        boolean awaitInFlight() throws InterruptedException {
            if (!inFlight.tryAcquire(connections, 60, TimeUnit.SECONDS)) {
                return false;
            }
            inFlight.release(connections);
            return true;
        }

        // ------------------------------------------------------------------ alert latency

        static final class OrgCrossings {
            int accepted;
            boolean inFlight;
            String retryId;
        }

        static final class Crossing {
            long t202;
            long alertAt;
            int alerts;
        }

        void crossingTick() {
            if (!probesOn.get()) {
                return;
            }
            int idx = -1;
            String id;
            synchronized (orgCrossings) {
                for (int k = 0; k < orgCount; k++) {
                    int i = (nextCrossingOrg + k) % orgCount;
                    OrgCrossings oc = orgCrossings[i];
                    if (!oc.inFlight && oc.accepted < SLOTS) {
                        idx = i;
                        break;
                    }
                }
                if (idx < 0) {
                    return; // every org's slots are used up (or all busy)
                }
                nextCrossingOrg = idx + 1;
                OrgCrossings oc = orgCrossings[idx];
                oc.inFlight = true;
                id = oc.retryId != null ? oc.retryId : "cross-" + orgs.get(idx).orgId() + "-" + oc.accepted + "-"
                        + Long.toHexString(ThreadLocalRandom.current().nextLong());
                oc.retryId = null;
            }
            DemoOrg.Credentials o = orgs.get(idx);
            Crossing c = crossings.computeIfAbsent(id, k -> new Crossing());
            OrgCrossings oc = orgCrossings[idx];
            String body = "{\"event_id\":\"" + id + "\",\"timestamp\":\"" + TS.format(Instant.now())
                    + "\",\"feature\":\"budget-probe\",\"provider\":\"openai\",\"model\":\"gpt-4o-mini\","
                    + "\"input_tokens\":1000,\"output_tokens\":200,\"cost_usd\":\"" + CROSSING_COST_USD + "\"}";
            probeHttp.sendAsync(post(api + "/v1/events", o.apiKey(), body), HttpResponse.BodyHandlers.ofString())
                    .whenComplete((r, ex) -> {
                        long now = System.nanoTime();
                        boolean ok = ex == null && r.statusCode() == 202;
                        if (ok) {
                            synchronized (c) {
                                c.t202 = now;
                                if (c.alertAt != 0) { // the alert beat our 202 handler
                                    alertsBefore202.incrementAndGet();
                                    alertLatency.record(c.alertAt - now);
                                }
                            }
                            crossingsAccepted.incrementAndGet();
                        } else {
                            crossingAttemptsFailed.incrementAndGet();
                        }
                        synchronized (orgCrossings) {
                            oc.inFlight = false;
                            if (ok) {
                                oc.accepted++;
                            } else {
                                oc.retryId = id; // retried with the same event_id: it may have been accepted
                            }
                        }
                    });
        }

        Thread alertConsumer(String topic) {
            Map<String, Object> props = new HashMap<>();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, pipeline.kafka().bootstrapServers());
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
            KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                    new StringDeserializer());
            List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToEnd(parts);
            parts.forEach(consumer::position); // resolve the end offsets now, before any crossing
            return Thread.ofPlatform().name("alert-consumer").daemon().start(() -> {
                try (consumer) {
                    while (consumerOn.get()) {
                        for (ConsumerRecord<String, String> rec : consumer.poll(Duration.ofMillis(20))) {
                            onAlert(rec.value(), System.nanoTime());
                        }
                    }
                } catch (RuntimeException e) {
                    System.out.println("WARNING: the alert consumer stopped: " + e);
                }
            });
        }

        void onAlert(String value, long now) {
            alertRecords.incrementAndGet();
            JsonNode n;
            try {
                n = JSON.readTree(value);
            } catch (IOException e) {
                alertKinds.computeIfAbsent("unparseable", k -> new AtomicLong()).incrementAndGet();
                return;
            }
            String alertId = n.path("alert_id").asText();
            if (!alertIds.add(alertId)) {
                alertDuplicates.incrementAndGet();
                return;
            }
            String kind = n.path("kind").asText();
            alertKinds.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
            if (!kind.equals("THRESHOLD") && !kind.equals("EXCEEDED")) {
                return; // FORECAST: at most one per budget and day, reported by kind only
            }
            Crossing c = n.path("trigger_event_id").isTextual() ? crossings.get(n.path("trigger_event_id").asText())
                    : null;
            if (c == null) {
                alertsUnmatched.incrementAndGet();
                return;
            }
            synchronized (c) {
                c.alerts++;
                if (c.alerts > 1) {
                    if (c.alerts == 2) {
                        crossingsWithExtraAlerts.incrementAndGet();
                    }
                    return;
                }
                c.alertAt = now;
                if (c.t202 != 0) {
                    alertLatency.record(now - c.t202);
                }
            }
        }

        long alertsOutstanding() {
            long n = 0;
            for (Crossing c : crossings.values()) {
                synchronized (c) {
                    if (c.t202 != 0 && c.alerts == 0) {
                        n++;
                    }
                }
            }
            return n;
        }

        // ------------------------------------------------------------------ freshness

        record Marker(String eventId, String orgId, long timestampMillis, long t202) {}

        void markerTick() {
            if (!probesOn.get()) {
                return;
            }
            DemoOrg.Credentials o = orgs.get(nextMarkerOrg.getAndIncrement() % orgs.size());
            String id = "mark-" + Long.toHexString(System.nanoTime()) + "-"
                    + Long.toHexString(ThreadLocalRandom.current().nextLong());
            Instant ts = Instant.now();
            String body = "{\"event_id\":\"" + id + "\",\"timestamp\":\"" + TS.format(ts)
                    + "\",\"feature\":\"freshness-probe\",\"provider\":\"openai\",\"model\":\"gpt-4o-mini\","
                    + "\"input_tokens\":10,\"output_tokens\":1,\"cost_usd\":\"0\"}";
            probeHttp.sendAsync(post(api + "/v1/events", o.apiKey(), body), HttpResponse.BodyHandlers.discarding())
                    .whenComplete((r, ex) -> {
                        long now = System.nanoTime();
                        if (ex == null && r.statusCode() == 202) {
                            markersAccepted.incrementAndGet();
                            markersPending.put(id, new Marker(id, o.orgId(), ts.toEpochMilli(), now));
                        } else {
                            markersFailed.incrementAndGet();
                        }
                    });
        }

        void pollMarkers() {
            Chdb ch = pipeline.clickhouse();
            long next = System.nanoTime();
            while (!Thread.currentThread().isInterrupted()) {
                next += 100_000_000L;
                sleepUntil(next);
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
                List<Marker> pending = markersPending.values().stream().limit(1000).toList();
                if (pending.isEmpty()) {
                    continue;
                }
                long minTs = pending.stream().mapToLong(Marker::timestampMillis).min().orElseThrow() - 60_000;
                String sql = "SELECT event_id FROM " + database + ".priced_events WHERE org_id IN ("
                        + pending.stream().map(Marker::orgId).distinct().map(Chdb::quote).collect(Collectors.joining(","))
                        + ") AND timestamp >= toDateTime64(" + Chdb.quote(CH_TS.format(Instant.ofEpochMilli(minTs)))
                        + ", 3, 'UTC') AND event_id IN ("
                        + pending.stream().map(m -> Chdb.quote(m.eventId())).collect(Collectors.joining(",")) + ")";
                long q0 = System.nanoTime();
                String text;
                try {
                    text = ch.query(sql, "TabSeparated").text();
                } catch (RuntimeException e) {
                    if (pollErrors.incrementAndGet() <= 3) {
                        System.out.println("WARNING: chDB marker poll failed: " + e.getMessage());
                    }
                    continue;
                }
                long seen = System.nanoTime();
                pollTime.recordValue(Math.max(1, (seen - q0) / 1000));
                for (String line : text.split("\n")) {
                    Marker m = line.isBlank() ? null : markersPending.remove(line.strip());
                    if (m != null) {
                        markersSeen.incrementAndGet();
                        freshness.record(seen - m.t202());
                    }
                }
            }
        }

        // ------------------------------------------------------------------ status latency

        void statusLoop(HttpClient http, boolean viaApi, Latency latency, Map<Integer, AtomicLong> codes) {
            long period = statusRate > 0 ? (long) (1e9 / statusRate) : 0;
            long next = System.nanoTime();
            Random random = new Random();
            while (loadOn.get()) {
                if (period > 0) {
                    next += period;
                    sleepUntil(next);
                    if (System.nanoTime() - next > 1_000_000_000L) {
                        next = System.nanoTime(); // fell far behind: do not burst to catch up
                    }
                }
                DemoOrg.Credentials o = orgs.get(random.nextInt(orgs.size()));
                HttpRequest req = viaApi
                        ? HttpRequest.newBuilder(URI.create(api + "/v1/budgets/status")).timeout(Duration.ofSeconds(10))
                        .header("Authorization", "Bearer " + o.apiKey()).GET().build()
                        : HttpRequest.newBuilder(URI.create(internal + o.orgId())).timeout(Duration.ofSeconds(10)).GET()
                        .build();
                long t0 = System.nanoTime();
                int code;
                try {
                    code = http.send(req, HttpResponse.BodyHandlers.ofByteArray()).statusCode();
                } catch (IOException e) {
                    code = -1;
                } catch (InterruptedException e) {
                    return;
                }
                latency.record(System.nanoTime() - t0);
                codes.computeIfAbsent(code, k -> new AtomicLong()).incrementAndGet();
            }
        }

        // ------------------------------------------------------------------ sampling

        Sample sample(int second, String phase) {
            Histogram load = loadLatency.interval();
            Histogram alert = alertLatency.interval();
            Histogram fresh = freshness.interval();
            Histogram status = statusLatency.interval();
            Histogram internalH = internalLatency.interval();
            long jvm = rssOrZero(ProcessHandle.current().pid());
            long children = ProcessHandle.current().descendants().mapToLong(p -> rssOrZero(p.pid())).sum();
            if (jvm + children > peakRss) {
                peakRss = jvm + children;
            }
            peakRssJvm = Math.max(peakRssJvm, jvm);
            peakRssChildren = Math.max(peakRssChildren, children);
            long accepted = acceptedEvents.get();
            long rejected = rejected429.get() + rejected503.get();
            long skipped = skippedRequests.get();
            Sample s = new Sample(second, phase, accepted - lastAccepted, rejected - lastRejected,
                    skipped - lastSkipped, p99Ms(load), p99Ms(alert), p99Ms(fresh), p99Ms(status), p99Ms(internalH),
                    jvm, children, alertKindsTotal(), markersPending.size(), pricedRows());
            lastAccepted = accepted;
            lastRejected = rejected;
            lastSkipped = skipped;
            samples.add(s);
            System.out.printf("[%-5s %3ds] %,7d ev/s (req p99 %s, 429/503 %d, unsent %d) | alerts %d/%d p99 %s |"
                            + " fresh p99 %s (pending %d) | status p99 %s, internal %s | RSS %,d MiB%n", phase, second,
                    s.acceptedEvents(), ms(s.loadP99Ms()), s.rejected(), s.skipped(), s.alertsReceived(),
                    crossingsAccepted.get(), ms(s.alertP99Ms()), ms(s.freshP99Ms()), s.markersPending(),
                    ms(s.statusP99Ms()), ms(s.internalP99Ms()), (jvm + children) >> 20);
            return s;
        }

        long alertKindsTotal() {
            return alertKinds.values().stream().mapToLong(AtomicLong::get).sum();
        }

        void addRemaining() {
            loadLatency.interval();
            alertLatency.interval();
            freshness.interval();
            statusLatency.interval();
            internalLatency.interval();
        }

        // ------------------------------------------------------------------ exactness

        record Exactness(long expected, long rows, long rowsFinal, double waitedSeconds, String error) {}

        Exactness exactness() {
            long expected = acceptedEvents.get() + crossingsAccepted.get() + markersAccepted.get();
            Chdb ch = pipeline.clickhouse();
            long t0 = System.nanoTime();
            long rows = -1;
            try {
                String count = "SELECT count() FROM " + database + ".priced_events";
                while (true) {
                    rows = Long.parseLong(ch.query(count, "TabSeparated").text().strip());
                    if (rows >= expected || System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(60)) {
                        break;
                    }
                    Thread.sleep(500);
                }
                double waited = (System.nanoTime() - t0) / 1e9;
                long fin = Long.parseLong(ch.query(count + " FINAL", "TabSeparated").text().strip());
                return new Exactness(expected, rows, fin, waited, null);
            } catch (RuntimeException | InterruptedException e) {
                return new Exactness(expected, rows, -1, (System.nanoTime() - t0) / 1e9, e.toString());
            }
        }

        /** Rows in priced_events now (-1 when the engine cannot answer). */
        long pricedRows() {
            try {
                return Long.parseLong(pipeline.clickhouse().query("SELECT count() FROM " + database + ".priced_events",
                        "TabSeparated").text().strip());
            } catch (RuntimeException e) {
                return -1;
            }
        }

        // ------------------------------------------------------------------ summary and chart

        String summary(boolean drained, Exactness exact) {
            StringBuilder b = new StringBuilder();
            double secs = duration.toNanos() / 1e9;
            long accepted = acceptedEvents.get() - warmAccepted;
            double sustained = accepted / secs;
            long crossed = crossingsAccepted.get();
            long crossingsAlerted = crossings.values().stream().filter(c -> {
                synchronized (c) {
                    return c.t202 != 0 && c.alerts > 0;
                }
            }).count();
            long missing = crossed - crossingsAlerted;
            line(b, "");
            line(b, "==== %s benchmark: summary ====", name);
            line(b, "%s", host.machine());
            line(b, "%s", host.jvm());
            line(b, "parameters: --orgs %d --rate %.0f --batch %d --connections %d --duration %ds --warmup %ds"
                            + " --alert-interval %dms --fresh-interval %dms --status-rate %.0f --drain %ds; everything"
                            + " (broker, registry child process, chDB, stream processor, sink, ingest-api, load"
                            + " generator) on the same %d CPUs", orgCount, rate, batch, connections,
                    duration.toSeconds(), warmup.toSeconds(), alertInterval.toMillis(), freshInterval.toMillis(),
                    statusRate, drain.toSeconds(), Runtime.getRuntime().availableProcessors());
            line(b, "");
            line(b, "background load (POST /v1/events, %d-event batches, open loop):", batch);
            line(b, "  accepted            %,d events in %,d requests (202); %,d events rejected inside 202 batches",
                    accepted, acceptedRequests.get() - warmRequests, eventsRejectedInBatch.get() - warmInBatch);
            double endToEnd = rowsAtStart < 0 || rowsAtLoadEnd < 0 ? -1 : (rowsAtLoadEnd - rowsAtStart) / secs;
            line(b, "  sustained           %,.0f events/s accepted over HTTP (accepted / %.0f s); offered %,.0f events/s",
                    sustained, secs, rate);
            line(b, "  end to end          %,.0f events/s reached ClickHouse during the load (rows of priced_events at"
                    + " load end minus at load start, / %.0f s)%s", endToEnd, secs, endToEnd < sustained * 0.95
                    ? "; the rest queued in Kafka (backlog), see exactness" : "");
            line(b, "  rejected            429: %,d requests, 503: %,d requests; other errors%s: %s",
                    rejected429.get() - warm429, rejected503.get() - warm503, warmup.isZero() ? "" : " (warm-up included)",
                    otherErrors.isEmpty() ? "none" : otherErrors);
            line(b, "  not sent            %,d requests (all %d in-flight slots busy when due)%s",
                    skippedRequests.get() - warmSkipped, connections,
                    drained ? "" : "; WARNING: requests still in flight 60 s after the load ended");
            line(b, "  request latency     %s", pct(loadLatency.total));
            line(b, "");
            line(b, "alert latency (202 of a crossing event -> its alert on budget-alerts-json, read_committed):");
            line(b, "  crossing events     %,d accepted (%,d failed attempts, retried with the same event_id);"
                    + " at most %d per org", crossed, crossingAttemptsFailed.get(), SLOTS);
            line(b, "  alerts received     %,d records, %,d distinct; by kind %s", alertRecords.get(), alertIds.size(),
                    new TreeMap<>(alertKinds));
            line(b, "  missing             %,d crossings without an alert %.0f s after the load ended", missing,
                    waitedAfterLoad);
            line(b, "  duplicates          %,d records with an alert_id seen before; %,d crossings with more than one"
                    + " alert; %,d THRESHOLD/EXCEEDED alerts not triggered by a crossing", alertDuplicates.get(),
                    crossingsWithExtraAlerts.get(), alertsUnmatched.get());
            line(b, "  latency             %s%s", pct(alertLatency.total), alertsBefore202.get() == 0 ? ""
                    : String.format(" (%d alerts arrived before their 202: counted as ~0 ms)", alertsBefore202.get()));
            line(b, "");
            line(b, "freshness (202 of a marker event -> seen in %s.priced_events by a chDB poll):", database);
            line(b, "  markers             %,d accepted, %,d seen, %,d not seen %.0f s after the load ended, %,d failed"
                    + " posts", markersAccepted.get(), markersSeen.get(), markersPending.size(), waitedAfterLoad,
                    markersFailed.get());
            line(b, "  freshness           %s", pct(freshness.total));
            line(b, "  note                chDB polled every 100 ms (granularity ~100 ms; first-seen = end of the poll,"
                    + " poll took %s); queries share the engine lock with the sink's inserts", pct(pollTime));
            line(b, "");
            line(b, "budget status under load (%s, random org):", statusRate > 0
                    ? String.format("%.0f requests/s per endpoint, one at a time", statusRate) : "back to back");
            line(b, "  GET /v1/budgets/status (ingest-api -> stream processor)  %s; status codes %s",
                    pct(statusLatency.total), new TreeMap<>(statusCodes));
            line(b, "  GET /internal/budget-status/{org} (stream processor)     %s; status codes %s",
                    pct(internalLatency.total), new TreeMap<>(internalCodes));
            line(b, "");
            line(b, "GC of this JVM during the load: %s", gcDuringLoad);
            line(b, "RSS (sampled each second): peak total %,d MiB; peak this JVM %,d MiB; peak child processes (schema"
                    + " registry) %,d MiB", peakRss >> 20, peakRssJvm >> 20, peakRssChildren >> 20);
            line(b, "");
            if (exact.error() == null) {
                line(b, "exactness: %,d rows in %s.priced_events (%,d with FINAL) after waiting %.1f s; expected %,d"
                                + " (%,d background%s + %,d crossing + %,d marker events accepted)", exact.rows(), database,
                        exact.rowsFinal(), exact.waitedSeconds(), exact.expected(), acceptedEvents.get(),
                        warmup.isZero() ? "" : String.format(" (%,d of them in the warm-up)", warmAccepted), crossed,
                        markersAccepted.get());
            } else {
                line(b, "exactness: could not count rows: %s", exact.error());
            }
            line(b, "");
            line(b, "targets:");
            double throughHttpToClickHouse = Math.min(sustained, endToEnd);
            line(b, "  sustained >= 50,000 events/s          %-7s %,.0f events/s through HTTP to ClickHouse%s",
                    rate < 50_000 ? "n/a" : mark(throughHttpToClickHouse >= 50_000), throughHttpToClickHouse,
                    rate < 50_000 ? String.format(" (only %,.0f events/s offered)", rate) : "");
            double alertP99 = p99Ms(alertLatency.total);
            line(b, "  alert p99 <= 2 s (pipeline)           %-7s %s", mark(alertP99 <= 2000), ms(alertP99));
            line(b, "  alert p99 <= 1 s (budget target)      %-7s %s", mark(alertP99 <= 1000), ms(alertP99));
            line(b, "  exactly one alert per crossing        %-7s %,d missing, %,d duplicate records, %,d extra",
                    mark(crossed > 0 && missing == 0 && alertDuplicates.get() == 0
                            && crossingsWithExtraAlerts.get() == 0), missing, alertDuplicates.get(),
                    crossingsWithExtraAlerts.get());
            double statusP99 = p99Ms(statusLatency.total);
            line(b, "  status p99 <= 10 ms (via ingest-api)  %-7s %s (stream processor directly: %s)",
                    mark(statusP99 <= 10), ms(statusP99), ms(p99Ms(internalLatency.total)));
            double freshP99 = p99Ms(freshness.total);
            line(b, "  freshness p99 <= 5 s                  %-7s %s, %d never seen",
                    mark(freshP99 <= 5000 && markersPending.isEmpty()), ms(freshP99), markersPending.size());
            line(b, "  peak RSS <= 2 GiB                     %-7s %,d MiB", mark(peakRss <= (2L << 30)), peakRss >> 20);
            line(b, "  ClickHouse rows == accepted events    %-7s %,d rows (FINAL) vs %,d expected",
                    mark(exact.error() == null && exact.rowsFinal() == exact.expected()), exact.rowsFinal(),
                    exact.expected());
            return b.toString();
        }

        void writeChart() {
            int n = samples.size();
            double[] x = new double[n];
            double[] eps = new double[n];
            double[] alert = new double[n];
            double[] fresh = new double[n];
            double[] rss = new double[n];
            double[] rssJvm = new double[n];
            double[] landed = new double[n];
            for (int i = 0; i < n; i++) {
                Sample s = samples.get(i);
                x[i] = s.second();
                eps[i] = s.phase().equals("load") ? s.acceptedEvents() : Double.NaN;
                Sample prev = i == 0 ? null : samples.get(i - 1);
                landed[i] = prev == null || prev.rowsInClickHouse() < 0 || s.rowsInClickHouse() < 0 ? Double.NaN
                        : s.rowsInClickHouse() - prev.rowsInClickHouse();
                alert[i] = s.alertP99Ms();
                fresh[i] = s.freshP99Ms();
                rss[i] = (s.rssJvm() + s.rssChildren()) / 1048576.0;
                rssJvm[i] = s.rssJvm() / 1048576.0;
            }
            String subtitle = String.format("%s; offered %,.0f events/s, %d orgs, %d-event batches, %d connections;"
                            + " Java %s %s", host.cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " CPUs",
                    rate, orgCount, batch, connections, Runtime.version().feature(), heapFlags());
            List<PipelineChart.Series> throughput = new ArrayList<>();
            throughput.add(new PipelineChart.Series("accepted over HTTP, events/s", eps, PipelineChart.BLUE, false));
            throughput.add(new PipelineChart.Series("reached ClickHouse, rows/s", landed, PipelineChart.ORANGE, false));
            throughput.add(PipelineChart.reference("target 50,000/s", 50_000, n, PipelineChart.GREY));
            List<PipelineChart.Series> latency = new ArrayList<>();
            latency.add(new PipelineChart.Series("alert latency p99", alert, PipelineChart.RED, false));
            latency.add(new PipelineChart.Series("freshness p99 (100 ms polls)", fresh, PipelineChart.GREEN,
                    false));
            latency.add(PipelineChart.reference("alert target 1 s", 1000, n, PipelineChart.RED));
            latency.add(PipelineChart.reference("freshness target 5 s", 5000, n, PipelineChart.GREEN));
            List<PipelineChart.Series> memory = List.of(
                    new PipelineChart.Series("total RSS (JVM + registry)", rss, PipelineChart.PURPLE, false),
                    new PipelineChart.Series("this JVM", rssJvm, PipelineChart.ORANGE, false),
                    PipelineChart.reference("2 GiB", 2048, n, PipelineChart.GREY));
            try {
                new PipelineChart("spendstream " + name + " benchmark: whole pipeline in one JVM on one machine",
                        subtitle, x, "seconds since the load started")
                        .panel(new PipelineChart.Panel("Throughput", "events/s", throughput))
                        .panel(new PipelineChart.Panel("Latency: p99 per 1-s window", "ms", latency))
                        .panel(new PipelineChart.Panel("Memory: RSS", "MiB", memory))
                        .marker(duration.toSeconds(), "load ends")
                        .write(chart, 1200, 900);
                System.out.println("chart written to " + chart.toAbsolutePath());
            } catch (IOException | RuntimeException e) {
                System.out.println("WARNING: cannot write the chart " + chart + ": " + e);
            }
        }

        static HttpClient client(String name) {
            return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
                    .executor(Executors.newFixedThreadPool(1, daemon(name))).build();
        }
    }

    // ---------------------------------------------------------------------- request bodies

    /**
     * Pre-built batches of realistic events (features, models, token counts, tags and metadata vary) with fixed-width
     * slots for event_id and timestamp that each request overwrites: unique ids and current timestamps without
     * building the JSON again.
     */
    static final class Bodies {
        static final String ID_PREFIX = "bg-";
        static final int ID_HEX = 16;
        final List<byte[]> templates = new ArrayList<>();
        final List<int[]> idOffsets = new ArrayList<>();
        final List<int[]> tsOffsets = new ArrayList<>();
        final AtomicLong next = new AtomicLong();

        Bodies(int batch, int count) {
            Random r = new Random(7);
            String idSlot = ID_PREFIX + "0".repeat(ID_HEX);
            String tsSlot = TS.format(Instant.EPOCH);
            for (int b = 0; b < count; b++) {
                StringBuilder sb = new StringBuilder(batch * 420).append('[');
                int[] ids = new int[batch];
                int[] tss = new int[batch];
                for (int i = 0; i < batch; i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    sb.append("{\"event_id\":\"");
                    ids[i] = sb.length();
                    sb.append(idSlot).append("\",\"timestamp\":\"");
                    tss[i] = sb.length();
                    BenchEvents.appendFields(sb.append(tsSlot), r).append(",\"cost_usd\":\"0\"}");
                }
                templates.add(sb.append(']').toString().getBytes(StandardCharsets.US_ASCII));
                idOffsets.add(ids);
                tsOffsets.add(tss);
            }
        }

        /** A batch with event ids firstSeq, firstSeq+1, ... and timestamp {@code now}. */
        byte[] next(long firstSeq, Instant now) {
            int t = (int) (next.getAndIncrement() % templates.size());
            byte[] body = templates.get(t).clone();
            byte[] ts = TS.format(now).getBytes(StandardCharsets.US_ASCII);
            int[] ids = idOffsets.get(t);
            int[] tss = tsOffsets.get(t);
            for (int i = 0; i < ids.length; i++) {
                long seq = firstSeq + i;
                int at = ids[i] + ID_PREFIX.length();
                for (int d = ID_HEX - 1; d >= 0; d--) {
                    body[at + d] = (byte) Character.forDigit((int) (seq & 0xF), 16);
                    seq >>>= 4;
                }
                System.arraycopy(ts, 0, body, tss[i], ts.length);
            }
            return body;
        }
    }

    // ---------------------------------------------------------------------- helpers

    /** A scheduled task that reports its failure instead of silently ending its schedule. */
    static Runnable guarded(String what, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                System.out.println("WARNING: " + what + " probe failed: " + e);
            }
        };
    }

    static int acceptedCount(String body, int fallback) {
        int i = body.indexOf("\"accepted\":");
        if (i < 0) {
            return fallback;
        }
        int j = i + "\"accepted\":".length();
        int n = 0;
        while (j < body.length() && Character.isDigit(body.charAt(j))) {
            n = n * 10 + (body.charAt(j++) - '0');
        }
        return n;
    }

    static HttpRequest post(String url, String token, String body) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    static HttpResponse<String> send(HttpClient http, HttpRequest req) throws IOException, InterruptedException {
        return http.send(req, HttpResponse.BodyHandlers.ofString());
    }

    static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> Thread.ofPlatform().name(name + "-" + n.incrementAndGet()).daemon().unstarted(r);
    }

    static void sleepUntil(long nanoTime) {
        long wait;
        while ((wait = nanoTime - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
        }
    }

    static long rssOrZero(long pid) {
        try {
            return ProcessRss.rssBytes(pid);
        } catch (RuntimeException e) {
            return 0; // exited between listing and reading
        }
    }

    static double p99Ms(Histogram h) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(99) / 1000.0;
    }

    static String ms(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return v < 10 ? String.format("%.2f ms", v) : String.format("%,.0f ms", v);
    }

    static String pct(Histogram h) {
        if (h.getTotalCount() == 0) {
            return "no samples";
        }
        return String.format("p50 %s, p99 %s, max %s (n=%,d)", ms(h.getValueAtPercentile(50) / 1000.0),
                ms(h.getValueAtPercentile(99) / 1000.0), ms(h.getMaxValue() / 1000.0), h.getTotalCount());
    }

    static String mark(boolean met) {
        return met ? "MET" : "MISSED";
    }

    static void line(StringBuilder b, String format, Object... args) {
        b.append(String.format(format, args)).append('\n');
    }

    static String rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName();
    }

    static String abbreviate(String s) {
        s = s == null ? "" : s.replaceAll("\\s+", " ");
        return s.length() <= 120 ? s : s.substring(0, 120) + "...";
    }

    static Duration duration(String s) {
        s = s.strip().toLowerCase(Locale.ROOT);
        if (s.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
        }
        if (s.endsWith("s")) {
            return Duration.ofMillis(Math.round(Double.parseDouble(s.substring(0, s.length() - 1)) * 1000));
        }
        if (s.endsWith("m")) {
            return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)) * 60);
        }
        return Duration.ofSeconds(Long.parseLong(s));
    }

    static String machine(String cpuModel) {
        String nproc;
        try {
            Process p = new ProcessBuilder("nproc").redirectErrorStream(true).start();
            nproc = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            p.waitFor();
        } catch (IOException | InterruptedException e) {
            nproc = "?";
        }
        String affinity = procLine(Path.of("/proc/self/status"), "Cpus_allowed_list:");
        String mem = procLine(Path.of("/proc/meminfo"), "MemTotal:");
        String memText = mem.isEmpty() ? "?" : String.format("%.1f GiB",
                Long.parseLong(mem.replaceAll("[^0-9]", "")) / 1048576.0);
        return String.format("machine: %s; %d CPUs available to the JVM, nproc %s, CPUs allowed %s; RAM %s",
                cpuModel, Runtime.getRuntime().availableProcessors(), nproc, affinity.isEmpty() ? "?" : affinity, memText);
    }

    static String cpuModel() {
        String m = procLine(Path.of("/proc/cpuinfo"), "model name");
        return m.isEmpty() ? "unknown CPU" : m.replaceFirst("^\\s*:\\s*", "");
    }

    static String procLine(Path file, String prefix) {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.filter(l -> l.startsWith(prefix)).findFirst().map(l -> l.substring(prefix.length()).strip())
                    .orElse("");
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    static String jvm() {
        var rt = ManagementFactory.getRuntimeMXBean();
        String gcs = ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName)
                .collect(Collectors.joining(", "));
        return String.format("JVM: %s %s (%s); max heap %,d MiB; GC %s; flags %s", rt.getVmName(), Runtime.version(),
                System.getProperty("java.vendor"), Runtime.getRuntime().maxMemory() >> 20, gcs,
                String.join(" ", rt.getInputArguments()));
    }

    /** Collections and milliseconds spent in them, summed over this JVM's collectors. */
    static long[] gcTotals() {
        long n = 0;
        long ms = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionCount());
            ms += Math.max(0, gc.getCollectionTime());
        }
        return new long[]{n, ms};
    }

    static String heapFlags() {
        return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(f -> f.startsWith("-Xm") || f.startsWith("-XX:+Use") || f.startsWith("-XX:MaxRAM"))
                .collect(Collectors.joining(" "));
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: it is a temporary directory
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
