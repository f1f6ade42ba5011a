package io.spendstream.processor.pricing;

import com.fasterxml.jackson.databind.JsonNode;
import io.spendstream.pricing.Catalog;
import io.spendstream.pricing.CatalogDiff;
import io.spendstream.pricing.CatalogFile;
import io.spendstream.pricing.ConvertCommand;
import io.spendstream.pricing.GenAiPricesConverter;
import io.spendstream.processor.StreamProcessorConfig;
import io.spendstream.schema.ModelPrice;
import io.spendstream.schemas.registry.SchemaRegistryClient;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * {@code bin/price import FILE [--format spendstream|genai-prices] [--effective-from INSTANT] [--apply]}:
 * shows what a catalog file would change on the model-prices topic and, with --apply, publishes it
 * (see {@link CatalogDiff} for the rules: never retroactive, removals only reported).
 */
final class PriceImport {
    private PriceImport() {}

    enum Format { SPENDSTREAM, GENAI_PRICES }

    /** @param effectiveFrom null: now */
    record Options(Path file, Format format, Instant effectiveFrom, boolean apply) {}

    /** @param diff null when the command failed before reading the topic */
    record Outcome(int exitCode, CatalogDiff.Result diff) {}

    static Options parse(List<String> args) {
        Path file = null;
        Format format = null;
        Instant from = null;
        boolean apply = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--apply" -> apply = true;
                case "--format" -> format = switch (value(args, ++i, a)) {
                    case "spendstream" -> Format.SPENDSTREAM;
                    case "genai-prices" -> Format.GENAI_PRICES;
                    default -> throw new IllegalArgumentException("--format is spendstream or genai-prices");
                };
                case "--effective-from" -> {
                    try {
                        from = Instant.parse(value(args, ++i, a));
                    } catch (DateTimeParseException e) {
                        throw new IllegalArgumentException("--effective-from must be an instant like 2026-12-01T00:00:00Z");
                    }
                }
                default -> {
                    if (a.startsWith("--") || file != null) {
                        throw new IllegalArgumentException("unexpected argument " + a);
                    }
                    file = Path.of(a);
                }
            }
        }
        if (file == null) {
            throw new IllegalArgumentException("import needs a FILE");
        }
        return new Options(file, format, from, apply);
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args.get(i);
    }

    /**
     * Reads and validates the file first (an invalid file: exit 2 before anything is read or
     * published), then diffs against the topic, prints the diff and publishes with --apply.
     */
    static Outcome run(Options o, StreamProcessorConfig config, Instant now, PrintStream out, PrintStream err) {
        Instant at = now.truncatedTo(ChronoUnit.MILLIS); // the topic keeps milliseconds
        if (o.effectiveFrom() != null) {
            if (o.effectiveFrom().isBefore(at)) {
                err.println("price import: --effective-from " + o.effectiveFrom() + " is in the past; prices are"
                        + " never changed retroactively");
                return new Outcome(2, null);
            }
            at = o.effectiveFrom();
        }
        Catalog catalog;
        try {
            catalog = load(o, now, err);
        } catch (IOException | RuntimeException e) {
            err.println("price import: " + e.getMessage());
            err.println("price import: nothing published");
            return new Outcome(2, null);
        }
        var registry = new SchemaRegistryClient(config.schemaRegistry());
        var topic = config.topology().modelPrices();
        var onTopic = PriceCatalogSeeder.latestOnTopic(config.kafka(), registry, topic,
                Duration.ofSeconds(60)).values();
        CatalogDiff.Result diff = CatalogDiff.diff(catalog.prices(), onTopic, at);
        print(diff, o.file(), topic.name(), out);
        if (diff.toPublish().isEmpty()) {
            out.println("nothing to publish");
        } else if (o.apply()) {
            PriceCatalogSeeder.publish(config.kafka(), registry, topic, diff.toPublish());
            out.println("published " + diff.toPublish().size() + " entries to " + topic.name());
        } else {
            out.println("dry run: nothing published; run again with --apply to publish "
                    + diff.toPublish().size() + " entries");
        }
        return new Outcome(0, diff);
    }

    private static Catalog load(Options o, Instant now, PrintStream err) throws IOException {
        JsonNode tree = ConvertCommand.read(o.file());
        Format format = o.format() != null ? o.format() : tree.isArray() ? Format.GENAI_PRICES : Format.SPENDSTREAM;
        if (format == Format.SPENDSTREAM) {
            try {
                return CatalogFile.read(tree);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(o.file() + " " + e.getMessage(), e);
            }
        }
        // The source's data.json records no date: its prices are as of the day they are imported.
        String today = LocalDate.ofInstant(now, ZoneOffset.UTC).toString();
        var result = GenAiPricesConverter.convert(tree, "genai-prices " + o.file().getFileName(), today, today);
        err.println("price import: the conversion left out " + result.report().size()
                + " prices our catalog cannot carry (bin/price convert lists them)");
        return result.catalog();
    }

    private static void print(CatalogDiff.Result diff, Path file, String topic, PrintStream out) {
        out.println("price import: " + file + " against " + topic + ", prices in effect at " + diff.at());
        for (CatalogDiff.Change c : diff.changes()) {
            String mark = switch (c.kind()) {
                case ADDED -> "+ added  ";
                case CHANGED -> "~ changed";
                case REMOVED -> "- removed";
            };
            out.println(mark + " " + c.provider() + "/" + c.model() + ": " + String.join("; ", c.details()));
        }
        var removed = diff.of(CatalogDiff.Kind.REMOVED).size();
        out.println(diff.of(CatalogDiff.Kind.ADDED).size() + " added, " + diff.of(CatalogDiff.Kind.CHANGED).size()
                + " changed, " + removed + " removed, " + diff.unchanged() + " unchanged"
                + (removed > 0 ? " (removed models are only reported: delete one with bin/price --delete)" : ""));
    }
}
