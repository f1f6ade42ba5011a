package io.spendstream.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Resident set size of a process, read from Linux {@code /proc/<pid>/status}. */
public final class ProcessRss {

    private ProcessRss() {
    }

    /**
     * Returns the resident set size (the {@code VmRSS} line) of process {@code pid}.
     *
     * @param pid a process id, e.g. {@code ProcessHandle.current().pid()}
     * @return the RSS in bytes
     * @throws UncheckedIOException  if {@code /proc/<pid>/status} cannot be read (no such process, not Linux)
     * @throws IllegalStateException if it has no VmRSS line (for example a zombie process)
     */
    public static long rssBytes(long pid) {
        Path status = Path.of("/proc", Long.toString(pid), "status");
        List<String> lines;
        try {
            lines = Files.readAllLines(status, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read " + status + " (is process " + pid + " running, on Linux?)", e);
        }
        for (String line : lines) {
            if (line.startsWith("VmRSS:")) {
                // Format: "VmRSS:	  123456 kB"
                String[] parts = line.substring("VmRSS:".length()).trim().split("\\s+");
                long value = Long.parseLong(parts[0]);
                String unit = parts.length > 1 ? parts[1] : "kB";
                if (!unit.equalsIgnoreCase("kB")) {
                    throw new IllegalStateException("Unexpected VmRSS unit '" + unit + "' in " + status);
                }
                return value * 1024;
            }
        }
        throw new IllegalStateException("No VmRSS line in " + status + " (zombie or kernel process?)");
    }

    /** @return the RSS of this JVM in bytes */
    public static long currentRssBytes() {
        return rssBytes(ProcessHandle.current().pid());
    }
}
