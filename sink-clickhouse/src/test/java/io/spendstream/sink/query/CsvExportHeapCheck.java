package io.spendstream.sink.query;

import io.spendstream.sink.schema.Migrations;
import io.spendstream.sink.transport.ChdbTransport;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Exports one org's month of {@code rows} distinct day/feature/model rows over {@code GET
 * /v1/reports/spend.csv} in this JVM and prints what came out and the heap's peak. Run with a small
 * {@code -Xmx} by {@link CsvExportStreamingIT}: a CSV several times the heap can only pass if the export
 * streams. The rows are made by ClickHouse itself ({@code numbers()}), so generating them costs no heap.
 *
 * <p>Arguments: data directory, row count. Prints {@code rows=N bytes=B peak_heap_bytes=P max_heap_bytes=M}.
 */
public final class CsvExportHeapCheck {
    private CsvExportHeapCheck() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long rows = Long.parseLong(args[1]);
        try (ChdbTransport ch = ChdbTransport.open(dir)) {
            Migrations.fromClasspath(ch, "big").migrate();
            ch.execute("INSERT INTO big.spend_rollups_day (org_id, feature, provider, model, window_start, window_end,"
                    + " events, errors, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens,"
                    + " reasoning_tokens, cost_usd_nanos, unpriced_events, latency_ms_sum, latency_ms_max, version,"
                    + " updated_at) SELECT 'org-big', concat('feature-', toString(intDiv(number, 30) % 2000)), 'openai',"
                    + " concat('model-', toString(intDiv(number, 60000))),"
                    + " toDateTime64('2026-11-01 00:00:00', 3, 'UTC') + toIntervalDay(number % 30),"
                    + " toDateTime64('2026-11-01 00:00:00', 3, 'UTC') + toIntervalDay(number % 30 + 1),"
                    + " 1, 0, 100 + number, 50, 0, 0, 0, 1234567 + number, 0, 10, 10, 1, now64(3)"
                    + " FROM numbers(" + rows + ")");
            Vertx vertx = Vertx.vertx();
            try {
                Router router = Router.router(vertx);
                new QueryRoutes(new SpendQueries(ch, "big")).mountInternal(router);
                int port = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
                for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                    pool.resetPeakUsage(); // the peak of the export, not of start-up
                }
                HttpResponse<InputStream> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                                "http://127.0.0.1:" + port + QueryRoutes.INTERNAL_PREFIX
                                        + "org-big/v1/reports/spend.csv?month=2026-11")).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                long bytes = 0;
                long lines = 0;
                byte[] buf = new byte[64 * 1024];
                try (InputStream in = r.body()) {
                    for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                        bytes += n;
                        for (int i = 0; i < n; i++) {
                            if (buf[i] == '\n') {
                                lines++;
                            }
                        }
                    }
                }
                long peak = 0;
                for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                    if (pool.getType() == MemoryType.HEAP) {
                        peak += pool.getPeakUsage().getUsed();
                    }
                }
                System.out.println("status=" + r.statusCode() + " rows=" + (lines - 1) + " bytes=" + bytes
                        + " peak_heap_bytes=" + peak + " max_heap_bytes=" + Runtime.getRuntime().maxMemory());
            } finally {
                vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        }
    }
}
