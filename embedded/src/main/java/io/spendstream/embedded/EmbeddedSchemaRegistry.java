package io.spendstream.embedded;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Apicurio Registry 2.4.2 (with its Confluent-compatible REST API) started as a child JVM process on
 * 127.0.0.1, for tests and the local run. Storage is in memory: schemas are lost when it stops.
 *
 * <p>The runnable app ({@code quarkus-run.jar}) is found, in this order, from the system property
 * {@value #APP_PROPERTY}, the environment variable {@value #APP_ENV}, or by walking up from {@code user.dir}
 * looking for {@value #APP_RELATIVE_PATH}. Build it with {@code ./mvnw -pl registry-server package}.
 *
 * <p>The child's stdout and stderr go to {@code registry.log} in a temporary directory, or in a given one
 * (see {@link #logFile()}); start-up errors include the tail of that log. After it is ready, the global compatibility level is set to
 * {@code BACKWARD}, Confluent Schema Registry's default (Apicurio's default is none), so both behave alike.
 * The child is killed on {@link #close()} and by a JVM shutdown hook.
 */
public final class EmbeddedSchemaRegistry implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSchemaRegistry.class);

    /** System property naming the registry app jar. */
    public static final String APP_PROPERTY = "spendstream.registry.app";
    /** Environment variable naming the registry app jar, used if the system property is not set. */
    public static final String APP_ENV = "SPENDSTREAM_REGISTRY_APP";
    /** Where the registry-server module leaves the app, relative to the project root. */
    public static final String APP_RELATIVE_PATH = "registry-server/target/quarkus-app/quarkus-run.jar";

    /** Default time allowed from launch until GET /health/ready answers 200. */
    public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(5);
    private static final int LOG_TAIL_LINES = 40;

    private static EmbeddedSchemaRegistry shared;

    private final Process process;
    private final int port;
    private final Path logFile;
    private final Thread shutdownHook;
    private boolean deleteLogDirOnClose;
    private boolean closed;

    private EmbeddedSchemaRegistry(Process process, int port, Path logFile, Thread shutdownHook, boolean deleteLogDirOnClose) {
        this.process = process;
        this.port = port;
        this.logFile = logFile;
        this.shutdownHook = shutdownHook;
        this.deleteLogDirOnClose = deleteLogDirOnClose;
    }

    /**
     * Starts the registry on {@code port} with its log in a new temporary directory and waits until it is
     * ready (at most {@link #DEFAULT_STARTUP_TIMEOUT}).
     *
     * @param port the HTTP port on 127.0.0.1, or 0 to pick a free one
     * @return the running registry; the caller closes it
     * @throws IllegalStateException if the app jar is missing, the port is in use, or it does not become ready
     */
    public static EmbeddedSchemaRegistry start(int port) {
        locateApp(); // fail before creating the temporary directory
        Path logDir;
        try {
            logDir = Files.createTempDirectory("spendstream-registry-");
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create a temporary directory for the schema registry log", e);
        }
        return start(port, logDir, DEFAULT_STARTUP_TIMEOUT, true, null);
    }

    /**
     * Starts the registry with its schemas stored in an H2 database file under {@code dataDir} (and its
     * log there too), so schema ids stay valid across restarts, as records already in Kafka need.
     */
    public static EmbeddedSchemaRegistry startPersistent(int port, Path dataDir, Duration startupTimeout) {
        return start(port, dataDir, startupTimeout, false, dataDir.toAbsolutePath().resolve("registry"));
    }

    /**
     * Starts the registry on {@code port}, writing its output to {@code logDir/registry.log}, and waits until
     * it is ready.
     *
     * @param port           the HTTP port on 127.0.0.1, or 0 to pick a free one
     * @param logDir         directory for {@code registry.log} (created if missing); also the child's working directory
     * @param startupTimeout how long to wait for GET /health/ready to answer 200
     * @return the running registry; the caller closes it
     * @throws IllegalStateException if the app jar is missing, the port is in use, or it does not become ready
     */
    public static EmbeddedSchemaRegistry start(int port, Path logDir, Duration startupTimeout) {
        return start(port, logDir, startupTimeout, false, null);
    }

    private static EmbeddedSchemaRegistry start(int port, Path logDir, Duration startupTimeout, boolean deleteLogDirOnClose,
                                                Path h2File) {
        Path app = locateApp();
        int actualPort = port == 0 ? LoopbackPorts.freePort() : port;
        if (port != 0) {
            LoopbackPorts.requireFree(port, "EmbeddedSchemaRegistry port (quarkus.http.port)");
        }
        Path logFile;
        try {
            Files.createDirectories(logDir);
            logFile = logDir.resolve("registry.log");
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create the schema registry log directory " + logDir, e);
        }

        List<String> command = new ArrayList<>(List.of(
                javaBinary(),
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Xmx256m",
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=" + actualPort,
                // Apicurio's production profile opens 20 connections up front; a few are plenty here.
                "-Dquarkus.datasource.jdbc.initial-size=2",
                "-Dquarkus.datasource.jdbc.min-size=2"));
        if (h2File != null) {
            command.add("-Dquarkus.datasource.jdbc.url=jdbc:h2:file:" + h2File);
        }
        command.addAll(List.of("-jar", app.toString()));
        long startNanos = System.nanoTime();
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .directory(logDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(logFile.toFile())
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("Could not launch the schema registry: " + String.join(" ", command), e);
        }
        Thread hook = new Thread(() -> {
            stop(process);
            if (deleteLogDirOnClose) {
                deleteQuietly(logFile, logDir);
            }
        }, "schema-registry-shutdown-" + process.pid());
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException e) {
            stop(process);
            throw new IllegalStateException("The JVM is shutting down; not starting the schema registry", e);
        }
        EmbeddedSchemaRegistry registry = new EmbeddedSchemaRegistry(process, actualPort, logFile, hook, deleteLogDirOnClose);
        try {
            registry.awaitReady(startupTimeout);
            registry.setGlobalCompatibility("BACKWARD");
        } catch (RuntimeException e) {
            // Keep the log: the exception message points to it.
            registry.deleteLogDirOnClose = false;
            registry.close();
            throw e;
        }
        LOG.info("Schema registry (pid {}) ready at {} in {} ms, log {}", process.pid(), registry.url(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), logFile);
        return registry;
    }

    /**
     * Returns the registry shared by all tests of this JVM, starting it on a free port on first use. It is
     * killed by a JVM shutdown hook; tests must not close it (if one does, the next call starts a new one).
     * Tests that share it should use their own subject names.
     *
     * @return the running shared registry
     */
    public static synchronized EmbeddedSchemaRegistry shared() {
        if (shared == null || !shared.isRunning()) {
            shared = start(0);
        }
        return shared;
    }

    /** @return the base URL, {@code http://127.0.0.1:<port>} */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** @return the Confluent Schema Registry compatible API, {@code url() + "/apis/ccompat/v7"} */
    public String confluentApiUrl() {
        return url() + "/apis/ccompat/v7";
    }

    /** @return the HTTP port */
    public int port() {
        return port;
    }

    /** @return the process id of the registry's JVM */
    public long pid() {
        return process.pid();
    }

    /** @return the file that receives the registry's stdout and stderr */
    public Path logFile() {
        return logFile;
    }

    /** @return true if the child process is alive and {@link #close()} was not called */
    public synchronized boolean isRunning() {
        return !closed && process.isAlive();
    }

    /**
     * Stops the registry: SIGTERM, wait up to 10 s, then kill it forcibly. Idempotent. The temporary log
     * directory made by {@link #start(int)} is deleted; a log directory given by the caller is kept, and so
     * is the log of a registry that failed to start.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stop(process);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down; the hook is running or has run.
        }
        if (deleteLogDirOnClose) {
            deleteQuietly(logFile, logFile.getParent());
        }
    }

    private static void deleteQuietly(Path logFile, Path logDir) {
        try {
            Files.deleteIfExists(logFile);
            Files.deleteIfExists(logDir);
        } catch (IOException e) {
            LOG.debug("Could not delete the schema registry log directory {}", logDir, e);
        }
    }

    private static void stop(Process process) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("Schema registry (pid {}) did not stop within {} s, killing it", process.pid(), STOP_TIMEOUT.toSeconds());
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void awaitReady(Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url() + "/health/ready")).timeout(HTTP_TIMEOUT).GET().build();
        long deadline = System.nanoTime() + timeout.toNanos();
        String lastAnswer = "no answer yet";
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("The schema registry exited with code " + process.exitValue()
                        + " before becoming ready on port " + port + " (quarkus.http.port). Log " + logFile + " ends with:\n" + logTail());
            }
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
                lastAnswer = "HTTP " + response.statusCode();
            } catch (IOException e) {
                lastAnswer = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for the schema registry at " + url(), e);
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new IllegalStateException("The schema registry at " + url() + " was not ready within "
                        + timeout.toSeconds() + " s (GET /health/ready: " + lastAnswer + "). Log " + logFile + " ends with:\n" + logTail());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for the schema registry at " + url(), e);
            }
        }
    }

    private void setGlobalCompatibility(String level) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(confluentApiUrl() + "/config"))
                .timeout(HTTP_TIMEOUT)
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"compatibility\":\"" + level + "\"}"))
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("Setting the schema registry's global compatibility to " + level
                        + " (PUT " + request.uri() + ") answered HTTP " + response.statusCode() + ": " + response.body());
            }
        } catch (IOException e) {
            throw new IllegalStateException("Could not set the schema registry's global compatibility (PUT " + request.uri() + "): " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while configuring the schema registry", e);
        }
    }

    /** The last lines of the child's log, for error messages. */
    private String logTail() {
        try (RandomAccessFile file = new RandomAccessFile(logFile.toFile(), "r")) {
            long length = file.length();
            int size = (int) Math.min(length, 16 * 1024);
            byte[] bytes = new byte[size];
            file.seek(length - size);
            file.readFully(bytes);
            List<String> lines = new String(bytes, StandardCharsets.UTF_8).lines().toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(could not read " + logFile + ": " + e + ")";
        }
    }

    /** The java launcher of this JVM, so the child runs on the same JDK. */
    private static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElseGet(() -> Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    }

    /**
     * Finds the registry app jar: system property {@value #APP_PROPERTY}, then environment variable
     * {@value #APP_ENV}, then {@value #APP_RELATIVE_PATH} in {@code user.dir} or one of its parents.
     */
    static Path locateApp() {
        String configured = System.getProperty(APP_PROPERTY);
        String source = "system property " + APP_PROPERTY;
        if (configured == null || configured.isBlank()) {
            configured = System.getenv(APP_ENV);
            source = "environment variable " + APP_ENV;
        }
        if (configured != null && !configured.isBlank()) {
            Path app = Paths.get(configured);
            if (!Files.isRegularFile(app)) {
                throw new IllegalStateException("The schema registry app " + app + " (from " + source + ") does not exist;"
                        + " build it with ./mvnw -pl registry-server package");
            }
            return app;
        }
        Optional<Path> found = Optional.empty();
        for (Path dir = Paths.get(System.getProperty("user.dir")).toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(APP_RELATIVE_PATH);
            if (Files.isRegularFile(candidate)) {
                found = Optional.of(candidate);
                break;
            }
        }
        return found.orElseThrow(() -> new IllegalStateException("The schema registry app was not found: neither system property "
                + APP_PROPERTY + " nor environment variable " + APP_ENV + " is set, and no " + APP_RELATIVE_PATH
                + " exists in " + System.getProperty("user.dir") + " or its parents; build it with ./mvnw -pl registry-server package"));
    }
}
