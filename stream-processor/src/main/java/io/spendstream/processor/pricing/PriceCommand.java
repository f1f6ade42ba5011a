package io.spendstream.processor.pricing;

import io.spendstream.config.Settings;
import io.spendstream.pricing.ConvertCommand;
import io.spendstream.pricing.Rates;
import io.spendstream.pricing.TokenClass;
import io.spendstream.processor.StreamProcessorConfig;
import io.spendstream.schema.ModelPrice;
import io.spendstream.schemas.registry.SchemaRegistryClient;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Publishes one model price (or a catalog file, {@code import}) to the model-prices topic; every stream processor applies it to events
 * at or after its effective_from without a restart. Kafka and registry addresses come from the same
 * settings as the stream processor (SPENDSTREAM_KAFKA_BOOTSTRAP_SERVERS, SPENDSTREAM_SCHEMA_REGISTRY_URL).
 *
 * <pre>
 * bin/price --provider openai --model gpt-4o --effective-from 2026-12-01T00:00:00Z \
 *           --input 2.50 --output 10 [--cached-input 1.25] [--cache-write 3.75] [--cache-write-1h 6]
 *           [--input-audio 40] [--cached-input-audio 2.5] [--input-image 2.5] [--output-audio 80]
 *           [--output-image 30] [--reasoning 10] [--source URL]
 * bin/price --delete --provider openai --model gpt-4o --effective-from 2026-12-01T00:00:00Z
 * bin/price import FILE [--format spendstream|genai-prices] [--effective-from INSTANT] [--apply]
 * bin/price convert DATA.json --source-date YYYY-MM-DD [--generated-on YYYY-MM-DD] [--generated-from TEXT] [--out FILE]
 * </pre>
 * {@code import} diffs a catalog file against the topic and, with --apply, publishes it
 * ({@link PriceImport}); {@code convert} turns the source's data.json into our catalog
 * ({@link ConvertCommand}, tools/prices/README.md).
 * Prices are USD per million tokens as decimals with at most 9 places.
 */
public final class PriceCommand {
    private PriceCommand() {}

    /** The record to publish: a key and a price, or a key and null (delete). */
    record Publication(String key, ModelPrice price) {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("convert")) {
            System.exit(ConvertCommand.run(List.of(args).subList(1, args.length), System.out, System.err));
        }
        if (args.length > 0 && args[0].equals("import")) {
            PriceImport.Options o;
            try {
                o = PriceImport.parse(List.of(args).subList(1, args.length));
            } catch (IllegalArgumentException e) {
                System.err.println("price import: " + e.getMessage());
                System.err.println("usage: price import FILE [--format spendstream|genai-prices]"
                        + " [--effective-from INSTANT] [--apply]");
                System.exit(2);
                return;
            }
            var outcome = PriceImport.run(o, StreamProcessorConfig.from(Settings.fromEnvironment()), Instant.now(),
                    System.out, System.err);
            System.exit(outcome.exitCode());
        }
        Publication p;
        try {
            p = parse(List.of(args));
        } catch (IllegalArgumentException e) {
            System.err.println("price: " + e.getMessage());
            System.err.println("usage: price --provider P --model M --effective-from INSTANT --input USD --output USD"
                    + " [--cached-input USD] [--cache-write USD] [--cache-write-1h USD] [--input-audio USD]"
                    + " [--cached-input-audio USD] [--input-image USD] [--output-audio USD] [--output-image USD]"
                    + " [--reasoning USD] [--source TEXT] | --delete ...");
            System.exit(2);
            return;
        }
        StreamProcessorConfig config = StreamProcessorConfig.from(Settings.fromEnvironment());
        var registry = new SchemaRegistryClient(config.schemaRegistry());
        var topic = config.topology().modelPrices();
        Properties props = config.kafka().clientProperties();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (var producer = new KafkaProducer<>(props, topic.keySerde(registry).serializer(),
                topic.valueSerde(registry).serializer())) {
            var meta = producer.send(new ProducerRecord<>(topic.name(), p.key(), p.price())).get();
            System.out.println((p.price() == null ? "deleted " : "published ") + p.key() + " to " + topic.name()
                    + " (partition " + meta.partition() + ", offset " + meta.offset() + ")");
        }
    }

    static Publication parse(List<String> args) {
        Map<String, String> opts = new HashMap<>();
        boolean delete = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--delete")) {
                delete = true;
            } else if (a.startsWith("--") && i + 1 < args.size()) {
                opts.put(a.substring(2), args.get(++i));
            } else {
                throw new IllegalArgumentException("unexpected argument " + a);
            }
        }
        String provider = need(opts, "provider");
        String model = need(opts, "model");
        Instant from;
        try {
            from = Instant.parse(need(opts, "effective-from"));
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("--effective-from must be an instant like 2026-12-01T00:00:00Z");
        }
        ModelPrice.Builder b = Prices.builder(provider, model, from);
        String key = Prices.topicKey(b.setInputPerMtokNanos(0).setOutputPerMtokNanos(0).build());
        if (delete) {
            return new Publication(key, null);
        }
        Long[] rates = new Long[TokenClass.count()];
        for (TokenClass c : TokenClass.all()) {
            rates[c.ordinal()] = usd(opts, option(c), c == TokenClass.INPUT || c == TokenClass.OUTPUT);
        }
        ModelPrice price = Rates.setBase(b, Rates.of(rates))
                .setSource(opts.getOrDefault("source", "bin/price"))
                .setSourceDate(LocalDate.now().toString())
                .build();
        for (String k : opts.keySet()) {
            if (!OPTIONS.contains(k)) {
                throw new IllegalArgumentException("unknown option --" + k + " (prices: " + RATE_OPTIONS
                        + "; tiers and daily windows: bin/price import FILE)");
            }
        }
        return new Publication(key, price);
    }

    /** The option of a class's price: its field without "_tokens", dashed (cache_write_1h_tokens: --cache-write-1h). */
    static String option(TokenClass c) {
        return c.field().replace("_tokens", "").replace('_', '-');
    }

    private static final List<String> RATE_OPTIONS = Arrays.stream(TokenClass.all())
            .map(PriceCommand::option).toList();
    private static final Set<String> OPTIONS = Stream.concat(
            Stream.of("provider", "model", "effective-from", "source"), RATE_OPTIONS.stream())
            .collect(Collectors.toUnmodifiableSet());

    private static String need(Map<String, String> opts, String name) {
        String v = opts.get(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }

    private static Long usd(Map<String, String> opts, String name, boolean required) {
        String v = required ? need(opts, name) : opts.get(name);
        if (v == null) {
            return null;
        }
        try {
            return Prices.usdToNanos(v);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a non-negative USD amount with at most 9"
                    + " decimals, was " + v);
        }
    }
}
