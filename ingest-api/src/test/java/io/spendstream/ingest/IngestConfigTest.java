package io.spendstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spendstream.config.ConfigException;
import io.spendstream.config.Settings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IngestConfigTest {
    @Test
    void defaultsMatchTheContract() {
        IngestConfig c = IngestConfig.from(Settings.of(Map.of()));
        assertThat(c.httpPort()).isEqualTo(8080);
        assertThat(c.maxEventsPerRequest()).isEqualTo(1000);
        assertThat(c.maxBodyBytes()).isEqualTo(1024 * 1024);
        assertThat(c.maxFuture()).isEqualTo(Duration.ofHours(24));
        assertThat(c.usageEventsTopic()).isEqualTo("usage-events");
        assertThat(c.apiKeysTopic()).isEqualTo("api-keys");
        assertThat(c.orgsTopic()).isEqualTo("orgs");
        assertThat(c.adminToken()).isNull();
        assertThat(c.deliveryTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.budgetsTopic()).isEqualTo("budgets");
        assertThat(c.maxBudgetsPerOrg()).isEqualTo(100);
        assertThat(c.processorUrl()).isEqualTo("http://127.0.0.1:8083");
        assertThat(c.processorTimeout()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void budgetSettingsAreParsedAndInvalidOnesNameTheKey() {
        IngestConfig c = IngestConfig.from(Settings.of(Map.of(IngestConfig.TOPIC_BUDGETS, "prod.budgets",
                IngestConfig.MAX_BUDGETS, "7", IngestConfig.PROCESSOR_URL, "https://processor.internal:9443/base/",
                IngestConfig.PROCESSOR_TIMEOUT, "750ms")));
        assertThat(c.budgetsTopic()).isEqualTo("prod.budgets");
        assertThat(c.maxBudgetsPerOrg()).isEqualTo(7);
        assertThat(c.processorBaseUrl()).isEqualTo("https://processor.internal:9443/base");
        assertThat(c.processorTimeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(c.withHttpPort(1234).processorUrl()).isEqualTo(c.processorUrl());
        for (String url : new String[] {"127.0.0.1:8083", "ftp://processor:21", "http://", "http://h:1/?q=1", "not a url"}) {
            assertThatThrownBy(() -> IngestConfig.from(Settings.of(Map.of(IngestConfig.PROCESSOR_URL, url))))
                    .as(url).isInstanceOf(ConfigException.class).hasMessageContaining(IngestConfig.PROCESSOR_URL);
        }
        assertThatThrownBy(() -> IngestConfig.from(Settings.of(Map.of(IngestConfig.MAX_BUDGETS, "0"))))
                .hasMessageContaining(IngestConfig.MAX_BUDGETS);
        assertThatThrownBy(() -> IngestConfig.from(Settings.of(Map.of(IngestConfig.MAX_BUDGETS, "10001"))))
                .hasMessageContaining(IngestConfig.MAX_BUDGETS);
        assertThatThrownBy(() -> IngestConfig.from(Settings.of(Map.of(IngestConfig.PROCESSOR_TIMEOUT, "soon"))))
                .hasMessageContaining(IngestConfig.PROCESSOR_TIMEOUT);
        assertThatThrownBy(() -> IngestConfig.from(Settings.of(Map.of(IngestConfig.TOPIC_BUDGETS, "bad|topic"))))
                .hasMessageContaining(IngestConfig.TOPIC_BUDGETS);
    }

    @Test
    void keysListsEverySettingWithTheSpendstreamPrefix() {
        assertThat(IngestConfig.keys()).allMatch(k -> k.startsWith("SPENDSTREAM_"))
                .contains(IngestConfig.BOOTSTRAP, IngestConfig.REGISTRY_URL, IngestConfig.HTTP_PORT,
                        IngestConfig.HTTP_HOST, IngestConfig.ADMIN_TOKEN, IngestConfig.MAX_EVENTS, IngestConfig.MAX_BODY,
                        IngestConfig.MAX_FUTURE, IngestConfig.RATE, IngestConfig.BURST, IngestConfig.MAX_IN_FLIGHT,
                        IngestConfig.DELIVERY_TIMEOUT, IngestConfig.REQUEST_TIMEOUT, IngestConfig.MAX_BLOCK,
                        IngestConfig.TOPIC_USAGE_EVENTS, IngestConfig.TOPIC_API_KEYS, IngestConfig.TOPIC_ORGS,
                        IngestConfig.TOPIC_BUDGETS, IngestConfig.MAX_BUDGETS, IngestConfig.PROCESSOR_URL,
                        IngestConfig.PROCESSOR_TIMEOUT);
    }

    @Test
    void valuesAreParsedAndInvalidOnesNameTheKey() {
        IngestConfig c = IngestConfig.from(Settings.of(Map.of(IngestConfig.MAX_FUTURE, "2h",
                IngestConfig.RATE, "5", IngestConfig.BURST, "7", IngestConfig.ADMIN_TOKEN, "0123456789abcdef")));
        assertThat(c.maxFuture()).isEqualTo(Duration.ofHours(2));
        assertThat(c.rateLimitEventsPerSecond()).isEqualTo(5);
        assertThat(c.rateLimitBurst()).isEqualTo(7);
        assertThat(c.toString()).doesNotContain("0123456789abcdef");
        assertThatThrownBy(() -> IngestConfig.from(Settings.of(Map.of(IngestConfig.HTTP_PORT, "70000"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining(IngestConfig.HTTP_PORT);
        assertThatThrownBy(() -> IngestConfig.from(Settings.of(Map.of(IngestConfig.MAX_EVENTS, "0"))))
                .hasMessageContaining(IngestConfig.MAX_EVENTS);
        assertThatThrownBy(() -> IngestConfig.from(Settings.of(Map.of(IngestConfig.ADMIN_TOKEN, "short"))))
                .hasMessageContaining(IngestConfig.ADMIN_TOKEN).hasMessageNotContaining("short");
        assertThatThrownBy(() -> IngestConfig.from(Settings.of(Map.of(IngestConfig.DELIVERY_TIMEOUT, "1s",
                IngestConfig.REQUEST_TIMEOUT, "5s")))).hasMessageContaining(IngestConfig.DELIVERY_TIMEOUT);
        assertThatThrownBy(() -> IngestConfig.from(Settings.of(Map.of(IngestConfig.TOPIC_USAGE_EVENTS, "bad topic"))))
                .hasMessageContaining(IngestConfig.TOPIC_USAGE_EVENTS);
        assertThatThrownBy(() -> IngestConfig.from(Settings.of(Map.of(IngestConfig.COMPRESSION, "brotli"))))
                .hasMessageContaining(IngestConfig.COMPRESSION);
    }
}
