package io.spendstream.ingest;

import static io.spendstream.ingest.IngestFixture.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.spendstream.embedded.KafkaTestCluster;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Posts 10,000+ generated malformed bodies (seeded, reproducible): each must get a 4xx and never a 5xx
 * (nor a 202); afterwards the service is ready and still accepts a valid event.
 */
class FuzzIT {
    static final long SEED = 20250601L;
    static final int CASES = 10_400;
    static IngestApi api;
    static String key;

    record Case(String kind, String contentType, byte[] body) {}

    @BeforeAll
    static void start() {
        IngestConfig config = IngestFixture.config(KafkaTestCluster.shared().bootstrapServers(), "fuzz",
                Map.of(IngestConfig.RATE, "0"));
        api = IngestFixture.startReady(config);
        key = IngestFixture.orgAndKey(api, "fuzz");
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
    }

    static final String[] FIELDS = {"event_id", "timestamp", "feature", "provider", "model", "input_tokens",
            "output_tokens", "cached_input_tokens", "cache_write_tokens", "reasoning_tokens", "cost_usd", "latency_ms",
            "status", "error_code", "user_id", "session_id", "tags", "metadata", "org_id"};
    static final String[] COUNTS = {"input_tokens", "output_tokens", "cached_input_tokens", "cache_write_tokens",
            "reasoning_tokens", "latency_ms"};

    static String wrongTypeFor(String field, Random r) {
        boolean numeric = List.of(COUNTS).contains(field);
        List<String> options = new ArrayList<>(List.of("[]", "[1,2]", "true", "false"));
        if (!field.equals("tags") && !field.equals("metadata")) {
            options.addAll(List.of("{}", "{\"a\":{\"b\":[]}}"));
        }
        if (numeric) {
            options.addAll(List.of("\"12\"", "\"\"", "1.5", "[12]"));
        } else if (field.equals("cost_usd")) {
            options.addAll(List.of("\"abc\"", "\"1,5\"", "\"-1\""));
        } else if (field.equals("tags") || field.equals("metadata")) {
            options.addAll(List.of("\"x\"", "12", "{\"k\":[1]}", "{\"k\":{\"n\":1}}"));
        } else {
            options.addAll(List.of("12", "-3", "1.0e9", "0"));
        }
        return options.get(r.nextInt(options.size()));
    }

    static String hugeOrNegative(Random r) {
        return switch (r.nextInt(9)) {
            case 0 -> "-" + (1 + r.nextInt(1_000_000));
            case 1 -> "9".repeat(19 + r.nextInt(100));
            case 2 -> "-" + "9".repeat(19 + r.nextInt(100));
            case 3 -> "1e" + r.nextInt(100_000);
            case 4 -> "-0.5";
            case 5 -> "9223372036854775808";
            case 6 -> "1" + "0".repeat(900);
            case 7 -> "1.0E-" + (10 + r.nextInt(1000)); // more than 9 decimals
            default -> "12345678901234567890.123";
        };
    }

    static Case generate(int i) {
        Random r = new Random(SEED + i);
        String ok = event("\"event_id\":\"fz-" + i + "\",\"cost_usd\":\"0.25\",\"tags\":{\"t\":\"v\"},\"metadata\":{\"m\":1}");
        return switch (i % 10) {
            case 0 -> { // wrong type for one field
                String f = FIELDS[r.nextInt(FIELDS.length)];
                yield json("wrong-type", replaceField(ok, f, wrongTypeFor(f, r)));
            }
            case 1 -> { // huge and negative numbers in counts or cost
                String f = r.nextBoolean() ? COUNTS[r.nextInt(COUNTS.length)] : "cost_usd";
                String v = hugeOrNegative(r);
                yield json("huge-negative", replaceField(ok, f, f.equals("cost_usd") && r.nextBoolean() ? "\"" + v + "\"" : v));
            }
            case 2 -> { // deep nesting, up to 10,000 levels
                int depth = r.nextInt(4) == 0 ? 10_000 : 17 + r.nextInt(3000);
                String open = r.nextBoolean() ? "[" : "{\"a\":";
                String close = open.equals("[") ? "]" : "}";
                String body = r.nextBoolean() ? open.repeat(depth) + "1" + close.repeat(depth)
                        : replaceField(ok, "metadata", open.repeat(depth) + "1" + close.repeat(depth));
                yield json("deep", body);
            }
            case 3 -> { // invalid UTF-8 somewhere
                byte[] b = ok.getBytes(StandardCharsets.UTF_8);
                byte[][] bad = {{(byte) 0xC3}, {(byte) 0x80}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                        {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80}, {(byte) 0xFF}, {(byte) 0xE2, (byte) 0x82}};
                byte[] ins = bad[r.nextInt(bad.length)];
                int at = 1 + r.nextInt(b.length - 2);
                byte[] out = new byte[b.length + ins.length];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(ins, 0, out, at, ins.length);
                System.arraycopy(b, at, out, at + ins.length, b.length - at);
                yield new Case("invalid-utf8", r.nextBoolean() ? "application/json" : "application/x-ndjson", out);
            }
            case 4 -> { // truncated JSON
                String body = r.nextBoolean() ? ok : "[" + ok + "," + ok + "]";
                yield json("truncated", body.substring(0, 1 + r.nextInt(body.length() - 1)));
            }
            case 5 -> { // strings over the limits (multi-megabyte for some)
                String f = List.of("feature", "provider", "model", "event_id", "user_id", "error_code").get(r.nextInt(6));
                int len = i % 500 == 5 ? 2_000_000 + r.nextInt(2_000_000) : 300 + r.nextInt(5000);
                yield json("long-string", replaceField(ok, f, "\"" + "x".repeat(len) + "\""));
            }
            case 6 -> { // wrong content types
                String ct = List.of("text/plain", "application/xml", "multipart/form-data; boundary=x",
                        "application/json; charset=utf-16", "application/x-www-form-urlencoded", "*/*",
                        "application/jsonx", "text/json").get(r.nextInt(8));
                yield new Case("content-type", ct, ok.getBytes(StandardCharsets.UTF_8));
            }
            case 7 -> { // random bytes
                byte[] b = new byte[r.nextInt(2000)];
                r.nextBytes(b);
                yield new Case("random-bytes", r.nextBoolean() ? "application/json" : "application/x-ndjson", b);
            }
            case 8 -> { // unknown fields, missing required fields, foreign org, bad enums and timestamps
                yield json("semantic", switch (r.nextInt(5)) {
                    case 0 -> ok.replace("\"feature\"", "\"featrue\"");
                    case 1 -> replaceField(ok, "timestamp", "\"" + List.of("2025-06-01", "tomorrow",
                            "2999-01-01T00:00:00Z", "2025-06-01T25:00:00Z", "").get(r.nextInt(5)) + "\"");
                    case 2 -> replaceField(ok, "status", "\"fine\"");
                    case 3 -> ok.replace("{", "{\"org_id\":\"someone-else\",");
                    default -> ok.replace("\"model\":\"gpt-4o\",", "");
                });
            }
            default -> { // garbage variations of structure
                yield json("structure", List.of("", " ", "null", "[]", "[1,2,3]", "\"text\"", "{}}", "{,}", "[{}",
                        "{\"a\" 1}", "{\"timestamp\":}", ok + ok, "[" + ok + ",]", "\u0000", "[null]", "{\"tags\":{\"a\":\"b\",}}")
                        .get(r.nextInt(16)));
            }
        };
    }

    static Case json(String kind, String body) {
        return new Case(kind, "application/json", body.getBytes(StandardCharsets.UTF_8));
    }

    /** Replaces the value of {@code field} in a flat-ish event (adds it when absent). */
    static String replaceField(String event, String field, String value) {
        String marker = "\"" + field + "\":";
        int at = event.indexOf(marker);
        if (at < 0) {
            return event.substring(0, event.length() - 1) + "," + marker + value + "}";
        }
        int start = at + marker.length();
        int end = valueEnd(event, start);
        return event.substring(0, start) + value + event.substring(end);
    }

    private static int valueEnd(String s, int start) {
        int depth = 0;
        boolean inString = false;
        for (int i = start; i < s.length(); i++) {
            char c = s.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                    if (depth == 0) {
                        return i + 1;
                    }
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (depth == 0) {
                    return i;
                }
                depth--;
                if (depth == 0) {
                    return i + 1;
                }
            } else if (c == ',' && depth == 0) {
                return i;
            }
        }
        return s.length();
    }

    @Test
    void tenThousandMalformedBodiesEachGetA4xxAndTheServiceStaysHealthy() throws Exception {
        Map<String, Map<Integer, AtomicInteger>> byKind = new ConcurrentHashMap<>();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        long start = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                for (int i = thread; i < CASES; i += 4) {
                    Case c = generate(i);
                    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/v1/events"))
                            .timeout(Duration.ofSeconds(30))
                            .header("Authorization", "Bearer " + key)
                            .POST(HttpRequest.BodyPublishers.ofByteArray(c.body()));
                    if (c.contentType() != null) {
                        b.header("Content-Type", c.contentType());
                    }
                    int status;
                    String body;
                    try {
                        HttpResponse<String> resp = IngestFixture.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
                        status = resp.statusCode();
                        body = resp.body();
                    } catch (Exception e) {
                        status = -1;
                        body = e.toString();
                    }
                    byKind.computeIfAbsent(c.kind(), k -> new ConcurrentHashMap<>())
                            .computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
                    if (status < 400 || status >= 500) {
                        String preview = new String(c.body(), 0, Math.min(200, c.body().length), StandardCharsets.UTF_8);
                        failures.add("case " + i + " (" + c.kind() + ", " + c.contentType() + "): " + status + " "
                                + body + " for " + preview);
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        Map<String, Map<Integer, AtomicInteger>> sorted = new TreeMap<>(byKind);
        System.out.printf("fuzz: %d cases in %d ms: %s%n", CASES, (System.nanoTime() - start) / 1_000_000, sorted);
        assertThat(failures).as("cases answered outside 4xx").isEmpty();
        assertThat(IngestFixture.get(api.port(), "/health/ready").statusCode()).isEqualTo(200);
        assertThat(IngestFixture.postEvents(api.port(), key, "application/json", event("")).statusCode()).isEqualTo(202);
    }
}
