package io.spendstream.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The service's Prometheus metrics: {@code spendstream_ingest_http_requests_seconds} (by route,
 * method and status), {@code spendstream_ingest_events_accepted_total},
 * {@code spendstream_ingest_events_rejected_total} (by reason), {@code spendstream_ingest_produce_seconds}
 * (send to acknowledgement of a request's events), and the in-flight gauges.
 */
public final class IngestMetrics {
    private final PrometheusMeterRegistry registry;
    private final Counter accepted;
    private final ConcurrentMap<String, Counter> rejected = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Timer> requests = new ConcurrentHashMap<>();
    private final Timer produce;

    public IngestMetrics(PrometheusMeterRegistry registry) {
        this.registry = registry;
        this.accepted = Counter.builder("spendstream.ingest.events.accepted")
                .description("Events acknowledged by Kafka and answered with 202").register(registry);
        this.produce = Timer.builder("spendstream.ingest.produce")
                .description("Time from handing a request's events to the producer until Kafka acknowledged all")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry);
    }

    public static IngestMetrics create() {
        return new IngestMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).register(registry);
    }

    public void accepted(int n) {
        accepted.increment(n);
    }

    /** @param reason validation, rate_limited, unavailable, overloaded, too_large */
    public void rejected(String reason, int n) {
        if (n > 0) {
            rejected.computeIfAbsent(reason, r -> Counter.builder("spendstream.ingest.events.rejected")
                    .description("Events not accepted, by reason").tag("reason", r).register(registry)).increment(n);
        }
    }

    public void produced(long nanos) {
        produce.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** The methods the API has (and HEAD, OPTIONS); any other a client sends is one label, not one series each. */
    private static final java.util.Set<String> METHODS = java.util.Set.of("GET", "HEAD", "POST", "PUT", "DELETE",
            "PATCH", "OPTIONS");

    /** The {@code method} label of a request: its method if a standard one, else {@code other}. */
    static String methodLabel(String method) {
        return METHODS.contains(method) ? method : "other";
    }

    /** @param method a label from {@link #methodLabel}, never a client's raw method */
    public void request(String route, String method, int status, long nanos) {
        String key = route + ' ' + method + ' ' + status;
        requests.computeIfAbsent(key, k -> Timer.builder("spendstream.ingest.http.requests")
                .description("HTTP requests by route, method and status")
                .tag("route", route).tag("method", method).tag("status", Integer.toString(status))
                .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    public String scrape() {
        return registry.scrape();
    }
}
