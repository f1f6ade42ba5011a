package io.spendstream.local.bench;

import io.spendstream.config.Settings;
import io.spendstream.embedded.EmbeddedKafka;
import io.spendstream.embedded.EmbeddedSchemaRegistry;
import io.spendstream.embedded.LoopbackPorts;
import io.spendstream.notifier.NotifierApp;
import io.spendstream.notifier.NotifierConfig;
import io.spendstream.notifier.channel.AlertChannel;
import io.spendstream.notifier.channel.ChannelCodec;
import io.spendstream.notifier.channel.ChannelFilter;
import io.spendstream.notifier.channel.SigningSecrets;
import io.spendstream.notifier.channel.UrlPolicy;
import io.spendstream.schema.AlertKind;
import io.spendstream.schema.BudgetAlert;
import io.spendstream.schema.BudgetScope;
import io.spendstream.schema.ChannelKind;
import io.spendstream.schemas.registry.SchemaRegistryClient;
import io.spendstream.schemas.registry.SchemaRegistryConfig;
import io.spendstream.schemas.topics.Topics;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Benchmark command (not a test) for the notifier: budget alert produced -> webhook request received.
 *
 * <p>Starts the broker, the registry and one notifier (loopback receivers allowed, every other setting its
 * default), gives each of {@code --channels} orgs one webhook channel to its own loopback receiver, the first
 * of which answers only after {@code --slow-ms}, then produces BudgetAlert records at {@code --rate} for
 * {@code --seconds}, round-robin over the orgs, so the slow receiver gets exactly one alert in
 * {@code --channels}. Each alert's produce time is its record timestamp and its {@code triggered_at}, which
 * the webhook body carries; each receiver checks the request's Standard Webhooks signature with its channel's
 * secret and measures produce -> arrival. Then it waits for the last deliveries (and 2 s for late repeats),
 * prints the figures and exits: status 1 if an alert was lost, repeated or badly signed.
 *
 * <p>Usage: {@code bin/bench notifier [--rate 100] [--channels 100] [--seconds 60] [--slow-ms 9000]}
 */
public final class NotifierBenchmark {
    /** One benchmark org's webhook channel and the receiver it points at. */
    private record Org(AlertChannel channel, WebhookReceiver receiver) {
        String orgId() {
            return channel.orgId();
        }
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("logback.configurationFile", "spendstream-tools-logback.xml");
        Map<String, String> a = BenchArgs.parse(args);
        int rate = Integer.parseInt(a.getOrDefault("rate", "100"));
        int channels = Integer.parseInt(a.getOrDefault("channels", "100"));
        int seconds = Integer.parseInt(a.getOrDefault("seconds", "60"));
        int slowMs = Integer.parseInt(a.getOrDefault("slow-ms", "9000"));
        if (channels < 2) {
            throw new IllegalArgumentException("--channels must be at least 2 (one slow, the others fast)");
        }
        System.out.printf("NotifierBenchmark: %d alerts/s for %d s over %d orgs with one webhook channel each;"
                        + " channel 1 answers after %d ms (1 alert in %d); %d CPUs, java %s; load average %s%n",
                rate, seconds, channels, slowMs, channels, Runtime.getRuntime().availableProcessors(),
                Runtime.version(), loadAverage());

        Path dir = Files.createTempDirectory("spendstream-notifier-bench-");
        int[] ports = LoopbackPorts.freePorts(2);
        DeliveryTally fast = new DeliveryTally();
        DeliveryTally slow = new DeliveryTally();
        List<Org> orgs = new ArrayList<>();
        boolean ok;
        try (ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
             EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), ports[0], ports[1]);
             EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(0);
             NotifierApp notifier = NotifierApp.start(NotifierConfig.from(Settings.of(Map.of(
                     NotifierConfig.BOOTSTRAP, kafka.bootstrapServers(),
                     SchemaRegistryConfig.URL, registry.confluentApiUrl(),
                     NotifierConfig.HTTP_HOST, "127.0.0.1",
                     NotifierConfig.HTTP_PORT, "0",
                     UrlPolicy.ALLOW_LOOPBACK, "true"))))) {
            var client = new SchemaRegistryClient(SchemaRegistryConfig.of(registry.confluentApiUrl()));
            try {
                for (int i = 0; i < channels; i++) {
                    orgs.add(org(i, i == 0 ? slowMs : 0, i == 0 ? slow : fast, handlers));
                }
                try (var producer = producer(kafka, Topics.CHANNELS.valueSerde(client).serializer())) {
                    for (Org o : orgs) {
                        producer.send(new ProducerRecord<>(Topics.CHANNELS.name(),
                                ChannelCodec.key(o.orgId(), o.channel().id()), ChannelCodec.toAvro(o.channel())));
                    }
                }
                awaitReady(notifier, channels);
                long sent;
                try (var producer = producer(kafka, Topics.BUDGET_ALERTS.valueSerde(client).serializer())) {
                    sent = produce(producer, orgs, rate, seconds, fast, slow);
                }
                long slowSent = (sent + channels - 1) / channels; // orgs.get(0) is first in every round
                drain(fast, sent - slowSent, slow, slowSent, slowMs);
                ok = report(fast, sent - slowSent, slow, slowSent, slowMs, channels);
            } finally {
                orgs.forEach(o -> o.receiver().close());
            }
        }
        System.exit(ok ? 0 : 1); // a library thread left behind must not keep a benchmark command running
    }

    private static Org org(int i, int answerAfterMs, DeliveryTally tally, ExecutorService handlers) {
        String orgId = String.format("bench-org-%03d", i + 1);
        SigningSecrets secrets = SigningSecrets.generate();
        WebhookReceiver receiver = new WebhookReceiver(SigningSecrets.key(secrets.current()), answerAfterMs, tally,
                handlers);
        Instant now = Instant.ofEpochMilli(System.currentTimeMillis());
        AlertChannel channel = new AlertChannel("ch_bench_" + (i + 1), orgId, ChannelKind.WEBHOOK, "bench",
                URI.create(receiver.url()), true, ChannelFilter.ALL, secrets, now, now);
        return new Org(channel, receiver);
    }

    /** Until the notifier owns its partitions and its channel table holds every benchmark channel. */
    private static void awaitReady(NotifierApp notifier, int channels) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!notifier.ready() || notifier.meters().get("spendstream.notifier.channels").gauge().value() < channels) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the notifier was not ready with " + channels + " channels in 90 s");
            }
            Thread.sleep(100);
        }
    }

    /** Sends the alerts at the rate, round-robin over the orgs; returns how many were sent. */
    private static long produce(KafkaProducer<String, BudgetAlert> producer, List<Org> orgs, int rate, int seconds,
                                DeliveryTally fast, DeliveryTally slow) throws InterruptedException {
        long start = System.nanoTime();
        long total = (long) rate * seconds;
        long nextPrint = start + 1_000_000_000L;
        for (long i = 0; i < total; i++) {
            sleepUntil(start + i * 1_000_000_000L / rate);
            String orgId = orgs.get((int) (i % orgs.size())).orgId();
            long now = System.currentTimeMillis();
            producer.send(new ProducerRecord<>(Topics.BUDGET_ALERTS.name(), null, now, orgId, alert(orgId, i, now)));
            if (System.nanoTime() >= nextPrint) {
                nextPrint += 1_000_000_000L;
                System.out.printf("\r  sent %,d, received %,d; fast channels p99 %d ms      ", i + 1,
                        fast.received() + slow.received(), fast.arrival().p99());
            }
        }
        producer.flush();
        System.out.println();
        return total;
    }

    /**
     * Until every alert arrived and was answered (the slow ones take {@code slowMs}), at most that plus 60 s,
     * then 2 s more: a repeat (a retry after a lost answer) would come a backoff after the attempt.
     */
    private static void drain(DeliveryTally fast, long fastSent, DeliveryTally slow, long slowSent, int slowMs)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMillis(slowMs).plusSeconds(60).toNanos();
        while (!(fast.settled(fastSent) && slow.settled(slowSent)) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        Thread.sleep(2000);
    }

    private static boolean report(DeliveryTally fast, long fastSent, DeliveryTally slow, long slowSent, int slowMs,
                                  int channels) {
        long sent = fastSent + slowSent;
        long received = fast.received() + slow.received();
        long duplicates = fast.duplicates() + slow.duplicates();
        long badSignatures = fast.badSignatures() + slow.badSignatures();
        DeliveryTally.Figures f = fast.arrival();
        System.out.printf("  alerts sent %,d, received %,d (distinct), duplicates %d, bad signatures %d%n", sent,
                received, duplicates, badSignatures);
        System.out.printf("  %d fast channels, %,d of %,d alerts: produced -> webhook received p50 %d ms, p99 %d ms,"
                        + " max %d ms (target p99 <= 1000 ms: %s)%n", channels - 1, fast.received(), fastSent,
                f.p50(), f.p99(), f.max(), f.p99() <= 1000 && fast.received() == fastSent ? "met" : "MISSED");
        System.out.printf("  slow channel (answers after %d ms), %,d of %,d alerts: produced -> webhook received"
                        + " p50 %d ms, p99 %d ms, max %d ms; -> answered p50 %d ms, p99 %d ms, max %d ms%n", slowMs,
                slow.received(), slowSent, slow.arrival().p50(), slow.arrival().p99(), slow.arrival().max(),
                slow.answered().p50(), slow.answered().p99(), slow.answered().max());
        System.out.printf("  (the slow channel is reported apart: it gets exactly 1 alert in %d, so counted to its"
                + " answer a p99 over all alerts would be its %d ms, not the notifier's latency)%n",
                channels, slowMs);
        System.out.printf("  load average at the end %s%n", loadAverage());
        return received == sent && duplicates == 0 && badSignatures == 0;
    }

    private static BudgetAlert alert(String orgId, long n, long nowMillis) {
        return BudgetAlert.newBuilder().setAlertId(UUID.randomUUID().toString()).setOrgId(orgId)
                .setBudgetId("monthly").setScope(BudgetScope.ORG).setScopeValue(null)
                .setPeriodStart(Instant.parse("2026-11-01T00:00:00Z")).setPeriodEnd(Instant.parse("2026-12-01T00:00:00Z"))
                .setThresholdPercent(80).setKind(AlertKind.THRESHOLD).setSpendUsdNanos(80_000_000_000L)
                .setLimitUsdNanos(100_000_000_000L).setProjectedUsdNanos(96_000_000_000L)
                .setTriggeredAt(Instant.ofEpochMilli(nowMillis)) // the produce time, which the webhook body carries
                .setTriggerEventId("bench-" + n).build();
    }

    private static <V> KafkaProducer<String, V> producer(EmbeddedKafka kafka, Serializer<V> values) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        return new KafkaProducer<>(p, new StringSerializer(), values);
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long wait = nanoTime - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(Duration.ofNanos(wait)); // sleeping, not spinning: the broker and notifier share 2 cores
        }
    }

    /** The 1, 5 and 15 minute load averages of this machine, to print with the figures. */
    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }
}
