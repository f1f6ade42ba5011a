package io.spendstream.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spendstream.config.ConfigException;
import io.spendstream.config.Settings;
import io.spendstream.schema.WindowSize;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StreamProcessorConfigTest {
    @Test
    void shouldHaveWorkingDefaults() {
        StreamProcessorConfig c = StreamProcessorConfig.from(Settings.of(Map.of()));
        assertThat(c.topology().dedupRetention()).isEqualTo(Duration.ofDays(7));
        assertThat(c.topology().grace()).containsEntry(WindowSize.MINUTE, Duration.ofMinutes(2));
        assertThat(c.commitIntervalMs()).isEqualTo(100);
        assertThat(c.topology().usageEvents().name()).isEqualTo("usage-events");
    }

    @Test
    void shouldTakeOverridesIncludingTopicNames() {
        StreamProcessorConfig c = StreamProcessorConfig.from(Settings.of(Map.of(
                "SPENDSTREAM_GRACE_HOUR", "15m", "SPENDSTREAM_TOPIC_USAGE_EVENTS", "prod.usage-events",
                "SPENDSTREAM_PROCESSOR_THREADS", "4")));
        assertThat(c.topology().grace()).containsEntry(WindowSize.HOUR, Duration.ofMinutes(15));
        assertThat(c.topology().usageEvents().name()).isEqualTo("prod.usage-events");
        assertThat(c.streamThreads()).isEqualTo(4);
    }

    @Test
    void shouldFailFastNamingTheKey() {
        assertThatThrownBy(() -> StreamProcessorConfig.from(Settings.of(Map.of("SPENDSTREAM_GRACE_MINUTE", "soon"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("SPENDSTREAM_GRACE_MINUTE=soon");
        assertThatThrownBy(() -> StreamProcessorConfig.from(Settings.of(Map.of("SPENDSTREAM_DEDUP_RETENTION", "2h"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("SPENDSTREAM_DEDUP_RETENTION");
    }

    @Test
    void shouldListEveryKeyItReads() {
        assertThat(StreamProcessorConfig.keys()).contains("SPENDSTREAM_KAFKA_BOOTSTRAP_SERVERS",
                "SPENDSTREAM_SCHEMA_REGISTRY_URL", "SPENDSTREAM_TOPIC_USAGE_EVENTS_DLQ", "SPENDSTREAM_GRACE_DAY");
    }
}
