package io.spendstream.local.bench;

import io.spendstream.embedded.EmbeddedKafka;
import io.spendstream.embedded.EmbeddedSchemaRegistry;
import io.spendstream.embedded.LoopbackPorts;
import io.spendstream.ingest.EventParser;
import io.spendstream.ingest.IngestConfig;
import io.spendstream.schema.UsageEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Load generator for ingest-api (a command, not a test). Starts the embedded KRaft broker and schema
 * registry in this JVM, ingest-api in a child JVM capped at {@code --ingest-heap} (512m), creates an org and
 * a key through the admin API, then:
 * <ol>
 *   <li>posts batches of {@code --batch} realistic events over {@code --connections} keep-alive connections
 *       as fast as they are answered for {@code --duration}, printing a progress line each second, then
 *       events/s, p50 and p99 request latency;</li>
 *   <li>posts at a fixed rate of half the measured maximum for {@code --fixed-duration} (open loop: requests
 *       are started on schedule whether or not earlier ones are answered) and prints p50/p99;</li>
 *   <li>runs Kafka's ProducerPerformance (child JVM, same broker, acks=all, idempotent, lz4) with the mean Avro
 *       size of the same events and prints the ratio.</li>
 * </ol>
 * Usage: {@code bin/bench ingest --duration 20s --fixed-duration 15s --pp-records 1000000}
 */
public final class IngestLoadGenerator {
    private static final String ADMIN = "bench-admin-token-0123456789";

    private IngestLoadGenerator() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = parseArgs(args);
        Duration duration = Duration.ofSeconds(seconds(opt.getOrDefault("duration", "20s")));
        Duration fixedDuration = Duration.ofSeconds(seconds(opt.getOrDefault("fixed-duration",
                duration.toSeconds() + "s")));
        int connections = Integer.parseInt(opt.getOrDefault("connections", "8"));
        int batch = Integer.parseInt(opt.getOrDefault("batch", "100"));
        String heap = opt.getOrDefault("ingest-heap", "512m");
        String gc = opt.getOrDefault("ingest-gc", "zgc");
        long ppRecords = Long.parseLong(opt.getOrDefault("pp-records", "2000000"));
        int eventLoops = Integer.parseInt(opt.getOrDefault("event-loops", "2"));

        Path dir = Files.createTempDirectory("spendstream-bench-");
        if (System.getProperty("logback.configurationFile") == null) { // the broker in this JVM: warnings only
            Path quiet = dir.resolve("logback-bench.xml");
            Files.writeString(quiet, "<configuration><appender name=\"E\" class=\"ch.qos.logback.core.ConsoleAppender\">"
                    + "<encoder><pattern>%-5level %logger{36} - %msg%n</pattern></encoder></appender>"
                    + "<logger name=\"io.spendstream\" level=\"INFO\"/>"
                    + "<root level=\"WARN\"><appender-ref ref=\"E\"/></root></configuration>");
            System.setProperty("logback.configurationFile", quiet.toString());
        }
        int[] kafkaPorts = LoopbackPorts.freePorts(2);
        int httpPort = LoopbackPorts.freePort();
        System.out.printf("bench: starting embedded Kafka and schema registry (data in %s)%n", dir);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), kafkaPorts[0], kafkaPorts[1]);
             EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(0)) {
            Process ingest = startIngest(dir, heap, gc, eventLoops, kafka.bootstrapServers(),
                    registry.confluentApiUrl(), httpPort);
            try {
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .executor(Executors.newFixedThreadPool(2)).build();
                String base = "http://127.0.0.1:" + httpPort;
                waitReady(http, base, ingest, dir);
                String key = createKey(http, base);
                List<byte[]> bodies = bodies(batch, 64);
                int avroSize = meanAvroSize(bodies);
                System.out.printf("bench: ingest-api ready (child JVM -Xmx%s, %d event loops); %d events per request,"
                        + " %d bytes JSON per request, mean Avro record %d bytes%n", heap, eventLoops, batch,
                        bodies.getFirst().length, avroSize);

                run(http, base, key, bodies, connections, Duration.ofSeconds(Long.parseLong(opt.getOrDefault("warmup", "10"))), batch, "warm-up", 0);
                Result max = run(http, base, key, bodies, connections, duration, batch, "max", 0);
                double halfRate = max.eventsPerSecond / 2;
                Result fixed = run(http, base, key, bodies, connections * 8, fixedDuration, batch, "fixed",
                        halfRate / batch);

                double pp = producerPerformance(dir, kafka.bootstrapServers(), ppRecords, avroSize);
                System.out.println();
                System.out.println("==== results ====");
                System.out.printf("max throughput : %,.0f events/s (%,.0f requests/s of %d events), latency p50 %.1f ms,"
                                + " p99 %.1f ms, errors %d%n", max.eventsPerSecond, max.eventsPerSecond / batch, batch,
                        max.p50, max.p99, max.errors);
                System.out.printf("fixed rate     : %,.0f events/s offered (half of max), achieved %,.0f events/s,"
                                + " latency p50 %.1f ms, p99 %.1f ms, errors %d%n", halfRate, fixed.eventsPerSecond,
                        fixed.p50, fixed.p99, fixed.errors);
                System.out.printf("ProducerPerformance (same broker, %d-byte records, acks=all, idempotent, lz4):"
                        + " %,.0f records/s%n", avroSize, pp);
                System.out.printf("ratio ingest-api / ProducerPerformance: %.2f%n", max.eventsPerSecond / pp);
                System.out.println(gcSummary("ingest-api GC (child JVM)", dir.resolve("ingest-gc.log")));
                System.out.printf("targets: >= 100,000 events/s: %s; p99 <= 50 ms at half rate: %s%n",
                        max.eventsPerSecond >= 100_000 ? "met" : "MISSED", fixed.p99 <= 50 ? "met" : "MISSED");
            } finally {
                ingest.destroy();
                if (!ingest.waitFor(30, TimeUnit.SECONDS)) {
                    ingest.destroyForcibly();
                }
            }
        }
        System.exit(0);
    }

    record Result(double eventsPerSecond, double p50, double p99, long errors) {}

    private static Result run(HttpClient http, String base, String key, List<byte[]> bodies, int connections,
                              Duration duration, int batch, String phase, double requestsPerSecond)
            throws InterruptedException {
        Recorder recorder = new Recorder(3);
        Histogram total = new Histogram(3);
        AtomicLong events = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        URI uri = URI.create(base + "/v1/events");
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        List<Thread> threads = new ArrayList<>();
        ScheduledExecutorService pacer = null;
        if (requestsPerSecond <= 0) { // closed loop: each connection sends the next batch when answered
            for (int c = 0; c < connections; c++) {
                int id = c;
                threads.add(Thread.ofPlatform().name("load-" + c).start(() -> {
                    int i = id;
                    while (!stop.get() && System.nanoTime() < end) {
                        long t0 = System.nanoTime();
                        int status = post(http, uri, key, bodies.get(i++ % bodies.size()));
                        long t1 = System.nanoTime();
                        recorder.recordValue(Math.max(1, (t1 - t0) / 1000));
                        statuses.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
                        if (status == 202) {
                            events.addAndGet(batch);
                        } else {
                            errors.incrementAndGet();
                        }
                    }
                }));
            }
        } else { // open loop at a fixed rate, at most `connections` requests outstanding
            Semaphore outstanding = new Semaphore(connections);
            AtomicLong seq = new AtomicLong();
            long periodNanos = (long) (1e9 / requestsPerSecond);
            pacer = Executors.newSingleThreadScheduledExecutor();
            pacer.scheduleAtFixedRate(() -> {
                if (System.nanoTime() >= end) {
                    return;
                }
                if (!outstanding.tryAcquire()) {
                    errors.incrementAndGet(); // the server fell behind the schedule
                    return;
                }
                long t0 = System.nanoTime();
                byte[] body = bodies.get((int) (seq.getAndIncrement() % bodies.size()));
                http.sendAsync(request(uri, key, body), HttpResponse.BodyHandlers.discarding()).whenComplete((r, ex) -> {
                    outstanding.release();
                    recorder.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
                    int status = ex != null ? -1 : r.statusCode();
                    statuses.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
                    if (status == 202) {
                        events.addAndGet(batch);
                    } else {
                        errors.incrementAndGet();
                    }
                });
            }, 0, periodNanos, TimeUnit.NANOSECONDS);
        }
        long lastEvents = 0;
        int second = 0;
        while (System.nanoTime() < end) {
            Thread.sleep(1000);
            second++;
            Histogram interval = recorder.getIntervalHistogram();
            total.add(interval);
            long now = events.get();
            System.out.printf("[%s %3ds] %,9d events/s  p50 %6.1f ms  p99 %6.1f ms  errors %d%n", phase, second,
                    now - lastEvents, interval.getValueAtPercentile(50) / 1000.0,
                    interval.getValueAtPercentile(99) / 1000.0, errors.get());
            lastEvents = now;
        }
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        if (pacer != null) {
            pacer.shutdown();
            Thread.sleep(500); // let the last outstanding requests finish
        }
        long elapsedNanos = System.nanoTime() - start;
        total.add(recorder.getIntervalHistogram());
        double eps = events.get() / (elapsedNanos / 1e9);
        System.out.printf("[%s] %,.0f events/s over %.1f s; latency p50 %.1f ms p99 %.1f ms max %.1f ms; statuses %s%n",
                phase, eps, elapsedNanos / 1e9, total.getValueAtPercentile(50) / 1000.0,
                total.getValueAtPercentile(99) / 1000.0, total.getMaxValue() / 1000.0, statuses);
        return new Result(eps, total.getValueAtPercentile(50) / 1000.0, total.getValueAtPercentile(99) / 1000.0,
                errors.get());
    }

    private static HttpRequest request(URI uri, String key, byte[] body) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    private static int post(HttpClient http, URI uri, String key, byte[] body) {
        try {
            return http.send(request(uri, key, body), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Request bodies of realistic events (varied features, models, token counts, costs, tags, metadata). */
    static List<byte[]> bodies(int batch, int count) {
        Random r = new Random(7);
        List<byte[]> out = new ArrayList<>();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        for (int b = 0; b < count; b++) {
            StringBuilder sb = new StringBuilder(batch * 420).append('[');
            for (int i = 0; i < batch; i++) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append("{\"event_id\":\"").append(UUID.randomUUID())
                        .append("\",\"timestamp\":\"").append(now.minusMillis(r.nextInt(60_000)));
                BenchEvents.appendFields(sb, r);
                if (r.nextInt(4) == 0) {
                    sb.append(",\"cost_usd\":\"0.").append(String.format("%06d", r.nextInt(1_000_000))).append('"');
                }
                sb.append('}');
            }
            out.add(sb.append(']').toString().getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    /** Mean size of the events as Kafka record values (Avro binary + 5-byte Confluent header). */
    static int meanAvroSize(List<byte[]> bodies) throws Exception {
        EventParser parser = new EventParser(100_000, Duration.ofDays(1), 64 << 20);
        SpecificDatumWriter<UsageEvent> writer = new SpecificDatumWriter<>(UsageEvent.class);
        long bytes = 0;
        long n = 0;
        for (byte[] body : bodies) {
            for (EventParser.Item item : parser.parse(body, EventParser.Format.JSON, "bench-org", "key_0123456789abcdef",
                    Instant.now())) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
                writer.write(((EventParser.Accepted) item).event(), enc);
                enc.flush();
                bytes += out.size() + 5;
                n++;
            }
        }
        return (int) Math.round((double) bytes / n);
    }

    private static Process startIngest(Path dir, String heap, String gc, int eventLoops, String bootstrap,
                                       String registryUrl, int port) throws IOException {
        Path logback = dir.resolve("logback-ingest.xml");
        Files.writeString(logback, """
                <configuration>
                  <appender name="F" class="ch.qos.logback.core.FileAppender">
                    <file>%s</file>
                    <encoder><pattern>%%d{HH:mm:ss.SSS} %%-5level [%%thread] %%logger{36} - %%msg%%n</pattern></encoder>
                  </appender>
                  <logger name="org.apache.kafka" level="WARN"/>
                  <root level="INFO"><appender-ref ref="F"/></root>
                </configuration>
                """.formatted(dir.resolve("ingest-api.log")));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String gcFlag = switch (gc) {
            case "g1" -> "-XX:MaxGCPauseMillis=10";
            case "zgc" -> "-XX:+UseZGC"; // generational by default on JDK 23+
            default -> throw new IllegalArgumentException("--ingest-gc must be g1 or zgc, was " + gc);
        };
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx" + heap, "-Xms" + heap, gcFlag,
                "-Xlog:gc:file=" + dir.resolve("ingest-gc.log"),
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-Dlogback.configurationFile=" + logback, "-cp", System.getProperty("java.class.path"),
                "io.spendstream.ingest.IngestApiApp");
        Map<String, String> env = pb.environment();
        env.put(IngestConfig.BOOTSTRAP, bootstrap);
        env.put(IngestConfig.REGISTRY_URL, registryUrl);
        env.put(IngestConfig.HTTP_HOST, "127.0.0.1");
        env.put(IngestConfig.HTTP_PORT, Integer.toString(port));
        env.put(IngestConfig.EVENT_LOOPS, Integer.toString(eventLoops));
        env.put(IngestConfig.ADMIN_TOKEN, ADMIN);
        env.put(IngestConfig.RATE, "0");
        env.put(IngestConfig.MAX_IN_FLIGHT, "200000");
        env.put(IngestConfig.PARTITIONS, "6");
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("ingest-api.out").toFile());
        return pb.start();
    }

    private static void waitReady(HttpClient http, String base, Process ingest, Path dir) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!ingest.isAlive()) {
                throw new IllegalStateException("ingest-api exited; see " + dir.resolve("ingest-api.out"));
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(base + "/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // starting
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("ingest-api not ready after 90 s; see " + dir.resolve("ingest-api.log"));
    }

    private static String createKey(HttpClient http, String base) throws Exception {
        http.send(HttpRequest.newBuilder(URI.create(base + "/v1/admin/orgs")).header("Authorization", "Bearer " + ADMIN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"org_id\":\"bench\",\"name\":\"Bench\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> k = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/admin/orgs/bench/keys"))
                .header("Authorization", "Bearer " + ADMIN).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher m = Pattern.compile("\"api_key\":\"([^\"]+)\"").matcher(k.body());
        if (k.statusCode() != 201 || !m.find()) {
            throw new IllegalStateException("cannot create a key: " + k.statusCode() + " " + k.body());
        }
        return m.group(1);
    }

    /** Runs ProducerPerformance in a child JVM and returns its records/s. */
    private static double producerPerformance(Path dir, String bootstrap, long records, int recordSize)
            throws Exception {
        Path logback = dir.resolve("logback-warn.xml");
        Files.writeString(logback, """
                <configuration>
                  <appender name="E" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%-5level %logger{36} - %msg%n</pattern></encoder>
                  </appender>
                  <root level="WARN"><appender-ref ref="E"/></root>
                </configuration>
                """);
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(List.of(new NewTopic("bench-producer-performance", 6, (short) 1))).all()
                    .get(30, TimeUnit.SECONDS);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx512m", "--enable-native-access=ALL-UNNAMED",
                "-Dlogback.configurationFile=" + logback, "-cp", System.getProperty("java.class.path"),
                "org.apache.kafka.tools.ProducerPerformance", "--topic", "bench-producer-performance",
                "--num-records", Long.toString(records), "--record-size", Integer.toString(recordSize),
                "--throughput", "-1", "--producer-props", "bootstrap.servers=" + bootstrap, "acks=all",
                "enable.idempotence=true", "compression.type=lz4", "batch.size=65536", "linger.ms=5");
        pb.redirectErrorStream(true);
        System.out.printf("bench: ProducerPerformance, %,d records of %d bytes%n", records, recordSize);
        Process proc = pb.start();
        String last = null;
        for (String line : new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
            if (line.contains("records sent")) {
                System.out.println("  " + line.strip());
                last = line;
            }
        }
        proc.waitFor();
        Matcher m = last == null ? null : Pattern.compile("([0-9.]+) records/sec").matcher(last);
        if (m == null || !m.find()) {
            throw new IllegalStateException("no result from ProducerPerformance");
        }
        return Double.parseDouble(m.group(1));
    }

    /** Count, total and longest of the pauses in a -Xlog:gc file. */
    static String gcSummary(String what, Path log) {
        try {
            Pattern pause = Pattern.compile("Pause.* ([0-9.]+)ms$");
            int n = 0;
            double total = 0;
            double max = 0;
            for (String line : Files.readAllLines(log)) {
                Matcher m = pause.matcher(line.strip());
                if (m.find()) {
                    double ms = Double.parseDouble(m.group(1));
                    n++;
                    total += ms;
                    max = Math.max(max, ms);
                }
            }
            return String.format("%s: %d pauses, %.0f ms in total, longest %.1f ms (log %s)", what, n, total, max, log);
        } catch (IOException e) {
            return what + ": no GC log (" + e.getMessage() + ")";
        }
    }

    private static long seconds(String s) {
        return s.endsWith("s") ? Long.parseLong(s.substring(0, s.length() - 1)) : Long.parseLong(s);
    }

    private static Map<String, String> parseArgs(String[] args) {
        Map<String, String> m = new java.util.HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --option value, got " + args[i]);
            }
            m.put(args[i].substring(2), args[i + 1]);
        }
        return m;
    }
}
