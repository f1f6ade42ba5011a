package io.spendstream.schemas.compat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.apache.avro.AvroRuntimeException;

/**
 * The build's schema evolution gate. Every schema released to users is kept in {@code released/};
 * the current schema of the same name must be able to read data written with the released one
 * (BACKWARD, the Confluent registry's default level), checked with Avro's own
 * {@link SchemaCompatibility}. A released schema may not disappear.
 *
 * <p>Run by the build (exec-maven-plugin, phase process-classes) with the current and released
 * directories as arguments; fails the build with a report naming each incompatibility.
 */
public final class SchemaCompatibilityCheck {
    private SchemaCompatibilityCheck() {}

    public static void main(String[] args) {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: SchemaCompatibilityCheck <current-dir> <released-dir>");
        }
        List<String> problems = check(Path.of(args[0]), Path.of(args[1]));
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Avro schema changes are not backward compatible with the released"
                    + " schemas in " + args[1] + ":\n  " + String.join("\n  ", problems)
                    + "\nGive new fields defaults, keep removed fields' defaults, or release a new topic.");
        }
        System.out.println("schema compatibility: every released schema can be read by the current one");
    }

    /** Problems found; empty when every released record schema is readable by its current version. */
    public static List<String> check(Path currentDir, Path releasedDir) {
        Map<String, Schema> current = parseDirectory(currentDir);
        Map<String, Schema> released = parseDirectory(releasedDir);
        List<String> problems = new ArrayList<>();
        for (var e : released.entrySet()) {
            if (e.getValue().getType() != Schema.Type.RECORD) {
                continue; // enums, fixed: checked as part of the records that use them
            }
            Schema now = current.get(e.getKey());
            if (now == null) {
                problems.add(e.getKey() + ": released schema was removed");
                continue;
            }
            SchemaPairCompatibility result = SchemaCompatibility.checkReaderWriterCompatibility(now, e.getValue());
            if (result.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                for (var incompatibility : result.getResult().getIncompatibilities()) {
                    problems.add(e.getKey() + ": " + incompatibility.getType() + " at "
                            + incompatibility.getLocation() + ": " + incompatibility.getMessage());
                }
            }
        }
        return problems;
    }

    /** Parses every .avsc of a directory, in whatever order their cross-references need. */
    public static Map<String, Schema> parseDirectory(Path dir) {
        List<Path> pending;
        try (Stream<Path> files = Files.list(dir)) {
            pending = new ArrayList<>(files.filter(p -> p.toString().endsWith(".avsc")).sorted().toList());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        Map<String, Schema> known = new LinkedHashMap<>();
        while (!pending.isEmpty()) {
            int before = pending.size();
            AvroRuntimeException lastError = null;
            for (var it = pending.iterator(); it.hasNext(); ) {
                Path file = it.next();
                Schema.Parser parser = new Schema.Parser();
                parser.addTypes(known.values());
                try {
                    parser.parse(file.toFile());
                    known.putAll(parser.getTypes());
                    it.remove();
                } catch (AvroRuntimeException e) {
                    lastError = e; // probably refers to a type defined in a file not parsed yet
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + file, e);
                }
            }
            if (pending.size() == before) {
                throw new IllegalStateException("cannot parse " + pending + ": " + lastError.getMessage(), lastError);
            }
        }
        return known;
    }
}
