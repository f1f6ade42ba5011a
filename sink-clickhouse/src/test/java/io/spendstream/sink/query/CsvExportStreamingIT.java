package io.spendstream.sink.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.spendstream.sink.rows.RowBinaryWriter;
import io.spendstream.sink.rows.RowEncoders;
import io.spendstream.sink.schema.Migrations;
import io.spendstream.sink.transport.ChdbTransport;
import io.spendstream.schema.SpendRollup;
import io.spendstream.schema.WindowSize;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /v1/reports/spend.csv} streamed from the embedded engine: the body is sent chunked with
 * every cell escaped as before, and a CSV several times larger than the heap passes in a JVM with a
 * small {@code -Xmx} ({@link CsvExportHeapCheck} in a child process).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CsvExportStreamingIT {
    static final int HEAP_MB = 32;
    static final long ROWS = 800_000;

    @TempDir
    Path dir;

    @Test
    void shouldStreamTheCsvChunkedWithFormulaCellsDefused() throws Exception {
        try (ChdbTransport ch = ChdbTransport.open(dir.resolve("ch"))) {
            Migrations.fromClasspath(ch, "csv").migrate();
            RowBinaryWriter w = new RowBinaryWriter();
            Instant day = Instant.parse("2026-11-03T00:00:00Z");
            for (String feature : List.of("=HYPERLINK(\"x\")", "+1", "-2", "@sum", "plain", "a,b")) {
                RowEncoders.rollup(w, rollup(feature, day));
            }
            ch.insert("csv.spend_rollups_day", "RowBinary", w.toByteArray(), null);
            Vertx vertx = Vertx.vertx();
            try {
                Router router = Router.router(vertx);
                new QueryRoutes(new SpendQueries(ch, "csv")).mountInternal(router);
                int port = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + port + QueryRoutes.INTERNAL_PREFIX + "org-a/v1/reports/spend.csv"
                                + "?month=2026-11")).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.headers().firstValue("Content-Length")).as("chunked, not sized up front").isEmpty();
                assertThat(r.headers().firstValue("Content-Type")).hasValue("text/csv; charset=utf-8");
                String tail = ",openai,gpt-4o,2,1,10,20,3,4,5,0,0.000123456\r\n";
                assertThat(r.body()).isEqualTo(SpendQueries.CSV_HEADER + "\r\n"
                        + "2026-11-03,\"'+1\"" + tail
                        + "2026-11-03,\"'-2\"" + tail
                        + "2026-11-03,\"'=HYPERLINK(\"\"x\"\")\"" + tail
                        + "2026-11-03,\"'@sum\"" + tail
                        + "2026-11-03,\"a,b\"" + tail
                        + "2026-11-03,plain" + tail);
            } finally {
                vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void shouldExportACsvSeveralTimesTheHeapWithinASmallHeap() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + HEAP_MB + "m", "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path")));
        String lib = System.getProperty("spendstream.libchdb");
        if (lib != null) {
            cmd.add("-Dspendstream.libchdb=" + lib);
        }
        cmd.addAll(List.of(CsvExportHeapCheck.class.getName(), dir.resolve("big").toString(), Long.toString(ROWS)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("child.log").toFile()).start();
        assertThat(p.waitFor(4, TimeUnit.MINUTES)).as("child finished").isTrue();
        String log = java.nio.file.Files.readString(dir.resolve("child.log"));
        assertThat(p.exitValue()).as(log).isZero();
        Matcher m = Pattern.compile("status=(\\d+) rows=(\\d+) bytes=(\\d+) peak_heap_bytes=(\\d+) max_heap_bytes=(\\d+)")
                .matcher(log);
        assertThat(m.find()).as(log).isTrue();
        System.out.println("CSV export heap check: " + m.group());
        assertThat(m.group(1)).isEqualTo("200");
        assertThat(Long.parseLong(m.group(2))).isEqualTo(ROWS);
        assertThat(Long.parseLong(m.group(3))).as("the CSV is several times the heap")
                .isGreaterThan(HEAP_MB * 1024L * 1024 * 3 / 2);
    }

    private static SpendRollup rollup(String feature, Instant day) {
        return SpendRollup.newBuilder().setOrgId("org-a").setFeature(feature).setProvider("openai").setModel("gpt-4o")
                .setWindowSize(WindowSize.DAY).setWindowStart(day).setWindowEnd(day.plusSeconds(86_400))
                .setEvents(2).setErrors(1).setInputTokens(10).setOutputTokens(20).setCachedInputTokens(3)
                .setCacheWriteTokens(4).setReasoningTokens(5).setCostUsdNanos(123_456).setUnpricedEvents(0)
                .setLatencyMsSum(7).setLatencyMsMax(7).setVersion(1).setUpdatedAt(day).build();
    }
}
