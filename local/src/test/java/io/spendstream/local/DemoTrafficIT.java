package io.spendstream.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spendstream.config.Settings;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./run-local --demo} against the real pipeline on free ports: the demo's traffic is accepted, its
 * budgets fire alerts for every org (on the topic, and the same ones in the alerts API), and what it prints
 * (progress, alerts, spend per feature) agrees with the query API.
 */
class DemoTrafficIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDir;

    @Test
    void shouldParseTheDemoOptionsAndRefuseUnknownOnes() {
        assertThat(RunOptions.parse()).isEqualTo(new RunOptions(false, false, Duration.ofSeconds(60)));
        assertThat(RunOptions.parse("--demo")).isEqualTo(new RunOptions(false, true, Duration.ofSeconds(60)));
        assertThat(RunOptions.parse("--demo", "--demo-seconds", "45"))
                .isEqualTo(new RunOptions(false, true, Duration.ofSeconds(45)));
        assertThat(RunOptions.parse("--demo-seconds=5").demoDuration()).isEqualTo(Duration.ofSeconds(5));
        assertThat(RunOptions.parse("--help").help()).isTrue();
        assertThatThrownBy(() -> RunOptions.parse("--demo", "--fast")).hasMessageContaining("unknown option '--fast'");
        assertThatThrownBy(() -> RunOptions.parse("--demo-seconds")).hasMessageContaining("needs a number");
        assertThatThrownBy(() -> RunOptions.parse("--demo-seconds", "0")).hasMessageContaining("from 1 to 3600");
        assertThatThrownBy(() -> RunOptions.parse("--demo-seconds", "ten")).hasMessageContaining("from 1 to 3600");
    }

    @Test
    void shouldSendTrafficFireAlertsForEveryOrgAndPrintSpendThatMatchesTheQueryApi() throws Exception {
        Settings settings = Settings.of(LocalConfig.onFreePorts(dataDir));
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(new Tee(printed, System.out), true, StandardCharsets.UTF_8);
        try (LocalPipeline p = LocalPipeline.start(LocalConfig.from(settings), settings)) {
            DemoTraffic.Result r = DemoTraffic.run(p, dataDir, Duration.ofSeconds(20), out);
            String text = printed.toString(StandardCharsets.UTF_8);

            assertThat(r.eventsAccepted()).isPositive();
            assertThat(r.requestsFailed()).as("failed requests").isZero();
            assertThat(r.eventsRejected()).as("rejected events").isZero();
            assertThat(r.orgs()).containsOnlyKeys("demo", "demo-globex", "demo-initech");
            assertThat(r.budgets()).hasSize(9);
            // The keys are kept in the data directory (a second run reuses them).
            assertThat(dataDir.resolve("demo-api-key")).exists();
            assertThat(dataDir.resolve("demo-globex-api-key")).hasContent(r.orgs().get("demo-globex").apiKey());

            HttpClient http = HttpClient.newHttpClient();
            LocalDate today = LocalDate.ofInstant(r.start(), ZoneOffset.UTC);
            long eventsInApi = 0;
            for (var org : r.orgs().values()) {
                List<DemoTraffic.Alert> topic = r.alerts().stream().filter(a -> a.orgId().equals(org.orgId())).toList();
                assertThat(topic).as("THRESHOLD alerts of %s", org.orgId())
                        .anyMatch(a -> a.kind().equals("THRESHOLD"));
                // Every alert is consistent with its budget: spend reached the threshold of the limit.
                assertThat(topic).filteredOn(a -> !a.kind().equals("FORECAST")).allSatisfy(a ->
                        assertThat(new BigDecimal(a.spendUsd()).multiply(BigDecimal.valueOf(100)))
                                .isGreaterThanOrEqualTo(new BigDecimal(a.limitUsd())
                                        .multiply(BigDecimal.valueOf(a.thresholdPercent()))));

                // The alerts API lists the same alerts as the topic.
                JsonNode listed = get(http, p, org.apiKey(), "/v1/alerts?since=" + r.start());
                List<String> ids = new ArrayList<>();
                listed.path("alerts").forEach(a -> ids.add(a.path("alert_id").asText()));
                assertThat(ids).containsExactlyInAnyOrderElementsOf(topic.stream().map(DemoTraffic.Alert::alertId).toList());
                assertThat(r.apiAlertIds().get(org.orgId())).containsExactlyInAnyOrderElementsOf(ids);

                // The spend per feature the demo printed is the spend API's, per feature and in all.
                String day = "from=" + today + "T00:00:00Z&to=" + today.plusDays(1) + "T00:00:00Z&granularity=day";
                Map<String, BigDecimal> perFeature = new TreeMap<>();
                get(http, p, org.apiKey(), "/v1/spend?" + day + "&group_by=feature").path("rows").forEach(row ->
                        perFeature.merge(row.path("feature").asText(), new BigDecimal(row.path("cost_usd").asText()),
                                BigDecimal::add));
                BigDecimal total = BigDecimal.ZERO;
                for (JsonNode row : get(http, p, org.apiKey(), "/v1/spend?" + day).path("rows")) {
                    total = total.add(new BigDecimal(row.path("cost_usd").asText()));
                    eventsInApi += row.path("events").asLong();
                }
                List<DemoTraffic.FeatureSpend> shown = r.spendToday().get(org.orgId());
                assertThat(shown).extracting(DemoTraffic.FeatureSpend::feature)
                        .containsExactlyInAnyOrder("agent", "chat", "search", "summarize");
                Map<String, BigDecimal> shownPerFeature = new TreeMap<>();
                shown.forEach(f -> shownPerFeature.put(f.feature(), f.costUsd()));
                assertThat(shownPerFeature).isEqualTo(perFeature);
                assertThat(shown.stream().map(DemoTraffic.FeatureSpend::costUsd).reduce(BigDecimal.ZERO, BigDecimal::add))
                        .isEqualByComparingTo(total);
                for (DemoTraffic.FeatureSpend f : shown) {
                    assertThat(text).containsPattern("(?m)^  " + org.orgId() + " +" + f.feature() + " +[0-9,]+ +"
                            + java.util.regex.Pattern.quote(DemoTraffic.usd(f.costUsd())) + "$");
                }
                assertThat(text).containsPattern("(?m)^  " + org.orgId() + " +\\(all\\) +[0-9,]+ +"
                        + java.util.regex.Pattern.quote(DemoTraffic.usd(total)) + "$");
            }
            assertThat(eventsInApi).as("every accepted event is in the spend API").isEqualTo(r.eventsAccepted());

            // The first org's alerts reached the demo's loopback receiver through the notifier, signed.
            List<String> demoAlertIds = r.alerts().stream().filter(a -> a.orgId().equals("demo"))
                    .map(DemoTraffic.Alert::alertId).toList();
            assertThat(r.webhookDeliveries()).as("webhook deliveries to the demo receiver").isNotEmpty()
                    .allSatisfy(d -> {
                        assertThat(d.signatureValid()).as("signature of %s", d.webhookId()).isTrue();
                        assertThat(d.webhookId()).isIn(demoAlertIds);
                        assertThat(d.type()).startsWith("budget.alert.");
                    });
            assertThat(text).containsPattern("(?m)^Webhook deliveries: " + r.webhookDeliveries().size() + " of demo's "
                    + demoAlertIds.size() + " alerts landed at http://127\\.0\\.0\\.1:\\d+/demo-webhook \\("
                    + r.webhookDeliveries().size() + " with a valid Standard Webhooks signature\\); the log is at GET "
                    + java.util.regex.Pattern.quote(p.apiUrl()) + "/v1/channels/ch_[\\w-]+/deliveries");

            assertThat(text).containsPattern("\r +\\d+ s of 20 +events accepted +[0-9,]+ +requests failed 0 +alerts \\d+");
            assertThat(text).containsPattern("(?m)^ALERT demo(-globex|-initech)? +daily-(org|chat)-\\d{6} +THRESHOLD +"
                    + "(50|80)% +spend \\$[0-9,.]+ of \\$[0-9,.]+");
            assertThat(text).contains("Demo done. The pipeline keeps running");
            assertThat(text.indexOf("Webhook deliveries: ")).as("the webhook is part of the closing summary")
                    .isBetween(0, text.indexOf("Demo done."));
        }
    }

    private static JsonNode get(HttpClient http, LocalPipeline p, String key, String pathAndQuery) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(p.apiUrl() + pathAndQuery))
                .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("%s: %s", pathAndQuery, r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    /** Keeps what the demo prints and shows it in the test output too. */
    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public synchronized void write(int c) throws java.io.IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public synchronized void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }

        @Override
        public synchronized void flush() throws java.io.IOException {
            a.flush();
            b.flush();
        }
    }
}
