package io.spendstream.embedded;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Benchmark command (not a test): start-up time and memory of the embedded components, 3 runs each.
 *
 * <ul>
 *   <li><b>Kafka</b> ({@link EmbeddedKafka} on free fixed ports, temp dir): time from the start call to the
 *       first acknowledged produce ({@code acks=all}, after creating the topic), and this JVM's RSS after
 *       that minus before the start. Each run happens in a fresh child JVM (same classpath) so every run is
 *       a cold start, as in a test JVM; the child runs {@code StartupBenchmark --kafka-once}.</li>
 *   <li><b>Schema registry</b> ({@link EmbeddedSchemaRegistry}): time from the start call until ready
 *       (including setting the compatibility level), and the child process's own RSS when ready.</li>
 * </ul>
 *
 * Run from the project root:
 * <pre>
 * ./mvnw -q -pl embedded -am -DskipTests package
 * java --enable-native-access=ALL-UNNAMED -cp "embedded/target/classes:$(cat embedded/target/classpath.txt)" \
 *     io.spendstream.embedded.StartupBenchmark
 * </pre>
 */
public final class StartupBenchmark {

    private static final int RUNS = 3;
    private static final String KAFKA_ONCE = "--kafka-once";
    private static final String CHDB_ONCE = "--chdb-once";
    private static final String RESULT_PREFIX = "RESULT ";
    private static final long CHILD_TIMEOUT_SECONDS = 180;

    private StartupBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        // A tool, not a library default: Kafka at WARN, before any logger exists.
        System.setProperty("logback.configurationFile", "spendstream-tools-logback.xml");
        if (args.length > 0 && args[0].equals(KAFKA_ONCE)) {
            kafkaOnce();
            return;
        }
        if (args.length > 0 && args[0].equals(CHDB_ONCE)) {
            chdbOnce();
            return;
        }
        System.out.printf("StartupBenchmark: %d runs each, %d CPUs, java %s%n", RUNS,
                Runtime.getRuntime().availableProcessors(), Runtime.version());
        List<Double> kafkaReadyMs = new ArrayList<>();
        List<Double> kafkaAckMs = new ArrayList<>();
        List<Double> kafkaRssMb = new ArrayList<>();
        for (int run = 1; run <= RUNS; run++) {
            long[] result = runInChildJvm(KAFKA_ONCE);
            kafkaReadyMs.add((double) result[0]);
            kafkaAckMs.add((double) result[1]);
            kafkaRssMb.add((result[3] - result[2]) / 1048576.0);
            System.out.printf("  kafka run %d: ready %d ms, first ack %d ms, RSS %.0f -> %.0f MB%n", run,
                    result[0], result[1], result[2] / 1048576.0, result[3] / 1048576.0);
        }
        List<Double> registryReadyMs = new ArrayList<>();
        List<Double> registryRssMb = new ArrayList<>();
        for (int run = 1; run <= RUNS; run++) {
            long t0 = System.nanoTime();
            try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(0)) {
                long readyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                long rss = ProcessRss.rssBytes(registry.pid());
                registryReadyMs.add((double) readyMs);
                registryRssMb.add(rss / 1048576.0);
                System.out.printf("  registry run %d: ready %d ms, child RSS %.0f MB%n", run, readyMs, rss / 1048576.0);
            }
        }
        List<Double> chdbOpenMs = new ArrayList<>();
        List<Double> chdbQueryMs = new ArrayList<>();
        List<Double> chdbRssMb = new ArrayList<>();
        for (int run = 1; run <= RUNS; run++) {
            long[] result = runInChildJvm(CHDB_ONCE);
            chdbOpenMs.add((double) result[0]);
            chdbQueryMs.add((double) result[1]);
            chdbRssMb.add((result[3] - result[2]) / 1048576.0);
            System.out.printf("  chdb run %d: open %d ms, open + first query %d ms, RSS %.0f -> %.0f MB%n", run,
                    result[0], result[1], result[2] / 1048576.0, result[3] / 1048576.0);
        }
        System.out.println();
        System.out.printf("%-52s %8s %8s %8s%n", "metric", "min", "median", "max");
        row("EmbeddedKafka start -> ready (ms)", kafkaReadyMs);
        row("EmbeddedKafka start -> first ack, acks=all (ms)", kafkaAckMs);
        row("EmbeddedKafka JVM RSS delta (MB)", kafkaRssMb);
        row("EmbeddedSchemaRegistry start -> ready (ms)", registryReadyMs);
        row("EmbeddedSchemaRegistry child RSS (MB)", registryRssMb);
        row("chDB load + connect (ms)", chdbOpenMs);
        row("chDB load + connect + first query (ms)", chdbQueryMs);
        row("chDB JVM RSS delta (MB)", chdbRssMb);
    }

    /** One cold chDB measurement in this JVM: dlopen + connect, then a first query. */
    private static void chdbOnce() throws Exception {
        Path dataDir = Files.createTempDirectory("spendstream-chdb-bench-");
        long rssBefore = ProcessRss.currentRssBytes();
        long t0 = System.nanoTime();
        try (io.spendstream.chdb.Chdb chdb = io.spendstream.chdb.Chdb.open(dataDir.resolve("ch"))) {
            long openMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            chdb.query("SELECT count() FROM numbers(1000)", "TabSeparated");
            long queryMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            long rssAfter = ProcessRss.currentRssBytes();
            System.out.println(RESULT_PREFIX + openMs + " " + queryMs + " " + rssBefore + " " + rssAfter);
        } finally {
            deleteRecursively(dataDir);
        }
    }

    private static void row(String name, List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        System.out.printf("%-52s %8.0f %8.0f %8.0f%n", name, sorted.getFirst(), sorted.get(sorted.size() / 2), sorted.getLast());
    }

    /** Launches this class with {@value #KAFKA_ONCE} in a new JVM and parses its result line. */
    private static long[] runInChildJvm(String mode) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command()
                .orElseGet(() -> Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        // The flag silences JDK 25's warning about Kafka's use of sun.misc.Unsafe::invokeCleaner.
        Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-cp", System.getProperty("java.class.path"), StartupBenchmark.class.getName(), mode)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try {
            String resultLine = null;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.startsWith(RESULT_PREFIX)) {
                        resultLine = line.substring(RESULT_PREFIX.length());
                    }
                }
            }
            if (!child.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("The benchmark child JVM (" + mode + ") did not finish within " + CHILD_TIMEOUT_SECONDS + " s");
            }
            if (child.exitValue() != 0 || resultLine == null) {
                throw new IllegalStateException("The benchmark child JVM (" + mode + ") failed (exit " + child.exitValue() + "); see its stderr above");
            }
            String[] parts = resultLine.trim().split(" ");
            long[] result = new long[parts.length];
            for (int i = 0; i < parts.length; i++) {
                result[i] = Long.parseLong(parts[i]);
            }
            return result;
        } finally {
            child.destroyForcibly();
        }
    }

    /** One cold Kafka measurement in this JVM; prints "RESULT readyMs ackMs rssBefore rssAfter". */
    private static void kafkaOnce() throws Exception {
        Path dataDir = Files.createTempDirectory("spendstream-kafka-bench-");
        int[] ports = LoopbackPorts.freePorts(2);
        int port = ports[0];
        int controllerPort = ports[1];
        long rssBefore = ProcessRss.currentRssBytes();
        long t0 = System.nanoTime();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, port, controllerPort)) {
            long readyNanos = System.nanoTime();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("bench", 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
            }
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    "bootstrap.servers", kafka.bootstrapServers(),
                    "acks", "all",
                    "enable.idempotence", "true"), new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("bench", "k", "first")).get(60, TimeUnit.SECONDS);
            }
            long ackNanos = System.nanoTime();
            long rssAfter = ProcessRss.currentRssBytes();
            System.out.println(RESULT_PREFIX + TimeUnit.NANOSECONDS.toMillis(readyNanos - t0) + " "
                    + TimeUnit.NANOSECONDS.toMillis(ackNanos - t0) + " " + rssBefore + " " + rssAfter);
        } finally {
            deleteRecursively(dataDir);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
