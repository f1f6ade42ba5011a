package io.spendstream.pricing;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code convert}: the source's data.json (tools/prices/dump-genai-prices.mjs output) to our v2
 * catalog. Run through {@code bin/price convert}; see tools/prices/README.md.
 *
 * <pre>
 * convert DATA.json --source-date YYYY-MM-DD [--generated-on YYYY-MM-DD] [--generated-from TEXT] [--out FILE]
 * </pre>
 * The catalog goes to --out (or stdout); what the conversion left out goes to stderr.
 */
public final class ConvertCommand {
    static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final Set<String> OPTIONS = Set.of("source-date", "generated-on", "generated-from", "out");

    private ConvertCommand() {}

    public static void main(String[] args) {
        System.exit(run(List.of(args), System.out, System.err));
    }

    /** Returns the exit code: 0, or 2 for bad arguments or an unreadable file. */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        Map<String, String> opts = new HashMap<>();
        String file = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.startsWith("--") && OPTIONS.contains(a.substring(2)) && i + 1 < args.size()) {
                opts.put(a.substring(2), args.get(++i));
            } else if (!a.startsWith("--") && file == null) {
                file = a;
            } else {
                err.println("convert: unexpected argument " + a);
                file = null;
                break;
            }
        }
        if (file == null || !opts.containsKey("source-date")) {
            err.println("usage: convert DATA.json --source-date YYYY-MM-DD [--generated-on YYYY-MM-DD]"
                    + " [--generated-from TEXT] [--out FILE]");
            return 2;
        }
        try {
            String sourceDate = LocalDate.parse(opts.get("source-date")).toString();
            String generatedOn = LocalDate.parse(opts.getOrDefault("generated-on",
                    LocalDate.now(ZoneOffset.UTC).toString())).toString();
            var result = GenAiPricesConverter.convert(read(Path.of(file)),
                    opts.getOrDefault("generated-from", "genai-prices " + Path.of(file).getFileName()), generatedOn,
                    sourceDate);
            String text = CatalogWriter.write(result.catalog());
            CatalogFile.read(text.getBytes(StandardCharsets.UTF_8), "converted catalog"); // what we write, we read
            if (opts.containsKey("out")) {
                Files.writeString(Path.of(opts.get("out")), text);
            } else {
                out.print(text);
                out.flush();
            }
            result.report().forEach(n -> err.println("left out: " + n));
            err.println("converted " + result.catalog().prices().size() + " entries of "
                    + result.catalog().providers().size() + " providers; " + result.report().size()
                    + " notes on what was left out");
            return 0;
        } catch (IOException | RuntimeException e) {
            err.println("convert: " + e.getMessage());
            return 2;
        }
    }

    /** The source's data as a tree with exact decimals. */
    public static JsonNode read(Path file) throws IOException {
        return JSON.readTree(file.toFile());
    }
}
