package io.spendstream.notifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spendstream.config.Settings;
import io.spendstream.embedded.EmbeddedSchemaRegistry;
import io.spendstream.embedded.KafkaTestCluster;
import io.spendstream.embedded.NodePackages;
import io.spendstream.notifier.channel.AlertChannel;
import io.spendstream.notifier.channel.ChannelCodec;
import io.spendstream.notifier.channel.ChannelFilter;
import io.spendstream.notifier.channel.SigningSecrets;
import io.spendstream.notifier.channel.UrlPolicy;
import io.spendstream.schema.AlertKind;
import io.spendstream.schema.BudgetAlert;
import io.spendstream.schema.BudgetScope;
import io.spendstream.schema.Channel;
import io.spendstream.schema.ChannelKind;
import io.spendstream.schemas.registry.SchemaRegistryClient;
import io.spendstream.schemas.registry.SchemaRegistryConfig;
import io.spendstream.schemas.topics.TopicCatalog;
import io.spendstream.schemas.topics.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The notifier against a real broker, the registry and real HTTP receivers on loopback: signatures checked
 * by the Standard Webhooks reference library, retries with Retry-After, isolation of a dead endpoint, the
 * Slack and Teams payload shapes, and a kill -9 of a notifier process during a retry.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class NotifierIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static Map<String, String> settings;
    private static NotifierApp notifier;
    private static KafkaProducer<String, Channel> channels;
    private static KafkaProducer<String, BudgetAlert> alerts;
    private static String channelsTopic;
    private static String alertsTopic;

    @BeforeAll
    static void start() {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        channelsTopic = "channels-" + suffix;
        alertsTopic = "budget-alerts-" + suffix;
        settings = settings(suffix, "notifier-it-" + suffix);
        notifier = NotifierApp.start(NotifierConfig.from(Settings.of(settings)));
        var registry = new SchemaRegistryClient(SchemaRegistryConfig.of(EmbeddedSchemaRegistry.shared().confluentApiUrl()));
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestCluster.shared().bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        channels = new KafkaProducer<>(p, new StringSerializer(), Topics.CHANNELS.valueSerde(registry).serializer());
        alerts = new KafkaProducer<>(p, new StringSerializer(), Topics.BUDGET_ALERTS.valueSerde(registry).serializer());
        await().atMost(Duration.ofSeconds(60)).until(notifier::ready);
    }

    static Map<String, String> settings(String suffix, String group) {
        Map<String, String> m = new HashMap<>();
        m.put(NotifierConfig.BOOTSTRAP, KafkaTestCluster.shared().bootstrapServers());
        m.put(SchemaRegistryConfig.URL, EmbeddedSchemaRegistry.shared().confluentApiUrl());
        m.put(NotifierConfig.HTTP_HOST, "127.0.0.1");
        m.put(NotifierConfig.HTTP_PORT, "0");
        m.put(NotifierConfig.GROUP_ID, group);
        m.put(NotifierConfig.TOPIC_ALERTS, "budget-alerts-" + suffix);
        m.put(NotifierConfig.TOPIC_CHANNELS, "channels-" + suffix);
        m.put(NotifierConfig.TOPIC_DELIVERIES, "alert-deliveries-" + suffix);
        m.put(NotifierConfig.PARTITIONS, "2");
        m.put(NotifierConfig.RETRY_INITIAL, "200ms");
        m.put(NotifierConfig.RETRY_MAX, "2s");
        m.put(NotifierConfig.CONNECT_TIMEOUT, "1s");
        m.put(NotifierConfig.REQUEST_TIMEOUT, "3s");
        m.put(NotifierConfig.PUBLIC_URL, "https://spend.example.com");
        m.put(UrlPolicy.ALLOW_LOOPBACK, "true");
        return m;
    }

    @AfterAll
    static void stop() {
        if (notifier != null) {
            notifier.close();
        }
        if (channels != null) {
            channels.close();
            alerts.close();
        }
    }

    @Test
    void shouldSignEveryRequestSoTheReferenceLibraryVerifiesItAndRefusesAWrongSecret(@TempDir Path tmp)
            throws Exception {
        NodePackages node = NodePackages.prepare("standard-webhooks", Map.of("standardwebhooks", "1.1.1"), tmp);
        try (Receiver receiver = new Receiver(r -> Receiver.Answer.ok())) {
            AlertChannel ch = webhook("org-sig", receiver.url("/hooks/spend?x=1"));
            BudgetAlert alert = alert("org-sig", "b1", AlertKind.THRESHOLD, 80);
            send(alert);
            await().atMost(Duration.ofSeconds(20)).until(() -> receiver.requestsFor(alert.getAlertId()).size() == 1);
            Receiver.Request r = receiver.requestsFor(alert.getAlertId()).getFirst();
            assertThat(r.header("webhook-signature")).startsWith("v1,");
            assertThat(r.header("content-type")).isEqualTo("application/json");
            JsonNode body = JSON.readTree(r.body());
            assertThat(body.get("type").asText()).isEqualTo("budget.alert.threshold");
            assertThat(body.at("/data/alert_id").asText()).isEqualTo(alert.getAlertId());
            assertThat(body.at("/data/spend_usd").asText()).isEqualTo("80.000000000");
            assertThat(body.at("/data/status_url").asText()).isEqualTo("https://spend.example.com/v1/budgets/b1/status");

            Assumptions.assumeTrue(node.skipReason() == null, node::skipReason);
            assertThat(verify(node, tmp, ch.secrets().current(), r)).isEqualTo("ok");
            assertThat(verify(node, tmp, SigningSecrets.generate().current(), r)).startsWith("fail");
        }
    }

    private static String verify(NodePackages node, Path tmp, String secret, Receiver.Request r) throws Exception {
        Path input = Files.createTempFile(tmp, "requests", ".json");
        var req = JSON.createObjectNode();
        req.set("headers", JSON.valueToTree(Map.of("webhook-id", r.header("webhook-id"),
                "webhook-timestamp", r.header("webhook-timestamp"), "webhook-signature", r.header("webhook-signature"))));
        req.put("body", r.body());
        var root = JSON.createObjectNode().put("secret", secret);
        root.putArray("requests").add(req);
        Files.writeString(input, root.toString());
        NodePackages.Result result = NodePackages.run(tmp, List.of("node",
                Path.of("src/test/node/verify-webhook.mjs").toAbsolutePath().toString(), input.toString()), null,
                Map.of("WEBHOOK_MODULES", node.modulesDir().toString()), Duration.ofMinutes(1));
        assertThat(result.ok()).as("node: %s", result.stderr()).isTrue();
        return result.stdout().strip();
    }

    @Test
    void shouldRetryA503AfterItsRetryAfterAndDeliverOnceWithTheSameWebhookId() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (Receiver receiver = new Receiver(r -> calls.incrementAndGet() == 1
                ? new Receiver.Answer(503, Map.of("Retry-After", "2"), 0) : Receiver.Answer.ok())) {
            AlertChannel ch = webhook("org-retry", receiver.url("/hook"));
            BudgetAlert alert = alert("org-retry", "b1", AlertKind.EXCEEDED, 100);
            send(alert);
            await().atMost(Duration.ofSeconds(30)).until(() -> delivery(ch, alert).path("status").asText().equals("delivered"));
            List<Receiver.Request> got = receiver.requestsFor(alert.getAlertId());
            assertThat(got).hasSize(2);
            assertThat(got.get(1).receivedAtMillis() - got.get(0).receivedAtMillis())
                    .as("Retry-After: 2 honoured over the 200 ms backoff").isGreaterThanOrEqualTo(1900);
            JsonNode d = delivery(ch, alert);
            assertThat(d.path("attempts")).hasSize(2);
            assertThat(d.at("/attempts/0/status_code").asInt()).isEqualTo(503);
            assertThat(d.at("/attempts/0/response_excerpt").asText()).isEqualTo("answer 503");
            assertThat(d.at("/attempts/1/status_code").asInt()).isEqualTo(200);
            Thread.sleep(1000);
            assertThat(receiver.requestsFor(alert.getAlertId())).hasSize(2);
        }
    }

    @Test
    void shouldEndADeliveryOnA4xxWithoutRetrying() throws Exception {
        try (Receiver receiver = new Receiver(r -> new Receiver.Answer(410, Map.of(), 0))) {
            AlertChannel ch = webhook("org-gone", receiver.url("/hook"));
            BudgetAlert alert = alert("org-gone", "b1", AlertKind.THRESHOLD, 50);
            send(alert);
            await().atMost(Duration.ofSeconds(20)).until(() -> delivery(ch, alert).path("status").asText().equals("failed"));
            Thread.sleep(1000);
            assertThat(receiver.requestsFor(alert.getAlertId())).hasSize(1);
        }
    }

    @Test
    void shouldNotLetADeadEndpointOfOneOrgDelayAnotherOrg() throws Exception {
        try (Receiver dead = new Receiver(r -> new Receiver.Answer(200, Map.of(), 60_000));
             Receiver alive = new Receiver(r -> Receiver.Answer.ok())) {
            webhook("org-dead", dead.url("/hook"));
            webhook("org-alive", alive.url("/hook"));
            for (int i = 0; i < 40; i++) {
                send(alert("org-dead", "b" + i, AlertKind.THRESHOLD, 50));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> dead.requests().size() >= 5);
            BudgetAlert b = alert("org-alive", "b1", AlertKind.THRESHOLD, 50);
            long sent = System.currentTimeMillis();
            send(b);
            await().atMost(Duration.ofSeconds(20)).until(() -> alive.requestsFor(b.getAlertId()).size() == 1);
            assertThat(alive.requestsFor(b.getAlertId()).getFirst().receivedAtMillis() - sent)
                    .as("org B's alert is not queued behind org A's dead endpoint").isLessThan(1500);
        }
    }

    @Test
    void shouldSendSlackBlockKitAndTeamsAdaptiveCards() throws Exception {
        try (Receiver slack = new Receiver(r -> Receiver.Answer.ok());
             Receiver teams = new Receiver(r -> Receiver.Answer.ok())) {
            channel("org-chat", ChannelKind.SLACK, slack.url("/services/T000/B000/XXXX"), ChannelFilter.ALL);
            channel("org-chat", ChannelKind.TEAMS, teams.url("/workflows/abc"), ChannelFilter.ALL);
            BudgetAlert alert = alert("org-chat", "monthly", AlertKind.FORECAST, 100);
            send(alert);
            await().atMost(Duration.ofSeconds(20)).until(() -> slack.requests().size() == 1 && teams.requests().size() == 1);

            JsonNode s = JSON.readTree(slack.requests().getFirst().body());
            assertThat(s.get("text").asText()).contains("monthly").contains("$80.000000000 of $100.000000000");
            assertThat(s.at("/blocks/0/type").asText()).isEqualTo("header");
            assertThat(s.at("/blocks/0/text/type").asText()).isEqualTo("plain_text");
            assertThat(s.at("/blocks/1/type").asText()).isEqualTo("section");
            List<String> fields = new ArrayList<>();
            s.at("/blocks/1/fields").forEach(f -> {
                assertThat(f.get("type").asText()).isEqualTo("mrkdwn");
                fields.add(f.get("text").asText());
            });
            assertThat(fields).hasSizeLessThanOrEqualTo(10)
                    .contains("*Org*\norg-chat", "*Used*\n80.0%", "*Forecast*\n$96.000000000 projected by the period end");
            assertThat(s.at("/blocks/2/type").asText()).isEqualTo("actions");
            assertThat(s.at("/blocks/2/elements/0/type").asText()).isEqualTo("button");
            assertThat(s.at("/blocks/2/elements/0/url").asText()).endsWith("/v1/budgets/monthly/status");
            assertThat(slack.requests().getFirst().header("webhook-signature")).isNull();

            JsonNode t = JSON.readTree(teams.requests().getFirst().body());
            assertThat(t.get("type").asText()).isEqualTo("message");
            assertThat(t.at("/attachments/0/contentType").asText()).isEqualTo("application/vnd.microsoft.card.adaptive");
            JsonNode card = t.at("/attachments/0/content");
            assertThat(card.get("type").asText()).isEqualTo("AdaptiveCard");
            assertThat(card.get("version").asText()).isEqualTo("1.4");
            assertThat(card.at("/body/0/type").asText()).isEqualTo("TextBlock");
            assertThat(card.at("/body/0/text").asText()).contains("forecast to exceed");
            assertThat(card.at("/body/1/type").asText()).isEqualTo("FactSet");
            assertThat(card.at("/body/1/facts/0/title").asText()).isEqualTo("Org");
            assertThat(card.at("/actions/0/type").asText()).isEqualTo("Action.OpenUrl");
        }
    }

    @Test
    void shouldApplyTheChannelFilter() throws Exception {
        try (Receiver receiver = new Receiver(r -> Receiver.Answer.ok())) {
            webhook("org-filter", receiver.url("/hook"), new ChannelFilter(Set.of(), Set.of(BudgetScope.ORG),
                    Set.of(AlertKind.THRESHOLD, AlertKind.EXCEEDED), 80));
            BudgetAlert low = alert("org-filter", "b1", AlertKind.THRESHOLD, 50);
            BudgetAlert forecast = alert("org-filter", "b1", AlertKind.FORECAST, 100);
            BudgetAlert high = alert("org-filter", "b1", AlertKind.THRESHOLD, 90);
            send(low);
            send(forecast);
            send(high);
            await().atMost(Duration.ofSeconds(20)).until(() -> receiver.requestsFor(high.getAlertId()).size() == 1);
            assertThat(receiver.requests()).hasSize(1);
        }
    }

    @Test
    void shouldDeliverAfterAKillDuringARetryAndNeverRepeatADeliveredAlert(@TempDir Path tmp) throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> env = settings(suffix, "notifier-kill-" + suffix);
        env.put(NotifierConfig.HTTP_PORT, "0");
        String ownChannels = env.get(NotifierConfig.TOPIC_CHANNELS);
        String ownAlerts = env.get(NotifierConfig.TOPIC_ALERTS);
        try (var admin = KafkaTestCluster.shared().admin()) { // the child creates them too; the test writes first
            TopicCatalog.ensureTopics(admin, List.of(Topics.BUDGET_ALERTS.withName(ownAlerts),
                    Topics.CHANNELS.withName(ownChannels),
                    Topics.ALERT_DELIVERIES.withName(env.get(NotifierConfig.TOPIC_DELIVERIES))), 2, (short) 1,
                    Duration.ofSeconds(30));
        }
        AtomicInteger retryCalls = new AtomicInteger();
        try (Receiver receiver = new Receiver(r -> r.body().contains("\"budget_id\":\"retried\"")
                && retryCalls.incrementAndGet() == 1 ? new Receiver.Answer(503, Map.of("Retry-After", "4"), 0)
                : Receiver.Answer.ok())) {
            AlertChannel ch = channelRecord("org-kill", ChannelKind.WEBHOOK, receiver.url("/hook"), ChannelFilter.ALL);
            channels.send(new ProducerRecord<>(ownChannels, ChannelCodec.key(ch.orgId(), ch.id()), ChannelCodec.toAvro(ch))).get();
            Process first = startProcess(env, tmp.resolve("first.log"));
            try {
                BudgetAlert delivered = alert("org-kill", "delivered", AlertKind.THRESHOLD, 50);
                alerts.send(new ProducerRecord<>(ownAlerts, delivered.getOrgId(), delivered)).get();
                await().atMost(Duration.ofSeconds(90)).until(() -> receiver.requestsFor(delivered.getAlertId()).size() == 1);
                BudgetAlert retried = alert("org-kill", "retried", AlertKind.THRESHOLD, 50);
                alerts.send(new ProducerRecord<>(ownAlerts, retried.getOrgId(), retried)).get();
                await().atMost(Duration.ofSeconds(30)).until(() -> receiver.requestsFor(retried.getAlertId()).size() == 1);
                Thread.sleep(500); // the 503's PENDING record (next attempt in 4 s) is written
                first.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, nothing flushed
                assertThat(receiver.requestsFor(retried.getAlertId())).hasSize(1);

                Process second = startProcess(env, tmp.resolve("second.log"));
                try {
                    await().atMost(Duration.ofSeconds(90)).until(() -> receiver.requestsFor(retried.getAlertId()).size() == 2);
                    Receiver.Request again = receiver.requestsFor(retried.getAlertId()).get(1);
                    assertThat(again.header("webhook-id")).isEqualTo(retried.getAlertId());
                    Thread.sleep(3000);
                    assertThat(receiver.requestsFor(retried.getAlertId())).hasSize(2);
                    assertThat(receiver.requestsFor(delivered.getAlertId())).as("a delivered alert is not sent again")
                            .hasSize(1);
                } finally {
                    second.destroyForcibly().waitFor();
                }
            } finally {
                first.destroyForcibly();
            }
        }
    }

    private static Process startProcess(Map<String, String> env, Path log) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), NotifierApp.class.getName());
        pb.environment().putAll(env);
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        return pb.start();
    }

    // ---- helpers ---------------------------------------------------------------------------------------

    private static AlertChannel webhook(String org, String url) throws Exception {
        return webhook(org, url, ChannelFilter.ALL);
    }

    private static AlertChannel webhook(String org, String url, ChannelFilter filter) throws Exception {
        return channel(org, ChannelKind.WEBHOOK, url, filter);
    }

    private static AlertChannel channelRecord(String org, ChannelKind kind, String url, ChannelFilter filter) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        return new AlertChannel("ch_" + UUID.randomUUID().toString().replace("-", ""), org, kind, "test",
                URI.create(url), true, filter, kind == ChannelKind.WEBHOOK ? SigningSecrets.generate() : null, now, now);
    }

    /** Writes a channel and waits until the notifier knows it. */
    private static AlertChannel channel(String org, ChannelKind kind, String url, ChannelFilter filter) throws Exception {
        AlertChannel ch = channelRecord(org, kind, url, filter);
        channels.send(new ProducerRecord<>(channelsTopic, ChannelCodec.key(org, ch.id()), ChannelCodec.toAvro(ch))).get();
        await().atMost(Duration.ofSeconds(20)).until(() -> internal(ch, "").statusCode() == 200);
        return ch;
    }

    private static BudgetAlert alert(String org, String budget, AlertKind kind, int threshold) {
        Instant start = Instant.parse("2026-11-01T00:00:00Z");
        return BudgetAlert.newBuilder().setAlertId(UUID.randomUUID().toString()).setOrgId(org).setBudgetId(budget)
                .setScope(BudgetScope.ORG).setScopeValue(null).setPeriodStart(start)
                .setPeriodEnd(Instant.parse("2026-12-01T00:00:00Z")).setThresholdPercent(threshold).setKind(kind)
                .setSpendUsdNanos(80_000_000_000L).setLimitUsdNanos(100_000_000_000L)
                .setProjectedUsdNanos(96_000_000_000L).setTriggeredAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
                .setTriggerEventId("e1").build();
    }

    private static void send(BudgetAlert a) throws Exception {
        alerts.send(new ProducerRecord<>(alertsTopic, a.getOrgId(), a)).get();
    }

    private static HttpResponse<String> internal(AlertChannel ch, String query) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + notifier.opsPort()
                + "/internal/channels/" + ch.orgId() + "/" + ch.id() + "/deliveries" + query)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The channel's delivery of the alert as the log shows it, or an empty node. */
    private static JsonNode delivery(AlertChannel ch, BudgetAlert alert) throws Exception {
        for (JsonNode d : JSON.readTree(internal(ch, "?limit=100").body()).path("deliveries")) {
            if (d.path("alert_id").asText().equals(alert.getAlertId())) {
                return d;
            }
        }
        return JSON.createObjectNode();
    }
}
