package io.spendstream.notifier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.spendstream.schema.ChannelKind;
import io.spendstream.schema.DeliveryStatus;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The notifier's metrics: deliveries finished by channel kind and outcome, attempts by kind and result
 * (success, retry, final), alerts skipped as older than the horizon, the age of the oldest pending delivery,
 * and the alert → delivered latency histogram (from the alert record's timestamp to the 2xx).
 */
public final class NotifierMetrics {
    private final PrometheusMeterRegistry registry;

    public NotifierMetrics(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    public void finished(ChannelKind kind, DeliveryStatus outcome) {
        Counter.builder("spendstream.notifier.deliveries").description("Deliveries finished, by channel kind and outcome")
                .tag("kind", name(kind)).tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                .register(registry).increment();
    }

    /** @param result success, retry (a later attempt is due) or final (failed, expired) */
    public void attempt(ChannelKind kind, String result) {
        Counter.builder("spendstream.notifier.attempts").description("Requests sent to channels, by kind and result")
                .tag("kind", name(kind)).tag("result", result).register(registry).increment();
    }

    public void delivered(Duration sinceAlert) {
        Timer.builder("spendstream.notifier.alert.to.delivered")
                .description("From the alert record's timestamp to the receiver's 2xx")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(5))
                .maximumExpectedValue(Duration.ofHours(24)).register(registry).record(sinceAlert);
    }

    public void tooOld() {
        Counter.builder("spendstream.notifier.alerts.too.old")
                .description("Alerts read after the retry horizon had passed, recorded as expired, never sent")
                .register(registry).increment();
    }

    public void oldestPendingSeconds(Supplier<Number> seconds) {
        Gauge.builder("spendstream.notifier.oldest.pending.age.seconds", seconds)
                .description("Age of the oldest pending delivery's alert; 0 when none is pending").register(registry);
    }

    public void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).register(registry);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    private static String name(ChannelKind kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }
}
