package io.spendstream.schemas;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.avro.Schema;

/** Schema changes used by both the build-check test and the registry test, so both judge the same change. */
public final class SchemaChanges {
    private SchemaChanges() {}

    public static final Path CURRENT = Path.of("src/main/avro");
    public static final Path RELEASED = Path.of("released");

    /** UsageEvent with a new field that has no default: old records cannot be read. Not backward compatible. */
    public static String usageEventWithRequiredField(String json) {
        return json.replace("\"fields\": [",
                "\"fields\": [\n    {\"name\": \"region\", \"type\": \"string\", \"doc\": \"new, no default\"},");
    }

    /** UsageEvent with a new optional field with a default: backward compatible. */
    public static String usageEventWithOptionalField(String json) {
        return json.replace("\"fields\": [",
                "\"fields\": [\n    {\"name\": \"region\", \"type\": [\"null\", \"string\"], \"default\": null, \"doc\": \"new\"},");
    }

    public static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies the current schemas into {@code dir}, replacing UsageEvent.avsc with {@code usageEvent}. */
    public static Path currentWith(Path dir, String usageEvent) {
        try (Stream<Path> files = Files.list(CURRENT)) {
            for (Path p : files.toList()) {
                Files.copy(p, dir.resolve(p.getFileName()));
            }
            Files.writeString(dir.resolve("UsageEvent.avsc"), usageEvent);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Schema parse(String json) {
        return new Schema.Parser().parse(json);
    }
}
