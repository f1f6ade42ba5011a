package io.spendstream.notifier.delivery;

import io.spendstream.notifier.channel.AlertChannel;
import io.spendstream.notifier.payload.Payloads;
import io.spendstream.schema.AlertDelivery;
import io.spendstream.schema.AlertKind;
import io.spendstream.schema.BudgetAlert;
import io.spendstream.schema.BudgetScope;
import io.spendstream.schema.DeliveryStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The test button: one signed request of a made-up alert (type {@code test}, id {@code test_…}) to a
 * channel, no retries, recorded in the channel's delivery log like any delivery (with {@code test=true})
 * and answered with the attempt's outcome.
 */
public final class TestDelivery {
    private final DeliveryScheduler scheduler;
    private final DeliveryWriter writer;
    private final Payloads payloads;

    public TestDelivery(DeliveryScheduler scheduler, DeliveryWriter writer, Payloads payloads) {
        this.scheduler = scheduler;
        this.writer = writer;
        this.payloads = payloads;
    }

    /** Completes with the recorded delivery (DELIVERED or FAILED, one attempt). */
    public CompletableFuture<AlertDelivery> send(AlertChannel channel) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        BudgetAlert alert = sample(channel.orgId(), now);
        AlertDelivery pending = AlertDelivery.newBuilder()
                .setOrgId(channel.orgId()).setAlertId(alert.getAlertId()).setChannelId(channel.id())
                .setKind(channel.kind()).setStatus(DeliveryStatus.PENDING)
                .setPayload(payloads.render(channel.kind(), alert, true, now))
                .setAlertAt(now).setTest(true).setAttempts(List.of()).build();
        return scheduler.send(channel, pending, now).thenCompose(r -> writer.write(AlertDelivery.newBuilder(pending)
                .setStatus(r.success() ? DeliveryStatus.DELIVERED : DeliveryStatus.FAILED)
                .setAttempts(List.of(r.toAvro())).build()));
    }

    private static BudgetAlert sample(String orgId, Instant now) {
        Instant start = now.truncatedTo(ChronoUnit.DAYS);
        return BudgetAlert.newBuilder()
                .setAlertId("test_" + UUID.randomUUID())
                .setOrgId(orgId).setBudgetId("test-budget").setScope(BudgetScope.ORG).setScopeValue(null)
                .setPeriodStart(start).setPeriodEnd(start.plus(Duration.ofDays(1)))
                .setThresholdPercent(80).setKind(AlertKind.THRESHOLD)
                .setSpendUsdNanos(80_000_000_000L).setLimitUsdNanos(100_000_000_000L)
                .setProjectedUsdNanos(96_000_000_000L).setTriggeredAt(now).setTriggerEventId(null)
                .build();
    }
}
