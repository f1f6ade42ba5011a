package io.spendstream.embedded;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Pinned npm packages installed once into {@code ${SPENDSTREAM_CACHE:-~/.cache/spendstream}/<name>},
 * for tests that check spendstream against other projects' own JavaScript code (Confluent's serdes,
 * the price source's calculator). {@link #prepare} answers why such a test must be skipped (no node,
 * no npm, the npm registry unreachable), or null when the packages are ready; any other failure fails.
 */
public final class NodePackages {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);

    /** What a command did. */
    public record Result(int exitCode, boolean timedOut, String stdout, String stderr) {
        public boolean ok() {
            return !timedOut && exitCode == 0;
        }
    }

    private final Path modulesDir;
    private final String skipReason;

    private NodePackages(Path modulesDir, String skipReason) {
        this.modulesDir = modulesDir;
        this.skipReason = skipReason;
    }

    /** Why tests that need the packages must be skipped, or null when they are ready. */
    public String skipReason() {
        return skipReason;
    }

    /** The folder whose node_modules holds the packages. */
    public Path modulesDir() {
        return modulesDir;
    }

    /**
     * Finds node and npm and installs the packages at exactly these versions if they are not yet, under
     * a file lock (another build on the machine may be installing at the same time).
     */
    public static NodePackages prepare(String name, Map<String, String> packages, Path logs) throws Exception {
        String skipping = ": skipping the test that needs " + packages.keySet();
        if (!runs(logs, "node", "--version")) {
            return new NodePackages(null, "node is not installed (or not on PATH)" + skipping);
        }
        if (!runs(logs, "npm", "--version")) {
            return new NodePackages(null, "npm is not installed (or not on PATH)" + skipping);
        }
        Path dir = cacheDir().resolve(name);
        Files.createDirectories(dir);
        try (FileChannel channel = FileChannel.open(dir.resolve(".install.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
             FileLock lock = channel.lock()) {
            if (!installed(dir, packages)) {
                String notInstalled = install(dir, name, packages, logs, skipping);
                if (notInstalled != null) {
                    return new NodePackages(null, notInstalled);
                }
            }
        }
        if (!installed(dir, packages)) {
            throw new IllegalStateException(packages + " are not installed in " + dir + " after npm install");
        }
        return new NodePackages(dir, null);
    }

    /** Runs npm install; returns why the tests must be skipped (registry unreachable), or null. */
    private static String install(Path dir, String name, Map<String, String> packages, Path logs, String skipping)
            throws Exception {
        var manifest = JSON.createObjectNode().put("name", "spendstream-" + name).put("private", true)
                .put("description", "npm packages for spendstream's tests (a cache, not part of the repository)");
        var deps = manifest.putObject("dependencies");
        packages.forEach(deps::put);
        Files.writeString(dir.resolve("package.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(manifest));
        // No retries: an unreachable registry should skip in a second, not after npm's minute of backoff.
        Result ping = run(logs, List.of("npm", "ping", "--fetch-retries=0", "--fetch-timeout=20000"), dir, Map.of(),
                Duration.ofSeconds(30));
        if (!ping.ok()) {
            return "the npm registry is unreachable (npm ping " + (ping.timedOut() ? "timed out" : "failed: "
                    + npmError(ping.stderr())) + ")" + skipping;
        }
        // --ignore-scripts: the packages used here are plain JavaScript; none needs its install script.
        Result install = run(logs, List.of("npm", "install", "--no-audit", "--no-fund", "--ignore-scripts"), dir,
                Map.of(), INSTALL_TIMEOUT);
        String output = install.stdout() + install.stderr();
        if (!install.ok()) {
            if (output.matches("(?s).*\\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH)\\b.*")) {
                return "the npm registry became unreachable during npm install (" + npmError(output) + ")" + skipping;
            }
            throw new IllegalStateException("npm install in " + dir + (install.timedOut() ? " timed out after "
                    + INSTALL_TIMEOUT : " exited with " + install.exitCode()) + ":\n" + tail(output));
        }
        return null;
    }

    /** Whether node_modules has every package at exactly its pinned version. */
    private static boolean installed(Path dir, Map<String, String> packages) {
        for (var p : packages.entrySet()) {
            Path manifest = dir.resolve("node_modules").resolve(p.getKey()).resolve("package.json");
            try {
                if (!Files.isRegularFile(manifest)
                        || !p.getValue().equals(JSON.readTree(manifest.toFile()).path("version").asText())) {
                    return false;
                }
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    private static Path cacheDir() {
        String configured = System.getenv("SPENDSTREAM_CACHE");
        return configured != null && !configured.isBlank() ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".cache", "spendstream");
    }

    private static boolean runs(Path logs, String... command) {
        try {
            return run(logs, List.of(command), null, Map.of(), Duration.ofSeconds(30)).ok();
        } catch (IOException e) {
            return false; // not on PATH
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Runs a command with its output in files under {@code logs} (no pipes to drain), killing it after {@code timeout}. */
    public static Result run(Path logs, List<String> command, Path dir, Map<String, String> env, Duration timeout)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile(logs, "out-", ".log");
        Path err = Files.createTempFile(logs, "err-", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        if (dir != null) {
            builder.directory(dir.toFile());
        }
        builder.environment().putAll(env);
        Process process = builder.start();
        boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!finished) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        return new Result(finished ? process.exitValue() : -1, !finished, Files.readString(out), Files.readString(err));
    }

    /** The line of npm's error output that says what went wrong, e.g. "FetchError: request to ... failed, reason: ...". */
    private static String npmError(String output) {
        return output.lines().filter(l -> l.contains("FetchError") || l.contains("reason:")).findFirst()
                .or(() -> output.lines().filter(l -> l.startsWith("npm error")).findFirst())
                .map(String::strip).orElse(tail(output));
    }

    public static String tail(String s) {
        return s.length() <= 4000 ? s : "..." + s.substring(s.length() - 4000);
    }
}
